"""Wiring the mailbox into the runtime: choose the backend, build the ingestor, poll in a thread.

`mail_service` is in `bot.app.SERVICE_FACTORIES`, so `actionbot run` polls the mailbox on an
interval; `actionbot mail poll` calls `build_ingestor` and polls in the foreground.

The backend is chosen by bot.mail.backends (`[mail] backend` or ACTIONBOT_MAIL_BACKEND):
Graph and EWS keep their sync state (deltaLink, SyncState) in the database through
`SqlCursorStore`; the default is the Maildir in `settings.maildrop`.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from bot.mail.ingest import MailIngestor, TriageNotifier, console_triage
from bot.mail.mailbox import Mailbox
from bot.mail.settings import MailSettings

log = logging.getLogger(__name__)

def open_mailbox(runtime: Any, settings: MailSettings, *, watching: bool = False) -> Mailbox:
    """The configured Graph or EWS mailbox, else the Maildir (when watching, a dropped .eml
    file is left alone until it has been still for a second: it may still be being copied)."""
    from bot.mail.backends import mailbox_from_settings
    from storage.repositories.mail import SqlCursorStore

    cloud = mailbox_from_settings(runtime.settings, runtime.environ, SqlCursorStore(runtime.new_uow))
    if cloud is not None:
        return cloud
    from bot.mail.maildir import MaildirMailbox

    return MaildirMailbox(Path(runtime.settings.maildrop), settings.address, settle_seconds=1.0 if watching else 0.0)


def build_ingestor(runtime: Any, mailbox: Mailbox | None = None, notify: TriageNotifier | None = None,
                   *, watching: bool = False) -> MailIngestor:
    settings = MailSettings.from_extra(runtime.settings.extra)
    return MailIngestor(
        mailbox=mailbox or open_mailbox(runtime, settings, watching=watching),
        new_uow=runtime.new_uow,
        dispatch=runtime.dispatcher.handle,
        clock=runtime.clock,
        settings=settings,
        notify=notify or runtime.triage_notifier or console_triage,
    )


class MailPollService:
    """Polls the mailbox every `poll_seconds` in a daemon thread until stopped."""

    is_chat = False

    def __init__(self, ingestor: MailIngestor, poll_seconds: float) -> None:
        self.ingestor = ingestor
        self.poll_seconds = poll_seconds
        self.name = f"mail ({ingestor.mailbox.name})"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="mail-poll", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=max(5.0, self.poll_seconds))
        self.ingestor.mailbox.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.ingestor.poll_once()
            except Exception:  # the database or the mail server is away; try again next time
                log.exception("mail poll failed; retrying", extra={"backend": self.ingestor.mailbox.name})
            self._stop.wait(self.poll_seconds)


def mail_service(runtime: Any) -> MailPollService | None:
    """The SERVICE_FACTORIES entry: the Maildir default always runs. A Graph or EWS backend
    with missing settings raises a SettingsError naming them, which `run` prints as a sentence."""
    settings = MailSettings.from_extra(runtime.settings.extra)
    ingestor = build_ingestor(runtime, watching=True)
    return MailPollService(ingestor, settings.poll_seconds)
