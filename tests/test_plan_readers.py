"""Reading the plans people already have: the seed exports, Excel workbooks, messy files.

The seeds are in tests/fixtures/planfiles (origins in tests/fixtures/SOURCES.md): 000 the
Actions Report text export, 001 prose, 002 an improvement plan converted from PDF, 003 a Word
task table.
"""

from __future__ import annotations

import time
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from bot.planfiles.columns import field_for_header, map_header, parse_overrides
from bot.planfiles.readers import UnreadableFile, read_plan_files, sniff_format
from bot.planfiles.rollup_check import compare_rollups
from bot.planfiles.values import parse_due_value, parse_progress
from tests.plan_samples import shared_sample, write_sample_xlsx

SEEDS = Path(__file__).resolve().parent / "fixtures" / "planfiles"
SEED_000 = SEEDS / "000_9c76384fbf5439a1.txt"
SEED_001 = SEEDS / "001_3c51a2a745893387.txt"
SEED_002 = SEEDS / "002_70ba122dc247f5fe.txt"
SEED_003 = SEEDS / "003_150ed9eee0cc5b71.txt"
PLAN = "Moray Commissioning Team Improvement Plan 2023"


def read_one(path: Path, **options: object):  # type: ignore[no-untyped-def]
    files = read_plan_files(path, **options)  # type: ignore[arg-type]
    assert len(files) == 1
    return files[0]


# --- seed 000: the text Actions Report export ---------------------------------------------------


def test_seed_000_reads_every_action_section_and_header_variant() -> None:
    plan_file = read_one(SEED_000)

    assert plan_file.plan_name == PLAN
    assert len(plan_file.rows) == 34
    per_section = {s.code: sum(r.section_code == s.code for r in plan_file.rows) for s in plan_file.sections}
    assert per_section == {"2.1": 5, "2.2": 8, "2.3": 1, "2.4": 4, "2.5": 5, "2.6": 1, "2.7": 2,
                           "2.8": 4, "2.9": 1, "2.10": 2, "2.11": 1}
    by_code = {r.code: r for r in plan_file.rows}
    # After `**APPENDIX 1**` page noise the rows still belong to their section.
    assert by_code["HSCM COMM AP2.5.2"].section_code == "2.5"
    assert by_code["HSCM COMM AP2.10.1a"].due_date == date(2023, 8, 31)
    # `Agency` is the responsibility column of sections 2.6 and 2.7.
    assert by_code["HSCM COMM AP2.7.1"].responsibility == "Community Care Finance Team"
    assert any("'Agency' -> responsibility" in line for mapping in plan_file.mappings for line in mapping)
    assert by_code["HSCM COMM AP2.4.3"].progress == 80


def test_seed_000_rollup_table_is_section_data_not_actions() -> None:
    plan_file = read_one(SEED_000)

    assert not any(r.code.endswith(("AP2.1", "AP2.11")) for r in plan_file.rows)
    sections = {s.code: s for s in plan_file.sections}
    assert (sections["2.6"].title, sections["2.6"].reported_progress) == ("Strategy", 50)
    assert sections["2.5"].reported_due == date(2025, 2, 28)
    assert sections["2.11"].reported_progress == 100


def test_seed_000_rollup_differences_are_all_reported() -> None:
    differences = {d.section_code: d for d in compare_rollups(read_one(SEED_000))}

    assert set(differences) == {"2.1", "2.2", "2.6", "2.8"}
    assert (differences["2.6"].reported_progress, differences["2.6"].computed_progress) == (50, 100)
    assert "1 action gives 100%" in differences["2.6"].explanation
    assert "HSCM COMM AP2.1.2b" in differences["2.1"].explanation  # the split row's action
    assert "rounding" in differences["2.2"].explanation


def test_seed_000_split_row_is_reported_not_imported() -> None:
    plan_file = read_one(SEED_000)

    assert [p.line for p in plan_file.problems] == [37]
    reason = plan_file.problems[0].reason
    assert "29-Feb-2024, 100%" in reason and "split off HSCM COMM AP2.1.2b" in reason
    split_target = next(r for r in plan_file.rows if r.code == "HSCM COMM AP2.1.2b")
    assert (split_target.due_date, split_target.progress) == (None, None)


