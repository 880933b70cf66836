"""uow.mail: the mail log (exactly-once key per message), the outbox, and backend sync state.

`SqlCursorStore` is the `bot.mail.mailbox.CursorStore` the Graph and EWS backends keep their
deltaLink / SyncState in; each get/set is its own short transaction.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.mail.mailbox import MailRecord
from storage.concerns_tables import MailboxStateRow, MailLogRow, MailOutboxRow
from storage.repositories.core import dialect_insert


def _insert(session: Session):  # type: ignore[no-untyped-def]
    return dialect_insert(session)


def _to_record(row: MailLogRow) -> MailRecord:
    return MailRecord(row.mail_key, row.received_at, row.sender, row.outcome, row.folder, row.reference, row.reason)


class MailRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def claim(self, record: MailRecord) -> bool:
        """Record a message; False when its key was recorded before (it was handled already).

        Part of the unit of work: if the effects roll back, so does the record, and the
        redelivered message is handled again. A second claimer waits on the unique index.
        """
        insert = _insert(self._session)(MailLogRow).values(
            mail_key=record.mail_key, received_at=record.received_at, sender=record.sender,
            outcome=record.outcome, folder=record.folder, reference=record.reference, reason=record.reason,
        ).on_conflict_do_nothing().returning(MailLogRow.id)
        return self._session.execute(insert).first() is not None

    def settle(self, mail_key: str, outcome: str, folder: str, reference: str | None = None,
               reason: str | None = None) -> None:
        """Write what finally became of a claimed message."""
        self._session.execute(
            update(MailLogRow).where(MailLogRow.mail_key == mail_key)
            .values(outcome=outcome, folder=folder, reference=reference, reason=reason)
        )

    def get(self, mail_key: str) -> MailRecord | None:
        row = self._session.scalars(select(MailLogRow).where(MailLogRow.mail_key == mail_key)).first()
        return _to_record(row) if row is not None else None

    def recent_from(self, sender: str, since: datetime) -> int:
        return self._session.scalar(
            select(func.count()).select_from(MailLogRow)
            .where(MailLogRow.sender == sender.lower(), MailLogRow.received_at >= since)
        ) or 0

    def list(self, limit: int = 1000) -> builtins.list[MailRecord]:
        return [_to_record(r) for r in self._session.scalars(select(MailLogRow).order_by(MailLogRow.id).limit(limit))]

    # --- outbox --------------------------------------------------------------------------

    def queue(self, message_id: str, payload: dict[str, Any], at: datetime) -> None:
        insert = _insert(self._session)(MailOutboxRow).values(
            message_id=message_id, payload=payload, created_at=at, sent_at=None
        ).on_conflict_do_nothing()
        self._session.execute(insert)

    def unsent(self, limit: int = 100) -> builtins.list[tuple[str, dict[str, Any]]]:
        rows = self._session.scalars(
            select(MailOutboxRow).where(MailOutboxRow.sent_at.is_(None)).order_by(MailOutboxRow.id).limit(limit)
        )
        return [(r.message_id, r.payload) for r in rows]

    def mark_sent(self, message_id: str, at: datetime) -> None:
        self._session.execute(
            update(MailOutboxRow).where(MailOutboxRow.message_id == message_id).values(sent_at=at)
        )

    # --- backend sync state -------------------------------------------------------------

    def get_state(self, key: str) -> str | None:
        row = self._session.get(MailboxStateRow, key)
        return row.value if row is not None else None

    def set_state(self, key: str, value: str) -> None:
        insert = _insert(self._session)(MailboxStateRow).values(key=key, value=value)
        self._session.execute(insert.on_conflict_do_update(index_elements=["key"], set_={"value": value}))


class SqlCursorStore:
    """A `CursorStore` in the `mailbox_state` table; `new_uow` is the runtime's factory."""

    def __init__(self, new_uow: Callable[[], Any], prefix: str = "") -> None:
        self._new_uow = new_uow
        self._prefix = prefix

    def get(self, key: str) -> str | None:
        with self._new_uow() as uow:
            value: str | None = uow.mail.get_state(self._prefix + key)
            return value

    def set(self, key: str, value: str) -> None:
        with self._new_uow() as uow:
            uow.mail.set_state(self._prefix + key, value)
            uow.commit()
