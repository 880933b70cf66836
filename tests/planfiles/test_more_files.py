"""More kinds of file (issue 16, items 5 and 8): .xls, .ods, Word tables, UTF-16 and BOM text,
header variants read without --map, and dates as trackers write them."""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from bot.domain.model import State
from bot.planfiles.readers import UnreadableFile, read_plan_files, sniff_format
from tests.planfiles.trackers import accounted, read_one, write_csv, write_workbook

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "planfiles"


def test_an_excel_97_2003_workbook_is_read(tmp_path: Path) -> None:
    plan_file = read_one(FIXTURES / "audit_tracker.xls")

    assert plan_file.problems == []
    assert [(r.code, r.title, r.state, r.progress) for r in plan_file.rows] == [
        ("IA/01", "Publish a contracts register", State.COMPLETED, 100),
        ("IA/02", "Report waivers quarterly", State.IN_PROGRESS, 50),
        ("IA/03", "Train budget holders", State.NOT_STARTED, 0)]
    first = plan_file.rows[0]
    assert (first.original_due_date, first.due_date, first.priority) == (date(2023, 9, 30), date(2024, 3, 31), "High")
    assert first.responsibility == "Finance Director"  # ACCOUNTABLE OFFICER


def _cell(value: object) -> str:
    if value is None:
        return "<table:table-cell/>"
    if isinstance(value, date):
        return (f'<table:table-cell office:value-type="date" office:date-value="{value.isoformat()}">'
                f"<text:p>{value}</text:p></table:table-cell>")
    if isinstance(value, float):
        return (f'<table:table-cell office:value-type="percentage" office:value="{value}">'
                f"<text:p>{value:.0%}</text:p></table:table-cell>")
    return f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p></table:table-cell>'


def write_ods(path: Path, rows: list[list[object]], sheet: str = "Plan") -> Path:
    """A minimal OpenDocument spreadsheet, as LibreOffice saves one (mimetype first, stored)."""
    body = "".join("<table:table-row>" + "".join(_cell(v) for v in row) + "</table:table-row>" for row in rows)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body>'
        f'<office:spreadsheet><table:table table:name="{sheet}">{body}</table:table></office:spreadsheet>'
        "</office:body></office:document-content>")
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return path


def test_an_opendocument_spreadsheet_is_read(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["Workforce plan"],
        ["Ref", "Workstream", "TASKS/ACTIONS", "Lead Officer", "Target date", "% complete", "RAG"],
        ["W1", "Recruitment", "Run a recruitment fair", "HR Lead", date(2024, 9, 30), 0.25, "A"],
        ["W2", "Retention", "Survey leavers", "HR Lead", date(2024, 12, 31), 1.0, "G"],
    ]
    path = write_ods(tmp_path / "workforce.ods", rows)

    assert sniff_format(path) == "ods"
    plan_file = read_one(path)

    assert plan_file.problems == []
    assert [(r.code, r.title, r.due_date, r.progress, r.rag) for r in plan_file.rows] == [
        ("W1", "Run a recruitment fair", date(2024, 9, 30), 25, "Amber"),
        ("W2", "Survey leavers", date(2024, 12, 31), 100, "Green")]
    assert [(s.code, s.title) for s in plan_file.sections] == [("1", "Recruitment"), ("2", "Retention")]