# --- seeds without codes ----------------------------------------------------------------------


def test_seed_002_improvement_plan_gets_generated_codes_by_proposal() -> None:
    plan_file = read_one(SEED_002)

    codes = [r.code for r in plan_file.rows]
    assert codes[:4] == ["AP1.1.1", "AP1.1.2", "AP1.1.3", "AP1.1.4"]
    assert len(codes) == len(set(codes)) == 63
    assert "63 rows had no code" in plan_file.notes[0].message
    first = plan_file.rows[0]
    assert first.title.startswith("Mechanism to be developed")
    assert first.update.startswith("An assessment will be undertaken")
    assert first.due_date == date(2021, 12, 31)  # "December 2021"
    sections = {s.code: s.title for s in plan_file.sections}
    assert sections["1.2"] == "Relationships and collaborative working between partners must improve"
    # The rating grid (Rating / Indicator / Our Rating) is not read as actions.
    assert not any(r.title.startswith(("Rating", "Indicator", "Our Rating")) for r in plan_file.rows)
    # A row the PDF conversion split ("Grampian.") joins the update of the row above.
    assert next(r for r in plan_file.rows if r.code == "AP1.1.3").update.endswith("Grampian.")
    kept = {r.code: r.due_text for r in plan_file.rows if r.due_text}
    assert kept["AP1.2.3"] == "In place" and kept["AP1.1.4"] == "Ongoing"
    assert any("'In place' is not a date; kept as text" in n.message for n in plan_file.notes)


def test_seed_002_codes_are_stable_between_reads() -> None:
    assert [r.code for r in read_one(SEED_002).rows] == [r.code for r in read_one(SEED_002).rows]


def test_seed_003_task_table_with_html_cells() -> None:
    plan_file = read_one(SEED_003)

    assert [r.code for r in plan_file.rows] == [f"AP1.{n}" for n in range(1, 13)]
    first, third = plan_file.rows[0], plan_file.rows[2]
    assert (first.responsibility, first.due_date) == ("CP / JFD", date(2008, 1, 31))  # "Jan 08"
    assert "<" not in third.title and third.title.startswith("3. Scope of Joint Commissioning")
    assert "Collate Terms of Reference" in third.title  # the `<ul>` continuation row joined
    assert "<p>" not in (third.update or "")
    assert plan_file.rows[6].due_date == date(2008, 4, 30)  # "<p>April 2008</p>"
    assert plan_file.rows[1].due_text == "Feb & March 08"


def test_seed_001_prose_says_no_actions_found() -> None:
    plan_file = read_one(SEED_001)

    assert plan_file.rows == []
    assert "No actions found" in plan_file.problems[0].reason


def test_formats_are_sniffed(tmp_path: Path) -> None:
    assert sniff_format(SEED_000) == "report"
    xlsx = write_sample_xlsx(tmp_path / "p.xlsx", 3)
    renamed = xlsx.rename(tmp_path / "plan-without-extension")
    assert sniff_format(renamed) == "xlsx"
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    assert sniff_format(old) == "xls"  # Excel 97-2003 is read (python-calamine); a damaged one says so
    with pytest.raises(UnreadableFile, match="old.xls is not a workbook I can open"):
        read_plan_files(old)


# --- columns and values -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "header, field",
    [("Ref No", "code"), ("Action Code", "code"), ("Tasks/Actions", "title"), ("Lead", "responsibility"),
     ("Accountable Officer", "responsibility"), ("Lead & Stakeholders", "responsibility"),
     ("Target Date", "due"), ("Revised Implementation Date", "due"), ("Timescale for Delivery", "due"),
     ("Progress/Notes", "update"), ("Comment / How we will Deliver", "update"), ("% Complete", "progress"),
     ("Status Progress", "progress"), ("Status Icon", None), ("Resources", None)],
)
def test_columns_are_mapped_by_meaning(header: str, field: str | None) -> None:
    assert field_for_header(header) == field


