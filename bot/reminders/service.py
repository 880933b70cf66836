"""`actionbot run` sends reminders itself: a background thread beside the digest scheduler.

Several instances may run against one database: the (person, day) claim rows make each
reminder go out once. `actionbot reminders send-due` does one pass, for cron deployments.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from bot.instance import instance_name
from bot.reminders.sender import ReminderSender
from bot.reminders.settings import ReminderSettings
from bot.service_health import PassClock

log = logging.getLogger(__name__)


def make_sender(runtime: Any, owner: str | None = None) -> ReminderSender:
    from bot.reminders.delivery import reminder_deliveries

    return ReminderSender(runtime.new_uow, reminder_deliveries(runtime), owner or instance_name(),
                          runtime.settings, ReminderSettings.from_extra(runtime.settings.extra))


class ReminderService:
    name = "reminder scheduler"
    is_chat = False

    def __init__(self, sender: ReminderSender, clock: Any, poll_seconds: float) -> None:
        self.sender = sender
        self.clock = clock
        self.poll_seconds = poll_seconds
        self.passes = PassClock(poll_seconds)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        sender.stopping = self._stop.is_set

    def start(self) -> None:
        self._stop.clear()
        self.passes = PassClock(self.poll_seconds)
        self._thread = threading.Thread(target=self._loop, name="reminder-scheduler", daemon=True)
        self._thread.start()

    def run_once(self) -> None:
        try:
            report = self.sender.send_due(self.clock.now())
        except Exception:  # a database hiccup must not kill the scheduler; the next poll retries
            log.exception("reminder pass failed", extra={"owner": self.sender.owner})
            return
        self.passes.succeeded()
        if report.sent or report.failed or report.notices_sent:
            log.info("reminder pass", extra={"owner": self.sender.owner, "summary": report.summary()})

    def _loop(self) -> None:
        while not self._stop.is_set():  # the first pass runs at once: missed days on start-up
            self.run_once()
            self._stop.wait(self.poll_seconds)

    def health(self) -> str | None:
        return self.passes.problem(self.name)

    def stop(self, timeout: float | None = None) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=60 if timeout is None else timeout)
            self._thread = None


def reminder_service(runtime: Any) -> ReminderService | None:
    """SERVICE_FACTORIES entry: None when `[reminders] scheduler = false` or nothing can deliver."""
    config = ReminderSettings.from_extra(runtime.settings.extra)
    if not config.scheduler:
        return None
    sender = make_sender(runtime)
    if not sender.deliveries:
        return None
    return ReminderService(sender, runtime.clock, config.poll_seconds)
