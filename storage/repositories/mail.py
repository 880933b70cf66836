"""uow.mail: the mail log (exactly-once key per message), the outbox, and backend sync state.

`SqlCursorStore` is the `bot.mail.mailbox.CursorStore` the Graph and EWS backends keep their
deltaLink / SyncState in; each get/set is its own short transaction.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, literal, select, update
from sqlalchemy.orm import Session

from bot.mail.mailbox import MailRecord
from storage.concerns_tables import MailboxStateRow, MailLogRow, MailOutboxRow
from storage.repositories.core import core, dialect_insert
from storage.repositories.prebuilt import Prebuilt


def _insert(session: Session):  # type: ignore[no-untyped-def]
    return dialect_insert(session)


def _to_record(row: MailLogRow) -> MailRecord:
    return MailRecord(row.mail_key, row.received_at, row.sender, row.outcome, row.folder, row.reference, row.reason)


# Every message runs these (claim, look up, count the sender's recent mail, queue and send the
# acknowledgement): prebuilt Core statements, compiled once, run on the unit of work's
# connection (see storage.repositories.core), with rows read as tuples, not ORM instances.
_LOG = MailLogRow.__table__
_OUTBOX = MailOutboxRow.__table__
_LOG_COLUMNS = (_LOG.c.mail_key, _LOG.c.received_at, _LOG.c.sender, _LOG.c.outcome, _LOG.c.folder,
                _LOG.c.reference, _LOG.c.reason)
_GET = select(*_LOG_COLUMNS).where(_LOG.c.mail_key == bindparam("mail_key"))
_RECENT_FROM = (select(func.count()).select_from(_LOG)
                .where(_LOG.c.sender == bindparam("sender"), _LOG.c.received_at >= bindparam("since")))
# Both in one round trip: the message's record, if any (an outer join on a one-row select, so
# the count comes back either way), and the sender's recent count.
_PROBE = select(literal(1).label("probe")).subquery()
_GET_WITH_RECENT = Prebuilt(select(*_LOG_COLUMNS, _RECENT_FROM.scalar_subquery().label("recent"))
                             .select_from(_PROBE.outerjoin(_LOG, _LOG.c.mail_key == bindparam("mail_key"))))
_SETTLE = update(_LOG).where(_LOG.c.mail_key == bindparam("b_mail_key")).values(
    outcome=bindparam("b_outcome"), folder=bindparam("b_folder"), reference=bindparam("b_reference"),
    reason=bindparam("b_reason"))
_UNSENT = Prebuilt(select(_OUTBOX.c.message_id, _OUTBOX.c.payload).where(_OUTBOX.c.sent_at.is_(None))
                   .order_by(_OUTBOX.c.id).limit(bindparam("limit")))
_MARK_SENT = Prebuilt(update(_OUTBOX).where(_OUTBOX.c.message_id == bindparam("b_message_id")).values(
    sent_at=bindparam("b_sent_at")))
# INSERT … ON CONFLICT DO NOTHING, per dialect, built the first time that dialect runs them.
_CLAIMS: dict[str, Any] = {}
_QUEUES: dict[str, Any] = {}


def _claim_statement(session: Session) -> Any:
    name = session.get_bind().dialect.name
    if name not in _CLAIMS:
        _CLAIMS[name] = Prebuilt(_insert(session)(_LOG).on_conflict_do_nothing().returning(_LOG.c.id))
    return _CLAIMS[name]


def _queue_statement(session: Session) -> Any:
    name = session.get_bind().dialect.name
    if name not in _QUEUES:
        _QUEUES[name] = Prebuilt(_insert(session)(_OUTBOX).on_conflict_do_nothing())
    return _QUEUES[name]


class MailRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def claim(self, record: MailRecord) -> bool:
        """Record a message; False when its key was recorded before (it was handled already).

        Part of the unit of work: if the effects roll back, so does the record, and the
        redelivered message is handled again. A second claimer waits on the unique index.
        """
        result = core(self._session, _claim_statement(self._session), {
            "mail_key": record.mail_key, "received_at": record.received_at, "sender": record.sender,
            "outcome": record.outcome, "folder": record.folder, "reference": record.reference,
            "reason": record.reason,
        })
        return result.first() is not None

    def settle(self, mail_key: str, outcome: str, folder: str, reference: str | None = None,
               reason: str | None = None) -> None:
        """Write what finally became of a claimed message."""
        core(self._session, _SETTLE, {"b_mail_key": mail_key, "b_outcome": outcome, "b_folder": folder,
                                      "b_reference": reference, "b_reason": reason})

    def get(self, mail_key: str) -> MailRecord | None:
        row = core(self._session, _GET, {"mail_key": mail_key}).first()
        return MailRecord(*row) if row is not None else None

    def get_with_recent(self, mail_key: str, sender: str | None, since: datetime) -> tuple[MailRecord | None, int]:
        """`get(mail_key)` and `recent_from(sender, since)` (0 without a sender) in one statement."""
        row = core(self._session, _GET_WITH_RECENT,
                   {"mail_key": mail_key, "sender": sender.lower() if sender else None, "since": since}).first()
        return (MailRecord(*row[:-1]) if row[0] is not None else None), int(row[-1] or 0)

    def recent_from(self, sender: str, since: datetime) -> int:
        return int(core(self._session, _RECENT_FROM, {"sender": sender.lower(), "since": since}).scalar() or 0)

    def list(self, limit: int = 1000) -> builtins.list[MailRecord]:
        return [_to_record(r) for r in self._session.scalars(select(MailLogRow).order_by(MailLogRow.id).limit(limit))]

    # --- outbox --------------------------------------------------------------------------

    def queue(self, message_id: str, payload: dict[str, Any], at: datetime) -> None:
        core(self._session, _queue_statement(self._session),
             {"message_id": message_id, "payload": payload, "created_at": at, "sent_at": None})

    def unsent(self, limit: int = 100) -> builtins.list[tuple[str, dict[str, Any]]]:
        return [(message_id, payload) for message_id, payload in core(self._session, _UNSENT, {"limit": limit})]

    def mark_sent(self, message_id: str, at: datetime) -> None:
        core(self._session, _MARK_SENT, {"b_message_id": message_id, "b_sent_at": at})

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
