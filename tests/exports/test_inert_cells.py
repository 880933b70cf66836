"""Exports are inert: a status note that starts like a formula reaches the committee's
spreadsheet as text, in the plan CSV, the xlsx workbook and the digest's CSV attachment, and
our own export still imports back unchanged."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from bot.digest.content import Digest, DigestFilter, DigestGroup, DigestItem
from bot.digest.delivery import render_for
from bot.export_safety import inert_cell
from bot.planfiles.export import export_rows, write_csv
from bot.planfiles.plan_report import build_plan_reports
from bot.planfiles.readers import read_plan_files
from bot.planfiles.xlsx_export import write_workbook
from tests.conftest import REPORT_DAY, TestBot

CODE = "HSCM COMM AP2.5.1"

# (the status note a person left, what it reads as when imported back: whitespace is trimmed)
NOTES = [
    pytest.param('=HYPERLINK("http://evil.example/x","click")', '=HYPERLINK("http://evil.example/x","click")',
                 id="hyperlink"),
    pytest.param("+1+1", "+1+1", id="plus"),
    pytest.param("-2+3", "-2+3", id="minus"),
    pytest.param("@SUM(A1)", "@SUM(A1)", id="at-sign"),
    pytest.param("\t=1", "=1", id="tab"),
    pytest.param("\r=1", "=1", id="carriage-return"),
]


@pytest.mark.parametrize(("value", "written"), [
    pytest.param("=1+1", "'=1+1", id="formula-text"),
    pytest.param("-5 days late", "'-5 days late", id="minus-text"),
    pytest.param("Six contracts signed", "Six contracts signed", id="plain-text"),
    pytest.param("", "", id="empty-text"),
    pytest.param("'=1", "'=1", id="already-quoted"),
    pytest.param(40, 40, id="int"),
    pytest.param(-2, -2, id="negative-int"),
    pytest.param(0.25, 0.25, id="float"),
    pytest.param(date(2024, 2, 29), date(2024, 2, 29), id="date"),
    pytest.param(True, True, id="bool"),
    pytest.param(None, None, id="none"),
])
def test_only_text_that_starts_like_a_formula_gets_the_quote(value: object, written: object) -> None:
    assert inert_cell(value) == written


def leave_note(testbot: TestBot, note: str, code: str = CODE) -> None:
    """The note stored as any channel stores it (the grammar would trim a leading tab)."""
    with testbot.runtime.new_uow() as uow:
        action = uow.actions.find(code)[0]
        uow.actions.save(replace(action, latest_update=note))
        uow.commit()


def export_csv(testbot: TestBot, path: Path) -> list[dict[str, str]]:
    with testbot.runtime.new_uow() as uow:
        rows = export_rows(uow.actions.list(), REPORT_DAY)
    with path.open("w", encoding="utf-8", newline="") as stream:
        write_csv(rows, stream)
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def export_xlsx(testbot: TestBot, path: Path) -> Path:
    with testbot.runtime.new_uow() as uow:
        write_workbook(build_plan_reports(uow, REPORT_DAY), path)
    return path


def imported_update(path: Path) -> str | None:
    [plan_file] = read_plan_files(path)
    assert not plan_file.problems, plan_file.problems
    return next(row.update for row in plan_file.rows if row.code == CODE)


@pytest.mark.parametrize(("note", "read_back"), NOTES)
def test_the_plan_csv_quotes_a_formula_note_and_imports_it_back(testbot: TestBot, tmp_path: Path, note: str,
                                                                read_back: str) -> None:
    leave_note(testbot, note)

    rows = export_csv(testbot, tmp_path / "plan.csv")

    row = next(r for r in rows if r["code"] == CODE)
    assert row["latest_update"] == "'" + note
    assert row["progress"] == "25" and row["overdue"] in ("true", "false")  # numbers and flags as before
    for cell in (value for r in rows for value in r.values()):
        assert cell[:1] not in ("=", "+", "@", "\t", "\r"), cell
    assert imported_update(tmp_path / "plan.csv") == read_back


@pytest.mark.parametrize(("note", "read_back"), NOTES)
def test_the_workbook_holds_text_never_a_formula_and_imports_it_back(testbot: TestBot, tmp_path: Path, note: str,
                                                                     read_back: str) -> None:
    leave_note(testbot, note)

    path = export_xlsx(testbot, tmp_path / "plan.xlsx")

    book = openpyxl.load_workbook(path)
    try:
        cells = [cell for sheet in book for row in sheet.iter_rows() for cell in row]
        formulas = [f"{cell.parent.title}!{cell.coordinate}" for cell in cells if cell.data_type == "f"]
        assert formulas == []
        [code_cell] = [cell for cell in cells if cell.value == CODE]
        sheet = code_cell.parent
        note_cell = sheet.cell(code_cell.row, 5)  # Latest Status Update
        assert (note_cell.value, note_cell.data_type) == ("'" + note, "s")
        progress, due = sheet.cell(code_cell.row, 6), sheet.cell(code_cell.row, 4)
        assert (progress.value, progress.data_type, progress.number_format) == (0.25, "n", "0%")
        assert isinstance(due.value, datetime)  # dates stay dates
    finally:
        book.close()
    assert imported_update(path) == read_back


def test_a_title_and_owner_that_start_like_formulas_round_trip_through_the_workbook(testbot: TestBot,
                                                                                  tmp_path: Path) -> None:
    with testbot.runtime.new_uow() as uow:
        action = uow.actions.find(CODE)[0]
        uow.actions.save(replace(action, responsibility="-Finance Team", title="=Review the contracts"))
        uow.commit()

    [plan_file] = read_plan_files(export_xlsx(testbot, tmp_path / "plan.xlsx"))

    row = next(r for r in plan_file.rows if r.code == CODE)
    assert (row.responsibility, row.title) == ("-Finance Team", "=Review the contracts")


def digest_with(note: str) -> Digest:
    item = DigestItem(code=CODE, title=note, plan="P", section_code="2.5", section_title="Sample Testing",
                      owner=note, due_date=date(2023, 8, 31), status="Overdue", progress=25, days_overdue=32,
                      update_age_days=3, latest_update=note)
    return Digest(title="Weekly digest", as_of=date(2023, 10, 2), since=None, filter=DigestFilter(plan="P"),
                  overdue=[DigestGroup("2.5 Sample Testing", (item,))], due_soon=[], stale=[], rollups=[],
                  concerns=None, action_count=1)


@pytest.mark.parametrize("kind", ["email", "slack"])
@pytest.mark.parametrize(("note", "read_back"), NOTES)
def test_the_digest_csv_attachment_quotes_formula_text(kind: str, note: str, read_back: str) -> None:
    rendered = render_for(kind, digest_with(note), with_chart=False)

    [attachment] = [a for a in rendered.attachments if a.content_type == "text/csv"]
    [row] = list(csv.DictReader(io.StringIO(attachment.data.decode("utf-8"), newline="")))
    assert row["title"] == row["owner"] == row["latest_update"] == "'" + note
    assert (row["progress"], row["days_overdue"], row["days_since_update"]) == ("25", "32", "3")
