"""`actionbot run` sends reminders itself: a background thread beside the digest scheduler.

Several instances may run against one database: the (person, day) claim rows make each
reminder go out once. `actionbot reminders send-due` does one pass, for cron deployments.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.instance import instance_name
from bot.reminders.sender import ReminderSender
from bot.reminders.settings import ReminderSettings
from bot.service_health import PassScheduler

log = logging.getLogger(__name__)


def make_sender(runtime: Any, owner: str | None = None) -> ReminderSender:
    from bot.reminders.delivery import reminder_deliveries

    return ReminderSender(runtime.new_uow, reminder_deliveries(runtime), owner or instance_name(),
                          runtime.settings, ReminderSettings.from_extra(runtime.settings.extra))


class ReminderService(PassScheduler):
    name = "reminder scheduler"
    thread_name = "reminder-scheduler"

    def __init__(self, sender: ReminderSender, clock: Any, poll_seconds: float) -> None:
        super().__init__(sender, clock, poll_seconds)

    def worth_logging(self, report: Any) -> bool:
        return bool(report.sent or report.failed or report.notices_sent)


def reminder_service(runtime: Any) -> ReminderService | None:
    """SERVICE_FACTORIES entry: None when `[reminders] scheduler = false` or nothing can deliver."""
    config = ReminderSettings.from_extra(runtime.settings.extra)
    if not config.scheduler:
        return None
    sender = make_sender(runtime)
    if not sender.deliveries:
        return None
    return ReminderService(sender, runtime.clock, config.poll_seconds)
