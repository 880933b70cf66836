"""Plan shapes (issue 16): what a team's own tracker says beside our status, and removal.

Each action may carry the file's RAG, direction of travel, priority, audit recommendation,
a recurring timescale ("Monthly"), a status word we did not know, the "proposed for closure"
flag, and `removed_at` (set by `actionbot import --prune` when the row left the file; the
action keeps its history and comes back on re-import or `actionbot restore`).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copy of storage.base.UtcDateTime's storage type.
UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("actions") as batch:
        batch.add_column(sa.Column("rag", sa.String(40), nullable=True))
        batch.add_column(sa.Column("direction", sa.String(40), nullable=True))
        batch.add_column(sa.Column("priority", sa.String(100), nullable=True))
        batch.add_column(sa.Column("recommendation", sa.Text(), nullable=True))
        batch.add_column(sa.Column("recurring", sa.String(100), nullable=True))
        batch.add_column(sa.Column("file_status", sa.String(200), nullable=True))
        batch.add_column(sa.Column("proposed_for_closure", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("removed_at", UTC_DATETIME, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("actions") as batch:
        for name in ("removed_at", "proposed_for_closure", "file_status", "recurring", "recommendation", "priority",
                     "direction", "rag"):
            batch.drop_column(name)
