"""Read the sheets of an Excel workbook into PlanFiles (one per sheet that holds actions).

Cells come from bot.planfiles.xlsx_cells (python-calamine for values, the sheet's XML for
which cells are percentages or month-and-year dates), many times faster than openpyxl, which
is kept for a workbook calamine cannot open. Merged ranges are not used: merged header cells are read by their shape:
a merged cell keeps its value in its top-left cell, so a header over two or more rows (`Code`
merged down over the rows beside `Status` merged across `Progress | Update`) is combined column
by column.
Dates are real dates; a progress cell formatted as a percentage holds 0.25 for 25%.

openpyxl is imported inside `read_plan_workbook` only (the CLI must start fast).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zipfile import BadZipFile

from bot.domain.model import State
from bot.export_safety import restore_cell
from bot.planfiles.columns import field_for_header, header_key, looks_like_header
from bot.planfiles.model import FileNote, FileProblem, PlanFile
from bot.planfiles.table import PlanTableReader
from bot.planfiles.values import month_end, parse_due_value, parse_progress

logger = logging.getLogger(__name__)

ROLLUP_SHEET = "Rollups"  # written by bot.planfiles.xlsx_export; read back as section data
_HEADER_SEARCH_ROWS = 40


class WorkbookError(ValueError):
    """The file is not a workbook openpyxl can open, or the named sheet is missing."""


def read_plan_workbook(
    path: str | Path,
    plan: str | None = None,
    *,
    sheet: str | None = None,
    today: date | None = None,
    overrides: Mapping[str, str] | None = None,
    on_row: Callable[[int], None] | None = None,
    status_words: Mapping[str, State] | None = None,
) -> list[PlanFile]:
    """Every sheet with actions as a PlanFile (or only `sheet`). Sheets without actions are
    named in a note of the first plan file; a workbook with no actions at all gives one
    PlanFile whose problem says so."""
    path = Path(path)
    from bot.planfiles.xlsx_cells import CellsError, FastWorkbook

    try:
        workbook: Any = FastWorkbook(path)
        rows_of: Callable[[str], Iterator[tuple[int, list[Any], frozenset[int]]]] = workbook.rows
    except CellsError:
        workbook = _open_with_openpyxl(path)  # what calamine cannot read, openpyxl may (and says why not)
        rows_of = lambda name: _rows(workbook[name])  # noqa: E731
    try:
        names = workbook.sheetnames
        if sheet is not None and sheet not in names:
            raise WorkbookError(f"{path.name} has no sheet {sheet!r}; its sheets are: {', '.join(names)}.")
        results: list[PlanFile] = []
        skipped: list[str] = []
        rollups: list[tuple[str, str, int | None, date | None]] = []
        counter = _Counter(on_row)
        for name in [sheet] if sheet else names:
            try:
                if name == ROLLUP_SHEET and sheet is None:
                    rollups = _read_rollups(rows_of(name))
                    continue
                plan_file = _read_sheet(rows_of(name), name, path.name, plan, today, overrides, counter, status_words)
            except CellsError as exc:
                if sheet is not None:
                    raise WorkbookError(f"{path.name}: sheet {name!r} cannot be read ({exc}).") from exc
                skipped.append(f"{name} (it cannot be read: {exc})")  # a chart sheet, or a damaged one
                continue
            if plan_file.rows or sheet is not None:
                results.append(plan_file)
            else:
                skipped.append(name)
    finally:
        workbook.close()
    if results:
        _apply_rollups(results, rollups)
    return workbook_results(results, skipped, path, plan)


def workbook_results(results: list[PlanFile], skipped: list[str], path: Path, plan: str | None) -> list[PlanFile]:
    """A workbook's plans, one per sheet with actions, the sheets without any named in a note;
    when no sheet has actions, one plan that says so and how to map the columns."""
    if not results:
        return [PlanFile(plan_name=plan or path.stem, plan_title=plan or path.stem, source=path.name, problems=[
            FileProblem(0, f"No actions found in any sheet of {path.name} ({', '.join(skipped)}): no sheet has a "
                           f"header row naming an action column (Code, Action Title, Task, ...). If yours has "
                           f"other names, say which with --map \"Column=title\".")])]
    if skipped:
        results[0].notes.insert(0, FileNote(0, f"Sheets without actions, not imported: {', '.join(skipped)}."))
    return results


def _open_with_openpyxl(path: Path) -> Any:
    import openpyxl  # lazy: a slow import that only imports need
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, OSError, KeyError, ValueError) as exc:
        raise WorkbookError(f"{path.name} is not an Excel workbook I can open ({exc}).") from exc


class _Counter:
    def __init__(self, on_row: Callable[[int], None] | None) -> None:
        self.count, self.on_row = 0, on_row

    def tick(self) -> None:
        self.count += 1
        if self.on_row is not None:
            self.on_row(self.count)


def _rows(worksheet: Any) -> Iterator[tuple[int, list[Any], frozenset[int]]]:
    """(row number, values, indexes of numeric cells formatted as percentages)."""
    for number, row in enumerate(worksheet.iter_rows(), 1):
        values: list[Any] = []
        percent: set[int] = set()
        for index, cell in enumerate(row):
            value = cell.value
            if isinstance(value, datetime) and _month_year(getattr(cell, "number_format", "") or ""):
                value = month_end(value.date())  # Excel shows "Aug-23": the month, so its end
            values.append(value)
            if isinstance(value, (int, float)) and "%" in (getattr(cell, "number_format", "") or ""):
                percent.add(index)
        while values and (values[-1] is None or (isinstance(values[-1], str) and not values[-1].strip())):
            values.pop()
        yield number, values, frozenset(percent)


def _month_year(number_format: str) -> bool:
    from bot.planfiles.xlsx_cells import month_year_format

    return month_year_format(number_format)


def _read_sheet(rows: Iterator[tuple[int, list[Any], frozenset[int]]], name: str, source: str, plan: str | None,
                today: date | None,
                overrides: Mapping[str, str] | None, counter: _Counter,
                status_words: Mapping[str, State] | None = None) -> PlanFile:
    table = PlanTableReader(plan=plan, default_plan=name, source=f"{source}:{name}", overrides=overrides,
                            today=today, where=lambda line, column: _location(name, line, column),
                            status_words=status_words)
    head: list[tuple[int, list[Any], frozenset[int]]] = []
    for item in rows:
        head.append(item)
        if len(head) >= _HEADER_SEARCH_ROWS:
            break
    for number, values, percent in _join_merged_header(head, overrides):
        table.feed(number, values, percent)
        counter.tick()
    for number, values, percent in rows:
        table.feed(number, values, percent)
        counter.tick()
    return table.finish()


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA (as Excel names columns)."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _location(sheet: str, row: int, column: int | None) -> str:
    if column is None:
        return f"sheet {sheet!r} row {row}: "
    return f"sheet {sheet!r} cell {column_letter(column)}{row}: "


def _join_merged_header(
    head: list[tuple[int, list[Any], frozenset[int]]], overrides: Mapping[str, str] | None
) -> list[tuple[int, list[Any], frozenset[int]]]:
    """Combine a header spread over several rows (merged cells) into one row, column by column:
    the lowest cell that names something wins. Other rows pass through."""
    for index, (number, values, percent) in enumerate(head):
        mapped = looks_like_header(values, overrides)
        if mapped is None:
            continue
        joined, below = values, index + 1
        while below < len(head) and _header_partner(head[below][1], mapped.fields.get("code")):
            lower = head[below][1]
            joined = [_pick(_at(lower, c), _at(joined, c)) for c in range(max(len(joined), len(lower)))]
            below += 1
        return head[:index] + [(number, joined, percent)] + head[below:]
    return head


def _header_partner(cells: list[Any], code_index: int | None) -> bool:
    """The second row of a merged header: only text, no code, and some cell naming a field."""
    texts = [c for c in cells if c is not None and str(c).strip()]
    if not texts or any(not isinstance(c, str) for c in texts):
        return False
    if code_index is not None and _at(cells, code_index):
        return False
    return any(field_for_header(c) for c in texts) and all(len(c) <= 60 for c in texts)


def _at(cells: list[Any], index: int) -> Any:
    return cells[index] if index < len(cells) else None


def _pick(lower: Any, upper: Any) -> Any:
    """The lower header cell when it names something, else the merged cell above it."""
    if lower is not None and str(lower).strip():
        return lower
    return upper


_ROLLUP_KEYS = ("plan", "section", "reported progress", "reported due")


def _read_rollups(
    rows: Iterator[tuple[int, list[Any], frozenset[int]]],
) -> list[tuple[str, str, int | None, date | None]]:
    """(plan, section, reported progress, reported due) from our own export's Rollups sheet."""
    found: list[tuple[str, str, int | None, date | None]] = []
    columns: dict[str, int] | None = None
    for _, values, percent in rows:
        keys = [header_key(v) for v in values]
        if columns is None:
            if set(_ROLLUP_KEYS) <= set(keys):
                columns = {key: keys.index(key) for key in _ROLLUP_KEYS}
            continue
        if not any(v is not None for v in values):
            break  # the legend follows a blank row
        plan, section, reported, due = (_at(values, columns[k]) for k in _ROLLUP_KEYS)
        if plan and section:
            progress = parse_progress(reported, percent_format=columns["reported progress"] in percent) \
                if reported is not None else None
            found.append((restore_cell(str(plan)), restore_cell(str(section)), progress, parse_due_value(due)))
    return found


def _apply_rollups(results: list[PlanFile], rollups: list[tuple[str, str, int | None, date | None]]) -> None:
    by_plan = {pf.plan_name: pf for pf in results}
    for plan, section, progress, due in rollups:
        plan_file = by_plan.get(plan)
        if plan_file is None or (progress is None and due is None):
            continue
        plan_file.sections = [replace(s, reported_progress=progress, reported_due=due) if s.code == section else s
                              for s in plan_file.sections]
