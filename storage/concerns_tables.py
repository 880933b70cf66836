"""Tables of the contract-monitoring log and the shared mailbox.

Migration `0002_concerns` creates these tables and `0008_confidential` adds the
confidentiality columns and the access log; change the migrations and this file together.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, UtcDateTime


class ProviderRow(Base):
    __tablename__ = "providers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    aliases: Mapped[str] = mapped_column(Text)  # newline-separated
    email_domains: Mapped[str] = mapped_column(Text)  # newline-separated, lower case
    # Migration 0010: the officer allocated, the risk level, and when it was registered.
    officer: Mapped[str | None] = mapped_column(String(200))
    risk: Mapped[str | None] = mapped_column(String(10))
    registered_on: Mapped[date | None] = mapped_column(Date)


class ReferenceCounterRow(Base):
    """The last sequence number handed out per year: `PQ-2026-0042` is year 2026, number 42."""

    __tablename__ = "concern_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer)


class ConcernRow(Base):
    __tablename__ = "concerns"
    __table_args__ = (UniqueConstraint("year", "sequence"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("providers.id"), index=True)
    provider_text: Mapped[str | None] = mapped_column(String(200))  # as typed, when no record matched
    category: Mapped[str] = mapped_column(String(40))
    summary: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(20))
    reporter: Mapped[str] = mapped_column(String(320))
    reporter_email: Mapped[str | None] = mapped_column(String(320))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    action_code: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(20), index=True)
    message_id: Mapped[str | None] = mapped_column(String(500))
    # Migration 0008: confidentiality, downgrades, retention.
    restriction: Mapped[str] = mapped_column(String(20), default="none", server_default="none")
    body_restricted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    downgrade_requested_by: Mapped[str | None] = mapped_column(String(200))
    downgrade_to: Mapped[str | None] = mapped_column(String(40))
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    anonymised_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Migration 0010: received_at is the mail's Date; logged_at when we wrote the entry.
    logged_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    provider_proposed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    responded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    complaint_stage: Mapped[int | None] = mapped_column(Integer)


class ConcernActionRow(Base):
    __tablename__ = "concern_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    concern_id: Mapped[int] = mapped_column(ForeignKey("concerns.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200))
    due_date: Mapped[date | None] = mapped_column(Date)
    due_text: Mapped[str | None] = mapped_column(String(200))
    done: Mapped[bool] = mapped_column(Boolean)
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # migration 0010
    done_note: Mapped[str | None] = mapped_column(Text)  # migration 0010


class MonitoringVisitRow(Base):
    """One monitoring activity done for a provider (a visit, liaison meeting, forum, call-
    monitoring review), with its note and report (migration 0010). The schedule's next dates
    are computed from these (bot.domain.monitoring), never stored."""

    __tablename__ = "monitoring_visits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    activity: Mapped[str] = mapped_column(String(40))
    done_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(320))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    report_filename: Mapped[str | None] = mapped_column(String(500))
    report_data: Mapped[bytes | None] = mapped_column(LargeBinary)


class ConcernEventRow(Base):
    """Append-only: storage has no way to update or delete an event."""

    __tablename__ = "concern_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    concern_id: Mapped[int] = mapped_column(ForeignKey("concerns.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(320))
    channel: Mapped[str] = mapped_column(String(50))
    kind: Mapped[str] = mapped_column(String(20))
    changes: Mapped[list[Any]] = mapped_column(JSON)  # [[field, old, new], ...]
    note: Mapped[str | None] = mapped_column(Text)
    source_ref: Mapped[str | None] = mapped_column(String(500), index=True)
    restricted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())  # 0008


class ConcernAttachmentRow(Base):
    __tablename__ = "concern_attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    concern_id: Mapped[int] = mapped_column(ForeignKey("concerns.id"), index=True)
    filename: Mapped[str] = mapped_column(String(500))
    content_type: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes | None] = mapped_column(LargeBinary)  # None: over the limit, not kept
    note: Mapped[str | None] = mapped_column(Text)
    restricted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())  # 0008


class ConcernAccessRow(Base):
    """Every view of a confidential entry, allowed or refused: who, when, where (migration 0008).
    Append-only, for `PQ-… access` and `actionbot concerns access-log`."""

    __tablename__ = "concern_access"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    concern_id: Mapped[int] = mapped_column(ForeignKey("concerns.id"), index=True)
    reference: Mapped[str] = mapped_column(String(20))
    person: Mapped[str] = mapped_column(String(320))
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    channel: Mapped[str] = mapped_column(String(50))
    place: Mapped[str | None] = mapped_column(String(500))  # conversation id; None: a private place
    what: Mapped[str] = mapped_column(String(40))  # show, list, allocate, access, export …
    allowed: Mapped[bool] = mapped_column(Boolean)


class ConcernThreadRow(Base):
    """Message-IDs that belong to an entry (the mail that opened it, replies, our
    acknowledgements), so a reply's In-Reply-To/References finds its entry."""

    __tablename__ = "concern_threads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[str] = mapped_column(String(500), unique=True)
    concern_id: Mapped[int] = mapped_column(ForeignKey("concerns.id"), index=True)


class MailLogRow(Base):
    """Every message the mailbox delivered, once: the exactly-once key and what became of it."""

    __tablename__ = "mail_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mail_key: Mapped[str] = mapped_column(String(500), unique=True)  # Message-ID or sha256:...
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sender: Mapped[str | None] = mapped_column(String(320), index=True)
    outcome: Mapped[str] = mapped_column(String(40))  # see bot.mail.ingest.Outcome
    folder: Mapped[str] = mapped_column(String(50))
    reference: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)


class MailOutboxRow(Base):
    """Mail to send, written in the same transaction as the effect it reports; sent after
    commit and marked sent, so a crash neither loses nor repeats an acknowledgement."""

    __tablename__ = "mail_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[str] = mapped_column(String(500), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class MailboxStateRow(Base):
    """A backend's sync state between polls (Graph deltaLink, EWS SyncState)."""

    __tablename__ = "mailbox_state"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
