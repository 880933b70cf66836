"""The prebuilt statements of every chat update (storage.repositories.prebuilt) answer what
SQLAlchemy's own execution of the same statements answers, on SQLite and PostgreSQL: the same
rows with the same Python types, the engine's statement listeners see them, and a driver
error is SQLAlchemy's, without the parameters."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timezone
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.exc import IntegrityError

from bot.domain.model import Action, FieldChange, HistoryEntry, Person, Role, State
from storage import SqlUnitOfWork
from storage.repositories import actions as actions_module
from storage.repositories import history as history_module
from storage.repositories import people as people_module
from storage.repositories.core import core
from tests.storage_fixtures import database_url, engine, migrated_engine, new_uow  # noqa: F401

NewUow = Callable[[], SqlUnitOfWork]
TODAY = date(2025, 3, 14)
AT = datetime(2025, 3, 1, 9, 30, tzinfo=timezone.utc)


def _seed(new_uow: NewUow) -> Action:
    with new_uow() as uow:
        uow.plans.upsert("Plan A", "Plan A")
        action = uow.actions.add(Action(
            code="AP2.5.1", title="Sample testing", plan="Plan A", section_code="2.5", section_title="Testing",
            responsibility="Finance Team", due_date=date(2025, 3, 1), progress=35, state=State.IN_PROGRESS,
            completed_on=None, latest_update="begun", updated_at=AT, updated_by="Sam", proposed_for_closure=True))
        uow.people.add(Person(name="Sam Patel", role=Role.ADMIN, team="Finance Team"), {"slack": "U111"})
        uow.commit()
    return action


def _both(uow: SqlUnitOfWork, prebuilt: Any, params: dict[str, Any]) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    session = uow._session
    assert session is not None
    ours = [tuple(row) for row in core(session, prebuilt, params)]
    theirs = [tuple(row) for row in session.connection().execute(prebuilt.statement, params)]
    return ours, theirs


def test_reads_give_sqlalchemys_rows_and_types(new_uow: NewUow) -> None:
    _seed(new_uow)
    with new_uow() as uow:
        found, expected = _both(uow, actions_module._FIND["tail"], {"key": "AP2.5.1"})
        assert found == expected and len(found) == 1
        assert [type(v) for v in found[0]] == [type(v) for v in expected[0]]  # dates, aware datetimes, booleans
        counted, expected = _both(uow, actions_module._TALLY_SECTION_BY_NAME,
                                  {"plan": "Plan A", "section": "2.5", "today": TODAY})
        assert counted == expected and counted
        person, expected = _both(uow, people_module._BY_IDENTITY, {"channel": "slack", "external_id": "U111"})
        assert person == expected
        session = uow._session
        assert session is not None
        row = core(session, people_module._BY_IDENTITY, {"channel": "slack", "external_id": "U111"}).first()
        assert (row.name, row.role, row.team) == ("Sam Patel", "admin", "Finance Team")


def test_writes_are_read_back_as_written(new_uow: NewUow) -> None:
    action = _seed(new_uow)
    with new_uow() as uow:
        found = uow.actions.find("AP2.5.1")[0]
        uow.actions.save(found.__class__(**{**found.__dict__, "progress": 40, "completed_on": TODAY,
                                            "proposed_for_closure": False, "updated_at": AT}))
        entry = uow.history.append(HistoryEntry(
            action_code=action.code, plan=action.plan, action_id=action.id, at=AT, actor="Sam", channel="slack",
            kind="update", changes=(FieldChange("progress", 35, 40), FieldChange("due_date", None, TODAY)),
            note="forty", source_ref="slack:C1:1.2", batch_id="b1"))
        uow.commit()
    with new_uow() as uow:
        saved = uow.actions.find("AP2.5.1")[0]
        (stored,) = uow.history.for_action(action.id or 0)
    assert (saved.progress, saved.completed_on, saved.proposed_for_closure, saved.updated_at) == (40, TODAY, False, AT)
    assert stored.id == entry.id and stored.changes == entry.changes and stored.at == AT


def test_the_engines_statement_listeners_see_them(new_uow: NewUow, migrated_engine: Engine) -> None:
    _seed(new_uow)
    seen: list[str] = []
    event.listen(migrated_engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
    with new_uow() as uow:
        assert uow.people.find_by_identity("slack", "U111") is not None
    assert any("identities" in statement for statement in seen)


def test_a_driver_error_is_sqlalchemys_and_hides_the_parameters(new_uow: NewUow) -> None:
    _seed(new_uow)
    with new_uow() as uow:
        session = uow._session
        assert session is not None
        with pytest.raises(IntegrityError) as raised:  # no action 999999: the foreign key refuses it
            core(session, history_module._APPEND, {
                "action_id": 999999, "batch_id": None, "at": AT, "person_id": None, "actor": "Sam",
                "channel": "slack", "kind": "update", "changes": [], "note": "secret words", "source_ref": None,
                "undoes_batch": None})
    assert "secret words" not in str(raised.value)
