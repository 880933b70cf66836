"""Digest subscriptions and sent periods (issue 7).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copy of storage.base.UtcDateTime's storage type.
UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_index("ix_history_at", "history", ["at"])
    op.create_table(
        "digest_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("destination_kind", sa.String(20), nullable=False),
        sa.Column("destination", sa.String(500), nullable=False),
        sa.Column("plan", sa.String(200), nullable=True),
        sa.Column("sections", sa.JSON(), nullable=False),
        sa.Column("responsibility", sa.String(200), nullable=True),
        sa.Column("group_by", sa.String(20), nullable=False),
        sa.Column("schedule", sa.String(100), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("due_soon_days", sa.Integer(), nullable=False),
        sa.Column("stale_days", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_digest_subscriptions"),
    )
    op.create_index(
        "ix_digest_subscriptions_destination_kind_destination",
        "digest_subscriptions",
        ["destination_kind", "destination"],
    )
    op.create_table(
        "digest_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("period_key", sa.String(40), nullable=False),
        sa.Column("scheduled_for", UTC_DATETIME, nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(200), nullable=True),
        sa.Column("lease_until", UTC_DATETIME, nullable=True),
        sa.Column("next_attempt_at", UTC_DATETIME, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("progress", sa.JSON(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("sent_at", UTC_DATETIME, nullable=True),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["digest_subscriptions.id"],
            name="fk_digest_deliveries_subscription_id_digest_subscriptions",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_digest_deliveries"),
        sa.UniqueConstraint(
            "subscription_id", "period_key", name="uq_digest_deliveries_subscription_id_period_key"
        ),
    )
    op.create_index(
        "ix_digest_deliveries_state_next_attempt_at", "digest_deliveries", ["state", "next_attempt_at"]
    )


def downgrade() -> None:
    op.drop_table("digest_deliveries")
    op.drop_index(
        "ix_digest_subscriptions_destination_kind_destination", table_name="digest_subscriptions"
    )
    op.drop_table("digest_subscriptions")
    op.drop_index("ix_history_at", table_name="history")
