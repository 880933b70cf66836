"""The narrowed reads behind `summary`, `overdue` and `mine` (issue 18) answer exactly what
reading every action and deciding in Python answers: on SQLite and PostgreSQL, over a plan
with every state, lateness and assignment, including the awkward rows (no due date, no
progress, blank owners, an owner name that is part of another word)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from itertools import cycle

import pytest

from bot.domain.model import Action, Person, Section, State
from bot.domain.permissions import is_responsible
from bot.domain.status import is_open, is_overdue, rollup_from_tallies, section_rollup
from storage import SqlUnitOfWork
from tests.storage_fixtures import database_url, engine, migrated_engine, new_uow  # noqa: F401

NewUow = Callable[[], SqlUnitOfWork]
TODAY = date(2025, 3, 14)
OWNERS = ("Finance Team", None, "", "  ", "Commissioning Team and Finance Team", "Sam Patel", "Samantha Jones",
          "finance team lead")
STATES = tuple(State)
DUES = (None, TODAY - timedelta(days=30), TODAY - timedelta(days=1), TODAY, TODAY + timedelta(days=5))
PROGRESS = (None, 0, 35, 100)


def seeded(new_uow: NewUow) -> list[Action]:
    owners, states, dues, progress = cycle(OWNERS), cycle(STATES), cycle(DUES), cycle(PROGRESS)
    with new_uow() as uow:
        for plan in ("Plan A", "Plan B"):
            uow.plans.upsert(plan, plan)
            for s in ("2.4", "2.5", "2.10"):
                uow.plans.upsert_section(Section(plan=plan, code=s, title=f"Section {s}"))
            uow.plans.upsert_section(Section(plan=plan, code="3.1", title="Empty section"))
            for n in range(60):
                section = ("2.4", "2.5", "2.10")[n % 3]
                uow.actions.add(Action(
                    code=f"AP{section}.{n}", title=f"Action {n}", plan=plan, section_code=section,
                    section_title=f"Section {section}", responsibility=next(owners), due_date=next(dues),
                    progress=next(progress), state=next(states),
                    updated_at=datetime(2025, 3, 1, tzinfo=timezone.utc)))
        uow.commit()
        return uow.actions.list()


@pytest.mark.parametrize("plan", ["Plan A", None], ids=["one-plan", "every-plan"])
def test_section_rollups_from_counts_equal_rollups_of_the_actions(new_uow: NewUow, plan: str | None) -> None:
    actions = seeded(new_uow)
    with new_uow() as uow:
        sections = uow.plans.sections(plan)
        tallies = uow.actions.tallies(plan, TODAY)
    for s in sections:
        members = [a for a in actions if a.plan == s.plan and a.section_code == s.code]
        expected = section_rollup(s.plan, s.code, s.title, members, TODAY, s.reported_progress)
        assert rollup_from_tallies(s.plan, s.code, s.title, tallies.get(s.id or 0, []), s.reported_progress) == expected


def test_one_sections_counts_by_its_stored_names_give_the_same_rollup(new_uow: NewUow) -> None:
    actions = seeded(new_uow)
    with new_uow() as uow:
        sections = uow.plans.sections(None)
        counted = {(s.plan, s.code): uow.actions.section_tallies(s.plan, s.code, TODAY) for s in sections}
    for s in sections:
        members = [a for a in actions if a.plan == s.plan and a.section_code == s.code]
        expected = section_rollup(s.plan, s.code, s.title, members, TODAY)
        assert rollup_from_tallies(s.plan, s.code, s.title, counted[(s.plan, s.code)]) == expected
    assert counted[("Plan A", "3.1")] == []


def test_open_actions_due_before_today_are_the_overdue_ones(new_uow: NewUow) -> None:
    actions = seeded(new_uow)
    with new_uow() as uow:
        narrowed = uow.actions.open_list("Plan B", due_before=TODAY)
    assert narrowed == [a for a in actions if a.plan == "Plan B" and is_overdue(a, TODAY)]
    assert narrowed  # the seed has some


@pytest.mark.parametrize(
    "person",
    [Person("Sam Patel", team="Finance Team"), Person("Samantha Jones"), Person("Nobody Here", team=None),
     Person("Ann O'Neil", team="100% Team_x")],
    ids=["name-and-team", "name-only", "no-match", "like-wildcards"],
)
def test_open_actions_naming_a_person_are_what_is_responsible_decides(new_uow: NewUow, person: Person) -> None:
    actions = seeded(new_uow)
    naming = tuple(n for n in (person.name, person.team) if n)
    with new_uow() as uow:
        narrowed = [a for a in uow.actions.open_list("Plan A", naming=naming) if is_responsible(person, a)]
    assert narrowed == [a for a in actions if a.plan == "Plan A" and is_open(a) and is_responsible(person, a)]
