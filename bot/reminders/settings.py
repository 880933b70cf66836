"""`[reminders]` settings: what is sent and when, and how the sender retries.

    [reminders]
    due_soon = [7, 1]        # working days before the due date
    stale_days = 30          # an update request after this many days without an update
    escalate_after = 10      # working days overdue before the team lead and admins are told
    send_time = "09:00"      # in each person's time zone
    timezone = "Europe/London"
    reminder_day = "monday"  # weekly overdue reminders, update requests, escalations
    max_items = 20           # items listed in one message, most urgent first (1-20); the rest counted
    grace_hours = 12         # a missed day is still sent this long after its send time
    scheduler = true         # `actionbot run` sends reminders itself
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.reminders import MAX_ITEMS, WEEKDAYS, ReminderRules


class ReminderSettingsError(ValueError):
    """A `[reminders]` value that cannot be used; the message says which and what to write."""


def weekday_number(text: str) -> int:
    key = text.strip().lower()
    for number, name in enumerate(WEEKDAYS):
        if key in (name, name[:3]):
            return number
    raise ReminderSettingsError(f"'{text}' is not a day of the week; write e.g. monday.")


def check_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ReminderSettingsError(f"'{name}' is not a time zone; use a name like Europe/London.") from None
    return name


def read_time(text: str) -> time:
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", text.strip())
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise ReminderSettingsError(f"'{text}' is not a time of day; write e.g. 09:00.")
    return time(int(match.group(1)), int(match.group(2)))


@dataclass(frozen=True)
class ReminderSettings:
    rules: ReminderRules = field(default_factory=ReminderRules)
    send_at: time = time(9, 0)
    grace: timedelta = timedelta(hours=12)
    lease: timedelta = timedelta(minutes=10)
    max_attempts: int = 5
    retry_base: timedelta = timedelta(minutes=1)
    scheduler: bool = True
    poll_seconds: float = 60.0

    def backoff(self, attempts: int) -> timedelta:
        return self.retry_base * (1 << max(attempts - 1, 0))

    @classmethod
    def from_extra(cls, extra: Mapping[str, Any]) -> ReminderSettings:
        section = extra.get("reminders", {}) or {}
        if not isinstance(section, Mapping):
            raise ReminderSettingsError("[reminders] must be a table.")

        def number(key: str, default: float) -> float:
            value = section.get(key, default)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ReminderSettingsError(f"[reminders] {key} must be a number of 0 or more, not {value!r}.")
            return float(value)

        due_soon = section.get("due_soon", [7, 1])
        if not isinstance(due_soon, list) or not all(isinstance(d, int) and not isinstance(d, bool) and 0 < d <= 60
                                                      for d in due_soon):
            raise ReminderSettingsError("[reminders] due_soon must be a list of working days, e.g. [7, 1].")
        send_time = str(section.get("send_time", "09:00"))
        max_items = section.get("max_items", MAX_ITEMS)
        if isinstance(max_items, bool) or not isinstance(max_items, int) or not 1 <= max_items <= MAX_ITEMS:
            raise ReminderSettingsError(f"[reminders] max_items must be a whole number from 1 to {MAX_ITEMS} (each "
                                        f"listed item has its own buttons), not {max_items!r}.")
        rules = ReminderRules(
            due_soon=tuple(sorted(set(due_soon), reverse=True)),
            stale_days=int(number("stale_days", 30)),
            escalate_after=int(number("escalate_after", 10)),
            send_time=send_time,
            timezone=check_zone(str(section.get("timezone", "Europe/London"))),
            reminder_day=weekday_number(str(section.get("reminder_day", "monday"))),
            max_items=max_items,
        )
        return cls(
            rules=rules, send_at=read_time(send_time), grace=timedelta(hours=number("grace_hours", 12)),
            lease=timedelta(seconds=max(number("lease_seconds", 600), 1)),
            max_attempts=max(int(number("max_attempts", 5)), 1),
            retry_base=timedelta(seconds=number("retry_base_seconds", 60)),
            scheduler=section.get("scheduler", True) is not False,
            poll_seconds=max(number("poll_seconds", 60), 1),
        )
