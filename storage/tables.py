"""The core tables: plans, sections, actions, their history, people and inbound messages.

Rows here never leave `storage/`: the repositories map them to `bot.domain.model` objects.
Migration `0001_initial` creates exactly these tables; change both together.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy import false
from sqlalchemy.orm import Mapped, mapped_column, validates

from bot.domain.codes import code_number, code_tail, normalise
from storage.base import Base, UtcDateTime


class PlanRow(Base):
    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(Text)


class SectionRow(Base):
    __tablename__ = "sections"
    __table_args__ = (UniqueConstraint("plan_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    code: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)
    reported_progress: Mapped[int | None] = mapped_column(Integer)
    reported_due: Mapped[date | None] = mapped_column(Date)


class ActionRow(Base):
    __tablename__ = "actions"
    __table_args__ = (
        UniqueConstraint("plan_id", "code_norm"),
        # The three keys a typed code resolves on (bot.domain.codes.typed_key).
        Index(None, "code_norm"),
        Index(None, "code_tail"),
        Index(None, "code_number"),
        Index(None, "section_id"),
        # Migration 0012 (questions at council scale): open actions of a plan by due date
        # (`overdue`, `mine`), and a typed tail or number looked up within the asker's plan
        # (the same tail exists in each of a council's plans).
        Index("ix_actions_plan_state_due", "plan_id", "state", "due_date"),
        Index("ix_actions_plan_tail", "plan_id", "code_tail"),
        Index("ix_actions_plan_number", "plan_id", "code_number"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    section_id: Mapped[int] = mapped_column(ForeignKey("sections.id"))
    code: Mapped[str] = mapped_column(String(100))
    code_norm: Mapped[str] = mapped_column(String(100))
    code_tail: Mapped[str] = mapped_column(String(100))
    code_number: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(Text)
    responsibility: Mapped[str | None] = mapped_column(Text)
    due_date: Mapped[date | None] = mapped_column(Date)
    original_due_date: Mapped[date | None] = mapped_column(Date)
    due_text: Mapped[str | None] = mapped_column(String(200))
    progress: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20))
    completed_on: Mapped[date | None] = mapped_column(Date)
    latest_update: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    updated_by: Mapped[str | None] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer)
    # What the team's own tracker says (bot.domain.model.FILE_FIELDS), and removal (--prune).
    rag: Mapped[str | None] = mapped_column(String(40))
    direction: Mapped[str | None] = mapped_column(String(40))
    priority: Mapped[str | None] = mapped_column(String(100))
    recommendation: Mapped[str | None] = mapped_column(Text)
    recurring: Mapped[str | None] = mapped_column(String(100))
    file_status: Mapped[str | None] = mapped_column(String(200))
    proposed_for_closure: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    removed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    @validates("code")
    def _set_keys(self, _key: str, code: str) -> str:
        """Whenever the code is written, its three lookup keys are written with it."""
        self.code_norm = normalise(code)
        self.code_tail = code_tail(code)
        self.code_number = code_number(code)
        return code


class HistoryRow(Base):
    """Append-only: storage has no way to update or delete a history row."""

    __tablename__ = "history"
    # Migration 0012: `history CODE` reads an action's newest entries without sorting them all;
    # from 0013 it is the only index on action_id (an update writes one index fewer).
    __table_args__ = (Index("ix_history_action_at", "action_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id"))
    batch_id: Mapped[str | None] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    actor: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(50))
    kind: Mapped[str] = mapped_column(String(20))
    # A list of [field, old, new]; dates as ISO text, enums as their value.
    changes: Mapped[list[Any]] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)
    source_ref: Mapped[str | None] = mapped_column(String(500), index=True)
    undoes_batch: Mapped[str | None] = mapped_column(String(64), index=True)


class PersonRow(Base):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    team: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    roles_extra: Mapped[str] = mapped_column(Text)  # comma-separated, "" for none


class IdentityRow(Base):
    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    channel: Mapped[str] = mapped_column(String(50))
    external_id: Mapped[str] = mapped_column(String(320))


class InboundMessageRow(Base):
    __tablename__ = "inbound_messages"
    __table_args__ = (UniqueConstraint("channel", "message_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(50))
    message_id: Mapped[str] = mapped_column(String(500))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # The reply given, for channels that may need to send it again after a crash (email).
    reply_text: Mapped[str | None] = mapped_column(Text)
