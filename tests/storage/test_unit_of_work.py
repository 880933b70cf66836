"""What a unit of work promises, now that it is one connection with an ORM Session made only
when a repository needs one (storage.session_on_demand), on SQLite and PostgreSQL:

- a chat update's statements all commit together, or none of them do;
- ORM writes and prebuilt Core statements in one unit of work see each other and commit or
  roll back together, also after a commit in the middle;
- saving an action writes the fields that changed, so two people changing different fields of
  one action at the same time both keep their change (PostgreSQL, where units of work overlap).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import Engine, event

from bot.domain.model import Action, FieldChange, HistoryEntry, Person, Role
from storage import SqlUnitOfWork
from tests.storage.test_prebuilt import AT, _seed
from tests.storage_fixtures import database_url, engine, migrated_engine, new_uow  # noqa: F401

NewUow = Callable[[], SqlUnitOfWork]  # AP2.5.1 of Plan A at 35%, and Sam Patel on Slack (the prebuilt tests' seed)


def _update(uow: SqlUnitOfWork, **fields: object) -> Action:
    (found,) = uow.actions.find("AP2.5.1")
    changed = replace(found, **fields)
    uow.actions.save(changed)
    uow.history.append(HistoryEntry(
        action_code=found.code, plan=found.plan, action_id=found.id, at=AT, actor="Sam", channel="slack",
        kind="update", changes=tuple(FieldChange(k, getattr(found, k), v) for k, v in fields.items())))
    return changed


def _stored(new_uow: NewUow) -> tuple[Action, int]:
    with new_uow() as uow:
        (action,) = uow.actions.find("AP2.5.1")
        return action, len(uow.history.for_action(action.id or 0))


def test_a_chat_update_commits_all_its_statements_or_none(new_uow: NewUow) -> None:
    _seed(new_uow)
    with new_uow() as uow:
        assert uow.inbound.claim("slack", "m1", AT)
        _update(uow, progress=60, latest_update="sixty")
        uow.rollback()
    action, entries = _stored(new_uow)
    assert (action.progress, action.latest_update, entries) == (35, "begun", 0)
    with new_uow() as uow:
        assert uow.inbound.claim("slack", "m1", AT)  # the claim was rolled back with the rest
        _update(uow, progress=60, latest_update="sixty")
        uow.commit()
    action, entries = _stored(new_uow)
    assert (action.progress, action.latest_update, entries) == (60, "sixty", 1)
    with new_uow() as uow:
        assert not uow.inbound.claim("slack", "m1", AT)


def test_leaving_without_commit_keeps_nothing(new_uow: NewUow) -> None:
    _seed(new_uow)
    with new_uow() as uow:
        _update(uow, progress=70)
        uow.people.add(Person(name="Jo Bloggs", role=Role.UPDATER), {"slack": "U222"})  # an ORM write
    assert _stored(new_uow)[0].progress == 35
    with new_uow() as uow:
        assert uow.people.find_by_identity("slack", "U222") is None


def test_orm_and_core_writes_see_each_other_and_commit_together(new_uow: NewUow) -> None:
    _seed(new_uow)
    with new_uow() as uow:
        uow.people.add(Person(name="Jo Bloggs", role=Role.UPDATER), {"slack": "U222"})  # ORM, pending
        found = uow.people.find_by_identity("slack", "U222")  # a prebuilt Core read
        assert found is not None and found.name == "Jo Bloggs"
        uow.commit()
        # After a commit the unit of work goes on in a new transaction, Core and ORM alike.
        _update(uow, progress=80)
        uow.people.add(Person(name="Al Khan", role=Role.UPDATER), {"slack": "U333"})
        uow.rollback()
    with new_uow() as uow:
        assert uow.people.find_by_identity("slack", "U222") is not None
        assert uow.people.find_by_identity("slack", "U333") is None
    assert _stored(new_uow)[0].progress == 35


def test_a_chat_update_makes_no_orm_session(new_uow: NewUow, migrated_engine: Engine) -> None:  # noqa: F811
    """The hot path of every Slack and Teams update stays on the connection (issue 18)."""
    _seed(new_uow)
    with new_uow() as uow:
        assert uow.inbound.claim("slack", "m2", AT)
        assert uow.people.find_by_identity("slack", "U111") is not None
        _update(uow, progress=45)
        assert uow.actions.section_tallies("Plan A", "2.5", date(2025, 3, 14))
        uow.commit()
        assert uow._session is not None and uow._session._orm is None


def test_saving_writes_only_what_changed(new_uow: NewUow, migrated_engine: Engine) -> None:  # noqa: F811
    _seed(new_uow)
    updates: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.lstrip().upper().startswith("UPDATE ACTIONS"):
            updates.append(statement)

    event.listen(migrated_engine, "before_cursor_execute", seen)
    try:
        with new_uow() as uow:
            _update(uow, progress=50, latest_update="half")
            (same,) = uow.actions.find("AP2.5.1")
            uow.actions.save(same)  # nothing changed: nothing written
            uow.commit()
    finally:
        event.remove(migrated_engine, "before_cursor_execute", seen)
    assert len(updates) == 1
    set_clause = updates[0].upper().split(" SET ")[1].split(" WHERE ")[0]
    assert "PROGRESS" in set_clause and "LATEST_UPDATE" in set_clause and "DUE_DATE" not in set_clause
    action, _ = _stored(new_uow)
    assert (action.progress, action.latest_update, action.due_date, action.responsibility) == (
        50, "half", date(2025, 3, 1), "Finance Team")


def test_a_changed_object_saved_in_place_is_written(new_uow: NewUow) -> None:
    """Actions are mutable: a field set on the object read is still seen as a change."""
    _seed(new_uow)
    with new_uow() as uow:
        (action,) = uow.actions.find("AP2.5.1")
        action.responsibility = "Contracts Team"
        uow.actions.save(action)
        action.progress = 90
        uow.actions.save(action)
        uow.commit()
    stored, _ = _stored(new_uow)
    assert (stored.responsibility, stored.progress) == ("Contracts Team", 90)


@pytest.mark.parametrize("database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
def test_two_people_changing_different_fields_at_once_both_keep_theirs(new_uow: NewUow) -> None:
    """On PostgreSQL two units of work overlap: each writes only its own change."""
    _seed(new_uow)
    with new_uow() as first, new_uow() as second:
        (a,) = first.actions.find("AP2.5.1")
        (b,) = second.actions.find("AP2.5.1")
        second.actions.save(replace(b, due_date=date(2025, 6, 30)))
        second.commit()
        first.actions.save(replace(a, progress=75))
        first.commit()
    stored, _ = _stored(new_uow)
    assert (stored.progress, stored.due_date) == (75, date(2025, 6, 30))
