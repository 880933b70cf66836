"""Which reader a plan file needs, judged by its extension and then by its content.

`.xlsx`/`.xlsm` (or a ZIP that holds a workbook) -> bot.planfiles.xlsx_reader; `.xls`
(Excel 97-2003) and `.ods` -> bot.planfiles.calamine_reader; `.docx` (tables in a Word
document) -> bot.planfiles.docx_reader; `.csv` -> bot.planfiles.csv_reader; `.txt`/`.md` or
text whose lines are split by tabs with section headings -> bot.planfiles.text_reader. Text
may be UTF-8 (with or without a BOM), UTF-16 (as Excel's "Unicode text" saves) or Windows-1252.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path

import zipfile

from bot.domain.model import State
from bot.planfiles.model import PlanFile

FORMATS = ("xlsx", "xls", "ods", "docx", "csv", "report")


class UnreadableFile(ValueError):
    """The file as a whole cannot be read; the message says why and what to do."""


def sniff_format(path: Path) -> str:
    """"xlsx", "xls", "ods", "docx", "csv" or "report" (the tab-separated text export)."""
    head = path.read_bytes()[:4096]
    suffix = path.suffix.lower()
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(path)
    if head.startswith(b"\xd0\xcf\x11\xe0"):  # an OLE2 compound file: Excel 97-2003, or an old .doc
        if suffix == ".doc":
            raise UnreadableFile(f"{path.name} is an old Word 97-2003 (.doc) document; open it in Word and save it "
                                 f"as .docx (Word Document), then import that.")
        return "xls"
    if suffix in (".xlsx", ".xlsm", ".ods", ".docx"):
        raise UnreadableFile(f"{path.name} is named like a {suffix} file but is not one (no ZIP header).")
    if suffix == ".xls":
        raise UnreadableFile(f"{path.name} is named like an Excel 97-2003 workbook but is not one.")
    if suffix in (".csv", ".tsv"):
        return "csv"
    if suffix in (".txt", ".md", ".text"):
        return "report"
    from bot.planfiles.csv_reader import decode_bytes

    text = decode_bytes(head)
    lines = [line for line in text.splitlines() if line.strip()]
    first = lines[0] if lines else ""
    if "\t" not in first or any(line.lstrip().startswith(("#", "**")) for line in lines[:30]):
        return "report" if any("\t" in line for line in lines) else "csv"
    return "csv"


def _zip_kind(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            mimetype = archive.read("mimetype").decode("ascii", "replace").strip() if "mimetype" in names else ""
    except (zipfile.BadZipFile, OSError, KeyError):
        return "xlsx"  # the workbook reader says what is wrong with it
    if "word/document.xml" in names:
        return "docx"
    if mimetype == "application/vnd.oasis.opendocument.spreadsheet":
        return "ods"
    if mimetype.startswith("application/vnd.oasis.opendocument.text"):
        raise UnreadableFile(f"{path.name} is an OpenDocument text file; save it as .docx (Word Document), "
                             f"then import that.")
    return "xlsx"


def read_plan_files(
    path: str | Path,
    plan: str | None = None,
    *,
    sheet: str | None = None,
    today: date | None = None,
    overrides: Mapping[str, str] | None = None,
    on_row: Callable[[int], None] | None = None,
    file_format: str | None = None,
    status_words: Mapping[str, State] | None = None,
) -> list[PlanFile]:
    """Read any supported plan file: one PlanFile per plan in it (per sheet for workbooks).

    `status_words` are the team's own words for states (`[import.status_words]` in the config)."""
    path = Path(path)
    kind = file_format or sniff_format(path)
    options = {"today": today, "overrides": overrides, "on_row": on_row, "status_words": status_words}
    if kind in ("xlsx", "xls", "ods"):
        from bot.planfiles.xlsx_reader import WorkbookError, read_plan_workbook

        try:
            if kind == "xlsx":
                return read_plan_workbook(path, plan, sheet=sheet, **options)  # type: ignore[arg-type]
            from bot.planfiles.calamine_reader import read_calamine_workbook

            return read_calamine_workbook(path, plan, sheet=sheet, **options)  # type: ignore[arg-type]
        except WorkbookError as exc:
            raise UnreadableFile(str(exc)) from exc
    if sheet is not None:
        raise UnreadableFile(f"--sheet only applies to Excel workbooks (and .ods); {path.name} is {kind}.")
    if kind == "docx":
        from bot.planfiles.docx_reader import DocumentError, read_plan_docx

        try:
            return [read_plan_docx(path, plan, **options)]  # type: ignore[arg-type]
        except DocumentError as exc:
            raise UnreadableFile(str(exc)) from exc
    if kind == "report":
        from bot.planfiles.text_reader import read_plan_report

        return [read_plan_report(path, plan, **options)]  # type: ignore[arg-type]
    if kind == "csv":
        from bot.planfiles.csv_reader import read_plan_csv

        return [read_plan_csv(path, plan, **options)]  # type: ignore[arg-type]
    raise UnreadableFile(f"unknown format {kind!r}; choose one of: {', '.join(FORMATS)}.")
