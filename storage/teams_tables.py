"""Teams conversation references (issue 8): where the bot may post without being spoken to.

A row is written when the bot is installed in a team, chat or personal scope, or first
addressed in a channel; proactive digest delivery reads it back. Migration 0005_teams creates
exactly this table; change both together.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, UtcDateTime


class TeamsConversationRow(Base):
    __tablename__ = "teams_conversations"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The conversation a digest goes to: a channel's id (no ";messageid=" thread suffix), a
    # group chat's id or a personal chat's id. The same key InboundMessage.conversation_id has.
    conversation_key: Mapped[str] = mapped_column(String(400), unique=True)
    tenant_id: Mapped[str | None] = mapped_column(String(64))
    conversation_type: Mapped[str | None] = mapped_column(String(20))
    service_url: Mapped[str] = mapped_column(String(500))
    # The SDK's ConversationReference as JSON (bot, conversation, channelId, serviceUrl, …).
    reference: Mapped[dict[str, Any]] = mapped_column(JSON)
    first_seen_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
