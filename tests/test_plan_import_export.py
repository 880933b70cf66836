"""Importing the seeds into storage, exporting workbooks and reports, and the round trip.

Storage tests run on SQLite and PostgreSQL (the `postgres` lane) through tests.storage_fixtures.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from bot.domain.model import Action, State
from bot.planfiles.apply import ImportReport, import_plan
from bot.planfiles.export import export_rows
from bot.planfiles.plan_report import LEGEND, REPORT_COLUMNS, build_plan_reports
from bot.planfiles.readers import read_plan_files
from bot.planfiles.report_pdf import write_pdf
from bot.planfiles.report_text import render_html, render_markdown
from bot.planfiles.xlsx_export import sheet_title, write_workbook
from storage.errors import Duplicate
from tests.plan_samples import shared_sample
from tests.storage_fixtures import database_url, engine, migrated_engine, new_uow  # noqa: F401
from tests.test_plan_readers import PLAN, SEED_000, SEED_002, SEED_003

TODAY = date(2023, 9, 27)
NOW = datetime(2023, 9, 27, 10, 30, tzinfo=timezone.utc)
NewUow = Callable[[], Any]


def import_file(new_uow: NewUow, path: Path, dry_run: bool = False, **options: Any) -> list[ImportReport]:
    reports = []
    with new_uow() as uow:
        for plan_file in read_plan_files(path, **options):
            reports.append(import_plan(uow, plan_file, actor="Test Importer", channel="import", now=NOW,
                                       today=TODAY, dry_run=dry_run))
        if not dry_run:
            uow.commit()
    return reports


def workbook_values(path: Path) -> dict[str, list[list[Any]]]:
    book = openpyxl.load_workbook(path)
    try:
        return {sheet.title: [[cell.value for cell in row] for row in sheet.iter_rows()] for sheet in book}
    finally:
        book.close()


def export_workbook(new_uow: NewUow, path: Path) -> Path:
    with new_uow() as uow:
        write_workbook(build_plan_reports(uow, TODAY), path)
    return path


# --- importing the seeds ----------------------------------------------------------------------


def test_seed_000_imports_with_rollups_stored_and_reimports_unchanged(new_uow: NewUow) -> None:
    (first,) = import_file(new_uow, SEED_000)

    assert (first.created, first.updated) == (34, 0)
    assert [p.line for p in first.problems] == [37]
    assert {d.section_code for d in first.rollup_differences} == {"2.1", "2.2", "2.6", "2.8"}
    with new_uow() as uow:
        strategy = uow.plans.get_section(PLAN, "2.6")
        assert (strategy.title, strategy.reported_progress, strategy.reported_due) == ("Strategy", 50, date(2024, 2, 29))
        assert uow.actions.count(plan=PLAN) == 34
        done = uow.actions.get(PLAN, "HSCM COMM AP2.1.1a")
        assert (done.state, done.due_date) == (State.COMPLETED, date(2023, 8, 31))
        assert uow.history.for_action(done.id)[0].kind == "import"

    (again,) = import_file(new_uow, SEED_000)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 34)


def test_seeds_002_and_003_import_with_generated_codes_and_never_duplicate(new_uow: NewUow) -> None:
    (improvement,) = import_file(new_uow, SEED_002, plan="Moray IJB Improvement Plan")
    (tasks,) = import_file(new_uow, SEED_003)
    assert (improvement.created, tasks.created) == (63, 12)

    (again,) = import_file(new_uow, SEED_002, plan="Moray IJB Improvement Plan")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 63)
    with new_uow() as uow:
        action = uow.actions.get("Moray IJB Improvement Plan", "AP1.2.3")
        assert (action.due_date, action.due_text) == (None, "In place")


def test_dry_run_of_a_seed_writes_nothing(new_uow: NewUow) -> None:
    (report,) = import_file(new_uow, SEED_000, dry_run=True)

    assert report.created == 34 and report.dry_run
    with new_uow() as uow:
        assert uow.plans.list() == []


def test_ten_thousand_rows_import_in_bulk_and_reimport_unchanged(new_uow: NewUow, tmp_path: Path) -> None:
    path = shared_sample("xlsx", 10_000)
    started = time.perf_counter()
    (report,) = import_file(new_uow, path)
    elapsed = time.perf_counter() - started

    assert report.created == 10_000 and report.problems == []
    assert elapsed < 30, f"importing 10,000 rows took {elapsed:.1f}s"
    (again,) = import_file(new_uow, path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 10_000)


def test_add_many_refuses_a_code_already_in_the_plan_and_stores_nothing(new_uow: NewUow) -> None:
    import_file(new_uow, SEED_000)
    fresh = Action(code="HSCM COMM AP2.12.1", title="New", plan=PLAN, section_code="2.12", section_title="New")
    taken = Action(code="hscm comm ap2.1.1A", title="Again", plan=PLAN, section_code="2.1", section_title="G")

    with new_uow() as uow, pytest.raises(Duplicate, match="already has an action"):
        uow.actions.add_many([fresh, taken])
    with new_uow() as uow:
        stored = uow.actions.add_many([fresh])
        uow.commit()
    assert stored[0].id is not None and stored[0].section_code == "2.12"


# --- exporting --------------------------------------------------------------------------------


def test_xlsx_export_has_the_seed_columns_real_dates_legend_colours_and_rollups(new_uow: NewUow, tmp_path: Path) -> None:
    import_file(new_uow, SEED_000)
    path = export_workbook(new_uow, tmp_path / "plan.xlsx")

    book = openpyxl.load_workbook(path)
    try:
        assert book.sheetnames == ["Moray Commissioning Team Improv", "Rollups"]
        sheet = book.worksheets[0]
        assert sheet["A1"].value == PLAN
        rows = list(sheet.iter_rows())
        header_at = next(i for i, row in enumerate(rows) if row[0].value == "Code")
        assert rows[header_at + 1][0].value == "2.1 Governance Structure"  # one header; sections below it
        assert tuple(c.value for c in rows[header_at][:7]) == REPORT_COLUMNS
        assert sheet.freeze_panes == f"A{header_at + 2}" and sheet.auto_filter.ref.startswith(f"A{header_at + 1}:")
        first = rows[header_at + 2]
        assert first[0].value == "HSCM COMM AP2.1.1a"
        assert isinstance(first[3].value, datetime) and first[3].number_format == "DD-MMM-YYYY"
        assert (first[5].value, first[5].number_format) == (1, "0%")
        overdue = next(row for row in rows if row[0].value == "HSCM COMM AP2.2.2c")
        assert overdue[6].value == "Overdue" and overdue[6].fill.fgColor.rgb.endswith("F4B6B6")
        rollups = [[c.value for c in row] for row in book["Rollups"].iter_rows()]
        strategy = next(row for row in rollups if row[1] == "2.6")
        assert strategy[2:7] == ["Strategy", 1, 1, datetime(2024, 2, 29), 0.5]  # computed 100%, the file 50%
        assert [row[0] for row in rollups[-len(LEGEND):]] == [label for label, _, _ in LEGEND]
    finally:
        book.close()


@pytest.mark.parametrize("seed", [SEED_000, SEED_002, SEED_003], ids=["000", "002", "003"])
def test_round_trip_xlsx_into_an_empty_database_gives_identical_data(
    seed: Path, tmp_path: Path, database_url: str  # noqa: F811
) -> None:
    from storage import make_engine, unit_of_work_factory, upgrade

    engines = []
    try:
        factories = []
        for _ in range(2):
            url = database_url if not engines else f"sqlite:///{tmp_path / 'second.db'}"
            engines.append(make_engine(url))
            upgrade(engines[-1])
            factories.append(unit_of_work_factory(engines[-1]))
        first_db, second_db = factories
        import_file(first_db, seed)
        first = export_workbook(first_db, tmp_path / "first.xlsx")
        reports = import_file(second_db, first)
        assert all(not r.problems for r in reports)
        second = export_workbook(second_db, tmp_path / "second.xlsx")

        assert workbook_values(first) == workbook_values(second)
        with first_db() as a, second_db() as b:
            drop = ("updated_at", "updated_by")
            rows_a = [{k: v for k, v in r.items() if k not in drop} for r in export_rows(a.actions.list(), TODAY)]
            rows_b = [{k: v for k, v in r.items() if k not in drop} for r in export_rows(b.actions.list(), TODAY)]
            assert rows_a == rows_b
            sections_a = [(s.code, s.title, s.reported_progress, s.reported_due) for s in a.plans.sections()]
            assert sections_a == [(s.code, s.title, s.reported_progress, s.reported_due) for s in b.plans.sections()]
            assert seed != SEED_000 or ("2.6", "Strategy", 50, date(2024, 2, 29)) in sections_a
    finally:
        for made in engines:
            made.dispose()


def test_sheet_titles_are_valid_and_unique() -> None:
    taken: set[str] = set()
    assert sheet_title("Plan: 2023/24 [draft]", taken) == "Plan  2023 24  draft"
    assert sheet_title("A" * 40, taken) == "A" * 31
    assert sheet_title("A" * 40, taken) == "A" * 27 + " (2)"


def test_report_markdown_and_html_follow_the_actions_report(new_uow: NewUow, tmp_path: Path) -> None:
    import_file(new_uow, SEED_000)
    with new_uow() as uow:
        reports = build_plan_reports(uow, TODAY)

    markdown = render_markdown(reports)
    assert markdown.startswith(f"# {PLAN}\n\n**Report Type:** Actions Report")
    assert "**Generated on:** 27 September 2023" in markdown
    assert "- Unassigned; Check Progress" in markdown
    assert markdown.index("## 2.9 Performance") < markdown.index("## 2.10 Contract Review")
    assert "| HSCM COMM AP2.2.2c |" in markdown and "| 50% | Overdue |" in markdown
    assert "| 2.6 | Strategy | 1 | 29-Feb-2024 | 100% | 0 | file reported 50% |" in markdown

    html = render_html(reports)
    assert html.count("<h2>") == 12 and "background:#F4B6B6" in html
    assert "Service Manager, Commissioning" in html and "<script" not in html

    pdf = tmp_path / "report.pdf"
    write_pdf(reports, pdf)
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 5_000


def test_report_escapes_what_people_typed(new_uow: NewUow, tmp_path: Path) -> None:
    with new_uow() as uow:
        uow.plans.upsert("Odd", "Odd <b>plan</b>")
        uow.actions.add(Action(code="X AP1.1", title="<script>alert(1)</script>", plan="Odd", section_code="1",
                               section_title="Pipes | and <tags>", latest_update="a | b – ’quoted’ ✓"))
        uow.commit()
        reports = build_plan_reports(uow, TODAY, "Odd")
    html = render_html(reports)
    assert "<script>" not in html and "&lt;script&gt;" in html and "Odd &lt;b&gt;plan&lt;/b&gt;" in html
    assert "a \\| b" in render_markdown(reports)
    write_pdf(reports, tmp_path / "odd.pdf")
    assert (tmp_path / "odd.pdf").read_bytes().startswith(b"%PDF")


def test_oversized_values_are_refused_or_shortened_with_a_sentence(new_uow: NewUow, tmp_path: Path) -> None:
    path = tmp_path / "big-cells.csv"
    long_due = "Verbal update to be provided " * 12
    path.write_text("Code,Action Title,Due Date\n"
                    f"X AP1.1,Fine,{long_due}\n"
                    f"{'X AP1.' + '9' * 120},Code far too long,TBC\n"
                    f"X AP1.3,Huge cell,\"{'y' * 200_000}\"\n"
                    "X AP1.4,After the huge cell,TBC\n", encoding="utf-8")

    (report,) = import_file(new_uow, path, plan="Big cells")

    assert report.created == 1
    assert "characters long" in report.problems[0].reason
    assert "could not split this line" in report.problems[1].reason
    assert "shortened to 200 characters" in report.notes[0].message
    with new_uow() as uow:
        assert len(uow.actions.get("Big cells", "X AP1.1").due_text) == 200


def test_a_broken_workbook_is_a_clear_error(tmp_path: Path) -> None:
    from bot.planfiles.readers import UnreadableFile

    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04" + b"not really a zip" * 10)
    with pytest.raises(UnreadableFile, match="not an Excel workbook I can open"):
        read_plan_files(broken)
