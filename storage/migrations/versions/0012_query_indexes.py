"""Indexes for the questions asked at council scale (issue 18), and `skip_when_empty` on
digest subscriptions (issue 19, item 10).

Revision ID: 0012
Revises: 0008
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("digest_subscriptions") as batch:
        batch.add_column(sa.Column("skip_when_empty", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("digest_subscriptions") as batch:
        batch.drop_column("skip_when_empty")