def test_map_overrides_and_bad_overrides() -> None:
    mapped = map_header(["Ref", "Thing", "Who"], parse_overrides(["Thing=title", "Who=responsibility"]))
    assert mapped.fields == {"code": 0, "title": 1, "responsibility": 2}
    with pytest.raises(ValueError, match="not a field"):
        parse_overrides(["Thing=colour"])
    with pytest.raises(ValueError, match="COLUMN=FIELD"):
        parse_overrides(["Thing"])


@pytest.mark.parametrize(
    "text, expected",
    [("31-Aug-2023", date(2023, 8, 31)), ("31/08/2023", date(2023, 8, 31)), ("31/08/23", date(2023, 8, 31)),
     ("10.05.2023", date(2023, 5, 10)), ("Aug-23", date(2023, 8, 31)), ("August 2023", date(2023, 8, 31)),
     ("Q4 2025/26", date(2026, 3, 31)), ("December 2021", date(2021, 12, 31)), ("In place", None),
     ("Ongoing", None), ("TBC", None), ("Verbal update to be provided", None), ("next Friday", None),
     (datetime(2024, 2, 29, 0, 0), date(2024, 2, 29))],
)
def test_due_values_as_public_bodies_write_them(text: object, expected: date | None) -> None:
    assert parse_due_value(text) == expected


def test_progress_values() -> None:
    assert [parse_progress(v) for v in ("25%", "25", 25, "140%", "abc", 0.25)] == [25, 25, 25, None, None, None]
    assert parse_progress(0.25, percent_format=True) == 25
    assert parse_progress(1, percent_format=True) == 100


# --- Excel workbooks --------------------------------------------------------------------------


