"""Write plans as an Excel workbook a committee recognises, and that imports back unchanged.

One sheet per plan in the seed Actions Report's layout: the plan title, one header row (the
seed's columns, then original due date, slippage, and the file's RAG, direction of travel,
priority and recommendation), frozen, filtered and printed on every page, then per section a
heading row (`2.1 Governance Structure`) and its actions, Due Date as
a real Excel date, Status Progress as a percentage, the Status cell coloured as in the
status legend. A `Rollups` sheet holds each section's computed and reported progress and due date, then
the legend. bot.planfiles.xlsx_reader reads all of it back (round trip).

Every cell is inert (bot.export_safety): text is stored as text, never as a formula, and text
that starts like a formula (`=`, `+`, `-`, `@`) carries a leading `'`, which the reader takes
off again.

openpyxl is imported inside `write_workbook` only.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from bot.domain.model import Status
from bot.export_safety import inert_cell, inert_sheet_cell
from bot.planfiles.plan_report import (
    LEGEND, RAG_COLOUR, REPORT_COLUMNS, STATUS_COLOUR, PlanReport, report_cells, slippage_days,
)  # fmt: skip
from bot.planfiles.xlsx_reader import ROLLUP_SHEET

EXTRA_COLUMNS = ("Original Due Date", "Slippage (days)", "RAG", "Direction of Travel", "Priority",
                 "Recommendation")  # after the seed's columns, so a re-import loses nothing
# Rollups: the legend's counts are headed "Count: Overdue" ..., so no two columns share a name.
ROLLUP_COLUMNS = ("Plan", "Section", "Section Title", "Count", "Progress", "Latest Due", "Reported Progress",
                  "Reported Due", "Overdue", *[f"Count: {label}" for label, _, _ in LEGEND])
_WIDTHS = (24, 60, 28, 14, 60, 10, 14, 14, 10, 9, 12, 12, 40)
_DATE_FORMAT = "DD-MMM-YYYY"
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def sheet_title(name: str, taken: set[str]) -> str:
    """A valid, unique sheet name (31 characters at most, none of []:*?/\\)."""
    base = _BAD_SHEET_CHARS.sub(" ", name).strip()[:31] or "Plan"
    title, number = base, 2
    while title.lower() in taken or title == ROLLUP_SHEET:
        suffix = f" ({number})"
        title, number = base[: 31 - len(suffix)] + suffix, number + 1
    taken.add(title.lower())
    return title


def _append(sheet: Any, values: list[Any]) -> None:
    """A row of inert cells: text as text, formula triggers quoted; numbers and dates as they are."""
    sheet.append([inert_cell(value) for value in values])
    if values:
        for cell in sheet[sheet.max_row][: len(values)]:
            inert_sheet_cell(cell)


def write_workbook(reports: list[PlanReport], path: Path) -> None:
    """One header row per plan sheet (frozen, filtered, printed on every page), each section's
    heading row above its actions, pages fitted to the width."""
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill

    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    header_fill = PatternFill("solid", fgColor="D9E1F2")
    heading_fill = PatternFill("solid", fgColor="EDEDED")
    fills = {status: PatternFill("solid", fgColor=colour) for status, colour in STATUS_COLOUR.items()}
    rag_fills = {name: PatternFill("solid", fgColor=colour) for name, colour in RAG_COLOUR.items()}
    columns = (*REPORT_COLUMNS, *EXTRA_COLUMNS)

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    taken: set[str] = set()
    for report in reports:
        sheet = workbook.create_sheet(sheet_title(report.name, taken))
        _append(sheet, [report.name])
        sheet["A1"].font = Font(bold=True, size=14)
        _append(sheet, [f"Actions Report, generated on {report.generated_on:%d %B %Y}"])
        for index, width in enumerate(_WIDTHS, 1):
            sheet.column_dimensions[openpyxl.utils.get_column_letter(index)].width = width
        _append(sheet, [])
        _append(sheet, list(columns))
        header_row = sheet.max_row
        for cell in sheet[header_row]:
            cell.font, cell.fill = bold, header_fill
        for block in report.sections:
            _append(sheet, [f"{block.code} {block.title}"])
            sheet.cell(sheet.max_row, 1).font = bold
            sheet.cell(sheet.max_row, 1).fill = heading_fill
            for action in block.actions:
                cells = report_cells(action, report.generated_on)
                progress = cells["Status Progress"]
                status: Status = cells["Status"]
                _append(sheet, [
                    cells["Code"], cells["Action Title"], cells["Responsibility"], cells["Due Date"],
                    cells["Latest Status Update"], None if progress is None else progress / 100, status.value,
                    action.original_due_date, slippage_days(action) or None, action.rag, action.direction,
                    action.priority, action.recommendation,
                ])
                row = sheet[sheet.max_row]
                for cell in row:
                    cell.alignment = wrap
                row[3].number_format = row[7].number_format = _DATE_FORMAT
                row[5].number_format = "0%"
                row[6].fill = fills[status]
                if action.rag in rag_fills:
                    row[9].fill = rag_fills[action.rag]
        _paper(sheet, header_row, len(columns))
    _write_rollups(workbook.create_sheet(ROLLUP_SHEET), reports, bold, header_fill, fills)
    workbook.save(path)
    workbook.close()


def _paper(sheet: Any, header_row: int, width: int) -> None:
    """Frozen header, autofilter over the table, the header printed on every page, landscape,
    fitted to one page wide."""
    from openpyxl.utils import get_column_letter

    last = get_column_letter(width)
    sheet.freeze_panes = f"A{header_row + 1}"
    sheet.auto_filter.ref = f"A{header_row}:{last}{max(sheet.max_row, header_row + 1)}"
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _write_rollups(sheet: Any, reports: list[PlanReport], bold: Any, header_fill: Any, fills: dict[Status, Any]) -> None:
    from openpyxl.styles import PatternFill

    _append(sheet, list(ROLLUP_COLUMNS))
    for cell in sheet[1]:
        cell.font, cell.fill = bold, header_fill
    for report in reports:
        for block in report.sections:
            rollup = block.rollup
            counts = [sum(rollup.counts.get(s, 0) for s in statuses) for _, statuses, _ in LEGEND]
            _append(sheet, [
                report.name, block.code, block.title, rollup.action_count,
                None if rollup.progress is None else rollup.progress / 100, rollup.latest_due,
                None if rollup.reported_progress is None else rollup.reported_progress / 100,
                block.reported_due, rollup.overdue, *counts,
            ])
            row = sheet[sheet.max_row]
            row[4].number_format = row[6].number_format = "0%"
            row[5].number_format = row[7].number_format = _DATE_FORMAT
    _append(sheet, [])
    _append(sheet, ["Action Status"])
    sheet.cell(sheet.max_row, 1).font = bold
    table_end = sheet.max_row
    for label, _, colour in LEGEND:
        _append(sheet, [label])
        sheet.cell(sheet.max_row, 1).fill = PatternFill("solid", fgColor=colour)
    from openpyxl.utils import get_column_letter

    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(ROLLUP_COLUMNS))}{max(table_end - 2, 2)}"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    for letter, width in zip("ABCDEFGHI", (40, 9, 36, 8, 10, 14, 18, 14, 9)):
        sheet.column_dimensions[letter].width = width
