"""Reminders: teams and their leads, each person's reminder settings, leave, snoozes, and the
claim rows that make each (person, day) reminder go out exactly once.

Migration `0009_reminders` creates exactly these tables; change both together. Nothing here
is ever deleted: leave ended early keeps its row (with `ended_on`), a cancelled snooze keeps
its row (with `cancelled_at`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, UtcDateTime


class TeamRow(Base):
    """A team people belong to (people.team names it); its lead gets the team's reminders."""

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    lead_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    remind_all: Mapped[bool] = mapped_column(Boolean)  # every member, not only the lead
    nation: Mapped[str | None] = mapped_column(String(40))  # bank holidays; None: [calendar]


class ReminderSettingsRow(Base):
    """One row per person who has said anything about their reminders."""

    __tablename__ = "reminder_settings"

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True)
    channel: Mapped[str | None] = mapped_column(String(20))  # slack|teams|email|none; None: default
    timezone: Mapped[str | None] = mapped_column(String(64))
    reminder_day: Mapped[int | None] = mapped_column(Integer)  # 0 = Monday


class LeaveRow(Base):
    __tablename__ = "leave"
    __table_args__ = (Index(None, "person_id", "ends"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    starts: Mapped[date] = mapped_column(Date)
    ends: Mapped[date] = mapped_column(Date)  # last day away, inclusive
    cover_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(200))
    ended_on: Mapped[date | None] = mapped_column(Date)  # "I'm back" before `ends`


class SnoozeRow(Base):
    __tablename__ = "reminder_snoozes"
    __table_args__ = (Index(None, "person_id", "until"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    item_key: Mapped[str] = mapped_column(String(400))  # bot.domain.reminders.ReminderItem.key
    until: Mapped[date] = mapped_column(Date)  # reminded again from this day
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(200))
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ReminderSendRow(Base):
    """One row per (person, day): inserting it is the claim to send that day's reminder.

    The message is built when claimed and kept here (`items`, `text`), so a retry sends the
    same message and a reply to it is read against the items it listed."""

    __tablename__ = "reminder_sends"
    __table_args__ = (
        UniqueConstraint("person_id", "day"),
        Index(None, "state", "next_attempt_at"),
        Index(None, "message_ref"),
        Index(None, "scheduled_for"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    day: Mapped[date] = mapped_column(Date)  # the person's local day
    scheduled_for: Mapped[datetime] = mapped_column(UtcDateTime)
    channel: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(320))  # Slack user id, Teams user id, email
    items: Mapped[list[Any]] = mapped_column(JSON)  # [{"ref", "key", "kind", "plan", "reason"}]
    text: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20))  # pending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer)
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    progress: Mapped[dict[str, Any]] = mapped_column(JSON)  # steps done (Slack ts, mailed)
    message_ref: Mapped[str | None] = mapped_column(String(500))  # what a reply names
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ReminderNoticeRow(Base):
    """A one-off message to a person (Not mine: to the admins and the team lead), sent by the
    reminder sender on its next pass, with the same retries."""

    __tablename__ = "reminder_notices"
    __table_args__ = (Index(None, "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    text: Mapped[str] = mapped_column(Text)
    private: Mapped[bool] = mapped_column(Boolean)
    state: Mapped[str] = mapped_column(String(20))  # pending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer)
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
