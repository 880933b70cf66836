"""`mine` asks the database for the open actions whose responsibility could name the person,
then the domain decides (bot.domain.permissions.is_responsible, Python's `casefold`). The
database's narrowing must never drop an action the domain would give the person: outside
ASCII the two fold case differently (`Straße` is `strasse` to Python; SQLite's `lower` and LIKE
leave `É` alone)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from bot.domain.model import Action, Person, Role, State
from bot.domain.permissions import is_responsible
from storage import SqlUnitOfWork
from tests.storage_fixtures import database_url, engine, migrated_engine, new_uow  # noqa: F401

NewUow = Callable[[], SqlUnitOfWork]

CASES = [  # (the person's name, a responsibility the domain says names them)
    ("Strasse", "Straße Team"),
    ("Jo Straße", "JO STRASSE"),
    ("Émile Zola", "ÉMILE ZOLA, Contracts"),
    ("Zoë Hart", "ZOË HART"),
    ("ﬁona Reid", "Fiona Reid / Finance"),
    ("Sam Patel", "sam patel"),
    ("Ana", "Ana and the Commissioning Team"),
]


@pytest.mark.parametrize(("name", "responsibility"), CASES)
def test_mine_keeps_every_action_the_domain_gives_the_person(new_uow: NewUow, name: str,  # noqa: F811
                                                              responsibility: str) -> None:
    person = Person(name=name, role=Role.UPDATER)
    owned = Action(code="AP1.1.1", title="Owned", plan="Plan A", section_code="1.1", section_title="One",
                   responsibility=responsibility, due_date=date(2025, 3, 1), progress=10, state=State.IN_PROGRESS)
    other = Action(code="AP1.1.2", title="Not theirs", plan="Plan A", section_code="1.1", section_title="One",
                   responsibility="Finance Team", due_date=date(2025, 3, 1), progress=10, state=State.IN_PROGRESS)
    assert is_responsible(person, owned) and not is_responsible(person, other)
    with new_uow() as uow:
        uow.plans.upsert("Plan A", "Plan A")
        uow.actions.add(owned)
        uow.actions.add(other)
        uow.commit()
    with new_uow() as uow:
        listed = uow.actions.open_list(plan="Plan A", naming=(name,))
    assert [a.code for a in listed if is_responsible(person, a)] == ["AP1.1.1"]
    assert "AP1.1.2" not in [a.code for a in listed]  # an ASCII responsibility not naming them is narrowed out
