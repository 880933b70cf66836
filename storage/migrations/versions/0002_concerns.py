"""The contract-monitoring log (providers, entries, actions, events, attachments, threads) and
the shared mailbox (mail log, outbox, backend sync state).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copy of storage.base.UtcDateTime's storage type.
UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "providers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("aliases", sa.Text(), nullable=False),
        sa.Column("email_domains", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_providers"),
        sa.UniqueConstraint("name", name="uq_providers_name"),
    )
    op.create_table(
        "concern_counters",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name="pk_concern_counters"),
    )
    op.create_table(
        "concerns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(20), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=True),
        sa.Column("provider_text", sa.String(200), nullable=True),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("reporter", sa.String(320), nullable=False),
        sa.Column("reporter_email", sa.String(320), nullable=True),
        sa.Column("received_at", UTC_DATETIME, nullable=False),
        sa.Column("action_code", sa.String(100), nullable=True),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("message_id", sa.String(500), nullable=True),
        sa.ForeignKeyConstraint(["provider_id"], ["providers.id"], name="fk_concerns_provider_id_providers"),
        sa.PrimaryKeyConstraint("id", name="pk_concerns"),
        sa.UniqueConstraint("reference", name="uq_concerns_reference"),
        sa.UniqueConstraint("year", "sequence", name="uq_concerns_year_sequence"),
    )
    op.create_index("ix_concerns_provider_id", "concerns", ["provider_id"])
    op.create_index("ix_concerns_state", "concerns", ["state"])
    op.create_table(
        "concern_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("concern_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("due_text", sa.String(200), nullable=True),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["concern_id"], ["concerns.id"], name="fk_concern_actions_concern_id_concerns"),
        sa.PrimaryKeyConstraint("id", name="pk_concern_actions"),
    )
    op.create_index("ix_concern_actions_concern_id", "concern_actions", ["concern_id"])
    op.create_table(
        "concern_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("concern_id", sa.Integer(), nullable=False),
        sa.Column("at", UTC_DATETIME, nullable=False),
        sa.Column("actor", sa.String(320), nullable=False),
        sa.Column("channel", sa.String(50), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("source_ref", sa.String(500), nullable=True),
        sa.ForeignKeyConstraint(["concern_id"], ["concerns.id"], name="fk_concern_events_concern_id_concerns"),
        sa.PrimaryKeyConstraint("id", name="pk_concern_events"),
    )
    op.create_index("ix_concern_events_concern_id", "concern_events", ["concern_id"])
    op.create_index("ix_concern_events_source_ref", "concern_events", ["source_ref"])
    op.create_table(
        "concern_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("concern_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(500), nullable=False),
        sa.Column("content_type", sa.String(200), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["concern_id"], ["concerns.id"], name="fk_concern_attachments_concern_id_concerns"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_concern_attachments"),
    )
    op.create_index("ix_concern_attachments_concern_id", "concern_attachments", ["concern_id"])
    op.create_table(
        "concern_threads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(500), nullable=False),
        sa.Column("concern_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["concern_id"], ["concerns.id"], name="fk_concern_threads_concern_id_concerns"),
        sa.PrimaryKeyConstraint("id", name="pk_concern_threads"),
        sa.UniqueConstraint("message_id", name="uq_concern_threads_message_id"),
    )
    op.create_index("ix_concern_threads_concern_id", "concern_threads", ["concern_id"])
    op.create_table(
        "mail_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mail_key", sa.String(500), nullable=False),
        sa.Column("received_at", UTC_DATETIME, nullable=False),
        sa.Column("sender", sa.String(320), nullable=True),
        sa.Column("outcome", sa.String(40), nullable=False),
        sa.Column("folder", sa.String(50), nullable=False),
        sa.Column("reference", sa.String(20), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_mail_log"),
        sa.UniqueConstraint("mail_key", name="uq_mail_log_mail_key"),
    )
    op.create_index("ix_mail_log_sender", "mail_log", ["sender"])
    op.create_table(
        "mail_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(500), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("sent_at", UTC_DATETIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_mail_outbox"),
        sa.UniqueConstraint("message_id", name="uq_mail_outbox_message_id"),
    )
    op.create_table(
        "mailbox_state",
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_mailbox_state"),
    )


def downgrade() -> None:
    for table in (
        "mailbox_state", "mail_outbox", "mail_log", "concern_threads", "concern_attachments",
        "concern_events", "concern_actions", "concerns", "concern_counters", "providers",
    ):
        op.drop_table(table)
