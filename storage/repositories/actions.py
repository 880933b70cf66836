"""uow.actions: actions, found by the code people type."""

from __future__ import annotations

import builtins
import copy
import functools
import operator
from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from typing import Any

from sqlalchemy import Boolean, Row, Select, bindparam, case, func, insert, literal_column, or_, select, update
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from bot.domain.codes import code_number, code_tail, normalise, typed_key
from bot.domain.model import FILE_FIELDS, Action, State
from bot.domain.status import StatusTally, section_sort_key
from storage.errors import Duplicate, NotFound
from storage.repositories.core import core
from storage.repositories.plans import (
    PlanKey,
    ensure_section_row,
    find_plan_key,
    find_section_row,
    require_plan_row,
    section_order,
)
from storage.repositories.prebuilt import Prebuilt
from storage.tables import ActionRow, PlanRow, SectionRow

# Reads and the hot write go through prebuilt Core statements on the unit of work's connection
# (see storage.repositories.core): a listing of a section or a plan builds plain Action objects
# straight from rows, which is several times faster than loading ActionRow instances into the
# session only to copy them out again, and a statement built once is compiled once.
_A = ActionRow.__table__
_P = PlanRow.__table__
_S = SectionRow.__table__

_ACTION_COLUMNS = (
    _A.c.id,
    _A.c.code,
    _A.c.title,
    _P.c.name,
    _S.c.code,
    _S.c.title,
    _A.c.responsibility,
    _A.c.due_date,
    _A.c.original_due_date,
    _A.c.due_text,
    _A.c.progress,
    _A.c.state,
    _A.c.completed_on,
    _A.c.latest_update,
    _A.c.updated_at,
    _A.c.updated_by,
    *(_A.c[name] for name in (*FILE_FIELDS, "removed_at")),
    _A.c.position,
)
_SELECT_ACTIONS: Select[Any] = select(*_ACTION_COLUMNS).select_from(
    _A.join(_P, _A.c.plan_id == _P.c.id).join(_S, _A.c.section_id == _S.c.id)
)

# The column each kind of typed key is matched on (see bot.domain.codes.typed_key).
_KEY_COLUMNS = {
    "full": _A.c.code_norm,
    "tail": _A.c.code_tail,
    "number": _A.c.code_number,
}
# A code typed in chat finds actions in their plan, never one removed by `import --prune`.
_FIND_ANY = {kind: _SELECT_ACTIONS.where(column == bindparam("key"), _A.c.removed_at.is_(None))
             for kind, column in _KEY_COLUMNS.items()}
_FIND = {kind: Prebuilt(query) for kind, query in _FIND_ANY.items()}
_FIND_IN_PLAN = {kind: Prebuilt(query.where(_A.c.plan_id == bindparam("plan_id"))) for kind, query in _FIND_ANY.items()}
_GET = _SELECT_ACTIONS.where(_A.c.plan_id == bindparam("plan_id"), _A.c.code_norm == bindparam("code_norm"))
_GET_BY_ID = _SELECT_ACTIONS.where(_A.c.id == bindparam("id"))
# Listings leave out actions removed by `import --prune` (out of rollups, overdue and digests);
# an import lists them too, so that re-importing brings them back.
_IN_PLAN = _A.c.removed_at.is_(None)
_LIST_PLAN_ALL = _SELECT_ACTIONS.where(_A.c.plan_id == bindparam("plan_id"))
_LIST_PLAN = _LIST_PLAN_ALL.where(_IN_PLAN)
_LIST_SECTION = _LIST_PLAN.where(_A.c.section_id == bindparam("section_id"))
# A section's id by the plan's and section's stored names (a scalar subquery, run once).
_SECTION_ID_BY_NAME = (select(_S.c.id).join(_P, _S.c.plan_id == _P.c.id)
                       .where(_P.c.name == bindparam("plan"), _S.c.code == bindparam("section")).scalar_subquery())
