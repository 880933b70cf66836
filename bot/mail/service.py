"""Wiring the mailbox into the runtime: choose the backend, build the ingestor, poll in a thread.

`mail_service` is in `bot.app.SERVICE_FACTORIES`, so `actionbot run` polls the mailbox on an
interval; `actionbot mail poll` calls `build_ingestor` and polls in the foreground.

The backend is chosen by bot.mail.backends (`[mail] backend` or ACTIONBOT_MAIL_BACKEND):
Graph and EWS keep their sync state (deltaLink, SyncState) in the database through
`SqlCursorStore`; the default is the Maildir in `settings.maildrop`.

With several instances on one PostgreSQL database only the leader polls (storage.leader: an
advisory lock held on a connection of its own); the others ask for the lead every period and
take over within one period of the leader's death. Correctness never depended on it (the
Message-ID claim handles each mail once), but three pollers triple the Graph or EWS traffic.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.instance import instance_name
from bot.mail.ingest import MailIngestor, TriageNotifier, console_triage
from bot.mail.mailbox import Mailbox
from bot.mail.settings import MailSettings
from bot.service_health import PassClock

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
                   *, watching: bool = False, stopping: Callable[[], bool] = lambda: False) -> MailIngestor:
    settings = MailSettings.from_extra(runtime.settings.extra)
    return MailIngestor(
        mailbox=mailbox or open_mailbox(runtime, settings, watching=watching),
        new_uow=runtime.new_uow,
        dispatch=runtime.dispatcher.handle,
        clock=runtime.clock,
        settings=settings,
        notify=notify or runtime.triage_notifier or console_triage,
        metrics=runtime.metrics,
        stopping=stopping,
    )


class MailPollService:
    """Polls the mailbox every `poll_seconds` in a daemon thread until stopped, while this
    instance leads. Nothing is opened or created (not even ./maildrop) before start()."""

    is_chat = False

    def __init__(self, runtime: Any, settings: MailSettings, cloud: Mailbox | None) -> None:
        from storage.leader import Leadership

        self.runtime = runtime
        self.settings = settings
        self.cloud = cloud
        self.poll_seconds = settings.poll_seconds
        self.name = f"mail ({cloud.name if cloud is not None else 'maildir ' + str(runtime.settings.maildrop)})"
        self.ingestor: MailIngestor | None = None
        self.leadership = Leadership(runtime.engine, "mail-poll")
        self.leading: bool | None = None  # None until the first ask
        self.instance = instance_name()
        self.passes = PassClock(self.poll_seconds)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        mailbox = self.cloud or maildir_mailbox(self.runtime, self.settings, watching=True)
        self.ingestor = build_ingestor(self.runtime, mailbox, stopping=self._stop.is_set)
        self.passes = PassClock(self.poll_seconds)
        self._thread = threading.Thread(target=self._run, args=(self.ingestor,), name="mail-poll", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = None) -> None:
        """Finish the message in hand, give up the lead, close the mailbox."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=timeout if timeout is not None else max(5.0, self.poll_seconds))
        self.leadership.release()
        if self.ingestor is not None:
            self.ingestor.mailbox.close()
        log.info("mail stopped", extra={"backend": self.name})

    def health(self) -> str | None:
        return self.passes.problem(self.name)

    def _run(self, ingestor: MailIngestor) -> None:
        while not self._stop.is_set():
            try:
                if self._lead():
                    ingestor.poll_once()
                self.passes.succeeded()  # a follower that could ask for the lead is healthy too
            except Exception:  # the database or the mail server is away; try again next time
                log.exception("mail poll failed; retrying", extra={"backend": ingestor.mailbox.name})
            self._stop.wait(self.poll_seconds)

    def _lead(self) -> bool:
        leading = self.leadership.try_lead()
        if leading != self.leading:
            if self.leadership.shared:
                log.info("this instance polls the shared mailbox" if leading else
                         "another instance polls the shared mailbox; this one waits to take over",
                         extra={"instance": self.instance, "backend": self.name})
            self.leading = leading
        return leading


def mail_service(runtime: Any) -> MailPollService:
    """The SERVICE_FACTORIES entry: the Maildir default always runs. A Graph or EWS backend
    with missing settings raises a SettingsError naming them, which `run` prints as a sentence."""
    settings = MailSettings.from_extra(runtime.settings.extra)
    return MailPollService(runtime, settings, cloud_mailbox(runtime))
