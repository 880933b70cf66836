"""Read a CSV of actions into a `PlanFile` of plain rows. Nothing is written anywhere.

What people export from Excel or Pentana varies: UTF-8 with or without a BOM, or
Windows-1252; commas, semicolons or tabs; headers in any case and with a few usual names.
Rows that cannot be read are reported as problems with their line number, and the rest are
still read.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

from bot.domain.codes import code_number, normalise
from bot.domain.dates import parse_date_phrase
from bot.domain.model import State
from bot.domain.status import section_sort_key
from bot.planfiles.model import FileNote, FileProblem, ImportRow, PlanFile, SectionRow

logger = logging.getLogger(__name__)

# Canonical column -> header names it is known by (compared after `_header_key`).
# A later issue maps columns by meaning; this table is the seam it replaces.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "plan": ("plan", "plan name"),
    "section": ("section", "section code", "section no", "section number"),
    "section_title": ("section title", "section name"),
    "code": ("code", "action code", "action ref", "ref"),
    "title": ("action title", "title", "action"),
    "responsibility": ("responsibility", "owner", "lead", "responsible", "agency"),
    "due": ("due date", "due"),
    "original_due": ("original due date", "original due"),
    "update": ("latest status update", "status update", "latest update", "update", "notes", "note"),
    "progress": ("status progress", "progress", "% complete", "percent complete", "complete"),
    "state": ("state", "status"),
}
_ALIAS_TO_COLUMN = {alias: column for column, aliases in COLUMN_ALIASES.items() for alias in aliases}

_STATE_WORDS: dict[str, State] = {
    "cancelled": State.CANCELLED,
    "canceled": State.CANCELLED,
    "completed": State.COMPLETED,
    "complete": State.COMPLETED,
    "done": State.COMPLETED,
    "in progress": State.IN_PROGRESS,
    "started": State.IN_PROGRESS,
    "not started": State.NOT_STARTED,
}
# Statuses a report derives (see the seed's legend); they say nothing to store.
_DERIVED_STATUS_WORDS = frozenset({"overdue", "unassigned", "assigned", "check progress"})

# UK day-first formats, as committee spreadsheets write them.
_DATE_FORMATS = (
    "%d-%b-%Y",  # 31-Aug-2023 (the Actions Report export)
    "%d-%B-%Y",
    "%d %b %Y",
    "%d %B %Y",
    "%d/%m/%Y",
    "%d.%m.%Y",
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M:%S",  # Excel date cells saved as CSV
    "%d-%b-%y",
    "%d/%m/%y",
)
_PROGRESS = re.compile(r"^(\d{1,3})\s*%?$")
_SPACES = re.compile(r"\s+")
_SECTION_NUMBER = re.compile(r"\d+(?:\.\d+)*")


def read_plan_csv(path: str | Path, plan: str | None = None, *, today: date | None = None) -> PlanFile:
    """Read a CSV of actions. `plan` names the plan, overriding any Plan column.

    Pass `today` to read messy due dates ("end of March 2024"); without it only plain dates
    (31-Aug-2023, 31/08/2023, 2023-08-31) are dates and other values are kept as text.
    """
    path = Path(path)
    text = decode_bytes(path.read_bytes())
    return read_plan_text(text, plan=plan, source=path.name, default_plan=path.stem, today=today)


def decode_bytes(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 (what Excel on Windows saves as "CSV")."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
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
) -> PlanFile:
    """Read CSV text (already decoded) into a PlanFile."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    records = list(_records(reader))
    if not records:
        return _unreadable(plan or default_plan, source, 0,
                           "The file is empty; export the plan with a header row and one row per action.")
    header_line, header = records[0]
    columns = _map_header(header)
    if "code" not in columns:
        return _unreadable(
            plan or default_plan, source, header_line,
            f"Line {header_line} has no Code column, so I can't tell which action each row is. "
            f"I read these headers: {', '.join(h.strip() for h in header if h.strip())}. "
            f"Name the column of action codes (e.g. HSCM COMM AP2.5.1) Code.",
        )

    file_plans = [_cell(cells, columns, "plan") for _, cells in records[1:]]
    plan_name = _clean(plan) or next((p for p in file_plans if p), None) or default_plan
    result = PlanFile(
        plan_name=plan_name,
        plan_title=plan_name,
        source=source,
        columns=frozenset(columns),
    )
    section_titles: dict[str, str] = {}
    seen_codes: dict[str, int] = {}
    for line, cells in records[1:]:
        row = _read_row(line, cells, columns, result, today)
        if row is None:
            continue
        if plan is None and row.plan and row.plan != plan_name:
            result.problems.append(
                FileProblem(line, f"{row.code} belongs to plan {row.plan!r}, but this file is being "
                                  f"imported into {plan_name!r}; import one plan per file.")
            )
            continue
        key = normalise(row.code)
        if key in seen_codes:
            result.problems.append(
                FileProblem(line, f"{row.code} appears again (first on line {seen_codes[key]}); "
                                  f"only the first row was read.")
            )
            continue
        seen_codes[key] = line
        result.rows.append(row)
        title = _cell(cells, columns, "section_title")
        if title or row.section_code not in section_titles:
            section_titles[row.section_code] = title or section_titles.get(row.section_code, "")
    result.sections = [
        SectionRow(code, title or f"Section {code}")
        for code, title in sorted(section_titles.items(), key=lambda item: section_sort_key(item[0]))
    ]
    logger.info(
        "read plan file", extra={"source": source, "plan": plan_name, "rows": len(result.rows),
                                 "problems": len(result.problems)}
    )
    return result


