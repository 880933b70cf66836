"""uow.plans: plans and their sections."""

from __future__ import annotations

import builtins
import functools
from typing import NamedTuple

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from bot.domain.codes import normalise, section_number
from bot.domain.model import Plan, Section
from bot.domain.status import section_sort_key
from storage.errors import NotFound
from storage.repositories.core import core
from storage.repositories.prebuilt import Prebuilt
from storage.tables import PlanRow, SectionRow


@functools.lru_cache(maxsize=65536)
def section_order(code: str) -> tuple[tuple[int, str], ...]:
    """`AP2.10` after `AP2.9`, whether or not the section code carries its letters."""
    return section_sort_key(section_number(code))


# Built once: every message looks its plan and section up with these.
_PLAN_BY_NAME = select(PlanRow).where(PlanRow.name == bindparam("name"))
_PLAN_BY_LOWER_NAME = select(PlanRow).where(func.lower(PlanRow.name) == bindparam("name")).order_by(PlanRow.id)
_SECTION_BY_CODE = select(SectionRow).where(SectionRow.plan_id == bindparam("plan_id"),
                                            SectionRow.code == bindparam("code"))


# Sections with their plan's name, read as rows (not ORM instances): every question reads them.
_SECTIONS = (select(SectionRow.id, SectionRow.code, SectionRow.title, SectionRow.reported_progress,
                    SectionRow.reported_due, PlanRow.name).join(PlanRow, SectionRow.plan_id == PlanRow.id))
_PLAN_SECTIONS = _SECTIONS.where(SectionRow.plan_id == bindparam("plan_id"))


def find_plan_row(session: Session, name: str) -> PlanRow | None:
    """The plan named exactly, else the one named so ignoring case."""
    name = name.strip()
    exact = session.scalars(_PLAN_BY_NAME, {"name": name}).first()
    if exact is not None:
        return exact
    return session.scalars(_PLAN_BY_LOWER_NAME, {"name": name.lower()}).first()


class PlanKey(NamedTuple):
    id: int
    name: str


_P = PlanRow.__table__
_PLAN_KEY_BY_NAME = Prebuilt(select(_P.c.id, _P.c.name).where(_P.c.name == bindparam("name")))
_PLAN_KEY_BY_LOWER_NAME = Prebuilt(select(_P.c.id, _P.c.name).where(func.lower(_P.c.name) == bindparam("name"))
                                   .order_by(_P.c.id).limit(1))


def find_plan_key(session: Session, name: str) -> PlanKey | None:
    """The id and name of the plan `find_plan_row` finds, by prebuilt Core statements (no ORM
    Session needed), remembered by the unit of work: a message looks its plan up several times
    (sections, then actions or counts). Only hits are kept, so a plan created meanwhile is
    found; plans are never renamed or deleted."""
    # Repositories are given the unit of work's SessionOnDemand (storage.unit_of_work).
    found: dict[str, PlanKey] = session.lookups.setdefault("plan_keys", {})  # type: ignore[attr-defined]
    key = found.get(name)
    if key is None:
        stripped = name.strip()
        row = core(session, _PLAN_KEY_BY_NAME, {"name": stripped}).first() or \
            core(session, _PLAN_KEY_BY_LOWER_NAME, {"name": stripped.lower()}).first()
        if row is None:
            return None
        key = found[name] = PlanKey(row[0], row[1])
    return key


def require_plan_row(session: Session, name: str) -> PlanRow:
    row = find_plan_row(session, name)
    if row is None:
        raise NotFound(f"There is no plan called {name!r}.")
    return row


def find_section_row(session: Session, plan_id: int, code: str) -> SectionRow | None:
    """The section of a plan whose code is `code` ignoring case and spacing."""
    wanted = normalise(code)
    if wanted == code and " " not in wanted:  # one query: the code as written, or in another case
        rows = list(session.scalars(select(SectionRow).where(
            SectionRow.plan_id == plan_id, func.upper(SectionRow.code) == wanted)))
        return next((row for row in rows if row.code == code), rows[0] if rows else None)
    exact = session.scalars(_SECTION_BY_CODE, {"plan_id": plan_id, "code": code}).first()
    if exact is not None:
        return exact
    for row in session.scalars(select(SectionRow).where(SectionRow.plan_id == plan_id)):
        if normalise(row.code) == wanted:
            return row
    return None


def ensure_section_row(session: Session, plan_id: int, code: str, title: str) -> SectionRow:
    """The plan's section with this code, created (at the end of the plan) if missing."""
    row = find_section_row(session, plan_id, code)
    if row is None:
        row = SectionRow(
            plan_id=plan_id,
            code=code.strip(),
            title=title,
            position=_next_position(session, plan_id),
        )
        session.add(row)
        session.flush()
    return row


def _next_position(session: Session, plan_id: int) -> int:
    last = session.scalar(
        select(func.max(SectionRow.position)).where(SectionRow.plan_id == plan_id)
    )
    return (last or 0) + 1


def to_plan(row: PlanRow) -> Plan:
    return Plan(name=row.name, title=row.title, id=row.id)


def to_section(row: SectionRow, plan_name: str) -> Section:
    return Section(
        plan=plan_name,
        code=row.code,
        title=row.title,
        reported_progress=row.reported_progress,
        reported_due=row.reported_due,
        id=row.id,
    )


class PlanRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, name: str) -> Plan | None:
        row = find_plan_row(self._session, name)
        return to_plan(row) if row is not None else None

    def list(self) -> list[Plan]:
        rows = self._session.scalars(select(PlanRow).order_by(PlanRow.name))
        return [to_plan(row) for row in rows]

    def upsert(self, name: str, title: str) -> Plan:
        """Create the plan, or retitle the one with this name."""
        row = find_plan_row(self._session, name)
        if row is None:
            row = PlanRow(name=name.strip(), title=title)
            self._session.add(row)
        else:
            row.title = title
        self._session.flush()
        return to_plan(row)

    def sections(self, plan: str | None = None) -> builtins.list[Section]:
        """Sections sorted by plan name, then section code (`2.10` after `2.9`)."""
        if plan is not None:
            plan_row = find_plan_key(self._session, plan)
            if plan_row is None:
                return []
            rows = core(self._session, _PLAN_SECTIONS, {"plan_id": plan_row.id})
        else:
            rows = core(self._session, _SECTIONS, {})
        found = [Section(plan=plan_name, code=code, title=title, reported_progress=progress, reported_due=due, id=id_)
                 for id_, code, title, progress, due, plan_name in rows]
        found.sort(key=lambda s: (s.plan, section_order(s.code), s.id or 0))
        return found

    def get_section(self, plan: str, code: str) -> Section | None:
        plan_row = find_plan_row(self._session, plan)
        if plan_row is None:
            return None
        row = find_section_row(self._session, plan_row.id, code)
        return to_section(row, plan_row.name) if row is not None else None

    def upsert_section(self, section: Section) -> Section:
        """Create the section, or update its title and reported rollup (by plan and code)."""
        plan_row = require_plan_row(self._session, section.plan)
        row = ensure_section_row(self._session, plan_row.id, section.code, section.title)
        row.title = section.title
        row.reported_progress = section.reported_progress
        row.reported_due = section.reported_due
        self._session.flush()
        return to_section(row, plan_row.name)
