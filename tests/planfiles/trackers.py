"""Trackers of the kinds boards, audit committees and councils publish, built in the tests.

Each is described in issue 16 and built here from that description (never read from outside
the repository): an internal-audit actions log, a business plan with sub-actions under one
merged ref, a board follow-up table, a board action tracker with a narrative Status column and
dotted refs. `import_into` runs a file through the same reading and import as `actionbot import`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import openpyxl

from bot.domain.model import State
from bot.planfiles.apply import ImportReport, import_plan
from bot.planfiles.model import PlanFile
from bot.planfiles.readers import read_plan_files

TODAY = date(2024, 6, 3)
NOW = datetime(2024, 6, 3, 9, 0, tzinfo=timezone.utc)

AUDIT_HEADER = ["Ref", "Date added", "Issue", "Recommendation", "Priority", "Management Action Agreed",
                "Responsible Executive Lead", "Original Agreed Implementation Date", "Revised Implementation Date",
                "Status", "Progress"]
AUDIT_ROWS: list[list[Any]] = [
    ["IA23/01", datetime(2023, 5, 2), "No register of contracts", "Keep a contracts register", "High",
     "Create and publish a contracts register", "Director of Finance", datetime(2023, 9, 30), datetime(2024, 3, 31),
     "Implemented", "Register published on the intranet in March."],
    ["IA23/02", datetime(2023, 5, 2), "Waivers not reported", "Report waivers quarterly", "Medium",
     "Report waivers to the audit committee each quarter", "Director of Finance", datetime(2023, 12, 31), None,
     "Partially implemented", "Two of four reports made"],
    ["IA23/03", datetime(2023, 7, 14), "Training not recorded", "Record mandatory training", "Low",
     "Record training in the HR system", "Director of People", datetime(2024, 1, 31), datetime(2024, 9, 30),
     "Not started", None],
    ["IA23/04", datetime(2023, 7, 14), "Old policy", "Retire the old policy", "Low",
     "Withdraw the 2015 procurement policy", "Director of Finance", datetime(2023, 10, 31), None,
     "Superseded", "Replaced by the 2024 policy"],
]


def write_workbook(path: Path, rows: Sequence[Sequence[Any]], *, title: str = "Plan",
                   merge: Sequence[str] = (), formats: dict[str, str] | None = None) -> Path:
    """A one-sheet workbook of `rows`; `merge` ranges ("A3:A5") and cell number `formats`."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    for cells in merge:
        sheet.merge_cells(cells)
    for cell, number_format in (formats or {}).items():
        sheet[cell].number_format = number_format
    book.save(path)
    return path


def write_csv(path: Path, rows: Sequence[Sequence[str]], *, encoding: str = "utf-8", delimiter: str = ",") -> Path:
    import csv
    import io

    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def read_one(path: Path, **options: Any) -> PlanFile:
    [plan_file] = read_plan_files(path, **options)
    return plan_file


def import_into(new_uow: Callable[[], Any], path: Path, *, prune: bool = False, dry_run: bool = False,
                now: datetime = NOW, **options: Any) -> list[ImportReport]:
    reports = []
    with new_uow() as uow:
        for plan_file in read_plan_files(path, **options):
            reports.append(import_plan(uow, plan_file, actor="Test Importer", channel="import", now=now,
                                       today=TODAY, dry_run=dry_run, prune=prune))
        if not dry_run:
            uow.commit()
    return reports


def accounted(plan_file: PlanFile) -> int:
    """Rows imported + joined + rollups + skipped + refused: must equal the file's data rows."""
    return (len(plan_file.rows) + len(plan_file.joined) + len(plan_file.rollup_lines) + len(plan_file.skipped)
            + plan_file.refused_rows)


def states(plan_file: PlanFile) -> dict[str, State | None]:
    return {row.code: row.state for row in plan_file.rows}