# A section's actions by the plan's and section's stored names, in one round trip (`summary
# 2.5`; the names come from the section just resolved). By the section's id, looked up first:
# with the names joined instead, PostgreSQL read the actions of that section code in every
# plan (5,000 rows for 50 at council scale, 7 ms) and SQLite every action of the plan.
_LIST_SECTION_BY_NAME = _SELECT_ACTIONS.where(_A.c.section_id == _SECTION_ID_BY_NAME, _IN_PLAN)
_OPEN_STATES = (State.NOT_STARTED.value, State.IN_PROGRESS.value)
# `overdue`'s page (uow.actions.overdue_page): the open actions of a plan due before a day, how
# many, and the first few in the order the reply lists them — most overdue first, then by code,
# then by plan (one code can be in several plans) — so the plan's hundreds of overdue actions
# are counted and sorted by the database and only the shown ones are sent and mapped (issue 18).
# The codes are compared as Python compares strings (by code point): SQLite's default BINARY
# collation and PostgreSQL's "C" compare UTF-8 bytes, which is the same order.
_OVERDUE = _SELECT_ACTIONS.add_columns(func.count().over().label("total")).where(
    _A.c.state.in_(_OPEN_STATES), _IN_PLAN, _A.c.due_date < bindparam("today"))


@functools.cache
def _open_list_query(plan: bool, due_before: bool, words: int) -> Select[Any]:
    """`open_list`'s statement for its arguments, built once: building it cost as much CPU as
    running it (`mine`, issue 18)."""
    query = _SELECT_ACTIONS.where(_A.c.state.in_(_OPEN_STATES), _IN_PLAN)
    if plan:
        query = query.where(_A.c.plan_id == bindparam("plan_id"))
    if due_before:
        query = query.where(_A.c.due_date < bindparam("due_before"))
    if words:
        query = query.where(or_(*(_A.c.responsibility.icontains(bindparam(f"word_{n}"), escape="/")
                                  for n in range(words)), _NotAscii(_A.c.responsibility)))
    return query


class _NotAscii(FunctionElement[bool]):
    """True when a text has a character outside ASCII. The database's case folding (`lower`,
    and SQLite's LIKE) is not Python's `casefold` outside ASCII (`Straße` folds to `strasse`,
    SQLite leaves `É` alone), so such a responsibility is always handed to the domain's match."""

    type = Boolean()
    inherit_cache = True
    name = "not_ascii"


@compiles(_NotAscii, "sqlite")
def _not_ascii_sqlite(element: _NotAscii, compiler: Any, **kw: Any) -> str:
    text = compiler.process(next(iter(element.clauses)), **kw)
    return f"(length(CAST({text} AS BLOB)) != length({text}))"


@compiles(_NotAscii, "postgresql")
def _not_ascii_postgresql(element: _NotAscii, compiler: Any, **kw: Any) -> str:
    text = compiler.process(next(iter(element.clauses)), **kw)
    return f"(octet_length({text}) != char_length({text}))"


def _overdue_page(collation: str | None, *, plan: bool, sections: bool) -> Select[Any]:
    query = _OVERDUE
    if plan:
        query = query.where(_A.c.plan_id == bindparam("plan_id"))
    if sections:
        query = query.where(_A.c.section_id.in_(bindparam("section_ids", expanding=True)))
    code, plan_name = (_A.c.code, _P.c.name) if collation is None else (_A.c.code.collate(collation),
                                                                       _P.c.name.collate(collation))
    return query.order_by(_A.c.due_date, code, plan_name, _A.c.id).limit(bindparam("limit"))


