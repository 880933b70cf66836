"""The reply the bot gave to a message, kept with its de-duplication claim (email only).

A staff update by email is applied in one transaction and its confirmation is queued in the
next; if the bot stops in between, the redelivered mail finds the update already applied. The
confirmation kept here is then queued, so the sender still gets exactly one.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("inbound_messages", sa.Column("reply_text", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("inbound_messages") as batch:
        batch.drop_column("reply_text")
