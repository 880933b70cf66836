"""The contract-monitoring log as a working tool: providers' officer, risk and registration
date; an entry's logged time beside its received time (the mail's own Date), a proposed
provider, acknowledgement, response and complaint stage; allocated actions done with a date and
note; and the record of monitoring visits, meetings and reviews.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copy of storage.base.UtcDateTime's storage type.
UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("providers") as batch:
        batch.add_column(sa.Column("officer", sa.String(200), nullable=True))
        batch.add_column(sa.Column("risk", sa.String(10), nullable=True))
        batch.add_column(sa.Column("registered_on", sa.Date(), nullable=True))
    with op.batch_alter_table("concerns") as batch:
        batch.add_column(sa.Column("logged_at", UTC_DATETIME, nullable=True))
        batch.add_column(sa.Column("provider_proposed", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("acknowledged_at", UTC_DATETIME, nullable=True))
        batch.add_column(sa.Column("responded_at", UTC_DATETIME, nullable=True))
        batch.add_column(sa.Column("complaint_stage", sa.Integer(), nullable=True))
    with op.batch_alter_table("concern_actions") as batch:
        batch.add_column(sa.Column("done_at", UTC_DATETIME, nullable=True))
        batch.add_column(sa.Column("done_note", sa.Text(), nullable=True))
    op.create_table(
        "monitoring_visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("activity", sa.String(40), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(320), nullable=False),
        sa.Column("recorded_at", UTC_DATETIME, nullable=False),
        sa.Column("report_filename", sa.String(500), nullable=True),
        sa.Column("report_data", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(["provider_id"], ["providers.id"], name="fk_monitoring_visits_provider_id_providers"),
        sa.PrimaryKeyConstraint("id", name="pk_monitoring_visits"),
    )
    op.create_index("ix_monitoring_visits_provider_id", "monitoring_visits", ["provider_id"])
    # Entries written before: logged when received; providers already there: registered today.
    op.execute("UPDATE concerns SET logged_at = received_at")
    op.execute("UPDATE providers SET registered_on = CURRENT_DATE")


def downgrade() -> None:
    op.drop_index("ix_monitoring_visits_provider_id", table_name="monitoring_visits")
    op.drop_table("monitoring_visits")
    with op.batch_alter_table("concern_actions") as batch:
        batch.drop_column("done_note")
        batch.drop_column("done_at")
    with op.batch_alter_table("concerns") as batch:
        for column in ("complaint_stage", "responded_at", "acknowledged_at", "provider_proposed", "logged_at"):
            batch.drop_column(column)
    with op.batch_alter_table("providers") as batch:
        for column in ("registered_on", "risk", "officer"):
            batch.drop_column(column)