_OVERDUE_PAGES = {
    (dialect, plan, sections): _overdue_page(collation, plan=plan, sections=sections)
    for dialect, collation in (("sqlite", None), ("postgresql", "C"))
    for plan in (False, True) for sections in (False, True)
}
# A plan's rollups from counts (uow.actions.tallies): one row per section, state, lateness and
# assignment, so `summary` reads a few dozen rows, not the plan's thousand actions. Grouped by
# the output names, since a parameter (today) may not be repeated in PostgreSQL's GROUP BY.
_LATE = case((_A.c.due_date < bindparam("today"), 1), else_=0)
_ASSIGNED = case((func.coalesce(func.trim(_A.c.responsibility), "") == "", 0), else_=1)
_PROGRESS = func.coalesce(_A.c.progress, case((_A.c.state == State.COMPLETED.value, 100), else_=0))
_TALLY = select(
    _A.c.section_id, _A.c.state, _LATE.label("late"), _ASSIGNED.label("assigned"), func.count().label("n"),
    func.sum(_PROGRESS).label("progress_sum"), func.max(_A.c.due_date).label("latest_due"),
).where(_IN_PLAN).group_by(_A.c.section_id, _A.c.state, literal_column("late"), literal_column("assigned"))
_TALLY_PLAN = _TALLY.where(_A.c.plan_id == bindparam("plan_id"))
# One section's counts by the plan's and section's stored names: the rollup under every
# update's reply, a few rows however many actions the section has (issue 18).
# The section's id is looked up first (a scalar subquery, run once) and the actions found by
# their section index: with the names joined instead, PostgreSQL without statistics on the
# tables (a new database, or just after an import, before autovacuum analyses them) read
# every action of the plan and scanned the sections once for each (30 ms at 5,000 actions).
_TALLY_SECTION_BY_NAME = Prebuilt(_TALLY.where(_A.c.section_id == _SECTION_ID_BY_NAME))
# Saving an action read in this unit of work and not moved: the mutable fields that changed,
# by id. Only those are written: an index whose columns are not set is not rewritten (a
# progress update leaves the plan/state/due-date index alone), and a concurrent change to
# another field (PostgreSQL) is kept rather than overwritten with what was read.
_MUTABLE_FIELDS = ("title", "responsibility", "due_date", "original_due_date", "due_text", "progress", "state",
                   "completed_on", "latest_update", "updated_at", "updated_by", *FILE_FIELDS, "removed_at")
_SAVE_IN_PLACE: dict[tuple[str, ...], Prebuilt] = {}
_MUTABLE_VALUES = operator.attrgetter(*_MUTABLE_FIELDS)


def _save_in_place(fields: tuple[str, ...]) -> Prebuilt:
    """The UPDATE of these fields by id (one statement per set of fields, made once)."""
    statement = _SAVE_IN_PLACE.get(fields)
    if statement is None:
        statement = _SAVE_IN_PLACE[fields] = Prebuilt(
            update(_A).where(_A.c.id == bindparam("b_id")).values({name: bindparam(f"b_{name}") for name in fields}))
    return statement


_EXTRA_FIELDS = (*FILE_FIELDS, "removed_at")


def _from_row(row: Row[Any]) -> Action:
    (id_, code, title, plan, section_code, section_title, responsibility, due_date, original_due,
     due_text, progress, state, completed_on, latest_update, updated_at, updated_by) = row[:16]
    extra = dict(zip(_EXTRA_FIELDS, row[16:-1]))
    extra["proposed_for_closure"] = bool(extra["proposed_for_closure"])
    return Action(
        code=code,
        title=title,
        plan=plan,
        section_code=section_code,
        section_title=section_title,
        responsibility=responsibility,
        due_date=due_date,
        original_due_date=original_due,
        due_text=due_text,
        progress=progress,
        state=State(state),
        completed_on=completed_on,
        latest_update=latest_update,
        updated_at=updated_at,
        updated_by=updated_by,
        id=id_,
        **extra,
    )


def _to_action(row: ActionRow, plan: str, section_code: str, section_title: str) -> Action:
    return Action(
        code=row.code,
        title=row.title,
        plan=plan,
        section_code=section_code,
        section_title=section_title,
        responsibility=row.responsibility,
        due_date=row.due_date,
        original_due_date=row.original_due_date,
        due_text=row.due_text,
        progress=row.progress,
        state=State(row.state),
        completed_on=row.completed_on,
        latest_update=row.latest_update,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
        id=row.id,
        **{name: getattr(row, name) for name in (*FILE_FIELDS, "removed_at")},
    )


def _tally(row: Row[Any]) -> StatusTally:
    """A row of _TALLY (section id, state, late, assigned, count, progress sum, latest due)."""
    _section_id, state, late, assigned, count, progress_sum, latest_due = row
    return StatusTally(State(state), bool(late), bool(assigned), int(count), int(progress_sum or 0), latest_due)


def _first_action(row: Row[Any] | None) -> Action | None:
    return None if row is None else _from_row(row)


