"""`actionbot run` sends due digests itself: a background thread that polls the schedule.

Several instances may run against one database: the claim rows (see bot.digest.sender) make
each period go out once. `actionbot digest send-due` does one pass, for cron deployments.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from typing import Any

from bot.digest.sender import DigestSender, SenderSettings

log = logging.getLogger(__name__)

DEFAULT_POLL_SECONDS = 30.0


def instance_name() -> str:
    """Who holds a claim: host, process and a random part (two runs in one process differ)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def make_sender(runtime: Any, owner: str | None = None) -> DigestSender:
    from bot.app import digest_deliveries

    section = runtime.settings.extra.get("digest", {})
    return DigestSender(runtime.new_uow, digest_deliveries(runtime), owner or instance_name(),
                        SenderSettings.from_extra(section))


class DigestService:
    name = "digest scheduler"
    is_chat = False

    def __init__(self, sender: DigestSender, clock: Any, poll_seconds: float = DEFAULT_POLL_SECONDS) -> None:
        self.sender = sender
        self.clock = clock
        self.poll_seconds = poll_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="digest-scheduler", daemon=True)
        self._thread.start()

    def run_once(self) -> None:
        try:
            report = self.sender.send_due(self.clock.now())
        except Exception:  # a database hiccup must not kill the scheduler; the next poll retries
            log.exception("digest pass failed", extra={"owner": self.sender.owner})
            return
        if report.sent or report.failed or report.skipped:
            log.info("digest pass", extra={"owner": self.sender.owner, "summary": report.summary()})

    def _loop(self) -> None:
        while not self._stop.is_set():  # the first pass runs at once: missed periods on start-up
            self.run_once()
            self._stop.wait(self.poll_seconds)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=60)
            self._thread = None


def digest_service(runtime: Any) -> DigestService | None:
    """SERVICE_FACTORIES entry: None when `[digest] scheduler = false` or nothing can deliver."""
    section = runtime.settings.extra.get("digest", {})
    if section.get("scheduler") is False:
        return None
    sender = make_sender(runtime)
    if not sender.deliveries:
        return None
    return DigestService(sender, runtime.clock, float(section.get("poll_seconds", DEFAULT_POLL_SECONDS)))
