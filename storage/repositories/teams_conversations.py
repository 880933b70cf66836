"""uow.teams_conversations: stored Teams conversation references for proactive messages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.teams_tables import TeamsConversationRow


@dataclass(frozen=True)
class TeamsConversation:
    """Where the bot can post in Teams without being spoken to first."""

    conversation_key: str
    service_url: str
    reference: dict[str, Any]  # the SDK's ConversationReference, as JSON
    tenant_id: str | None = None
    conversation_type: str | None = None
    first_seen_at: datetime | None = None
    updated_at: datetime | None = None


def _to_conversation(row: TeamsConversationRow) -> TeamsConversation:
    return TeamsConversation(
        conversation_key=row.conversation_key,
        service_url=row.service_url,
        reference=dict(row.reference),
        tenant_id=row.tenant_id,
        conversation_type=row.conversation_type,
        first_seen_at=row.first_seen_at,
        updated_at=row.updated_at,
    )


class TeamsConversationRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def save(self, conversation_key: str, *, service_url: str, reference: dict[str, Any], at: datetime,
             tenant_id: str | None = None, conversation_type: str | None = None) -> bool:
        """Store or refresh a reference (by conversation_key). True when it is new.

        Teams may move a tenant to another service URL, so a later sighting overwrites the
        URL and the reference; the first-seen time is kept.
        """
        row = self._row(conversation_key)
        if row is None:
            self._session.add(
                TeamsConversationRow(
                    conversation_key=conversation_key,
                    tenant_id=tenant_id,
                    conversation_type=conversation_type,
                    service_url=service_url,
                    reference=reference,
                    first_seen_at=at,
                    updated_at=at,
                )
            )
            self._session.flush()
            return True
        row.tenant_id = tenant_id or row.tenant_id
        row.conversation_type = conversation_type or row.conversation_type
        row.service_url = service_url
        row.reference = reference
        row.updated_at = at
        self._session.flush()
        return False

    def get(self, conversation_key: str) -> TeamsConversation | None:
        row = self._row(conversation_key)
        return _to_conversation(row) if row is not None else None

    def list(self) -> list[TeamsConversation]:
        rows = self._session.scalars(select(TeamsConversationRow).order_by(TeamsConversationRow.id))
        return [_to_conversation(row) for row in rows]

    def _row(self, conversation_key: str) -> TeamsConversationRow | None:
        return self._session.scalars(
            select(TeamsConversationRow).where(TeamsConversationRow.conversation_key == conversation_key)
        ).first()
