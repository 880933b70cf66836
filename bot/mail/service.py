"""Wiring the mailbox into the runtime: choose the backend, build the ingestor, poll in a thread.

`mail_service` is in `bot.app.SERVICE_FACTORIES`, so `actionbot run` polls the mailbox on an
interval; `actionbot mail poll` calls `build_ingestor` and polls in the foreground.

A backend is "module:function" in `MAILBOX_BACKENDS`; the function takes
`(runtime, mail_settings, watching=bool)` and returns a `Mailbox`. Backends that keep sync
state between polls (Graph deltaLink, EWS SyncState) use
`storage.repositories.mail.SqlCursorStore(runtime.new_uow, prefix="graph:")`.
"""

from __future__ import annotations

import importlib
import logging
import sys
import threading
from typing import Any

from bot.mail.ingest import MailIngestor, TriageNotifier, console_triage
from bot.mail.mailbox import Mailbox
from bot.mail.settings import MailSettings

log = logging.getLogger(__name__)

MAILBOX_BACKENDS: dict[str, str] = {
    "maildir": "bot.mail.maildir:open_maildir_mailbox",
}


def open_mailbox(runtime: Any, settings: MailSettings, *, watching: bool = False) -> Mailbox:
    spec = MAILBOX_BACKENDS.get(settings.backend)
    if spec is None:
        raise ValueError(f"[mail] backend = {settings.backend!r} is not one of: {', '.join(sorted(MAILBOX_BACKENDS))}.")
    module_name, function_name = spec.split(":")
    factory = getattr(importlib.import_module(module_name), function_name)
    mailbox: Mailbox = factory(runtime, settings, watching=watching)
    return mailbox


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
    """The SERVICE_FACTORIES entry: the Maildir default always runs; another backend whose
    settings are missing (its factory raises a clear error) is reported and left out."""
    try:
        settings = MailSettings.from_extra(runtime.settings.extra)
        ingestor = build_ingestor(runtime, watching=True)
    except Exception as exc:  # a backend without its settings must not stop the chat channels
        log.error("mailbox not started", extra={"reason": str(exc)})
        print(f"The mailbox was not started: {exc}", file=sys.stderr, flush=True)
        return None
    return MailPollService(ingestor, settings.poll_seconds)
