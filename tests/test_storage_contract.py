"""The storage contract (docs/storage-api.md), run alike on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, inspect

from bot.domain.model import Action, FieldChange, HistoryEntry, Person, Role, Section, State
from storage import SqlUnitOfWork, ensure_schema, unit_of_work_factory, upgrade
from storage.errors import Duplicate, DuplicateIdentity, NotFound
from storage.schema import SCHEMA_HEAD, current_revision
from tests.storage_fixtures import database_url, engine, migrated_engine, new_uow  # noqa: F401

NewUow = Callable[[], SqlUnitOfWork]
NOW = datetime(2025, 3, 14, 9, 30, tzinfo=timezone.utc)
CORE_TABLES = {
    "plans", "sections", "actions", "history", "people", "identities", "inbound_messages"
}


def make_action(
    code: str, plan: str = "HSCM COMM", section: str = "AP2.5", **fields: object
) -> Action:
    return Action(
        code=code,
        title=f"Title of {code}",
        plan=plan,
        section_code=section,
        section_title=f"Section {section}",
        **fields,  # type: ignore[arg-type]
    )


def seed(uow: SqlUnitOfWork, plan: str, codes: list[tuple[str, str]]) -> list[Action]:
    """Add a plan and its actions, given as (section code, action code)."""
    uow.plans.upsert(plan, f"{plan} action plan")
    return [
        uow.actions.add(make_action(code, plan=plan, section=section)) for section, code in codes
    ]


# --- schema -------------------------------------------------------------------------------


def test_upgrade_from_empty_database_creates_every_table(engine: Engine) -> None:
    assert current_revision(engine) is None
    upgrade(engine)
    assert current_revision(engine) == SCHEMA_HEAD
    assert CORE_TABLES <= set(inspect(engine).get_table_names())


def test_ensure_schema_migrates_once_and_keeps_data(engine: Engine) -> None:
    ensure_schema(engine)
    with unit_of_work_factory(engine)() as uow:
        uow.plans.upsert("HSCM COMM", "Commissioning")
        uow.commit()
    ensure_schema(engine)
    ensure_schema(engine)
    assert current_revision(engine) == SCHEMA_HEAD
    with unit_of_work_factory(engine)() as uow:
        assert [p.name for p in uow.plans.list()] == ["HSCM COMM"]


# --- plans and sections -------------------------------------------------------------------


def test_plan_upsert_creates_then_retitles(new_uow: NewUow) -> None:
    with new_uow() as uow:
        created = uow.plans.upsert("HSCM COMM", "Draft title")
        again = uow.plans.upsert("HSCM COMM", "Commissioning improvement plan")
        uow.plans.upsert("ASC QA", "Quality assurance")
        uow.commit()
    assert created.id is not None and again.id == created.id
    with new_uow() as uow:
        assert uow.plans.get("HSCM COMM") == again
        assert again.title == "Commissioning improvement plan"
        assert uow.plans.get("hscm comm") == again
        assert uow.plans.get("NOPE") is None
        assert [p.name for p in uow.plans.list()] == ["ASC QA", "HSCM COMM"]


def test_sections_upsert_by_plan_and_code_and_sort_numerically(new_uow: NewUow) -> None:
    with new_uow() as uow:
        uow.plans.upsert("HSCM COMM", "Commissioning")
        uow.plans.upsert("ASC QA", "Quality")
        for code in ["AP2.10", "AP2.9", "AP1", "AP2.1"]:
            uow.plans.upsert_section(Section(plan="HSCM COMM", code=code, title=f"S {code}"))
        uow.plans.upsert_section(Section(plan="ASC QA", code="AP1", title="Other plan"))
        updated = uow.plans.upsert_section(
            Section(plan="HSCM COMM", code="AP2.9", title="Renamed", reported_progress=40,
                    reported_due=date(2025, 6, 30))
        )
        uow.commit()
    with new_uow() as uow:
        codes = [s.code for s in uow.plans.sections("HSCM COMM")]
        assert codes == ["AP1", "AP2.1", "AP2.9", "AP2.10"]
        first_two = [(s.plan, s.code) for s in uow.plans.sections()][:2]
        assert first_two == [("ASC QA", "AP1"), ("HSCM COMM", "AP1")]
        got = uow.plans.get_section("HSCM COMM", "AP2.9")
        assert got == updated
        assert got is not None and (got.title, got.reported_progress, got.reported_due) == (
            "Renamed", 40, date(2025, 6, 30))
        assert uow.plans.get_section("HSCM COMM", "AP2.99") is None
        assert uow.plans.sections("NOPE") == []


def test_section_of_an_unknown_plan_is_refused(new_uow: NewUow) -> None:
    with new_uow() as uow, pytest.raises(NotFound, match="no plan called"):
        uow.plans.upsert_section(Section(plan="NOPE", code="AP1", title="x"))


# --- actions ------------------------------------------------------------------------------


def test_action_add_get_and_save_round_trip_every_field(new_uow: NewUow) -> None:
    with new_uow() as uow:
        uow.plans.upsert("HSCM COMM", "Commissioning")
        added = uow.actions.add(make_action("HSCM COMM AP2.5.1"))
        uow.commit()
    assert added.id is not None
    assert (added.state, added.section_title) == (State.NOT_STARTED, "Section AP2.5")

    edited = replace(
        added,
        title="Review the contract",
        responsibility="Commissioning Team and Finance Team",
        due_date=date(2025, 9, 30),
        original_due_date=date(2025, 6, 30),
        due_text=None,
        progress=60,
        state=State.IN_PROGRESS,
        completed_on=None,
        latest_update="Draft circulated",
        updated_at=datetime(2025, 3, 14, 10, 0, tzinfo=timezone(timedelta(hours=1))),
        updated_by="Sam Patel",
        section_code="AP2.6",
        section_title="Section AP2.6",
    )
    with new_uow() as uow:
        uow.actions.save(edited)
        uow.commit()
    with new_uow() as uow:
        got = uow.actions.get_by_id(added.id)
        assert got == edited
        assert got is not None and got.updated_at is not None
        assert got.updated_at.tzinfo is not None and got.updated_at.utcoffset() == timedelta(0)
        assert got.updated_at == datetime(2025, 3, 14, 9, 0, tzinfo=timezone.utc)
        assert uow.actions.get("HSCM COMM", "hscm  comm ap2.5.1") == edited
        assert uow.actions.get("HSCM COMM", "HSCM COMM AP9") is None
        assert uow.actions.get("NOPE", "HSCM COMM AP2.5.1") is None
        assert uow.actions.get_by_id(added.id + 1000) is None
        assert uow.plans.get_section("HSCM COMM", "AP2.6") is not None


def test_action_text_due_and_completed_state(new_uow: NewUow) -> None:
    with new_uow() as uow:
        uow.plans.upsert("HSCM COMM", "Commissioning")
        added = uow.actions.add(make_action(
            "HSCM COMM AP1.1", section="AP1", due_text="Ongoing", state=State.COMPLETED,
            completed_on=date(2025, 1, 31), progress=100))
        uow.commit()
    with new_uow() as uow:
        assert uow.actions.get_by_id(added.id or 0) == added
        assert added.due_text == "Ongoing" and added.state is State.COMPLETED


def test_action_duplicate_code_and_unknown_plan_are_refused(new_uow: NewUow) -> None:
    with new_uow() as uow:
        uow.plans.upsert("HSCM COMM", "Commissioning")
        uow.actions.add(make_action("HSCM COMM AP2.5.1"))
        with pytest.raises(Duplicate, match="already has an action"):
            uow.actions.add(make_action("hscm comm ap2.5.1"))
        with pytest.raises(NotFound):
            uow.actions.add(make_action("X AP1", plan="NOPE"))
        with pytest.raises(ValueError, match="no id"):
            uow.actions.save(make_action("HSCM COMM AP2.5.2"))


FIND_CODES = [
    ("AP2.1", "HSCM COMM AP2.1"),
    ("AP2.1", "HSCM COMM AP2.10"),
    ("AP2.1", "HSCM COMM AP2.1.1a"),
    ("AP2.1", "HSCM COMM AP2.1.1b"),
    ("AP2.5", "HSCM COMM AP2.5.1"),
]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        pytest.param("HSCM COMM AP2.1", ["HSCM COMM AP2.1"], id="full"),
        pytest.param("hscm  comm ap2.1", ["HSCM COMM AP2.1"], id="full-any-case-and-spacing"),
        pytest.param("AP2.1", ["HSCM COMM AP2.1"], id="tail-never-AP2.10"),
        pytest.param("ap2.10", ["HSCM COMM AP2.10"], id="tail-lower-case"),
        pytest.param("2.1", ["HSCM COMM AP2.1"], id="number"),
        pytest.param("AP2.1.1a", ["HSCM COMM AP2.1.1a"], id="letter-suffix-never-1b"),
        pytest.param("2.1.1B", ["HSCM COMM AP2.1.1b"], id="number-with-letter"),
        pytest.param("AP2.5.1", ["HSCM COMM AP2.5.1"], id="tail-AP2.5.1"),
        pytest.param("AP2", [], id="prefix-finds-nothing"),
        pytest.param("AP2.1.1", [], id="stem-of-lettered-codes-finds-nothing"),
        pytest.param("   ", [], id="blank"),
    ],
)
def test_find_matches_whole_keys_only(new_uow: NewUow, typed: str, expected: list[str]) -> None:
    with new_uow() as uow:
        seed(uow, "HSCM COMM", FIND_CODES)
        assert [a.code for a in uow.actions.find(typed)] == expected


def test_find_same_tail_in_two_plans_is_ambiguous_until_plan_given(new_uow: NewUow) -> None:
    with new_uow() as uow:
        seed(uow, "HSCM COMM", [("AP2.5", "HSCM COMM AP2.5.1")])
        seed(uow, "ASC QA", [("AP2.5", "ASC QA AP2.5.1")])
        uow.commit()
    with new_uow() as uow:
        assert [(a.plan, a.code) for a in uow.actions.find("AP2.5.1")] == [
            ("ASC QA", "ASC QA AP2.5.1"),
            ("HSCM COMM", "HSCM COMM AP2.5.1"),
        ]
        in_plan = uow.actions.find("2.5.1", plan="HSCM COMM")
        assert [a.code for a in in_plan] == ["HSCM COMM AP2.5.1"]
        assert [a.code for a in uow.actions.find("ASC QA AP2.5.1")] == ["ASC QA AP2.5.1"]
        assert uow.actions.find("AP2.5.1", plan="NOPE") == []


def test_list_orders_by_plan_section_and_code_and_filters(new_uow: NewUow) -> None:
    with new_uow() as uow:
        seed(uow, "HSCM COMM", [
            ("AP2.10", "HSCM COMM AP2.10.1"),
            ("AP2.9", "HSCM COMM AP2.9.2"),
            ("AP2.9", "HSCM COMM AP2.9.10"),
            ("AP2.9", "HSCM COMM AP2.9.1"),
            ("AP2.1", "HSCM COMM AP2.1.1b"),
            ("AP2.1", "HSCM COMM AP2.1.1a"),
        ])
        seed(uow, "ASC QA", [("AP1", "ASC QA AP1.1")])
        finance = uow.actions.find("AP2.9.1")[0]
        uow.actions.save(replace(finance, responsibility="Commissioning Team and Finance Team"))
        other = uow.actions.find("AP2.10.1")[0]
        uow.actions.save(replace(other, responsibility="50% Finance_Team"))
        uow.commit()
    with new_uow() as uow:
        assert [a.code.split()[-1] for a in uow.actions.list(plan="HSCM COMM")] == [
            "AP2.1.1a", "AP2.1.1b", "AP2.9.1", "AP2.9.2", "AP2.9.10", "AP2.10.1"]
        assert [a.plan for a in uow.actions.list()] == ["ASC QA"] + ["HSCM COMM"] * 6
        assert [a.code for a in uow.actions.list(plan="HSCM COMM", section="AP2.9")] == [
            "HSCM COMM AP2.9.1", "HSCM COMM AP2.9.2", "HSCM COMM AP2.9.10"]
        assert [a.code for a in uow.actions.list(section="ap2.10")] == ["HSCM COMM AP2.10.1"]
        assert [a.code for a in uow.actions.list(responsibility="FINANCE")] == [
            "HSCM COMM AP2.9.1", "HSCM COMM AP2.10.1"]
        # Wildcards in the filter are plain text, not LIKE patterns.
        assert [a.code for a in uow.actions.list(responsibility="50%")] == ["HSCM COMM AP2.10.1"]
        assert uow.actions.list(responsibility="e%t") == []
        assert uow.actions.list(responsibility="0_ F") == []
        assert uow.actions.list(plan="NOPE") == []
        first_codes = uow.actions.all_codes("HSCM COMM")[:2]
        assert first_codes == ["HSCM COMM AP2.1.1a", "HSCM COMM AP2.1.1b"]
        assert len(uow.actions.all_codes()) == 7
        counts = (uow.actions.count(), uow.actions.count("HSCM COMM"), uow.actions.count("NOPE"))
        assert counts == (7, 6, 0)


TWO_ACTIONS = [("AP2.5", "HSCM COMM AP2.5.1"), ("AP2.5", "HSCM COMM AP2.5.2")]


def at(minutes: int) -> datetime:
    return NOW + timedelta(minutes=minutes)


# --- history ------------------------------------------------------------------------------


def entry(action: Action, at: datetime, kind: str = "update", **fields: object) -> HistoryEntry:
    return HistoryEntry(
        action_code=action.code, at=at, actor="Sam Patel", channel="slack", kind=kind,
        action_id=action.id, **fields,  # type: ignore[arg-type]
    )


def test_history_round_trips_changes_with_dates_and_state(new_uow: NewUow) -> None:
    changes = (
        FieldChange("progress", 20, 60),
        FieldChange("state", State.NOT_STARTED, State.IN_PROGRESS),
        FieldChange("due_date", date(2025, 6, 30), date(2025, 9, 30)),
        FieldChange("completed_on", None, None),
        FieldChange("responsibility", None, "Finance Team"),
    )
    with new_uow() as uow:
        (action,) = seed(uow, "HSCM COMM", [("AP2.5", "HSCM COMM AP2.5.1")])
        stored = uow.history.append(entry(
            action, NOW, changes=changes, note="Moved after the audit", batch_id="b1",
            source_ref="slack:C1/1710408600.000100"))
        uow.commit()
    assert stored.id is not None
    with new_uow() as uow:
        (got,) = uow.history.for_action(action.id or 0)
        assert got == replace(stored, plan="HSCM COMM")
        assert got.changes == changes
        assert isinstance(got.changes[1].new, State)
        assert got.at == NOW and got.at.tzinfo is not None
        assert uow.history.by_source_ref("slack:C1/1710408600.000100") == [got]
        assert uow.history.by_source_ref("nothing") == []


def test_history_for_action_is_newest_first_and_limited(new_uow: NewUow) -> None:
    with new_uow() as uow:
        first, second = seed(uow, "HSCM COMM", TWO_ACTIONS)
        for minutes in (0, 20, 10):
            uow.history.append(entry(first, NOW + timedelta(minutes=minutes), note=f"+{minutes}"))
        uow.history.append(entry(second, NOW, note="other action"))
        uow.commit()
    with new_uow() as uow:
        assert [e.note for e in uow.history.for_action(first.id or 0)] == ["+20", "+10", "+0"]
        assert [e.note for e in uow.history.for_action(first.id or 0, limit=2)] == ["+20", "+10"]


def test_history_append_needs_action_id(new_uow: NewUow) -> None:
    with new_uow() as uow, pytest.raises(ValueError, match="action_id"):
        uow.history.append(
            HistoryEntry(action_code="AP1", at=NOW, actor="x", channel="cli", kind="update")
        )


def test_history_has_no_way_to_change_or_remove_entries(new_uow: NewUow) -> None:
    with new_uow() as uow:
        public = {name for name in dir(uow.history) if not name.startswith("_")}
    assert public == {"append", "append_many", "for_action", "last_undoable_batch", "undoable_batch", "by_source_ref",
                      "since"}


def test_last_undoable_batch_skips_undone_batches_and_other_people(new_uow: NewUow) -> None:
    with new_uow() as uow:
        sam = uow.people.add(Person("Sam Patel"))
        kim = uow.people.add(Person("Kim Lee"))
        one, two = seed(uow, "HSCM COMM", TWO_ACTIONS)
        assert uow.history.last_undoable_batch(sam.id or 0) == []
        uow.history.append(entry(one, at(0), batch_id="b1", person_id=sam.id, note="b1 one"))
        uow.history.append(
            entry(two, at(0), batch_id="b1", person_id=sam.id, kind="edit", note="b1 two")
        )
        uow.history.append(entry(one, at(5), batch_id="b2", person_id=sam.id, note="b2"))
        uow.history.append(entry(one, at(6), batch_id="b3", person_id=sam.id, kind="import"))
        uow.history.append(entry(one, at(7), batch_id="k1", person_id=kim.id, note="kim"))
        uow.commit()
    with new_uow() as uow:
        assert [e.note for e in uow.history.last_undoable_batch(sam.id or 0)] == ["b2"]
        uow.history.append(entry(one, at(8), kind="undo", undoes_batch="b2", person_id=sam.id))
        uow.commit()
    with new_uow() as uow:
        batch = uow.history.last_undoable_batch(sam.id or 0)
        assert [(e.batch_id, e.note) for e in batch] == [("b1", "b1 one"), ("b1", "b1 two")]
        assert [e.action_id for e in batch] == [one.id, two.id]
        assert [e.note for e in uow.history.last_undoable_batch(kim.id or 0)] == ["kim"]
        uow.history.append(entry(one, at(9), kind="undo", undoes_batch="b1", person_id=sam.id))
        assert uow.history.last_undoable_batch(sam.id or 0) == []


# --- people -------------------------------------------------------------------------------


def test_people_add_find_link_and_update(new_uow: NewUow) -> None:
    with new_uow() as uow:
        sam = uow.people.add(
            Person(
                "Sam Patel",
                role=Role.ADMIN,
                team="Commissioning Team",
                email="Sam.Patel@example.nhs.uk",
                roles_extra=("safeguarding", "digest"),
            ),
            identities={"slack": "U024BE7LH", "email": "sam.patel@example.nhs.uk"},
        )
        kim = uow.people.add(Person("Kim Lee", role=Role.VIEWER))
        uow.people.link("kim lee", "teams", "29:1abc")
        uow.people.link("Kim Lee", "teams", "29:1abc")  # again: nothing changes
        uow.commit()
    assert sam.id is not None and sam.roles_extra == ("safeguarding", "digest")
    with new_uow() as uow:
        assert uow.people.get("SAM PATEL") == sam
        assert uow.people.get("Nobody") is None
        assert uow.people.find_by_identity("slack", "U024BE7LH") == sam
        assert uow.people.find_by_identity("teams", "29:1abc") == kim
        assert uow.people.find_by_identity("slack", "U999") is None
        assert uow.people.find_by_email("sam.patel@EXAMPLE.nhs.uk") == sam
        assert uow.people.find_by_email("kim@example.nhs.uk") is None
        assert uow.people.list() == [
            (kim, {"teams": "29:1abc"}),
            (sam, {"slack": "U024BE7LH", "email": "sam.patel@example.nhs.uk"}),
        ]
        promoted = uow.people.update(
            replace(kim, role=Role.UPDATER, team="Finance Team", roles_extra=("safeguarding",))
        )
        uow.commit()
    with new_uow() as uow:
        assert uow.people.get("Kim Lee") == promoted
        assert promoted.role is Role.UPDATER and promoted.roles_extra == ("safeguarding",)


def test_people_duplicates_and_unknowns_are_refused(new_uow: NewUow) -> None:
    with new_uow() as uow:
        uow.people.add(Person("Sam Patel"), identities={"slack": "U024BE7LH"})
        uow.people.add(Person("Kim Lee"))
        with pytest.raises(DuplicateIdentity, match="already linked to Sam Patel"):
            uow.people.link("Kim Lee", "slack", "U024BE7LH")
        with pytest.raises(DuplicateIdentity):
            uow.people.add(Person("Alex Moss"), identities={"slack": "U024BE7LH"})
        with pytest.raises(Duplicate, match="already a person"):
            uow.people.add(Person("sam patel"))
        with pytest.raises(NotFound):
            uow.people.link("Nobody", "slack", "U1")
        with pytest.raises(NotFound):
            uow.people.update(Person("Nobody", id=9999))


# --- inbound messages ---------------------------------------------------------------------


def test_inbound_claim_is_true_once_within_and_across_units_of_work(new_uow: NewUow) -> None:
    with new_uow() as uow:
        assert uow.inbound.claim("slack", "Ev01", NOW) is True
        assert uow.inbound.claim("slack", "Ev01", NOW) is False
        assert uow.inbound.claim("teams", "Ev01", NOW) is True
        uow.commit()
    with new_uow() as uow:
        assert uow.inbound.claim("slack", "Ev01", NOW) is False
        assert uow.inbound.claim("slack", "Ev02", NOW) is True


def test_inbound_claim_rolled_back_with_its_message(new_uow: NewUow) -> None:
    with new_uow() as uow:
        assert uow.inbound.claim("email", "<abc@example>", NOW) is True
        # no commit: handling failed, the redelivery must be handled again
    with new_uow() as uow:
        assert uow.inbound.claim("email", "<abc@example>", NOW) is True


def test_inbound_claim_waits_for_a_concurrent_claim_then_is_false(new_uow: NewUow) -> None:
    results: list[bool] = []

    def redelivery() -> None:
        with new_uow() as uow:
            results.append(uow.inbound.claim("slack", "Ev01", NOW))
            uow.commit()

    with new_uow() as first:
        assert first.inbound.claim("slack", "Ev01", NOW) is True
        second = threading.Thread(target=redelivery)
        second.start()
        time.sleep(0.3)  # the redelivery is now waiting on the first claim
        assert results == []
        first.commit()
    second.join(timeout=10)
    assert results == [False]


# --- unit of work -------------------------------------------------------------------------


def test_exception_in_unit_of_work_rolls_everything_back(new_uow: NewUow) -> None:
    with pytest.raises(RuntimeError, match="handler failed"), new_uow() as uow:
        seed(uow, "HSCM COMM", [("AP2.5", "HSCM COMM AP2.5.1")])
        uow.people.add(Person("Sam Patel"))
        raise RuntimeError("handler failed")
    with new_uow() as uow:
        assert (uow.plans.list(), uow.actions.count(), uow.people.list()) == ([], 0, [])


def test_unit_of_work_left_without_commit_writes_nothing(new_uow: NewUow) -> None:
    with new_uow() as uow:
        (action,) = seed(uow, "HSCM COMM", [("AP2.5", "HSCM COMM AP2.5.1")])
        uow.history.append(entry(action, NOW))
        uow.inbound.claim("slack", "Ev01", NOW)
    with new_uow() as uow:
        assert (uow.plans.list(), uow.actions.count()) == ([], 0)


def test_writes_after_commit_are_rolled_back_on_exit(new_uow: NewUow) -> None:
    with new_uow() as uow:
        uow.plans.upsert("HSCM COMM", "Committed")
        uow.commit()
        uow.plans.upsert("HSCM COMM", "Not committed")
    with new_uow() as uow:
        plan = uow.plans.get("HSCM COMM")
        assert plan is not None and plan.title == "Committed"


def test_naive_datetimes_are_refused(new_uow: NewUow) -> None:
    with new_uow() as uow, pytest.raises(Exception, match="timezone-aware"):
        uow.inbound.claim("slack", "Ev01", datetime(2025, 3, 14, 9, 30))