def test_workbook_with_merged_two_row_header_wrapped_cells_and_blank_rows(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Action Plan"
    sheet.append(["Care Homes Contract Monitoring Plan 2024"])
    sheet.append(["Ref", "Action", "Lead\nOfficer", "Target\nDate", "Status", None])
    sheet.append([None, None, None, None, "% Complete", "Notes"])
    for column in "ABCD":
        sheet.merge_cells(f"{column}2:{column}3")
    sheet.merge_cells("E2:F2")
    sheet.append(["CH AP1.1", "Visit every\nhome", "Contracts\nTeam", datetime(2024, 3, 31), 0.5,
                  "Six visits done;\nfour booked"])
    sheet.append([])
    sheet.append([None, None, None, None, None, None])
    sheet.append(["CH AP1.2", "Audit care plans", "Quality Lead", "Q4 2025/26", 1, None])
    sheet.append(["CH AP2.1", "Publish findings", None, "TBC", "abc", None])
    sheet.append(["CH AP2.2", "Brief the board", None, "TBC", 0.25, None])
    for row in (4, 7, 8, 9):
        sheet.cell(row, 5).number_format = "0%"
    path = tmp_path / "care-homes.xlsx"
    book.save(path)

    plan_file = read_one(path)

    assert plan_file.plan_name == "Care Homes Contract Monitoring Plan 2024"
    visit, audit, publish, brief = plan_file.rows
    assert (visit.code, visit.title, visit.responsibility) == ("CH AP1.1", "Visit every home", "Contracts Team")
    assert (visit.due_date, visit.progress, visit.update) == (date(2024, 3, 31), 50, "Six visits done;\nfour booked")
    assert (audit.due_date, audit.progress) == (date(2026, 3, 31), 100)
    # A word in the progress column that is neither a % nor a status we know is kept and reported.
    assert plan_file.problems == []
    assert (publish.progress, publish.file_status) == (None, "abc")
    assert any(str(n).startswith("sheet 'Action Plan' cell E8: CH AP2.1: status 'abc' is not a word I know")
               for n in plan_file.notes)
    assert (brief.due_text, brief.progress) == ("TBC", 25)
    assert "sheet 'Action Plan' cell D9: CH AP2.2: due 'TBC' is not a date; kept as text." in map(str, plan_file.notes)


def test_workbook_with_a_header_merged_over_three_rows(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Plan"
    sheet.append(["Ref", "Action", "Delivery", None, None, None])
    sheet.append([None, None, "Lead", "Timescale", "Progress", None])
    sheet.append([None, None, None, "Due Date", "% Complete", "Latest Status Update"])
    sheet.merge_cells("A1:A3")
    sheet.merge_cells("B1:B3")
    sheet.merge_cells("C1:F1")
    sheet.merge_cells("C2:C3")
    sheet.merge_cells("E2:F2")
    sheet.append(["CH AP1.1", "Visit every home", "Contracts Team", datetime(2024, 3, 31), 0.5, "Six visits done"])
    sheet.append(["CH AP1.2", "Audit care plans", "Quality Lead", datetime(2024, 6, 30), 1, None])
    for row in (4, 5):
        sheet.cell(row, 5).number_format = "0%"
    path = tmp_path / "three-row-header.xlsx"
    book.save(path)

    plan_file = read_one(path)

    assert not plan_file.problems, plan_file.problems
    visit, audit = plan_file.rows
    assert (visit.code, visit.title, visit.responsibility) == ("CH AP1.1", "Visit every home", "Contracts Team")
    assert (visit.due_date, visit.progress, visit.update) == (date(2024, 3, 31), 50, "Six visits done")
    assert (audit.code, audit.due_date, audit.progress) == ("CH AP1.2", date(2024, 6, 30), 100)


def test_every_sheet_or_one_sheet(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    first = book.active
    first.title = "Adults"
    first.append(["Code", "Action Title", "Status Progress"])
    first.append(["AD AP1.1", "Review", "50%"])
    second = book.create_sheet("Children")
    second.append(["Code", "Action Title", "Status Progress"])
    second.append(["CH AP1.1", "Audit", "25%"])
    book.create_sheet("Notes").append(["Nothing here"])
    path = tmp_path / "plans.xlsx"
    book.save(path)

    everything = read_plan_files(path)
    assert [(f.plan_name, [r.code for r in f.rows]) for f in everything] == [
        ("Adults", ["AD AP1.1"]), ("Children", ["CH AP1.1"])]
    assert "Sheets without actions, not imported: Notes." in everything[0].notes[0].message
    only = read_plan_files(path, sheet="Children", plan="Children 2024")
    assert [(f.plan_name, len(f.rows)) for f in only] == [("Children 2024", 1)]
    with pytest.raises(UnreadableFile, match="no sheet 'Teens'"):
        read_plan_files(path, sheet="Teens")


def test_ten_thousand_row_sheet_and_csv_read_quickly() -> None:
    for path in (shared_sample("xlsx", 10_000), shared_sample("csv", 10_000)):
        started = time.perf_counter()
        plan_file = read_one(path)
        elapsed = time.perf_counter() - started
        assert len(plan_file.rows) == 10_000 and plan_file.problems == []
        assert plan_file.rows[-1].code == "SAMPLE AP1.100.100"
        assert plan_file.rows[20].progress == 100 and plan_file.rows[21].progress == 0
        assert elapsed < 15, f"reading {path.name} took {elapsed:.1f}s"


def test_progress_bar_only_for_terminals_or_large_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import io

    from bot.planfiles import progress_bar

    small = tmp_path / "small.csv"
    small.write_text("Code,Title\n", encoding="utf-8")

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert progress_bar.wants_bar(small, Terminal()) and not progress_bar.wants_bar(small, io.StringIO())
    with progress_bar.import_progress(small, enabled=False) as stage:
        stage("Importing", 10)(10)
    assert capsys.readouterr().err == ""
    with progress_bar.import_progress(small, enabled=True) as stage:
        on_row = stage("Importing plan", 400)
        for count in range(1, 401):
            on_row(count)
    shown = capsys.readouterr().err
    assert "Importing plan" in shown and "400/400" in shown
