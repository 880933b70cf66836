"""uow.inbound: exactly-once handling of messages a channel delivers more than once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.tables import InboundMessageRow


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
        dialect = postgresql if self._session.get_bind().dialect.name == "postgresql" else sqlite
        insert = (
            dialect.insert(InboundMessageRow)
            .values(values)
            .on_conflict_do_nothing()
            .returning(InboundMessageRow.id)
        )
        return self._session.execute(insert).first() is not None
