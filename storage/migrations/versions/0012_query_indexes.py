"""Indexes for the questions asked at council scale (issue 18), and `skip_when_empty` on
digest subscriptions (issue 19, item 10).

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


INDEXES = (
    ("ix_actions_plan_state_due", "actions", ["plan_id", "state", "due_date"]),  # overdue, mine
    ("ix_actions_plan_tail", "actions", ["plan_id", "code_tail"]),  # `AP2.5.1` within the asker's plan
    ("ix_actions_plan_number", "actions", ["plan_id", "code_number"]),  # `2.5.1` within the asker's plan
    ("ix_history_action_at", "history", ["action_id", "at"]),  # history CODE, newest first
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)
    with op.batch_alter_table("digest_subscriptions") as batch:
        batch.add_column(sa.Column("skip_when_empty", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    for name, table, _columns in INDEXES:
        op.drop_index(name, table_name=table)
    with op.batch_alter_table("digest_subscriptions") as batch:
        batch.drop_column("skip_when_empty")
