"""Read a plan kept as tables in a Word document (`.docx`), as seeds 002 and 003 began.

The document is read in order: a paragraph is a one-cell row (a title, a section heading
such as `2.1 Governance` or `Objective 3`, or prose, which the table reading skips), and each
table row is a row of cells. A cell merged across columns appears once; a cell merged down
(a ref over several sub-actions) appears in its first row only, as Excel's do. Lines are
numbered in reading order, and a problem names its table and row (`table 2 row 5`).
python-docx is imported here only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from bot.domain.model import State
from bot.planfiles.model import PlanFile
from bot.planfiles.table import PlanTableReader


class DocumentError(ValueError):
    """The file is not a Word document python-docx can open."""


def read_plan_docx(
    path: str | Path,
    plan: str | None = None,
    *,
    today: date | None = None,
    overrides: Mapping[str, str] | None = None,
    on_row: Callable[[int], None] | None = None,
    status_words: Mapping[str, State] | None = None,
) -> PlanFile:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    path = Path(path)
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, OSError) as exc:
        raise DocumentError(f"{path.name} is not a Word document I can open ({exc}).") from exc
    places: dict[int, str] = {}
    table = PlanTableReader(plan=plan, default_plan=path.stem, source=path.name, overrides=overrides, today=today,
                            where=lambda line, column: places.get(line, f"line {line}: "), status_words=status_words)
    for line, (place, cells) in enumerate(_blocks(document), 1):
        places[line] = place
        table.feed(line, cells)
        if on_row is not None:
            on_row(line)
    return table.finish()


def _blocks(document: Any) -> Iterator[tuple[str, list[Any]]]:
    """(where, cells) for every paragraph and table row, in the order the document has them."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    tables = 0
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            text = block.text.strip()
            if text:
                yield f"paragraph {text[:30]!r}: ", [text]
        elif isinstance(block, Table):
            tables += 1
            for number, row in enumerate(block.rows, 1):
                yield f"table {tables} row {number}: ", _row_cells(row)


def _row_cells(row: Any) -> list[Any]:
    """The row's cells on the table's grid: a cell merged across columns holds its text in its
    first column (the others empty), a cell merged down holds it in its first row only."""
    from docx.table import _Cell

    cells: list[Any] = []
    for tc in row._tr.tc_lst:
        if tc.vMerge == "continue":
            text = ""
        else:
            text = "\n".join(p.text for p in _Cell(tc, row).paragraphs).strip()
        cells.append(text or None)
        cells.extend([None] * (tc.grid_span - 1))
    return cells
