"""Confidential by construction: an entry's restriction (and what was written under it),
two-person downgrades, retention dates, and the access log of confidential entries.

Existing safeguarding entries become restricted, with everything already written on them.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copy of storage.base.UtcDateTime's storage type.
UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("concerns") as batch:
        batch.add_column(sa.Column("restriction", sa.String(20), nullable=False, server_default="none"))
        batch.add_column(sa.Column("body_restricted", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("downgrade_requested_by", sa.String(200), nullable=True))
        batch.add_column(sa.Column("downgrade_to", sa.String(40), nullable=True))
        batch.add_column(sa.Column("closed_at", UTC_DATETIME, nullable=True))
        batch.add_column(sa.Column("anonymised_at", UTC_DATETIME, nullable=True))
    for table in ("concern_events", "concern_attachments"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("restricted", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "concern_access",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("concern_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(20), nullable=False),
        sa.Column("person", sa.String(320), nullable=False),
        sa.Column("at", UTC_DATETIME, nullable=False),
        sa.Column("channel", sa.String(50), nullable=False),
        sa.Column("place", sa.String(500), nullable=True),
        sa.Column("what", sa.String(40), nullable=False),
        sa.Column("allowed", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["concern_id"], ["concerns.id"], name="fk_concern_access_concern_id_concerns"),
        sa.PrimaryKeyConstraint("id", name="pk_concern_access"),
    )
    op.create_index("ix_concern_access_concern_id", "concern_access", ["concern_id"])
    op.create_index("ix_concern_access_at", "concern_access", ["at"])
    # Safeguarding entries written before this migration: restricted, with all they hold.
    op.execute("UPDATE concerns SET restriction = 'restricted', body_restricted = true WHERE category = 'safeguarding'")
    for table in ("concern_events", "concern_attachments"):
        op.execute(f"UPDATE {table} SET restricted = true WHERE concern_id IN "
                   "(SELECT id FROM concerns WHERE category = 'safeguarding')")
    op.execute("UPDATE concerns SET closed_at = (SELECT max(e.at) FROM concern_events e WHERE "
               "e.concern_id = concerns.id AND e.kind = 'close') WHERE state = 'closed'")


def downgrade() -> None:
    op.drop_index("ix_concern_access_at", table_name="concern_access")
    op.drop_index("ix_concern_access_concern_id", table_name="concern_access")
    op.drop_table("concern_access")
    for table in ("concern_events", "concern_attachments"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("restricted")
    with op.batch_alter_table("concerns") as batch:
        for column in ("anonymised_at", "closed_at", "downgrade_to", "downgrade_requested_by",
                       "body_restricted", "restriction"):
            batch.drop_column(column)
