"""uow.history: the append-only record of every change to an action.

There is deliberately no update or delete here: undo is a new entry that names the batch it
undoes (`undoes_batch`), so the record of what happened is never rewritten.
"""

from __future__ import annotations

import copy
import enum
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, bindparam, exists, func, insert, select
from sqlalchemy.orm import Session, aliased

from bot.domain.model import FieldChange, HistoryEntry, State
from storage.repositories.core import core
from storage.repositories.plans import find_plan_row
from storage.repositories.prebuilt import Prebuilt
from storage.tables import ActionRow, HistoryRow, PlanRow

# Appending is one prebuilt INSERT (see storage.repositories.core); there is no UPDATE or DELETE.
_APPEND = Prebuilt(insert(HistoryRow.__table__))

# Kinds of entry an "undo" may reverse.
UNDOABLE_KINDS = ("update", "edit")

# How a change's old/new values come back from JSON, by field name.
_DATE_FIELDS = frozenset({"due_date", "original_due_date", "completed_on", "reported_due"})
_DATETIME_FIELDS = frozenset({"updated_at", "removed_at"})


def _to_json(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (date, datetime)):  # datetime is a date too
        return value.isoformat()
    return value


def _from_json(field: str, value: Any) -> Any:
    if value is None:
        return None
    if field == "state":
        return State(value)
    if field in _DATE_FIELDS:
        return date.fromisoformat(value)
    if field in _DATETIME_FIELDS:
        return datetime.fromisoformat(value)
    return value


def _with_id(entry: HistoryEntry, id: int) -> HistoryEntry:
    """A copy of the entry with its id (dataclasses.replace re-runs __init__: slow for 10,000)."""
    stored = copy.copy(entry)
    object.__setattr__(stored, "id", id)
    return stored


def encode_changes(changes: tuple[FieldChange, ...]) -> list[list[Any]]:
    return [[c.field, _to_json(c.old), _to_json(c.new)] for c in changes]


def decode_changes(stored: list[list[Any]]) -> tuple[FieldChange, ...]:
    return tuple(
        FieldChange(field, _from_json(field, old), _from_json(field, new))
        for field, old, new in stored
    )


# entry, action code, plan name
def _select_entries() -> Select[HistoryRow, str, str]:
    return (
        select(HistoryRow, ActionRow.code, PlanRow.name)
        .join(ActionRow, HistoryRow.action_id == ActionRow.id)
        .join(PlanRow, ActionRow.plan_id == PlanRow.id)
    )


# The same, as a prebuilt Core statement whose rows become HistoryEntry objects directly
# (no ORM instances): what `history CODE` and the digests' "what changed" read, often by
# the thousand. Built once, compiled once.
_H = HistoryRow.__table__
_ENTRY_COLUMNS = (_H.c.id, _H.c.action_id, _H.c.batch_id, _H.c.at, _H.c.person_id, _H.c.actor, _H.c.channel,
                  _H.c.kind, _H.c.changes, _H.c.note, _H.c.source_ref, _H.c.undoes_batch, ActionRow.code, PlanRow.name)
_SELECT_ENTRY_ROWS = (
    select(*_ENTRY_COLUMNS)
    .select_from(_H.join(ActionRow.__table__, _H.c.action_id == ActionRow.id)
                 .join(PlanRow.__table__, ActionRow.plan_id == PlanRow.id))
)
_FOR_ACTION = (_SELECT_ENTRY_ROWS.where(_H.c.action_id == bindparam("action_id"))
               .order_by(_H.c.at.desc(), _H.c.id.desc()).limit(bindparam("limit")))
_SINCE = _SELECT_ENTRY_ROWS.where(_H.c.at > bindparam("at")).order_by(_H.c.at, _H.c.id)
_SINCE_IN_PLAN = (_SELECT_ENTRY_ROWS.where(_H.c.at > bindparam("at"), ActionRow.plan_id == bindparam("plan_id"))
                  .order_by(_H.c.at, _H.c.id))


def _entry_from_row(row: Any) -> HistoryEntry:
    (id_, action_id, batch_id, at, person_id, actor, channel, kind, changes, note, source_ref, undoes_batch,
     action_code, plan) = row
    return HistoryEntry(
        action_code=action_code, at=at, actor=actor, channel=channel, kind=kind, changes=decode_changes(changes),
        note=note, source_ref=source_ref, batch_id=batch_id, undoes_batch=undoes_batch, person_id=person_id,
        action_id=action_id, plan=plan, id=id_,
    )


def _to_entry(row: HistoryRow, action_code: str, plan: str) -> HistoryEntry:
    return HistoryEntry(
        action_code=action_code,
        at=row.at,
        actor=row.actor,
        channel=row.channel,
        kind=row.kind,
        changes=decode_changes(row.changes),
        note=row.note,
        source_ref=row.source_ref,
        batch_id=row.batch_id,
        undoes_batch=row.undoes_batch,
        person_id=row.person_id,
        action_id=row.action_id,
        plan=plan,
        id=row.id,
    )


class HistoryRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def append(self, entry: HistoryEntry) -> HistoryEntry:
        """Record an entry (its `action_id` is required) and return it with its `id`."""
        if entry.action_id is None:
            raise ValueError(f"a history entry for {entry.action_code} needs its action_id")
        result = core(self._session, _APPEND, {
            "action_id": entry.action_id,
            "batch_id": entry.batch_id,
            "at": entry.at,
            "person_id": entry.person_id,
            "actor": entry.actor,
            "channel": entry.channel,
            "kind": entry.kind,
            "changes": encode_changes(entry.changes),
            "note": entry.note,
            "source_ref": entry.source_ref,
            "undoes_batch": entry.undoes_batch,
        })
        return replace(entry, id=result.inserted_primary_key[0])

    def for_action(self, action_id: int, limit: int = 50) -> list[HistoryEntry]:
        """The action's entries, newest first."""
        rows = core(self._session, _FOR_ACTION, {"action_id": action_id, "limit": limit})
        return [_entry_from_row(row) for row in rows]

    def last_undoable_batch(self, person_id: int) -> list[HistoryEntry]:
        """The entries of the person's newest update/edit batch that nothing has undone yet,
        in the order they were recorded; [] when there is none."""
        undo = aliased(HistoryRow)
        undone = exists().where(undo.kind == "undo", undo.undoes_batch == HistoryRow.batch_id)
        batch_id = self._session.scalar(
            select(HistoryRow.batch_id)
            .where(
                HistoryRow.person_id == person_id,
                HistoryRow.kind.in_(UNDOABLE_KINDS),
                HistoryRow.batch_id.is_not(None),
                ~undone,
            )
            .order_by(HistoryRow.at.desc(), HistoryRow.id.desc())
            .limit(1)
        )
        if batch_id is None:
            return []
        return self._batch_entries(batch_id, person_id)

    def undoable_batch(self, batch_id: str, person_id: int) -> list[HistoryEntry]:
        """The person's update/edit entries of one batch (an Undo button names its batch),
        oldest first; [] when the batch is not theirs or something has undone it already."""
        undo = aliased(HistoryRow)
        undone = self._session.scalar(
            select(exists().where(undo.kind == "undo", undo.undoes_batch == batch_id))
        )
        if undone:
            return []
        return self._batch_entries(batch_id, person_id)

    def _batch_entries(self, batch_id: str, person_id: int) -> list[HistoryEntry]:
        query = (
            _select_entries()
            .where(
                HistoryRow.batch_id == batch_id,
                HistoryRow.person_id == person_id,
                HistoryRow.kind.in_(UNDOABLE_KINDS),
            )
            .order_by(HistoryRow.id)
        )
        return [_to_entry(h, code, plan) for h, code, plan in self._session.execute(query)]

    def by_source_ref(self, source_ref: str) -> list[HistoryEntry]:
        """Entries recorded from one source (an email, an import file), oldest first."""
        query = _select_entries().where(HistoryRow.source_ref == source_ref).order_by(HistoryRow.id)
        return [_to_entry(h, code, plan) for h, code, plan in self._session.execute(query)]

    def append_many(self, entries: list[HistoryEntry]) -> list[HistoryEntry]:
        """Record many entries in one INSERT (a plan import); same rules as `append`."""
        if not entries:
            return []
        values = []
        for entry in entries:
            if entry.action_id is None:
                raise ValueError(f"a history entry for {entry.action_code} needs its action_id")
            values.append({
                "action_id": entry.action_id, "batch_id": entry.batch_id, "at": entry.at,
                "person_id": entry.person_id, "actor": entry.actor, "channel": entry.channel, "kind": entry.kind,
                "changes": encode_changes(entry.changes), "note": entry.note, "source_ref": entry.source_ref,
                "undoes_batch": entry.undoes_batch,
            })
        batches = {entry.batch_id for entry in entries}
        if len(batches) != 1 or None in batches:
            ids = self._session.scalars(insert(HistoryRow).returning(HistoryRow.id, sort_by_parameter_order=True),
                                        values)
            return [replace(entry, id=id) for entry, id in zip(entries, ids)]
        # One batch (an import): an executemany INSERT, several times faster than RETURNING
        # for 10,000 rows, then the ids in one query, in the order they were written.
        self._session.flush()
        table = HistoryRow.__table__
        last = self._session.scalar(select(func.max(HistoryRow.id))) or 0
        self._session.connection().execute(insert(table), values)
        ids = list(self._session.scalars(select(HistoryRow.id).where(
            HistoryRow.id > last, HistoryRow.batch_id == entries[0].batch_id).order_by(HistoryRow.id)))
        return [_with_id(entry, id) for entry, id in zip(entries, ids)]

    def since(self, at: datetime, plan: str | None = None) -> list[HistoryEntry]:
        """Entries recorded after `at` (of one plan, or of all), oldest first. One query,
        whatever the number of actions: digests call it to say what changed."""
        if plan is None:
            rows = core(self._session, _SINCE, {"at": at})
        else:
            plan_row = find_plan_row(self._session, plan)
            if plan_row is None:
                return []
            rows = core(self._session, _SINCE_IN_PLAN, {"at": at, "plan_id": plan_row.id})
        return [_entry_from_row(row) for row in rows]
