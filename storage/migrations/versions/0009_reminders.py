"""Reminders (issue 19): teams and leads, reminder settings per person, leave, snoozes, and
the (person, day) claim rows and one-off notices of the reminder sender.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copy of storage.base.UtcDateTime's storage type.
UTC_DATETIME = sa.DateTime(timezone=True)


def _claim_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(200), nullable=True),
        sa.Column("lease_until", UTC_DATETIME, nullable=True),
        sa.Column("next_attempt_at", UTC_DATETIME, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "teams",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("lead_person_id", sa.Integer(), nullable=True),
        sa.Column("remind_all", sa.Boolean(), nullable=False),
        sa.Column("nation", sa.String(40), nullable=True),
        sa.ForeignKeyConstraint(["lead_person_id"], ["people.id"], name="fk_teams_lead_person_id_people"),
        sa.PrimaryKeyConstraint("id", name="pk_teams"),
        sa.UniqueConstraint("name", name="uq_teams_name"),
    )
    op.create_table(
        "reminder_settings",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(20), nullable=True),
        sa.Column("timezone", sa.String(64), nullable=True),
        sa.Column("reminder_day", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name="fk_reminder_settings_person_id_people"),
        sa.PrimaryKeyConstraint("person_id", name="pk_reminder_settings"),
    )
    op.create_table(
        "leave",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("starts", sa.Date(), nullable=False),
        sa.Column("ends", sa.Date(), nullable=False),
        sa.Column("cover_person_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name="fk_leave_person_id_people"),
        sa.ForeignKeyConstraint(["cover_person_id"], ["people.id"], name="fk_leave_cover_person_id_people"),
        sa.PrimaryKeyConstraint("id", name="pk_leave"),
    )
    op.create_index("ix_leave_person_id_ends", "leave", ["person_id", "ends"])
    op.create_table(
        "reminder_snoozes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("item_key", sa.String(400), nullable=False),
        sa.Column("until", sa.Date(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("cancelled_at", UTC_DATETIME, nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name="fk_reminder_snoozes_person_id_people"),
        sa.PrimaryKeyConstraint("id", name="pk_reminder_snoozes"),
    )
    op.create_index("ix_reminder_snoozes_person_id_until", "reminder_snoozes", ["person_id", "until"])
    op.create_table(
        "reminder_sends",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("scheduled_for", UTC_DATETIME, nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("address", sa.String(320), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        *_claim_columns(),
        sa.Column("progress", sa.JSON(), nullable=False),
        sa.Column("message_ref", sa.String(500), nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("sent_at", UTC_DATETIME, nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name="fk_reminder_sends_person_id_people"),
        sa.PrimaryKeyConstraint("id", name="pk_reminder_sends"),
        sa.UniqueConstraint("person_id", "day", name="uq_reminder_sends_person_id_day"),
    )
    op.create_index("ix_reminder_sends_state_next_attempt_at", "reminder_sends", ["state", "next_attempt_at"])
    op.create_index("ix_reminder_sends_message_ref", "reminder_sends", ["message_ref"])
    op.create_index("ix_reminder_sends_scheduled_for", "reminder_sends", ["scheduled_for"])
    op.create_table(
        "reminder_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("private", sa.Boolean(), nullable=False),
        *_claim_columns(),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("sent_at", UTC_DATETIME, nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name="fk_reminder_notices_person_id_people"),
        sa.PrimaryKeyConstraint("id", name="pk_reminder_notices"),
    )
    op.create_index("ix_reminder_notices_state_next_attempt_at", "reminder_notices", ["state", "next_attempt_at"])


def downgrade() -> None:
    for table in ("reminder_notices", "reminder_sends", "reminder_snoozes", "leave", "reminder_settings", "teams"):
        op.drop_table(table)
