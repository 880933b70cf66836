"""Plan files: reading CSVs into rows, importing rows into storage, exporting actions.

The import tests run twice: against an in-memory unit of work (fast, and it records every
write so a dry run can prove it wrote nothing) and against storage on a real SQLite file.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from bot.domain import codes
from bot.domain.model import Action, HistoryEntry, Plan, Section, State
from bot.domain.status import section_sort_key
from bot.planfiles.apply import ImportReport, import_plan
from bot.planfiles.csv_reader import parse_due_value, parse_progress, read_plan_csv, section_of
from bot.planfiles.export import EXPORT_FIELDS, export_rows, write_csv, write_json
from bot.planfiles.model import PlanFile

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_CSV = REPO / "examples" / "moray-commissioning-2023.csv"
PLAN = "Moray Commissioning Team Improvement Plan 2023"
TODAY = date(2023, 9, 27)  # the day seed 000's Actions Report was generated
NOW = datetime(2023, 9, 27, 10, 30, tzinfo=timezone.utc)
HEADER = "Plan,Section,Section Title,Code,Action Title,Responsibility,Due Date,Latest Status Update,Status Progress"


def write(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "plan.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


# --- reading ---------------------------------------------------------------------------------


def test_example_csv_reads_every_action_of_seed_000() -> None:
    plan_file = read_plan_csv(EXAMPLE_CSV)

    assert plan_file.plan_name == PLAN
    assert plan_file.problems == [] and plan_file.notes == []
    assert len(plan_file.rows) == 34
    assert [(s.code, s.title) for s in plan_file.sections] == [
        ("2.1", "Governance Structure"), ("2.2", "Roles and Responsibilities"), ("2.3", "Training"),
        ("2.4", "Process Documentation"), ("2.5", "Sample Testing"), ("2.6", "Strategy"),
        ("2.7", "Invoicing"), ("2.8", "Contract Management"), ("2.9", "Performance Management System"),
        ("2.10", "Contract Review"), ("2.11", "Block Contracts"),
    ]
    by_code = {row.code: row for row in plan_file.rows}
    per_section = {s.code: sum(r.section_code == s.code for r in plan_file.rows) for s in plan_file.sections}
    assert per_section == {"2.1": 5, "2.2": 8, "2.3": 1, "2.4": 4, "2.5": 5, "2.6": 1, "2.7": 2,
                           "2.8": 4, "2.9": 1, "2.10": 2, "2.11": 1}

    ap251 = by_code["HSCM COMM AP2.5.1"]
    assert (ap251.line, ap251.section_code, ap251.progress, ap251.due_date) == (20, "2.5", 25, date(2025, 2, 28))
    assert ap251.responsibility == "Commissioning Team"
    assert ap251.update is not None and ap251.update.startswith("Six priority contracts")
    assert by_code["HSCM COMM AP2.1.2a"].due_date == date(2024, 2, 29)
    assert by_code["HSCM COMM AP2.4.3"].progress == 80
    assert by_code["HSCM COMM AP2.5.4b"].progress == 0
    ap212b = by_code["HSCM COMM AP2.1.2b"]
    assert (ap212b.progress, ap212b.due_date, ap212b.due_text) == (None, None, None)
    assert by_code["HSCM COMM AP2.1.1b"].responsibility == "Service Manager, Commissioning"
    assert by_code["HSCM COMM AP2.10.1a"].section_code == "2.10"
    assert sum(r.progress == 100 for r in plan_file.rows) == 25


VARIANT_ROWS = [
    ["Plan", "Section", "Section Title", "Code", "Action Title", "Responsibility", "Due Date",
     "Latest Status Update", "Status Progress"],
    [PLAN, "2.5", "Sample Testing", "HSCM COMM AP2.5.1", "Contracts – current, appropriate, signed",
     "Café Team", "28-Feb-2025", "Six priority contracts; £12k agreed", "25%"],
    [PLAN, "2.10", "Contract Review", "HSCM COMM AP2.10.1a", "Review the process", "Commissioning Team",
     "31/08/2023", "Maps in place", "100"],
]


def _csv_text(rows: list[list[str]], delimiter: str) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "encoding, delimiter",
    [("utf-8", ","), ("utf-8-sig", ","), ("cp1252", ","), ("utf-8", ";"), ("cp1252", ";"), ("utf-8-sig", "\t")],
    ids=["utf8-comma", "bom-comma", "windows1252-comma", "utf8-semicolon", "windows1252-semicolon", "bom-tab"],
)
def test_encodings_and_delimiters_read_the_same(tmp_path: Path, encoding: str, delimiter: str) -> None:
    path = write(tmp_path, _csv_text(VARIANT_ROWS, delimiter), encoding)

    plan_file = read_plan_csv(path)

    assert plan_file.problems == []
    assert plan_file.plan_name == PLAN
    first, second = plan_file.rows
    assert first.code == "HSCM COMM AP2.5.1"  # no BOM left on the first header or cell
    assert first.title == "Contracts – current, appropriate, signed"
    assert first.responsibility == "Café Team"
    assert first.update == "Six priority contracts; £12k agreed"
    assert (first.progress, first.due_date) == (25, date(2025, 2, 28))
    assert (second.section_code, second.progress, second.due_date) == ("2.10", 100, date(2023, 8, 31))


def test_headers_match_case_insensitively_and_by_alias_and_sections_come_from_codes(tmp_path: Path) -> None:
    text = (
        "CODE;title;Owner;Due;Original Due Date;Notes;% Complete;status;Status Icon\n"
        "HSCM COMM AP2.10.1a;Review;Commissioning Team;2023-08-31;31-May-2023;ok;50%;;x\n"
        "HSCM COMM AP2.5.4b;Peer support;Service Manager;Ongoing;;;0;Cancelled;\n"
    )
    plan_file = read_plan_csv(write(tmp_path, text), plan="Other plan")

    assert plan_file.plan_name == "Other plan"
    assert plan_file.problems == []
    review, peer = plan_file.rows
    assert (review.section_code, review.title, review.responsibility) == ("2.10", "Review", "Commissioning Team")
    assert (review.due_date, review.original_due_date) == (date(2023, 8, 31), date(2023, 5, 31))
    assert (review.update, review.progress, review.state) == ("ok", 50, None)
    assert (peer.section_code, peer.due_date, peer.due_text, peer.state) == ("2.5", None, "Ongoing", State.CANCELLED)
    assert [str(n) for n in plan_file.notes] == ["line 3: HSCM COMM AP2.5.4b: due 'Ongoing' is not a date; kept as text."]
    assert [s.code for s in plan_file.sections] == ["2.5", "2.10"]


def test_unreadable_rows_are_reported_with_their_line_and_the_rest_are_read(tmp_path: Path) -> None:
    text = "\n".join([
        HEADER,
        f"{PLAN},2.1,Governance Structure,HSCM COMM AP2.1.1a,Terms of Reference,Commissioning Team,31-Aug-2023,done,100%",
        f"{PLAN},2.1,Governance Structure,HSCM COMM AP2.1.1b,Agenda item,Service Manager,31-Aug-2023,,140%",
        ",,,,,,29-Feb-2024,,100%",  # the seed's page-split row: neither code nor title
        "",
        f"{PLAN},2.2,Roles,HSCM COMM AP2.2.1a,Job descriptions,HR,31-May-2023,,abc",
        f"{PLAN},2.2,Roles,HSCM COMM AP2.2.1b,Supervision,HR,31-May-2023,,0.25",
        f"{PLAN},2.2,Roles,,A title with no code,HR,31-May-2023,,10%",
        f"{PLAN},2.2,Roles,HSCM COMM AP2.1.1A,Duplicate of the first row,HR,31-May-2023,,10%",
        f'{PLAN},2.3,Training,HSCM COMM AP2.3.1,Training matrix,Commissioning Team,31-Aug-2023,"two\nlines",50',
        f"{PLAN},2.3,Training,HSCM COMM AP2.3.2,After a two-line cell,Commissioning Team,31-Aug-2023,,12 %",
    ]) + "\n"

    plan_file = read_plan_csv(write(tmp_path, text))

    assert [(r.line, r.code) for r in plan_file.rows] == [
        (2, "HSCM COMM AP2.1.1a"), (6, "HSCM COMM AP2.2.1a"), (8, "HSCM COMM AP2.2.1b-2"),
        (9, "HSCM COMM AP2.1.1a-2"), (10, "HSCM COMM AP2.3.1"), (12, "HSCM COMM AP2.3.2")]
    assert plan_file.rows[1].file_status == "abc"  # a word we do not know: kept, and noted
    assert plan_file.rows[4].update == "two\nlines"
    assert plan_file.rows[5].progress == 12
    lines = [p.line for p in plan_file.problems]
    assert lines == [3, 4, 7]
    reasons = dict(plan_file.problems)
    assert "'140%' is not a whole number from 0 to 100" in reasons[3]
    assert "neither a code nor an action title" in reasons[4]
    assert "'0.25'" in reasons[7]
    notes = " ".join(map(str, plan_file.notes))
    assert "line 6: HSCM COMM AP2.2.1a: status 'abc' is not a word I know" in notes
    assert "sub-action(s) are listed under HSCM COMM AP2.2.1b" in notes
    assert "the ref HSCM COMM AP2.1.1a is used on 2 rows (lines 2, 9)" in notes
    # Every data row is accounted for: 6 actions + 3 refused = the file's 9 data rows (after the header).
    assert plan_file.data_rows == 9


def test_a_file_without_a_code_column_gets_generated_codes_and_says_so(tmp_path: Path) -> None:
    plan_file = read_plan_csv(write(tmp_path, "Title,Owner\nSomething,HR\nSomething else,HR\n"), plan="P")

    assert [(r.code, r.section_code, r.title) for r in plan_file.rows] == [
        ("AP1.1", "1", "Something"), ("AP1.2", "1", "Something else")]
    assert plan_file.problems == []
    assert "2 rows had no code" in plan_file.notes[0].message


def test_a_file_without_any_action_column_is_one_problem_and_no_rows(tmp_path: Path) -> None:
    plan_file = read_plan_csv(write(tmp_path, "Name,Owner\nSomething,HR\n"), plan="P")

    assert plan_file.rows == []
    assert len(plan_file.problems) == 1
    assert "No actions found" in plan_file.problems[0].reason


def test_rows_of_another_plan_are_problems(tmp_path: Path) -> None:
    text = "\n".join([
        HEADER,
        f"{PLAN},2.1,G,HSCM COMM AP2.1.1a,T,Team,31-Aug-2023,,100%",
        "Another plan,2.1,G,HSCM COMM AP2.1.1b,T,Team,31-Aug-2023,,100%",
    ])
    plan_file = read_plan_csv(write(tmp_path, text))

    assert [r.code for r in plan_file.rows] == ["HSCM COMM AP2.1.1a"]
    assert plan_file.problems[0].line == 3 and "Another plan" in plan_file.problems[0].reason


@pytest.mark.parametrize(
    "text, expected",
    [("25%", 25), ("25", 25), (" 100 % ", 100), ("0%", 0), ("140%", None), ("abc", None), ("0.25", None),
     ("-5", None), ("", None)],
    ids=["percent", "bare", "spaced", "zero", "over-100", "word", "fraction", "negative", "empty"],
)
def test_parse_progress(text: str, expected: int | None) -> None:
    assert parse_progress(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [("31-Aug-2023", date(2023, 8, 31)), ("31/08/2023", date(2023, 8, 31)), ("2023-08-31", date(2023, 8, 31)),
     ("29-Feb-2024", date(2024, 2, 29)), ("31 August 2023", date(2023, 8, 31)), ("Ongoing", None),
     ("TBC", None), ("31/02/2023", None)],
    ids=["report-style", "uk-slashes", "iso", "leap-day", "long-month", "ongoing", "tbc", "no-such-day"],
)
def test_parse_due_value(text: str, expected: date | None) -> None:
    assert parse_due_value(text, TODAY) == expected
    assert parse_due_value(text) == expected  # the plain formats need no today


def test_relative_due_dates_are_read_only_when_today_is_given(tmp_path: Path) -> None:
    path = write(tmp_path, "Code,Title,Due\nHSCM COMM AP2.5.1,Contracts,end of March 2024\n"
                           "HSCM COMM AP2.5.2,Invoices,next Friday\n")

    with_today, without = read_plan_csv(path, plan="P", today=TODAY), read_plan_csv(path, plan="P")

    assert [(r.due_date, r.due_text) for r in with_today.rows] == [(date(2024, 3, 31), None), (date(2023, 9, 29), None)]
    assert [(r.due_date, r.due_text) for r in without.rows] == [(date(2024, 3, 31), None), (None, "next Friday")]
    assert len(without.notes) == 1


@pytest.mark.parametrize(
    "code, section",
    [("HSCM COMM AP2.5.1", "2.5"), ("AP2.10.1a", "2.10"), ("HSCM COMM AP2.1.1b", "2.1"), ("AP7", "")],
    ids=["full", "tail-2.10", "lettered", "no-section"],
)
def test_section_of(code: str, section: str) -> None:
    assert section_of(code) == section


# --- importing -------------------------------------------------------------------------------


class FakeUnitOfWork:
    """In-memory storage with the docs/storage-api.md methods an import uses; counts writes."""

    def __init__(self) -> None:
        self.plans = _FakePlans(self)
        self.actions = _FakeActions(self)
        self.history = _FakeHistory(self)
        self.writes = 0
        self.committed = False

    def __enter__(self) -> FakeUnitOfWork:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def commit(self) -> None:
        self.committed = True


class _FakePlans:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.uow, self.by_name, self.by_section = uow, {}, {}  # type: ignore[var-annotated]

    def get(self, name: str) -> Plan | None:
        return self.by_name.get(name)

    def list(self) -> list[Plan]:
        return list(self.by_name.values())

    def upsert(self, name: str, title: str) -> Plan:
        self.uow.writes += 1
        self.by_name[name] = Plan(name=name, title=title, id=len(self.by_name) + 1)
        return self.by_name[name]

    def sections(self, plan: str | None = None) -> list[Section]:
        found = [s for s in self.by_section.values() if plan is None or s.plan == plan]
        return sorted(found, key=lambda s: (s.plan, section_sort_key(s.code)))

    def get_section(self, plan: str, code: str) -> Section | None:
        return self.by_section.get((plan, code))

    def upsert_section(self, section: Section) -> Section:
        self.uow.writes += 1
        self.by_section[(section.plan, section.code)] = section
        return section


class _FakeActions:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.uow, self.rows = uow, {}  # type: ignore[var-annotated]

    def find(self, typed: str, plan: str | None = None) -> list[Action]:
        return [replace(a) for a in self.rows.values()
                if (plan is None or a.plan == plan) and codes.matches(typed, a.code)]

    def list(self, plan: str | None = None, *, include_removed: bool = False) -> list[Action]:
        return [replace(a) for a in self.rows.values()
                if (plan is None or a.plan == plan) and (include_removed or a.removed_at is None)]

    def count(self, plan: str | None = None) -> int:
        return len(self.list(plan))

    def add(self, action: Action) -> Action:
        self.uow.writes += 1
        stored = replace(action, id=len(self.rows) + 1)
        self.rows[stored.id] = stored
        return replace(stored)

    def save(self, action: Action) -> None:
        self.uow.writes += 1
        self.rows[action.id] = replace(action)


class _FakeHistory:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.uow, self.entries = uow, []  # type: ignore[var-annotated]

    def append(self, entry: HistoryEntry) -> HistoryEntry:
        assert entry.action_id is not None, "history entries need an action_id"
        self.uow.writes += 1
        stored = replace(entry, id=len(self.entries) + 1)
        self.entries.append(stored)
        return stored

    def for_action(self, action_id: int, limit: int = 50) -> list[HistoryEntry]:
        return [e for e in reversed(self.entries) if e.action_id == action_id][:limit]


UowFactory = Callable[[], Any]


@pytest.fixture(params=["fake", "sqlite"])
def new_uow(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[UowFactory]:
    if request.param == "fake":
        fake = FakeUnitOfWork()
        yield lambda: fake
        return
    from storage import ensure_schema, make_engine, unit_of_work_factory

    engine = make_engine(f"sqlite:///{tmp_path}/t.db")
    try:
        ensure_schema(engine)
        yield unit_of_work_factory(engine)
    finally:
        engine.dispose()


def run_import(new_uow: UowFactory, plan_file: PlanFile, dry_run: bool = False, today: date = TODAY) -> ImportReport:
    with new_uow() as uow:
        report = import_plan(uow, plan_file, actor="Test Importer", channel="import", now=NOW, today=today,
                             dry_run=dry_run)
        if not dry_run:
            uow.commit()
    return report


def all_actions(new_uow: UowFactory, plan: str = PLAN) -> dict[str, Action]:
    with new_uow() as uow:
        return {a.code: a for a in uow.actions.list(plan=plan)}


def history_of(new_uow: UowFactory, action: Action) -> list[HistoryEntry]:
    with new_uow() as uow:
        return list(uow.history.for_action(action.id))


def edited_example(tmp_path: Path, edit: Callable[[list[dict[str, str]]], None]) -> PlanFile:
    with EXAMPLE_CSV.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    edit(rows)
    path = tmp_path / "edited.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return read_plan_csv(path)


def test_import_creates_every_action_with_one_history_entry_each(new_uow: UowFactory) -> None:
    report = run_import(new_uow, read_plan_csv(EXAMPLE_CSV))

    assert (report.plan, report.created, report.updated, report.unchanged) == (PLAN, 34, 0, 0)
    assert report.problems == [] and not report.dry_run
    actions = all_actions(new_uow)
    assert len(actions) == 34
    with new_uow() as uow:
        assert [p.name for p in uow.plans.list()] == [PLAN]
        assert [(s.code, s.title) for s in uow.plans.sections(PLAN)][4] == ("2.5", "Sample Testing")
        assert len(uow.plans.sections(PLAN)) == 11

    done, partly, zero, unscored = (actions[f"HSCM COMM AP{c}"] for c in ("2.1.1a", "2.5.1", "2.5.4b", "2.1.2b"))
    # The file does not say when it was completed, so no completion date is invented.
    assert (done.state, done.completed_on, done.progress) == (State.COMPLETED, None, 100)
    assert (partly.state, partly.completed_on, partly.due_date) == (State.IN_PROGRESS, None, date(2025, 2, 28))
    assert (partly.section_code, partly.section_title) == ("2.5", "Sample Testing")
    assert (zero.state, unscored.state, unscored.progress, unscored.due_date) == (
        State.NOT_STARTED, State.NOT_STARTED, None, None)
    assert (partly.updated_by, partly.latest_update[:20]) == ("Test Importer", "Six priority contrac")

    entries = [e for a in actions.values() for e in history_of(new_uow, a)]
    assert len(entries) == 34
    assert {e.kind for e in entries} == {"import"}
    assert {e.batch_id for e in entries} == {report.batch_id} and len(report.batch_id) == 32
    (first,) = history_of(new_uow, partly)
    assert (first.actor, first.channel, first.note[:20]) == ("Test Importer", "import", "Six priority contrac")
    assert {c.field: (c.old, c.new) for c in first.changes}["progress"] == (None, 25)


def test_reimporting_the_same_file_changes_nothing(new_uow: UowFactory) -> None:
    run_import(new_uow, read_plan_csv(EXAMPLE_CSV))

    report = run_import(new_uow, read_plan_csv(EXAMPLE_CSV), today=date(2023, 10, 5))

    assert (report.created, report.updated, report.unchanged) == (0, 0, 34)
    actions = all_actions(new_uow)
    assert len(actions) == 34
    assert actions["HSCM COMM AP2.1.1a"].completed_on is None  # no date invented on re-import either
    assert sum(len(history_of(new_uow, a)) for a in actions.values()) == 34


def test_reimport_with_one_changed_progress_updates_that_action_only(new_uow: UowFactory, tmp_path: Path) -> None:
    first = run_import(new_uow, read_plan_csv(EXAMPLE_CSV))

    def raise_ap251(rows: list[dict[str, str]]) -> None:
        row = next(r for r in rows if r["Code"] == "HSCM COMM AP2.5.1")
        row["Status Progress"] = "100%"

    report = run_import(new_uow, edited_example(tmp_path, raise_ap251), today=date(2023, 10, 5))

    assert (report.created, report.updated, report.unchanged) == (0, 1, 33)
    assert report.updated_codes == ["HSCM COMM AP2.5.1"]
    actions = all_actions(new_uow)
    assert len(actions) == 34
    ap251 = actions["HSCM COMM AP2.5.1"]
    assert (ap251.progress, ap251.state, ap251.completed_on) == (100, State.COMPLETED, date(2023, 10, 5))
    newest, oldest = history_of(new_uow, ap251)
    assert newest.batch_id == report.batch_id != first.batch_id == oldest.batch_id
    assert newest.kind == "import" and newest.note is None
    assert {c.field: (c.old, c.new) for c in newest.changes} == {
        "progress": (25, 100), "state": (State.IN_PROGRESS, State.COMPLETED), "completed_on": (None, date(2023, 10, 5))}


def test_dry_run_reports_but_writes_nothing(new_uow: UowFactory, tmp_path: Path) -> None:
    report = run_import(new_uow, read_plan_csv(EXAMPLE_CSV), dry_run=True)

    assert (report.created, report.updated, report.dry_run) == (34, 0, True)
    with new_uow() as uow:
        assert uow.plans.list() == [] and uow.actions.count() == 0
        assert getattr(uow, "writes", 0) == 0

    run_import(new_uow, read_plan_csv(EXAMPLE_CSV))

    def change_owner(rows: list[dict[str, str]]) -> None:
        rows[0]["Responsibility"] = "Someone Else"

    report = run_import(new_uow, edited_example(tmp_path, change_owner), dry_run=True)

    assert (report.created, report.updated, report.unchanged) == (0, 1, 33)
    ap211a = all_actions(new_uow)["HSCM COMM AP2.1.1a"]
    assert ap211a.responsibility == "Commissioning Team"
    assert len(history_of(new_uow, ap211a)) == 1


def test_explicit_cancelled_state_cancels_and_a_file_without_state_keeps_it(new_uow: UowFactory, tmp_path: Path) -> None:
    stated = "\n".join([
        HEADER + ",State",
        f"{PLAN},2.9,Performance,HSCM COMM AP2.9.1a,Performance system,Commissioning Team,29-Feb-2024,Dropped,50%,Cancelled",
    ])
    run_import(new_uow, read_plan_csv(write(tmp_path, stated, name="stated.csv")))
    assert all_actions(new_uow)["HSCM COMM AP2.9.1a"].state is State.CANCELLED

    stateless = "\n".join([
        HEADER,
        f"{PLAN},2.9,Performance,HSCM COMM AP2.9.1a,Performance system,Commissioning Team,29-Feb-2024,Dropped,60%",
    ])
    report = run_import(new_uow, read_plan_csv(write(tmp_path, stateless, name="stateless.csv")))

    action = all_actions(new_uow)["HSCM COMM AP2.9.1a"]
    assert report.updated == 1
    assert (action.state, action.progress) == (State.CANCELLED, 60)


def test_a_revised_due_date_keeps_the_original_and_non_dates_are_kept_as_text(
    new_uow: UowFactory, tmp_path: Path
) -> None:
    run_import(new_uow, read_plan_csv(EXAMPLE_CSV))

    def revise(rows: list[dict[str, str]]) -> None:
        next(r for r in rows if r["Code"] == "HSCM COMM AP2.9.1a")["Due Date"] = "31/03/2024"
        next(r for r in rows if r["Code"] == "HSCM COMM AP2.8.2b")["Due Date"] = "Ongoing"

    report = run_import(new_uow, edited_example(tmp_path, revise))

    assert (report.updated, report.unchanged) == (2, 32)
    assert [n.message for n in report.notes] == ["HSCM COMM AP2.8.2b: due 'Ongoing' is not a date; kept as text."]
    actions = all_actions(new_uow)
    revised, ongoing = actions["HSCM COMM AP2.9.1a"], actions["HSCM COMM AP2.8.2b"]
    assert (revised.due_date, revised.original_due_date) == (date(2024, 3, 31), date(2024, 2, 29))
    assert (ongoing.due_date, ongoing.due_text, ongoing.original_due_date) == (None, "Ongoing", date(2024, 8, 31))


def test_bad_rows_are_reported_and_the_rest_import(new_uow: UowFactory, tmp_path: Path) -> None:
    def spoil(rows: list[dict[str, str]]) -> None:
        rows[2]["Status Progress"] = "140%"

    report = run_import(new_uow, edited_example(tmp_path, spoil))

    assert report.created == 33
    assert [(p.line, p.reason[:28]) for p in report.problems] == [(4, "HSCM COMM AP2.1.2a: progress")]
    assert "HSCM COMM AP2.1.2a" not in all_actions(new_uow)


# --- exporting -------------------------------------------------------------------------------


def export_sample() -> list[Action]:
    base = dict(plan=PLAN, section_code="2.5", section_title="Sample Testing", responsibility="Commissioning Team")
    return [
        Action(code="HSCM COMM AP2.5.1", title="Contracts, current", due_date=date(2023, 8, 31), progress=25,
               state=State.IN_PROGRESS, latest_update="Six priority contracts", updated_by="Test Importer",
               updated_at=NOW, **base),  # type: ignore[arg-type]
        Action(code="HSCM COMM AP2.5.2", title="Invoices", due_date=date(2023, 8, 31),
               original_due_date=date(2023, 5, 31), progress=100, state=State.COMPLETED, **base),  # type: ignore[arg-type]
        Action(code="HSCM COMM AP2.5.4b", title="Peer support", **base),  # type: ignore[arg-type]
    ]


def test_export_rows() -> None:
    rows = export_rows(export_sample(), TODAY)

    assert [list(r) for r in rows] == [list(EXPORT_FIELDS)] * 3
    overdue, done, bare = rows
    assert overdue == {
        "code": "HSCM COMM AP2.5.1", "plan": PLAN, "section_code": "2.5", "section_title": "Sample Testing",
        "title": "Contracts, current", "responsibility": "Commissioning Team", "due_date": "2023-08-31",
        "original_due_date": None, "progress": 25, "state": "in_progress", "overdue": True,
        "latest_update": "Six priority contracts", "updated_at": "2023-09-27T10:30:00+00:00",
        "updated_by": "Test Importer", "rag": None, "direction": None, "priority": None, "recommendation": None,
        "recurring": None, "proposed_for_closure": False,
    }
    assert (done["overdue"], done["state"], done["original_due_date"]) == (False, "completed", "2023-05-31")
    assert (bare["due_date"], bare["progress"], bare["overdue"], bare["updated_at"]) == (None, None, False, None)


def test_write_csv_and_json() -> None:
    rows = export_rows(export_sample(), TODAY)
    as_csv, as_json = io.StringIO(), io.StringIO()

    write_csv(rows, as_csv)
    write_json(rows, as_json)

    read_back = list(csv.DictReader(io.StringIO(as_csv.getvalue())))
    assert as_csv.getvalue().splitlines()[0] == ",".join(EXPORT_FIELDS)
    assert [(r["code"], r["overdue"], r["progress"], r["due_date"]) for r in read_back] == [
        ("HSCM COMM AP2.5.1", "true", "25", "2023-08-31"),
        ("HSCM COMM AP2.5.2", "false", "100", "2023-08-31"),
        ("HSCM COMM AP2.5.4b", "false", "", ""),
    ]
    assert read_back[0]["title"] == "Contracts, current"
    assert json.loads(as_json.getvalue()) == rows


def test_exported_csv_imports_back_unchanged(new_uow: UowFactory, tmp_path: Path) -> None:
    """Round trip: export a plan's actions, re-import the export, nothing changes."""
    run_import(new_uow, read_plan_csv(EXAMPLE_CSV))
    with new_uow() as uow:
        rows = export_rows(uow.actions.list(plan=PLAN), TODAY)
    path = tmp_path / "export.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        write_csv(rows, stream)

    report = run_import(new_uow, read_plan_csv(path))

    assert (report.created, report.updated, report.unchanged, report.problems) == (0, 0, 34, [])