def _unreadable(plan: str, source: str | None, line: int, reason: str) -> PlanFile:
    """A PlanFile with no rows and one problem: the file as a whole could not be read."""
    return PlanFile(plan_name=plan, plan_title=plan, source=source, problems=[FileProblem(line, reason)])


def _records(reader: Iterator[list[str]]) -> Iterator[tuple[int, list[str]]]:
    """Non-blank records with the line each starts on (quoted cells may span lines)."""
    line = 1
    for cells in reader:
        start = line
        line = getattr(reader, "line_num", line) + 1
        if any(cell.strip() for cell in cells):
            yield start, cells


def _header_key(name: str) -> str:
    """`Due Date`, `due_date`, ` DUE  DATE ` -> `due date` (our own export uses snake_case)."""
    return _SPACES.sub(" ", name.replace("\ufeff", "").replace("_", " ").strip().lower())


def _map_header(header: list[str]) -> dict[str, int]:
    """Canonical column -> index; unknown headers (e.g. "Status Icon") are ignored."""
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        column = _ALIAS_TO_COLUMN.get(_header_key(name))
        if column and column not in columns:
            columns[column] = index
    return columns


def _cell(cells: list[str], columns: dict[str, int], column: str) -> str | None:
    index = columns.get(column)
    if index is None or index >= len(cells):
        return None
    return _clean(cells[index])


def _clean(value: str | None) -> str | None:
    """Stripped text, None when empty. Inner line breaks of a cell (long updates) are kept."""
    if value is None:
        return None
    value = value.replace("\ufeff", "").replace("\u00a0", " ").strip()
    return value or None


def _read_row(
    line: int, cells: list[str], columns: dict[str, int], result: PlanFile, today: date | None
) -> ImportRow | None:
    code = _cell(cells, columns, "code")
    code = _SPACES.sub(" ", code) if code else None
    title = _cell(cells, columns, "title")
    if not code:
        if title:
            result.problems.append(FileProblem(line, f"{title[:60]!r} has no code; every action needs one "
                                                     f"(e.g. HSCM COMM AP2.5.1) so it can be updated later."))
        else:
            result.problems.append(FileProblem(line, "The row has neither a code nor an action title; "
                                                     "it may be a continuation of the row above."))
        return None

    section_code = _section_code(_cell(cells, columns, "section")) or section_of(code)
    if not section_code:
        result.problems.append(FileProblem(line, f"I can't tell the section of {code}; add a Section "
                                                 f"column (e.g. 2.5) or use a code like AP2.5.1."))
        return None

    progress_text = _cell(cells, columns, "progress")
    progress: int | None = None
    if progress_text is not None:
        progress = parse_progress(progress_text)
        if progress is None:
            result.problems.append(FileProblem(line, f"{code}: progress {progress_text!r} is not a whole "
                                                     f"number from 0 to 100; write it like 25 or 25%."))
            return None

    due_date: date | None = None
    due_text = _cell(cells, columns, "due")
    if due_text is not None:
        due_date = parse_due_value(due_text, today)
        if due_date is not None:
            due_text = None
        else:
            result.notes.append(FileNote(line, f"{code}: due {due_text!r} is not a date; kept as text."))

    original_due: date | None = None
    original_text = _cell(cells, columns, "original_due")
    if original_text is not None:
        original_due = parse_due_value(original_text, today)
        if original_due is None:
            result.notes.append(FileNote(line, f"{code}: original due {original_text!r} is not a date; left empty."))

    state: State | None = None
    state_text = _cell(cells, columns, "state")
    if state_text is not None:
        word = _header_key(state_text)
        state = _STATE_WORDS.get(word)
        if state is None and word not in _DERIVED_STATUS_WORDS:
            result.notes.append(FileNote(line, f"{code}: state {state_text!r} not understood; "
                                               f"the state follows progress."))

    return ImportRow(
        line=line,
        code=code,
        section_code=section_code,
        title=title or "",
        responsibility=_cell(cells, columns, "responsibility"),
        due_date=due_date,
        due_text=due_text,
        original_due_date=original_due,
        progress=progress,
        update=_cell(cells, columns, "update"),
        state=state,
        plan=_cell(cells, columns, "plan"),
    )


def _section_code(cell: str | None) -> str:
    """The number in a Section cell: `2.5`, `AP2.5`, `2.5 Sample Testing` -> `2.5`."""
    match = _SECTION_NUMBER.search(cell or "")
    return match.group(0) if match else ""


def section_of(code: str) -> str:
    """`HSCM COMM AP2.5.1` -> `2.5`, `AP2.10.1a` -> `2.10`; "" when the code has one number."""
    number = code_number(code)
    return number.rsplit(".", 1)[0] if "." in number else ""


def parse_progress(text: str) -> int | None:
    """`25%` or `25` -> 25; anything else (fractions, `140%`, `abc`) -> None."""
    match = _PROGRESS.match(text.strip())
    if not match:
        return None
    value = int(match.group(1))
    return value if 0 <= value <= 100 else None


def parse_due_value(text: str, today: date | None = None) -> date | None:
    """A due cell as a date, or None when it is not one ("Ongoing", "TBC").

    With `today`, any phrase `bot.domain.dates.parse_date_phrase` understands is a date
    ("end of March 2024", and relative ones like "next Friday", which need today). Without it,
    only the plain formats of `_DATE_FORMATS`: the reader never reads the clock itself.
    """
    if today is not None:
        return parse_date_phrase(text, today)
    return _parse_date(text)


def _parse_date(text: str) -> date | None:
    cleaned = text.strip()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
    return None
