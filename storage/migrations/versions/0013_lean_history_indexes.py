"""Fewer index writes per history entry (issue 18, the Slack path): every status update appends
one history row, and each index of `history` is one more B-tree written in its transaction.

- `ix_history_action_id` goes: `ix_history_action_at` (action_id, at), from 0012, starts with
  the same column and serves every query that used it.
- `ix_history_undoes_batch` keeps only the undo entries (`WHERE undoes_batch IS NOT NULL`):
  the index is read only to ask whether a batch was undone (`undoes_batch = …`, which both
  SQLite and PostgreSQL know implies the condition), and updates, which are nearly all the
  rows, never set it.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UNDO_ENTRIES = sa.text("undoes_batch IS NOT NULL")


def upgrade() -> None:
    op.drop_index("ix_history_action_id", table_name="history")
    op.drop_index("ix_history_undoes_batch", table_name="history")
    op.create_index("ix_history_undoes_batch", "history", ["undoes_batch"],
                    sqlite_where=_UNDO_ENTRIES, postgresql_where=_UNDO_ENTRIES)


def downgrade() -> None:
    op.drop_index("ix_history_undoes_batch", table_name="history")
    op.create_index("ix_history_undoes_batch", "history", ["undoes_batch"])
    op.create_index("ix_history_action_id", "history", ["action_id"])