def test_a_word_document_with_a_table_is_read_in_order_with_its_headings(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading("Joint Commissioning Action Plan", level=1)
    document.add_paragraph("This plan was agreed by the partnership board.")
    document.add_heading("1 Governance", level=2)
    table = document.add_table(rows=1, cols=5)
    for cell, text in zip(table.rows[0].cells, ["REF NO", "Action", "ACCOUNTABLE OFFICER", "TIMESCALES", "Comments"]):
        cell.text = text
    for values in (["1.1", "Agree terms of reference", "Chair", "Mar-24", "Agreed in March"],
                   ["1.2", "Set up the board", "Chair", "Monthly", "Meets monthly"],
                   ["", "Publish board minutes", "Secretary", "Monthly", ""]):
        cells = table.add_row().cells
        for cell, text in zip(cells, values):
            cell.text = text
    path = tmp_path / "plan.docx"
    document.save(str(path))

    assert sniff_format(path) == "docx"
    plan_file = read_one(path)

    assert plan_file.plan_name == "Joint Commissioning Action Plan"
    assert plan_file.problems == []
    assert [(r.code, r.section_code, r.due_date, r.recurring) for r in plan_file.rows] == [
        ("1.1", "1", date(2024, 3, 31), None), ("1.2a", "1", None, "Monthly"), ("1.2b", "1", None, "Monthly")]
    assert [(s.code, s.title) for s in plan_file.sections] == [("1", "Governance")]
    assert plan_file.rows[0].update == "Agreed in March"
    assert plan_file.data_rows == 3 == accounted(plan_file)


def test_a_word_table_cell_merged_down_is_a_ref_over_its_sub_actions(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    table = document.add_table(rows=4, cols=3)
    for row, values in zip(table.rows, [["Ref", "Action", "Lead"], ["5", "Main", "A"], ["", "Second", "B"],
                                        ["6", "Other", "C"]]):
        for cell, text in zip(row.cells, values):
            cell.text = text
    table.cell(1, 0).merge(table.cell(2, 0))
    path = tmp_path / "merged.docx"
    document.save(str(path))

    assert [r.code for r in read_one(path).rows] == ["5a", "5b", "6"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-8-sig"], ids=["utf16-bom", "utf16-no-bom", "utf8-bom"])
def test_unicode_text_exports_are_read(tmp_path: Path, encoding: str) -> None:
    rows = [["Ref", "Action", "Lead", "Target date", "Status"],
            ["1", "Réview the café contract – phase 2", "Zoë", "31/03/25", "On track"]]
    path = write_csv(tmp_path / "plan.txt", rows, encoding=encoding, delimiter="\t")

    [plan_file] = read_plan_files(path)

    assert plan_file.problems == []
    [row] = plan_file.rows
    assert (row.title, row.responsibility, row.due_date, row.state) == (
        "Réview the café contract – phase 2", "Zoë", date(2025, 3, 31), State.IN_PROGRESS)


HEADER_VARIANTS = [
    (["Ref", "Action / Progress", "Lead"], "title", "Action / Progress"),
    (["REF NO", "Action", "Lead"], "code", "REF NO"),
    (["Ref", "TASKS/ACTIONS", "Lead"], "title", "TASKS/ACTIONS"),
    (["Ref", "Action", "ACCOUNTABLE OFFICER"], "responsibility", "ACCOUNTABLE OFFICER"),
    (["Ref", "Action", "TIMESCALES"], "due", "TIMESCALES"),
    (["Ref", "Action", "Lead Officer"], "responsibility", "Lead Officer"),
    (["Ref", "Action", "Target date"], "due", "Target date"),
    (["Ref", "Action", "Completion date"], "due", "Completion date"),
    (["Ref", "Action", "RAG"], "rag", "RAG"),
    (["Ref", "Action", "Progress update"], "update", "Progress update"),
    (["Ref", "Action", "Comments"], "update", "Comments"),
    (["Ref", "Action", "Date added"], "raised", "Date added"),
    (["Ref", "Action", "Date identified"], "raised", "Date identified"),
    (["Ref", "Action", "Expected Outcome"], None, "Expected Outcome"),
]


@pytest.mark.parametrize(("header", "field", "name"), HEADER_VARIANTS, ids=[n for _, _, n in HEADER_VARIANTS])
def test_header_variants_are_read_without_map(header: list[str], field: str | None, name: str) -> None:
    from bot.planfiles.columns import looks_like_header

    mapped = looks_like_header(header)

    assert mapped is not None
    assert (mapped.fields.get(field) if field else None) == (header.index(name) if field else None)
    assert field is not None or name not in [h for h, f, _ in mapped.how if f]


def test_month_year_cells_are_the_months_end_and_text_dates_as_trackers_write_them(tmp_path: Path) -> None:
    rows = [["Ref", "Action", "Due date"],
            ["1", "Month-year cell", datetime(2024, 8, 1)],
            ["2", "Day cell", datetime(2024, 8, 1)],
            ["3", "Mon-YY text", "Sep-24"],
            ["4", "Dotted day first", "10.05.2024"],
            ["5", "Two-digit year", "31/03/25"],
            ["6", "Recurring", "Monthly"],
            ["7", "Recurring too", "Quarterly"],
            ["8", "Not a date", "TBC"]]
    path = write_workbook(tmp_path / "dates.xlsx", rows, formats={"C2": "mmm-yy", "C3": "dd/mm/yyyy"})

    plan_file = read_one(path)

    assert [(r.due_date, r.due_text, r.recurring) for r in plan_file.rows] == [
        (date(2024, 8, 31), None, None), (date(2024, 8, 1), None, None), (date(2024, 9, 30), None, None),
        (date(2024, 5, 10), None, None), (date(2025, 3, 31), None, None), (None, "Monthly", "Monthly"),
        (None, "Quarterly", "Quarterly"), (None, "TBC", None)]
    assert "cell C9: 8: due 'TBC' is not a date; kept as text." in " ".join(map(str, plan_file.notes))


def test_an_old_word_document_is_refused_with_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "plan.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)

    with pytest.raises(UnreadableFile, match="save it as .docx"):
        read_plan_files(path)


def test_a_damaged_xls_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "plan.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)

    with pytest.raises(UnreadableFile, match="plan.xls is not a workbook I can open"):
        read_plan_files(path)


def test_several_update_columns_make_one_update_and_when_it_was_done_is_never_due(tmp_path: Path) -> None:
    rows = [["Ref", "Action", "Progress update", "Comments", "Target date", "Date completed"],
            ["1", "Publish the policy", "Drafted", "Board to approve in July", "31/07/2024", "02/08/2024"]]
    [row] = read_one(write_csv(tmp_path / "plan.csv", rows)).rows

    assert row.update == "Drafted\nBoard to approve in July"
    assert row.due_date == date(2024, 7, 31)


def test_a_fraction_in_a_progress_cell_without_a_percent_format_is_a_percentage(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "plan.xlsx", [["Ref", "Action", "% complete"], ["1", "Half", 0.5], ["2", "All", 1]])

    plan_file = read_one(path)

    assert [r.progress for r in plan_file.rows] == [50, 100]  # a column of fractions: 1 is 100%
    assert "Progress numbers are all between 0 and 1, so I read them as fractions" in " ".join(
        map(str, plan_file.notes))


def test_a_lone_fraction_among_percent_numbers_is_noted(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "plan.xlsx", [["Ref", "Action", "% complete"], ["1", "Half", 0.5], ["2", "x", 40]])

    plan_file = read_one(path)

    assert [r.progress for r in plan_file.rows] == [50, 40]
    assert "cell C2: 1: progress 0.5 read as 50% (a fraction of 1)." in " ".join(map(str, plan_file.notes))
