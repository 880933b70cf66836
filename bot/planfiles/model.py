"""What a plan file says, as plain rows, before anything is written to storage.

A reader (CSV, XLSX, the text export) produces a `PlanFile`; `apply.import_plan`
turns it into actions. Nothing here knows about files, SQL or the clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from bot.domain.model import State


class FileProblem(NamedTuple):
    """A row (or the file) that could not be read; `line` is 1-based, 0 for an empty file.

    A tuple, so callers may write `for line, reason in report.problems`.
    """

    line: int
    reason: str

    def __str__(self) -> str:
        if self.reason.startswith("sheet "):  # a workbook's reason names its sheet and row itself
            return self.reason
        return f"line {self.line}: {self.reason}" if self.line else self.reason


class FileNote(NamedTuple):
    """Something read but worth telling the importer, e.g. a due value kept as text."""

    line: int
    message: str

    def __str__(self) -> str:
        if self.message.startswith("sheet "):
            return self.message
        return f"line {self.line}: {self.message}" if self.line else self.message


@dataclass(frozen=True)
class SectionRow:
    code: str
    title: str
    reported_progress: int | None = None  # the file's own rollup (seed 000's table at the end)
    reported_due: date | None = None


@dataclass(frozen=True)
class ImportRow:
    """One action as a file states it. Values are already typed; nothing is derived yet."""

    line: int
    code: str
    section_code: str
    title: str
    responsibility: str | None = None
    due_date: date | None = None
    due_text: str | None = None  # a due value that is not a date ("Ongoing", "TBC")
    original_due_date: date | None = None
    progress: int | None = None
    update: str | None = None
    state: State | None = None  # only when the file has an explicit State/Status column
    plan: str | None = None  # the row's own Plan cell, when the file has one
    # What the tracker says beside our status (bot.domain.model.FILE_FIELDS).
    rag: str | None = None
    direction: str | None = None
    priority: str | None = None
    recommendation: str | None = None
    recurring: str | None = None  # "Monthly", "Quarterly": a timescale that repeats, not a date
    file_status: str | None = None  # a status word we did not know, kept as written
    proposed_for_closure: bool = False


@dataclass
class PlanFile:
    plan_name: str
    plan_title: str
    sections: list[SectionRow] = field(default_factory=list)
    rows: list[ImportRow] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)
    notes: list[FileNote] = field(default_factory=list)
    source: str | None = None  # file name, for history source_ref
    # Canonical columns the file has ("code", "progress", "due", ...). A column the file lacks
    # leaves that field of an existing action alone; an empty cell in a column it has clears it.
    columns: frozenset[str] = frozenset()
    # How each distinct header row was read ("'Agency' -> responsibility ..."), for --dry-run.
    mappings: list[list[str]] = field(default_factory=list)
    # Every data row (a row under a header that is not blank, a heading or a header again) is
    # accounted for: an action (`rows`), a problem, or one of these, with its line.
    data_rows: int = 0
    refused_rows: int = 0  # data rows not imported, each with a problem naming it
    joined: list[FileNote] = field(default_factory=list)  # continuations joined to the action above
    rollup_lines: list[int] = field(default_factory=list)  # the file's own section rollups
    skipped: list[FileNote] = field(default_factory=list)  # rows that are not actions (a legend, a note)

    @property
    def has_reported_rollups(self) -> bool:
        return any(s.reported_progress is not None or s.reported_due is not None for s in self.sections)
