"""Read a CSV of actions into a `PlanFile` of plain rows. Nothing is written anywhere.

What people export from Excel or Pentana varies: UTF-8 with or without a BOM, or
Windows-1252; commas, semicolons or tabs; headers in any case and with many names (mapped by
meaning in bot.planfiles.columns). The header need not be the first row: title rows above it
are read as the plan's title. Rows that cannot be read are reported with their line number,
and the rest are still read (bot.planfiles.table).
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from pathlib import Path

from bot.domain.model import State
from bot.planfiles.model import PlanFile
from bot.planfiles.table import PlanTableReader
from bot.planfiles.values import parse_due_value, parse_progress, section_of

__all__ = ["decode_bytes", "parse_due_value", "parse_progress", "read_plan_csv", "read_plan_text", "section_of",
           "sniff_delimiter"]

logger = logging.getLogger(__name__)


def read_plan_csv(
    path: str | Path,
    plan: str | None = None,
    *,
    today: date | None = None,
    overrides: Mapping[str, str] | None = None,
    on_row: Callable[[int], None] | None = None,
    status_words: Mapping[str, State] | None = None,
) -> PlanFile:
    """Read a CSV of actions. `plan` names the plan, overriding any Plan column.

    Pass `today` to also read relative due phrases ("next Friday"); without it, dates that
    name their year (31-Aug-2023, Aug-23, Q4 2025/26) are read and other values kept as text.
    """
    path = Path(path)
    text = decode_bytes(path.read_bytes())
    return read_plan_text(text, plan=plan, source=path.name, default_plan=path.stem, today=today,
                          overrides=overrides, on_row=on_row, status_words=status_words)


def decode_bytes(data: bytes) -> str:
    """UTF-8 (with or without BOM); UTF-16 with a BOM (Excel's "Unicode text") or without one
    (every other byte zero); else Windows-1252 (what Excel on Windows saves as "CSV")."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace").lstrip("\ufeff")
    sample = data[:400]
    if len(sample) >= 4 and sample[1::2].count(0) > len(sample) // 4 and sample[0::2].count(0) == 0:
        return data[: len(data) // 2 * 2].decode("utf-16-le", errors="replace")
    if len(sample) >= 4 and sample[0::2].count(0) > len(sample) // 4 and sample[1::2].count(0) == 0:
        return data[: len(data) // 2 * 2].decode("utf-16-be", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def sniff_delimiter(text: str) -> str:
    """Comma, semicolon or tab, judged on the header line (cells rarely hold those there)."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {delim: header.count(delim) for delim in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_plan_text(
    text: str,
    *,
    plan: str | None = None,
    source: str | None = None,
    default_plan: str = "Imported plan",
    today: date | None = None,
    overrides: Mapping[str, str] | None = None,
    on_row: Callable[[int], None] | None = None,
    status_words: Mapping[str, State] | None = None,
) -> PlanFile:
    """Read CSV text (already decoded) into a PlanFile."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    table = PlanTableReader(plan=plan, default_plan=default_plan, source=source, overrides=overrides, today=today,
                            status_words=status_words)
    records = _records(reader)
    count = 0
    while True:
        try:
            line, cells = next(records)
        except StopIteration:
            break
        except csv.Error as exc:  # e.g. a cell over the csv module's field size limit
            table.problem(reader.line_num, f"I could not split this line into cells ({exc}); "
                                           f"the rest of the file was not read.")
            break
        table.feed(line, cells)
        count += 1
        if on_row is not None:
            on_row(count)
    result = table.finish()
    logger.info("read plan file", extra={"source": source, "plan": result.plan_name, "rows": len(result.rows),
                                         "problems": len(result.problems)})
    return result


def _records(reader: Iterator[list[str]]) -> Iterator[tuple[int, list[str]]]:
    """Records with the line each starts on (quoted cells may span lines)."""
    line = 1
    for cells in reader:
        start = line
        line = getattr(reader, "line_num", line) + 1
        yield start, cells