def _ordered(rows: Iterable[Row[Any]]) -> builtins.list[Action]:
    """Plan, then section (`2.10` after `2.9`), then code (`2.1.1a` before `2.1.1b`)."""
    actions = [(_from_row(row), row[-1]) for row in rows]
    if len(actions) > _BIG_LISTING:
        # A whole council's plan: each section's key once, and each code's key computed
        # without the shared caches (a listing larger than them would only churn them).
        sections: dict[str, Any] = {}
        for action, _position in actions:
            if action.section_code not in sections:
                sections[action.section_code] = section_order(action.section_code)
        code_key = section_sort_key.__wrapped__
        number = code_number.__wrapped__
        heads: dict[str, Any] = {}

        def number_key(code: str) -> Any:
            # section_sort_key keys each dot-separated piece on its own, so a number's key is
            # its head's (`2.5` of `2.5.17`, shared by a section's actions: keyed once) and then
            # its last piece's.
            head, dot, last = number(code).replace("-", ".").rpartition(".")
            if not dot:
                return code_key(last)
            head_key = heads.get(head)
            if head_key is None:
                head_key = heads[head] = code_key(head)
            return head_key + code_key(last)

        actions.sort(key=lambda pair: (pair[0].plan, sections[pair[0].section_code],
                                       number_key(pair[0].code), pair[1]))
        return [action for action, _ in actions]
    actions.sort(
        key=lambda pair: (
            pair[0].plan,
            section_order(pair[0].section_code),
            section_sort_key(code_number(pair[0].code)),
            pair[1],
        )
    )
    return [action for action, _ in actions]


_BIG_LISTING = 20_000  # rows


