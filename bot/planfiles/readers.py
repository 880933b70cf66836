"""Which reader a plan file needs, judged by its extension and then by its content.

`.xlsx`/`.xlsm` (or a ZIP that starts like one) -> bot.planfiles.xlsx_reader; `.csv` ->
bot.planfiles.csv_reader; `.txt`/`.md` or text whose lines are split by tabs with section
headings -> bot.planfiles.text_reader. Old binary `.xls` is refused with what to do instead.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path

from bot.planfiles.model import PlanFile

FORMATS = ("xlsx", "csv", "report")


class UnreadableFile(ValueError):
    """The file as a whole cannot be read; the message says why and what to do."""


def sniff_format(path: Path) -> str:
    """"xlsx", "csv" or "report" (the tab-separated text export)."""
    head = path.read_bytes()[:4096]
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableFile(f"{path.name} is an old Excel 97-2003 (.xls) workbook; open it in Excel and "
                             f"save it as .xlsx (Excel Workbook), then import that.")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        raise UnreadableFile(f"{path.name} is named like an Excel workbook but is not one (no ZIP header).")
    if suffix in (".csv", ".tsv"):
        return "csv"
    if suffix in (".txt", ".md", ".text"):
        return "report"
    text = head.decode("utf-8", errors="replace")
    lines = [line for line in text.splitlines() if line.strip()]
    first = lines[0] if lines else ""
    if "\t" not in first or any(line.lstrip().startswith(("#", "**")) for line in lines[:30]):
        return "report" if any("\t" in line for line in lines) else "csv"
    return "csv"


def read_plan_files(
    path: str | Path,
    plan: str | None = None,
    *,
    sheet: str | None = None,
    today: date | None = None,
    overrides: Mapping[str, str] | None = None,
    on_row: Callable[[int], None] | None = None,
    file_format: str | None = None,
) -> list[PlanFile]:
    """Read any supported plan file: one PlanFile per plan in it (per sheet for workbooks)."""
    path = Path(path)
    kind = file_format or sniff_format(path)
    if kind == "xlsx":
        from bot.planfiles.xlsx_reader import WorkbookError, read_plan_workbook

        try:
            return read_plan_workbook(path, plan, sheet=sheet, today=today, overrides=overrides, on_row=on_row)
        except WorkbookError as exc:
            raise UnreadableFile(str(exc)) from exc
    if sheet is not None:
        raise UnreadableFile(f"--sheet only applies to Excel workbooks; {path.name} is {kind} text.")
    if kind == "report":
        from bot.planfiles.text_reader import read_plan_report

        return [read_plan_report(path, plan, today=today, overrides=overrides, on_row=on_row)]
    if kind == "csv":
        from bot.planfiles.csv_reader import read_plan_csv

        return [read_plan_csv(path, plan, today=today, overrides=overrides, on_row=on_row)]
    raise UnreadableFile(f"unknown format {kind!r}; choose one of: {', '.join(FORMATS)}.")
