"""Teams conversation references for proactive digest delivery (issue 8).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copy of storage.base.UtcDateTime's storage type.
UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "teams_conversations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_key", sa.String(400), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=True),
        sa.Column("conversation_type", sa.String(20), nullable=True),
        sa.Column("service_url", sa.String(500), nullable=False),
        sa.Column("reference", sa.JSON(), nullable=False),
        sa.Column("first_seen_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_teams_conversations"),
        sa.UniqueConstraint("conversation_key", name="uq_teams_conversations_conversation_key"),
    )


def downgrade() -> None:
    op.drop_table("teams_conversations")