class ActionRepository:
    def __init__(self, session: Session) -> None:
        self._session = session
        # Where each action read in this unit of work lives (plan, section, code), so that
        # saving it back without moving it is one UPDATE by primary key.
        self._placed: dict[int, tuple[str, str, str, str]] = {}
        # The mutable fields' values of each action looked up by code or id in this unit of
        # work, as last read or saved: what saving it compares with (Actions are mutable).
        self._read: dict[int, tuple[Any, ...]] = {}
        self._sections: dict[tuple[int, str], SectionRow] = {}

    # Plans and sections found in this unit of work: a message looks the same ones up several
    # times (resolve, rollup, save). Only hits are kept, so a plan created meanwhile is found.
    def _plan_row(self, name: str) -> PlanKey | None:
        return find_plan_key(self._session, name)

    def _section_row(self, plan_id: int, code: str) -> SectionRow | None:
        row = self._sections.get((plan_id, code))
        if row is None:
            row = find_section_row(self._session, plan_id, code)
            if row is not None:
                self._sections[(plan_id, code)] = row
        return row

    def _remember(self, actions: builtins.list[Action]) -> builtins.list[Action]:
        for action in actions:
            if action.id is not None:
                self._placed[action.id] = (action.plan, action.section_code, action.section_title, action.code)
        return actions

    def _looked_up(self, actions: builtins.list[Action]) -> builtins.list[Action]:
        """`_remember`, and what each action's fields are now, for `save` to compare with."""
        for action in self._remember(actions):
            if action.id is not None:
                self._read[action.id] = _MUTABLE_VALUES(action)
        return actions

    def find(self, typed: str, plan: str | None = None) -> builtins.list[Action]:
        """Actions whose whole key equals what was typed; more than one means ambiguous.

        `HSCM COMM AP2.5.1` matches the full code, `ap2.5.1` the tail, `2.5.1` the number.
        `AP2.1` never finds `AP2.10`: the match is on the whole key, through its index.
        """
        kind, key = typed_key(typed)
        if not key:
            return []
        if plan is None:
            return self._looked_up(_ordered(core(self._session, _FIND[kind], {"key": key})))
        plan_row = self._plan_row(plan)
        if plan_row is None:
            return []
        return self._looked_up(_ordered(core(self._session, _FIND_IN_PLAN[kind], {"key": key, "plan_id": plan_row.id})))

    def get(self, plan: str, code: str) -> Action | None:
        """The action of `plan` whose full code is `code` (ignoring case and spacing)."""
        plan_row = self._plan_row(plan)
        if plan_row is None:
            return None
        found = _first_action(core(self._session, _GET, {"plan_id": plan_row.id, "code_norm": normalise(code)}).first())
        return self._looked_up([found])[0] if found else None

    def get_by_id(self, id: int) -> Action | None:
        found = _first_action(core(self._session, _GET_BY_ID, {"id": id}).first())
        return self._looked_up([found])[0] if found else None

    def all_codes(self, plan: str | None = None) -> builtins.list[str]:
        """Every full code (of one plan, or of all), for "did you mean" answers."""
        query = select(ActionRow.code).where(ActionRow.removed_at.is_(None))
        if plan is not None:
            plan_row = self._plan_row(plan)
            if plan_row is None:
                return []
            query = query.where(ActionRow.plan_id == plan_row.id)
        codes = list(self._session.scalars(query))
        codes.sort(key=lambda code: (section_sort_key(code_number(code)), code))
        return codes

    def list(
        self,
        plan: str | None = None,
        section: str | None = None,
        responsibility: str | None = None,
        include_removed: bool = False,
    ) -> builtins.list[Action]:
        """Actions ordered by plan, section and code; `responsibility` matches any part,
        ignoring case ("finance" finds "Commissioning Team and Finance Team"). Actions removed
        by `import --prune` only with `include_removed` (an import, to bring them back)."""
        if plan is not None and section is not None and responsibility is None:
            rows = core(self._session, _LIST_SECTION_BY_NAME, {"plan": plan, "section": section}).all()
            if rows:  # else the names may differ in case, or there is no such section: look them up
                return self._remember(_ordered(rows))
        if plan is not None:
            plan_row = self._plan_row(plan)
            if plan_row is None:
                return []
            query = _LIST_PLAN_ALL if include_removed else _LIST_PLAN
            params: dict[str, Any] = {"plan_id": plan_row.id}
            if section is not None:
                section_row = self._section_row(plan_row.id, section)
                if section_row is None:
                    return []
                query, params["section_id"] = _LIST_SECTION, section_row.id
        else:
            query, params = _SELECT_ACTIONS if include_removed else _SELECT_ACTIONS.where(_IN_PLAN), {}
            if section is not None:
                query = query.where(func.upper(_S.c.code) == normalise(section))
        if responsibility is not None:
            query = query.where(_A.c.responsibility.icontains(responsibility, autoescape=True))
        # .all(): the rows in one fetch (iterating the result fetches them one at a time).
        return self._remember(_ordered(core(self._session, query, params).all()))

    def open_list(self, plan: str | None = None, *, due_before: date | None = None,
                  naming: builtins.tuple[str, ...] = ()) -> builtins.list[Action]:
        """Open actions (not completed or cancelled), ordered as `list`; `due_before`: only
        those due before that day (overdue on it); `naming`: only those whose responsibility
        contains one of these words ignoring case, or has a character outside ASCII (a superset
        of bot.domain.permissions.is_responsible, which the caller applies: the database
        narrows, the domain decides)."""
        params: dict[str, Any] = {}
        if plan is not None:
            plan_row = self._plan_row(plan)
            if plan_row is None:
                return []
            params["plan_id"] = plan_row.id
        if due_before is not None:
            params["due_before"] = due_before
        words = [word for word in naming if word and word.strip()]
        if naming and not words:
            return []
        for n, word in enumerate(words):  # escaped as `icontains(word, autoescape=True)` does
            # casefolded as the domain folds it (`ﬁona` is `fiona`); responsibilities outside
            # ASCII are left to the domain (_NotAscii)
            params[f"word_{n}"] = word.strip().casefold().replace("/", "//").replace("%", "/%").replace("_", "/_")
        query = _open_list_query(plan is not None, due_before is not None, len(words))
        return self._remember(_ordered(core(self._session, query, params)))

    def overdue_page(self, plan: str | None, today: date, limit: int, *,
                     section_ids: Iterable[int] | None = None) -> builtins.tuple[int, builtins.list[Action]]:
        """How many actions are overdue on `today` (bot.domain.status.is_overdue: open, due
        before it), and the first `limit` of them, most overdue first, then by code and plan;
        `section_ids`: only those of these sections."""
        params: dict[str, Any] = {"today": today, "limit": limit}
        if plan is not None:
            plan_row = self._plan_row(plan)
            if plan_row is None:
                return 0, []
            params["plan_id"] = plan_row.id
        if section_ids is not None:
            params["section_ids"] = builtins.list(section_ids)
            if not params["section_ids"]:
                return 0, []
        dialect = "postgresql" if self._session.get_bind().dialect.name == "postgresql" else "sqlite"
        query = _OVERDUE_PAGES[(dialect, plan is not None, section_ids is not None)]
        rows = core(self._session, query, params).all()
        total = rows[0][-1] if rows else 0
        return total, self._remember([_from_row(row[:-1]) for row in rows])

    def tallies(self, plan: str | None, today: date) -> dict[int, builtins.list[StatusTally]]:
        """Section id -> counts of its actions by state, lateness on `today` and assignment,
        for rollups (bot.domain.status.rollup_from_tallies)."""
        if plan is not None:
            plan_row = self._plan_row(plan)
            if plan_row is None:
                return {}
            rows = core(self._session, _TALLY_PLAN, {"plan_id": plan_row.id, "today": today})
        else:
            rows = core(self._session, _TALLY, {"today": today})
        found: dict[int, builtins.list[StatusTally]] = {}
        for row in rows:
            found.setdefault(row[0], []).append(_tally(row))
        return found

    def section_tallies(self, plan: str, section: str, today: date) -> builtins.list[StatusTally]:
        """`tallies` of one section, named as stored (an action's `plan` and `section_code`)."""
        rows = core(self._session, _TALLY_SECTION_BY_NAME, {"plan": plan, "section": section, "today": today})
        return [_tally(row) for row in rows]

    def count(self, plan: str | None = None) -> int:
        query = select(func.count(ActionRow.id)).where(ActionRow.removed_at.is_(None))
        if plan is not None:
            plan_row = self._plan_row(plan)
            if plan_row is None:
                return 0
            query = query.where(ActionRow.plan_id == plan_row.id)
        return self._session.scalar(query) or 0

    def add(self, action: Action) -> Action:
        """Store a new action and return it with its `id`.

        The plan must exist (`uow.plans.upsert`); the section is created from
        `section_code`/`section_title` if the plan does not have it yet.
        """
        plan_row = require_plan_row(self._session, action.plan)
        self._refuse_duplicate(plan_row, action.code, except_id=None)
        row = ActionRow(plan_id=plan_row.id, position=self._next_position(plan_row.id))
        section_row = self._write(row, plan_row, action)
        self._session.add(row)
        self._session.flush()
        return _to_action(row, plan_row.name, section_row.code, section_row.title)

    def save(self, action: Action) -> None:
        """Store an action that `add` stored before (found by `id`) as it is now."""
        if action.id is None:
            raise ValueError(f"{action.code} has no id; store a new action with add().")
        if self._placed.get(action.id) == (action.plan, action.section_code, action.section_title, action.code):
            # Read in this unit of work and not moved: only its mutable fields change, and of
            # those only the ones that differ from what was read.
            read, now = self._read.get(action.id), _MUTABLE_VALUES(action)
            changed = [(name, new) for name, old, new in zip(_MUTABLE_FIELDS, read or now, now)
                       if read is None or new != old]
            fields = tuple(name for name, _ in changed)
            values = {f"b_{name}": value for name, value in changed}
            if "state" in fields:
                values["b_state"] = State(action.state).value
            result = core(self._session, _save_in_place(fields), {"b_id": action.id, **values}) if fields else None
            if result is None or result.rowcount == 1:
                self._read[action.id] = now
                # An ActionRow the ORM read earlier in this unit of work is stale now (a chat
                # update reads none: the identity map is empty and no key is worked out).
                identity_map = self._session.identity_map
                loaded = identity_map.get(self._session.identity_key(ActionRow, action.id)) if identity_map else None
                if loaded is not None:
                    self._session.expire(loaded)
                return
        row = self._session.get(ActionRow, action.id)
        if row is None:
            raise NotFound(f"There is no action with id {action.id} ({action.code}).")
        plan_row = require_plan_row(self._session, action.plan)
        if row.plan_id != plan_row.id or row.code_norm != normalise(action.code):
            self._refuse_duplicate(plan_row, action.code, except_id=row.id)
        self._write(row, plan_row, action)
        self._session.flush()
        self._read.pop(action.id, None)  # a later save in place writes every field

    def _write(self, row: ActionRow, plan_row: PlanRow, action: Action) -> SectionRow:
        section_row = ensure_section_row(
            self._session, plan_row.id, action.section_code, action.section_title
        )
        row.plan_id = plan_row.id
        row.section_id = section_row.id
        row.code = action.code.strip()  # also sets code_norm, code_tail, code_number
        row.title = action.title
        row.responsibility = action.responsibility
        row.due_date = action.due_date
        row.original_due_date = action.original_due_date
        row.due_text = action.due_text
        row.progress = action.progress
        row.state = State(action.state).value
        row.completed_on = action.completed_on
        row.latest_update = action.latest_update
        row.updated_at = action.updated_at
        row.updated_by = action.updated_by
        for name in (*FILE_FIELDS, "removed_at"):
            setattr(row, name, getattr(action, name))
        return section_row

    def _refuse_duplicate(self, plan_row: PlanRow, code: str, except_id: int | None) -> None:
        query = select(ActionRow.id).where(
            ActionRow.plan_id == plan_row.id, ActionRow.code_norm == normalise(code)
        )
        existing = self._session.scalar(query)
        if existing is not None and existing != except_id:
            raise Duplicate(f"{plan_row.name} already has an action {code.strip()}.")

    def _next_position(self, plan_id: int) -> int:
        last = self._session.scalar(
            select(func.max(ActionRow.position)).where(ActionRow.plan_id == plan_id)
        )
        return (last or 0) + 1

    def add_many(self, actions: Iterable[Action]) -> builtins.list[Action]:
        """Store new actions of one plan in one INSERT (a plan import); returns them with ids.

        Same rules as `add` (plan must exist, sections are created, a code already in the plan
        raises Duplicate and stores nothing), but a constant number of queries, not five per action.
        """
        actions = builtins.list(actions)
        if not actions:
            return []
        plans = {action.plan for action in actions}
        if len(plans) != 1:
            raise ValueError(f"add_many stores actions of one plan at a time, not {sorted(plans)}.")
        plan_row = require_plan_row(self._session, actions[0].plan)
        taken = set(self._session.scalars(select(ActionRow.code_norm).where(ActionRow.plan_id == plan_row.id)))
        for action in actions:
            key = normalise(action.code)
            if key in taken:
                raise Duplicate(f"{plan_row.name} already has an action {action.code.strip()}.")
            taken.add(key)
        position = self._next_position(plan_row.id)
        # The plan's sections in one query; only missing ones are created.
        sections: dict[str, SectionRow] = {
            row.code: row for row in self._session.scalars(select(SectionRow).where(SectionRow.plan_id == plan_row.id))}
        values = []
        for offset, action in enumerate(actions):
            section_row = sections.get(action.section_code)
            if section_row is None:
                section_row = ensure_section_row(self._session, plan_row.id, action.section_code, action.section_title)
                sections[action.section_code] = section_row
            values.append(_row_values(action, plan_row.id, section_row.id, position + offset))
        # One executemany INSERT on the connection (no RETURNING: several times faster for a large
        # import), then the new ids in one query by their unique (plan, code) key.
        self._session.flush()
        self._session.connection().execute(insert(_A), values)
        stored = dict(core(self._session, select(_A.c.code_norm, _A.c.id).where(
            _A.c.plan_id == plan_row.id, _A.c.position >= position), {}).all())
        ids = [stored[value["code_norm"]] for value in values]
        stored_actions = []
        for action, id in zip(actions, ids):  # copies with their ids (faster than replace() for 10,000)
            section_row = sections[action.section_code]
            stored = copy.copy(action)
            stored.__dict__.update(id=id, code=action.code.strip(), plan=plan_row.name, section_code=section_row.code,
                                   section_title=section_row.title)
            stored_actions.append(stored)
        return stored_actions


def _row_values(action: Action, plan_id: int, section_id: int, position: int) -> dict[str, object]:
    code = action.code.strip()
    return {
        "plan_id": plan_id, "section_id": section_id, "position": position, "code": code,
        "code_norm": normalise(code), "code_tail": code_tail(code), "code_number": code_number(code),
        "title": action.title, "responsibility": action.responsibility, "due_date": action.due_date,
        "original_due_date": action.original_due_date, "due_text": action.due_text, "progress": action.progress,
        "state": State(action.state).value, "completed_on": action.completed_on,
        "latest_update": action.latest_update, "updated_at": action.updated_at, "updated_by": action.updated_by,
        **{name: getattr(action, name) for name in (*FILE_FIELDS, "removed_at")},
    }
