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
    return cloud_mailbox(runtime) or maildir_mailbox(runtime, settings, watching=watching)


def cloud_mailbox(runtime: Any) -> Mailbox | None:
    """Graph or EWS when the settings choose one (a SettingsError names what is missing);
    None for the Maildir. Building one connects to nothing."""
    from bot.mail.backends import mailbox_from_settings
    from storage.repositories.mail import SqlCursorStore

    return mailbox_from_settings(runtime.settings, runtime.environ, SqlCursorStore(runtime.new_uow))


def maildir_mailbox(runtime: Any, settings: MailSettings, *, watching: bool = False) -> Mailbox:
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
    """Polls the mailbox every `poll_seconds` in a daemon thread until stopped. Nothing is
    opened or created (not even ./maildrop) before start()."""

    is_chat = False

    def __init__(self, runtime: Any, settings: MailSettings, cloud: Mailbox | None) -> None:
        self.runtime = runtime
        self.settings = settings
        self.cloud = cloud
        self.poll_seconds = settings.poll_seconds
        self.name = f"mail ({cloud.name if cloud is not None else 'maildir ' + str(runtime.settings.maildrop)})"
        self.ingestor: MailIngestor | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        mailbox = self.cloud or maildir_mailbox(self.runtime, self.settings, watching=True)
        self.ingestor = build_ingestor(self.runtime, mailbox)
        self._thread = threading.Thread(target=self._run, args=(self.ingestor,), name="mail-poll", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=max(5.0, self.poll_seconds))
        if self.ingestor is not None:
            self.ingestor.mailbox.close()

    def _run(self, ingestor: MailIngestor) -> None:
        while not self._stop.is_set():
            try:
                ingestor.poll_once()
            except Exception:  # the database or the mail server is away; try again next time
                log.exception("mail poll failed; retrying", extra={"backend": ingestor.mailbox.name})
            self._stop.wait(self.poll_seconds)


def mail_service(runtime: Any) -> MailPollService:
    """The SERVICE_FACTORIES entry: the Maildir default always runs. A Graph or EWS backend
    with missing settings raises a SettingsError naming them, which `run` prints as a sentence."""
    settings = MailSettings.from_extra(runtime.settings.extra)
    return MailPollService(runtime, settings, cloud_mailbox(runtime))
