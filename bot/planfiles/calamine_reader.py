"""Read `.xls` (Excel 97-2003) and `.ods` (LibreOffice/OpenDocument) plan workbooks.

python-calamine reads both (and is fast); each sheet's rows go through the same table reading
as every other format (bot.planfiles.table), one PlanFile per sheet with actions. Calamine
gives values, not number formats, so a progress column whose numbers are all between 0 and 1
is read as Excel percentages (0.25 -> 25%). python-calamine is imported here only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from bot.domain.model import State
from bot.planfiles.columns import looks_like_header
from bot.planfiles.model import PlanFile
from bot.planfiles.table import PlanTableReader
from bot.planfiles.xlsx_reader import WorkbookError, _location, workbook_results


def read_calamine_workbook(
    path: str | Path,
    plan: str | None = None,
    *,
    sheet: str | None = None,
    today: date | None = None,
    overrides: Mapping[str, str] | None = None,
    on_row: Callable[[int], None] | None = None,
    status_words: Mapping[str, State] | None = None,
) -> list[PlanFile]:
    from python_calamine import CalamineWorkbook

    path = Path(path)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for every kind of damage
        raise WorkbookError(f"{path.name} is not a workbook I can open ({exc}).") from exc
    try:
        names = list(workbook.sheet_names)
        if sheet is not None and sheet not in names:
            raise WorkbookError(f"{path.name} has no sheet {sheet!r}; its sheets are: {', '.join(names)}.")
        results: list[PlanFile] = []
        skipped: list[str] = []
        count = 0
        for name in [sheet] if sheet else names:
            try:
                rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
            except Exception as exc:
                raise WorkbookError(f"{path.name}: sheet {name!r} cannot be read ({exc}).") from exc
            rows = [[_value(cell) for cell in row] for row in rows]
            percent = _percent_columns(rows, overrides)
            table = PlanTableReader(plan=plan, default_plan=name, source=f"{path.name}:{name}", overrides=overrides,
                                    today=today, where=lambda line, column, n=name: _location(n, line, column),
                                    status_words=status_words)
            for number, values in enumerate(rows, 1):
                while values and values[-1] is None:
                    values.pop()
                table.feed(number, values, percent)
                count += 1
                if on_row is not None:
                    on_row(count)
            plan_file = table.finish()
            if plan_file.rows or sheet is not None:
                results.append(plan_file)
            else:
                skipped.append(name)
    finally:
        workbook.close()
    return workbook_results(results, skipped, path, plan)


def _value(cell: Any) -> Any:
    """Calamine's cell as the other readers give it: "" -> None, whole floats -> int."""
    if cell == "" or cell is None:
        return None
    if isinstance(cell, float) and cell.is_integer():
        return int(cell)
    if isinstance(cell, datetime) and cell.time() == time(0):
        return cell.date()
    return cell


def _percent_columns(rows: list[list[Any]], overrides: Mapping[str, str] | None) -> frozenset[int]:
    """The progress column, when every number in it is a fraction (Excel's 25% is 0.25)."""
    for index, values in enumerate(rows[:40]):
        mapped = looks_like_header(values, overrides)
        if mapped is None or "progress" not in mapped.fields:
            continue
        column = mapped.fields["progress"]
        numbers = [row[column] for row in rows[index + 1:] if column < len(row)
                   and isinstance(row[column], (int, float)) and not isinstance(row[column], bool)]
        if numbers and all(0 <= n <= 1 for n in numbers) and any(isinstance(n, float) for n in numbers):
            return frozenset({column})
        return frozenset()
    return frozenset()
