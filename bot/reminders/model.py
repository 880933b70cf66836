"""Plain records of the reminder sender: a claimed (person, day) message and a one-off notice."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


class SendState(str, enum.Enum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


@dataclass(frozen=True)
class SendRecord:
    """One person's reminder for one day: the claim, the message, and how sending went."""

    person_id: int
    person: str
    day: date
    scheduled_for: datetime
    channel: str
    address: str
    items: tuple[dict[str, Any], ...]  # {"ref", "key", "kind", "plan", "reason"} in listed order
    text: str
    state: SendState = SendState.PENDING
    attempts: int = 1
    claimed_by: str | None = None
    lease_until: datetime | None = None
    next_attempt_at: datetime | None = None
    last_error: str | None = None
    progress: dict[str, Any] = field(default_factory=dict)
    message_ref: str | None = None
    created_at: datetime | None = None
    sent_at: datetime | None = None
    id: int | None = None

    def refs(self) -> list[str]:
        return [str(item["ref"]) for item in self.items]

    def item_lines(self) -> list[str]:
        """Each listed item's own line of the message (line 1 + its index)."""
        lines = self.text.split("\n")
        return lines[1:1 + len(self.items)]

    def other_lines(self) -> list[str]:
        """The message after its item lines: how to answer, escalations."""
        return self.text.split("\n")[1 + len(self.items):]


@dataclass(frozen=True)
class Notice:
    """A one-off message to one person (Not mine, to the admins and the team lead)."""

    person_id: int
    person: str
    text: str
    private: bool = False
    state: SendState = SendState.PENDING
    attempts: int = 0
    claimed_by: str | None = None
    lease_until: datetime | None = None
    next_attempt_at: datetime | None = None
    last_error: str | None = None
    created_at: datetime | None = None
    sent_at: datetime | None = None
    id: int | None = None
