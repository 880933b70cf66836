"""Plain objects for digest subscriptions and their deliveries (one per period)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

DESTINATION_KINDS = ("slack", "teams", "email")
GROUP_BY = ("section", "responsibility")
DEFAULT_SCHEDULE = "0 9 * * 1"  # Monday 09:00
DEFAULT_TIMEZONE = "Europe/London"
DEFAULT_DUE_SOON_DAYS = 14
DEFAULT_STALE_DAYS = 30  # "Check Progress" in the seed report's legend


class DeliveryState(str, enum.Enum):
    PENDING = "pending"  # claimed; a sender is on it until lease_until
    SENT = "sent"
    FAILED = "failed"  # retried at next_attempt_at; final when next_attempt_at is None
    SKIPPED = "skipped"  # the period was missed by more than the grace window


@dataclass(frozen=True)
class Subscription:
    destination_kind: str
    destination: str
    plan: str | None = None
    sections: tuple[str, ...] = ()
    responsibility: str | None = None
    group_by: str = "section"
    schedule: str = DEFAULT_SCHEDULE
    timezone: str = DEFAULT_TIMEZONE
    due_soon_days: int = DEFAULT_DUE_SOON_DAYS
    stale_days: int = DEFAULT_STALE_DAYS
    active: bool = True
    skip_when_empty: bool = False  # send nothing for a period with nothing to report
    created_at: datetime | None = None
    created_by: str = ""
    id: int | None = None

    def describe(self) -> str:
        scope = self.plan or "every plan"
        if self.sections:
            scope += f", sections {', '.join(self.sections)}"
        if self.responsibility:
            scope += f", for {self.responsibility}"
        quiet = "; not sent when empty" if self.skip_when_empty else ""
        return f"{self.destination_kind}:{self.destination} — {scope}; '{self.schedule}' {self.timezone}{quiet}"


@dataclass(frozen=True)
class DeliveryRecord:
    subscription_id: int
    period_key: str
    scheduled_for: datetime
    state: DeliveryState
    attempts: int = 0
    claimed_by: str | None = None
    lease_until: datetime | None = None
    next_attempt_at: datetime | None = None
    last_error: str | None = None
    progress: dict[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None
    sent_at: datetime | None = None
    id: int | None = None
