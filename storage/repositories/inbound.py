"""uow.inbound: exactly-once handling of messages a channel delivers more than once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from storage.repositories.core import core, dialect_insert
from storage.repositories.prebuilt import Prebuilt
from storage.tables import InboundMessageRow

_TABLE = InboundMessageRow.__table__
# One prebuilt INSERT ... ON CONFLICT DO NOTHING RETURNING id per dialect (see storage.repositories.core),
# built the first time that dialect claims a message.
_CLAIM: dict[str, Prebuilt] = {}


def _claim_statement(session: Session) -> Prebuilt:
    name = session.get_bind().dialect.name
    if name not in _CLAIM:
        _CLAIM[name] = Prebuilt(dialect_insert(session)(_TABLE).on_conflict_do_nothing().returning(_TABLE.c.id))
    return _CLAIM[name]
_KEY = (_TABLE.c.channel == bindparam("b_channel")) & (_TABLE.c.message_id == bindparam("b_message_id"))
_REMEMBER_REPLY = update(_TABLE).where(_KEY).values(reply_text=bindparam("b_reply_text"))
_REPLY_FOR = select(_TABLE.c.reply_text).where(_KEY)


class InboundRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def claim(self, channel: str, message_id: str, at: datetime) -> bool:
        """True the first time this message is seen; False if it was recorded before.

        The row is part of the unit of work: if the message's effects roll back, so does the
        claim, and a redelivery is handled again. A second unit of work claiming the same
        message while the first is still open waits for it (unique index) and then gets False.
        """
        values = {"channel": channel, "message_id": message_id, "received_at": at}
        claim = _claim_statement(self._session)
        return core(self._session, claim, values).first() is not None

    def remember_reply(self, channel: str, message_id: str, text: str) -> None:
        """Keep the reply to a message claimed in this unit of work, in the same transaction."""
        core(self._session, _REMEMBER_REPLY, {"b_channel": channel, "b_message_id": message_id, "b_reply_text": text})

    def reply_for(self, channel: str, message_id: str) -> str | None:
        """The reply kept for a message handled before, if one was kept."""
        row = core(self._session, _REPLY_FOR, {"b_channel": channel, "b_message_id": message_id}).first()
        return None if row is None else row[0]
