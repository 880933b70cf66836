"""Digest subscriptions and the claim rows that make each digest go out exactly once.

Migration `0003_digests` creates exactly these tables; change both together.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, UtcDateTime
from storage.tables import HistoryRow

# "What changed since the last digest" reads history by time (uow.history.since).
HISTORY_AT_INDEX = Index("ix_history_at", HistoryRow.at)


class DigestSubscriptionRow(Base):
    __tablename__ = "digest_subscriptions"
    __table_args__ = (Index(None, "destination_kind", "destination"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    destination_kind: Mapped[str] = mapped_column(String(20))  # "slack" | "teams" | "email"
    destination: Mapped[str] = mapped_column(String(500))  # channel id, conversation id, address
    plan: Mapped[str | None] = mapped_column(String(200))
    sections: Mapped[list[Any]] = mapped_column(JSON)  # section codes; [] = every section
    responsibility: Mapped[str | None] = mapped_column(String(200))
    group_by: Mapped[str] = mapped_column(String(20))  # "section" | "responsibility"
    schedule: Mapped[str] = mapped_column(String(100))  # five-field cron, local to `timezone`
    timezone: Mapped[str] = mapped_column(String(64))
    due_soon_days: Mapped[int] = mapped_column(Integer)
    stale_days: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(200))
    # Migration 0012: a period with nothing to report is recorded as skipped, not sent.
    skip_when_empty: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class DigestDeliveryRow(Base):
    """One row per (subscription, period): inserting it is the claim to send that period."""

    __tablename__ = "digest_deliveries"
    __table_args__ = (
        UniqueConstraint("subscription_id", "period_key"),
        Index(None, "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("digest_subscriptions.id"))
    period_key: Mapped[str] = mapped_column(String(40))  # the scheduled local time, ISO
    scheduled_for: Mapped[datetime] = mapped_column(UtcDateTime)
    state: Mapped[str] = mapped_column(String(20))  # pending | sent | failed | skipped
    attempts: Mapped[int] = mapped_column(Integer)
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    progress: Mapped[dict[str, Any]] = mapped_column(JSON)  # steps a delivery has completed
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
