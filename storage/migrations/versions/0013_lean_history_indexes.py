"""One index fewer written per history entry (issue 18, the Slack path): every status update
appends one history row, and each index of `history` is one more B-tree written in its
transaction. `ix_history_action_id` goes: `ix_history_action_at` (action_id, at), from 0012,
starts with the same column and serves every query that used it.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_history_action_id", table_name="history")


def downgrade() -> None:
    op.create_index("ix_history_action_id", "history", ["action_id"])
