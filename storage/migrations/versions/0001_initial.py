"""Plans, sections, actions, history, people, identities and inbound messages.

Revision ID: 0001
Revises:
Create Date: 2025-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copy of storage.base.UtcDateTime's storage type: migrations must not change when
# the application code does.
UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_plans"),
        sa.UniqueConstraint("name", name="uq_plans_name"),
    )
    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("team", sa.String(200), nullable=True),
        sa.Column("email", sa.String(320), nullable=True),
        sa.Column("roles_extra", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_people"),
        sa.UniqueConstraint("name", name="uq_people_name"),
    )
    op.create_table(
        "sections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(100), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("reported_progress", sa.Integer(), nullable=True),
        sa.Column("reported_due", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], name="fk_sections_plan_id_plans"),
        sa.PrimaryKeyConstraint("id", name="pk_sections"),
        sa.UniqueConstraint("plan_id", "code", name="uq_sections_plan_id_code"),
    )
    op.create_table(
        "actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("section_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(100), nullable=False),
        sa.Column("code_norm", sa.String(100), nullable=False),
        sa.Column("code_tail", sa.String(100), nullable=False),
        sa.Column("code_number", sa.String(100), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("responsibility", sa.Text(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("original_due_date", sa.Date(), nullable=True),
        sa.Column("due_text", sa.String(200), nullable=True),
        sa.Column("progress", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("latest_update", sa.Text(), nullable=True),
        sa.Column("updated_at", UTC_DATETIME, nullable=True),
        sa.Column("updated_by", sa.String(200), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], name="fk_actions_plan_id_plans"),
        sa.ForeignKeyConstraint(
            ["section_id"], ["sections.id"], name="fk_actions_section_id_sections"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_actions"),
        sa.UniqueConstraint("plan_id", "code_norm", name="uq_actions_plan_id_code_norm"),
    )
    op.create_index("ix_actions_code_norm", "actions", ["code_norm"])
    op.create_index("ix_actions_code_tail", "actions", ["code_tail"])
    op.create_index("ix_actions_code_number", "actions", ["code_number"])
    op.create_index("ix_actions_section_id", "actions", ["section_id"])
    op.create_table(
        "history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.String(64), nullable=True),
        sa.Column("at", UTC_DATETIME, nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("channel", sa.String(50), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("source_ref", sa.String(500), nullable=True),
        sa.Column("undoes_batch", sa.String(64), nullable=True),
        sa.ForeignKeyConstraint(["action_id"], ["actions.id"], name="fk_history_action_id_actions"),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name="fk_history_person_id_people"),
        sa.PrimaryKeyConstraint("id", name="pk_history"),
    )
    op.create_index("ix_history_action_id", "history", ["action_id"])
    op.create_index("ix_history_batch_id", "history", ["batch_id"])
    op.create_index("ix_history_person_id", "history", ["person_id"])
    op.create_index("ix_history_source_ref", "history", ["source_ref"])
    op.create_index("ix_history_undoes_batch", "history", ["undoes_batch"])
    op.create_table(
        "identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(50), nullable=False),
        sa.Column("external_id", sa.String(320), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name="fk_identities_person_id_people"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_identities"),
        sa.UniqueConstraint("channel", "external_id", name="uq_identities_channel_external_id"),
    )
    op.create_index("ix_identities_person_id", "identities", ["person_id"])
    op.create_table(
        "inbound_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(50), nullable=False),
        sa.Column("message_id", sa.String(500), nullable=False),
        sa.Column("received_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_inbound_messages"),
        sa.UniqueConstraint(
            "channel", "message_id", name="uq_inbound_messages_channel_message_id"
        ),
    )


def downgrade() -> None:
    op.drop_table("inbound_messages")
    op.drop_table("identities")
    op.drop_table("history")
    op.drop_table("actions")
    op.drop_table("sections")
    op.drop_table("people")
    op.drop_table("plans")
