"""Rows of cells -> a PlanFile: the one reading of a plan table that every format shares.

A reader (CSV, XLSX, the text "Actions Report" export) only turns its file into rows of
cells; `PlanTableReader.feed` then decides what each row is:

- a section heading (`## 2.1 Governance`, `**2.6 Strategy**`, `2.2 Roles`, `Proposal 1.1 ...`);
- a header row (`Code | Action Title | Responsibility ...`, read by meaning; it may repeat,
  with other names, as in the seed's `Agency`);
- a section rollup (`HSCM COMM AP2.1 | 2.1 Governance Structure | 29-Feb-2024 | 100%`): section
  data, not an action;
- an action, or the continuation of the one above (plans without codes, where the export
  split a long row), or a row split off an action by the export (only a date and a percent);
- noise (`**APPENDIX 1**`, the legend, prose): skipped.

Actions without codes (files with no code column) get stable codes from their section:
`AP<section>.<n>`, where n is the task's own number when the plan numbers its tasks.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from bot.domain.codes import code_number, normalise
from bot.domain.model import State
from bot.domain.status import section_sort_key
from bot.planfiles.columns import ColumnMap, header_key, looks_like_header
from bot.planfiles.model import FileNote, FileProblem, ImportRow, PlanFile, SectionRow
from bot.planfiles.values import clean_text, parse_due_value, parse_progress, section_of

_HEADING = re.compile(
    r"^(?:#{1,6}\s*)?(?:\*\*)?\s*(?:(?:proposal|section|objective|theme|area|indicator)\s+)?"
    r"(\d{1,3}(?:\.\d{1,3})+|\d{1,3}(?=\.?\s+[A-Za-z]))\.?\s*(.*?)\s*(?:\*\*)?$",
    re.IGNORECASE,
)
_DOC_TITLE = re.compile(r"^#\s+(.+)$")
# A heading above sections ("Key Feature 3"): it ends the table above it, and is not a section.
_PART_HEADING = re.compile(r"^(?:\*\*)?(?:key feature|part|chapter|theme|outcome|priority)\s+\d{1,3}\b", re.IGNORECASE)
_NUMBERED = re.compile(r"^(\d{1,3})[.)]\s")
_DASHES = re.compile(r"^[-\u2013:|\s]+$")
_TEXT_FIELDS = ("title", "responsibility", "update")
# Storage column sizes (storage/tables.py): longer values are refused or shortened here, with a
# sentence, rather than failing the whole import on PostgreSQL.
MAX_CODE, MAX_DUE_TEXT, MAX_PLAN_NAME = 100, 200, 200

STATE_WORDS: dict[str, State] = {
    "cancelled": State.CANCELLED, "canceled": State.CANCELLED, "completed": State.COMPLETED,
    "complete": State.COMPLETED, "done": State.COMPLETED, "in progress": State.IN_PROGRESS,
    "started": State.IN_PROGRESS, "not started": State.NOT_STARTED,
}  # fmt: skip
# Statuses a report derives (see the seed's legend); they say nothing to store.
DERIVED_STATUS_WORDS = frozenset({"overdue", "unassigned", "assigned", "check progress"})


@dataclass
class _Draft:
    """An action row being read; continuation rows still append to its text."""

    line: int
    where: str
    code: str | None
    section: str
    values: dict[str, object] = field(default_factory=dict)
    percent: bool = False
    generated: bool = False
    plan: str | None = None
    columns: dict[str, int] = field(default_factory=dict)  # field -> column index, for cell references


@dataclass
class _Table:
    columns: ColumnMap
    compact: bool  # header with gaps (PDF-to-text): cells are read in order, gaps ignored
    order: list[str]  # fields in column order, for compact rows
    numbered: bool = False
    last: _Draft | None = None


class PlanTableReader:
    """Feed rows of cells; `finish()` returns the PlanFile. One instance per plan."""

    def __init__(
        self,
        *,
        plan: str | None,
        default_plan: str,
        source: str | None,
        overrides: Mapping[str, str] | None = None,
        today: date | None = None,
        where: Callable[[int, int | None], str] | None = None,
    ) -> None:
        self.plan = plan
        self.default_plan = default_plan
        self.source = source
        self.overrides = dict(overrides or {})
        self.today = today
        self._where = where or (lambda line, column: "")
        self.mappings: list[ColumnMap] = []
        self.doc_title: str | None = None
        self._table: _Table | None = None
        self._section: tuple[str, str] | None = None
        self._section_titles: dict[str, str] = {}
        self._reported: dict[str, tuple[str, int | None, date | None]] = {}
        self._drafts: list[_Draft] = []
        self._problems: list[FileProblem] = []
        self._notes: list[FileNote] = []
        self._pending_split: tuple[int, str, object, object] | None = None
        self._counters: dict[str, int] = {}
        self._noise = 0

    # --- feeding -------------------------------------------------------------------------------

    def feed(self, line: int, cells: Sequence[object], percent_columns: frozenset[int] = frozenset()) -> None:
        filled = [i for i, cell in enumerate(cells) if cell is not None and str(cell).strip()]
        if not filled:
            return
        if all(isinstance(cells[i], str) and _DASHES.match(str(cells[i])) for i in filled):
            return  # a Markdown table rule
        if len(filled) == 1 and self._heading_or_noise(line, cells, filled[0]):
            return
        mapped = looks_like_header(cells, self.overrides)
        if mapped is not None:
            self._start_table(mapped, cells)
            return
        if self._table is None:
            self._noise += 1
            return
        self._data_row(line, cells, filled, percent_columns)

    def _heading_or_noise(self, line: int, cells: Sequence[object], index: int) -> bool:
        """True when a one-cell row was a heading, a title or noise (not a continuation)."""
        text = clean_text(cells[index]) or ""
        heading = _HEADING.match(text)
        if heading and not heading.group(2).startswith("%"):
            number, title = heading.group(1), heading.group(2).strip(" *#")
            self._section = (number, title)
            if title or number not in self._section_titles:
                self._section_titles[number] = title
            if self._codeless():
                self._table = None  # plans without codes repeat their header under each section
            return True
        if _PART_HEADING.match(text):
            if self._codeless():
                self._table = None
            self._section = None
            return True
        if self._section and not self._section_titles.get(self._section[0]) and (
            self._table is None or self._codeless()
        ):
            self._section_titles[self._section[0]] = text.strip(" *#")  # "Proposal 1.2" then its title
            return True
        title = _DOC_TITLE.match(text)
        if self._table is None and not self._drafts and (title or self.doc_title is None):
            if title or not self.doc_title:
                self.doc_title = (title.group(1) if title else text).strip(" *#") or None
            return True
        if self._table is not None and self._table.last is not None and len(cells) > 1 and self._codeless():
            return False  # a piece of the row above (the export split it)
        self._noise += 1
        return True

    def _start_table(self, mapped: ColumnMap, cells: Sequence[object]) -> None:
        filled = [i for i, cell in enumerate(cells) if cell is not None and str(cell).strip()]
        compact = filled != list(range(filled[0], filled[-1] + 1))
        order = [name for name, _ in sorted(mapped.fields.items(), key=lambda item: item[1])]
        self._table = _Table(columns=mapped, compact=compact, order=order)
        if not any(m.how == mapped.how for m in self.mappings):
            self.mappings.append(mapped)

    def _codeless(self) -> bool:
        return self._table is not None and "code" not in self._table.columns.fields

    def _values(self, cells: Sequence[object], filled: list[int]) -> dict[str, object]:
        assert self._table is not None
        if self._table.compact:
            texts = [cells[i] for i in filled]
            return dict(zip(self._table.order, texts))
        values: dict[str, object] = {}
        for name, index in self._table.columns.fields.items():
            if index < len(cells) and cells[index] is not None and str(cells[index]).strip():
                values[name] = cells[index]
        return values

    def _data_row(self, line: int, cells: Sequence[object], filled: list[int], percent_columns: frozenset[int]) -> None:
        table = self._table
        assert table is not None
        width = len(table.columns.headers)
        if not table.compact and len(cells) > width and not str(cells[0] or "").strip():
            cells, filled = cells[1:], [i - 1 for i in filled]  # a row the export shifted right by one
        values = self._values(cells, filled)
        progress_index = table.columns.fields.get("progress")
        percent = progress_index in percent_columns if progress_index is not None else False
        where = self._where(line, None)
        if "code" in table.columns.fields:
            self._coded_row(line, where, values, percent)
        else:
            self._codeless_row(line, where, values, percent, partial=table.compact and len(filled) < len(table.order))

    def _coded_row(self, line: int, where: str, values: dict[str, object], percent: bool) -> None:
        code = clean_text(values.get("code"))
        title = clean_text(values.get("title"))
        if code and title and self._rollup(code, title, values):
            return
        if not code:
            if title:
                self._problem(line, where, f"{title[:60]!r} has no code; every action needs one "
                                           f"(e.g. HSCM COMM AP2.5.1) so it can be updated later.")
            elif set(values) & {"due", "progress"} and not set(values) & {"responsibility", "update"}:
                self._flush_split()
                self._pending_split = (line, where, values.get("due"), values.get("progress"))
            else:
                self._problem(line, where, "The row has neither a code nor an action title; "
                                           "it may be a continuation of the row above.")
            return
        if self._pending_split is not None:
            self._check_split(code, values)
        section = self._section_cell(values) or section_of(code) or (self._section[0] if self._section else "")
        assert self._table is not None
        columns = {} if self._table.compact else self._table.columns.fields
        draft = _Draft(line, where, code, section, values, percent, columns=columns)
        self._drafts.append(draft)

    def _codeless_row(self, line: int, where: str, values: dict[str, object], percent: bool, partial: bool) -> None:
        table = self._table
        assert table is not None
        title = clean_text(values.get("title"), keep_lines=True) or ""
        numbered = _NUMBERED.match(title)
        if table.last is None and numbered:
            table.numbered = True
        last = table.last
        continues = last is not None and (
            partial
            or (table.numbered and not numbered)
            or (not table.numbered and not set(values) & {"due", "responsibility", "progress"})
        )
        if continues and last is not None:
            self._append(last, values, partial)
            self._notes.append(FileNote(line, f"{where}continues the row of line {last.line} "
                                              f"(the export split it); joined to {last.code}."))
            return
        if not title:
            self._problem(line, where, "The row has no action title; I read nothing from it.")
            return
        section = self._section_cell(values) or (self._section[0] if self._section else "1")
        if numbered and table.numbered:
            number = int(numbered.group(1))
        else:
            number = self._counters.get(section, 0) + 1
        self._counters[section] = max(self._counters.get(section, 0), number)
        draft = _Draft(line, where, f"AP{section}.{number}", section, values, percent, generated=True)
        self._drafts.append(draft)
        table.last = draft

    def _append(self, draft: _Draft, values: dict[str, object], partial: bool) -> None:
        if partial and len(values) == 1:
            # One stray piece of a PDF-split row: it ends the longest text of the row above.
            text = next(iter(values.values()))
            target = max(_TEXT_FIELDS, key=lambda name: len(str(draft.values.get(name) or "")))
            values = {target: text}
        for name, value in values.items():
            old = draft.values.get(name)
            if name in _TEXT_FIELDS and old:
                draft.values[name] = f"{old}\n{value}"
            elif not old:
                draft.values[name] = value

    def _rollup(self, code: str, title: str, values: dict[str, object]) -> bool:
        """A row like `HSCM COMM AP2.1 | 2.1 Governance Structure | 29-Feb-2024 | 100%`."""
        number = code_number(code)
        if not re.fullmatch(r"\d+(?:\.\d+)*", number) or not title.startswith(number + " "):
            return False
        progress_text = values.get("progress")
        progress = parse_progress(progress_text) if progress_text is not None else None
        due = parse_due_value(values.get("due"), self.today) if values.get("due") is not None else None
        self._reported[number] = (title[len(number):].strip(), progress, due)
        return True

    def _section_cell(self, values: dict[str, object]) -> str:
        match = re.search(r"\d+(?:\.\d+)*", clean_text(values.get("section")) or "")
        return match.group(0) if match else ""

    def _check_split(self, code: str, values: dict[str, object]) -> None:
        assert self._pending_split is not None
        line, where, due, progress = self._pending_split
        self._pending_split = None
        if "due" not in values and "progress" not in values:
            said = ", ".join(str(v).strip() for v in (due, progress) if v is not None)
            self._problem(line, where, f"The row has neither a code nor an action title, only {said}: it looks "
                                       f"split off {code} by the export ({code}'s own due date and progress are "
                                       f"empty). Not imported; check it and update {code} by hand.")
        else:
            self._problem(line, where, "The row has neither a code nor an action title; "
                                       "it may be a continuation of the row above.")

    def _flush_split(self) -> None:
        if self._pending_split is not None:
            line, where, _, _ = self._pending_split
            self._pending_split = None
            self._problem(line, where, "The row has neither a code nor an action title; "
                                       "it may be a continuation of the row above.")

    def _problem(self, line: int, where: str, reason: str) -> None:
        self._problems.append(FileProblem(line, f"{where}{reason}"))

    def problem(self, line: int, reason: str) -> None:
        """A problem the file's reader found (e.g. a CSV record it could not split)."""
        self._problem(line, self._where(line, None), reason)

    # --- finishing -----------------------------------------------------------------------------

    def finish(self) -> PlanFile:
        self._flush_split()
        plan_cells = [clean_text(d.values.get("plan")) for d in self._drafts]
        plan_name = clean_text(self.plan) or next((p for p in plan_cells if p), None) or self.doc_title \
            or self.default_plan
        plan_name = plan_name[:MAX_PLAN_NAME].strip()
        columns = frozenset(name for m in self.mappings for name in m.fields)
        result = PlanFile(plan_name=plan_name, plan_title=plan_name, source=self.source, columns=columns)
        seen: dict[str, int] = {}
        generated = 0
        for draft in self._drafts:
            row = self._row(draft, result)
            if row is None:
                continue
            if self.plan is None and row.plan and row.plan != plan_name:
                self._problem(draft.line, draft.where, f"{row.code} belongs to plan {row.plan!r}, but this file is "
                                                       f"being imported into {plan_name!r}; import one plan per file.")
                continue
            key = normalise(row.code)
            if key in seen:
                self._problem(draft.line, draft.where, f"{row.code} appears again (first on line {seen[key]}); "
                                                       f"only the first row was read.")
                continue
            seen[key] = draft.line
            generated += draft.generated
            result.rows.append(row)
            title = clean_text(draft.values.get("section_title"))
            if title or row.section_code not in self._section_titles:
                self._section_titles[row.section_code] = title or self._section_titles.get(row.section_code, "")
        if generated:
            first = next(r.code for d, r in zip(self._drafts, result.rows) if d.generated)
            self._notes.insert(0, FileNote(0, f"{generated} rows had no code, so I gave them codes from their "
                                              f"section (e.g. {first}); type those codes to update them."))
        used = {row.section_code for row in result.rows} | set(self._reported)
        result.sections = [
            SectionRow(code, self._reported.get(code, (None,))[0] or self._section_titles.get(code)
                       or ("Actions" if code == "1" and generated else f"Section {code}"),
                       *self._reported.get(code, (None, None, None))[1:])
            for code in sorted(used, key=section_sort_key)
        ]
        result.problems = sorted(self._problems, key=lambda p: p.line)
        result.notes = sorted(self._notes, key=lambda n: n.line)
        result.mappings = [m.describe() for m in self.mappings]
        if not result.rows and not result.problems:
            result.problems.append(FileProblem(0, self._nothing_found()))
        return result

    def _nothing_found(self) -> str:
        if not self.mappings:
            return ("No actions found: I found no header row naming an action column (such as Code, Action "
                    "Title, Task or Improvement Action) in this file. Is it a plan? If its columns have "
                    "other names, say which with --map \"Column=title\".")
        return "No actions found: the file has a header row but no action rows under it."

    def _row(self, draft: _Draft, result: PlanFile) -> ImportRow | None:
        values = {name: clean_text(value, keep_lines=name == "update") if isinstance(value, str) else value
                  for name, value in draft.values.items()}
        values = {name: value for name, value in values.items() if value is not None}
        line, code = draft.line, draft.code or ""
        where = draft.where

        def cell(name: str) -> str:  # "sheet 'Plan' cell F12: " where the reader can say so
            return self._where(line, draft.columns.get(name)) if name in draft.columns else where

        if len(code) > MAX_CODE:
            self._problem(line, where, f"the code {code[:40]!r}... is {len(code)} characters long; a code has at "
                                       f"most {MAX_CODE} (is the Code column the right one? see --dry-run).")
            return None
        if not draft.section:
            self._problem(line, where, f"I can't tell the section of {code}; add a Section column (e.g. 2.5) "
                                       f"or use a code like AP2.5.1.")
            return None
        progress: int | None = None
        if values.get("progress") is not None:
            progress = parse_progress(values["progress"], percent_format=draft.percent)
            if progress is None:
                self._problem(line, cell("progress"), f"{code}: progress {_shown(values['progress'])!r} is not a whole "
                                           f"number from 0 to 100; write it like 25 or 25%.")
                return None
        due_date, due_text = None, clean_text(values.get("due"))
        if values.get("due") is not None:
            due_date = parse_due_value(values["due"], self.today)
            if due_date is not None:
                due_text = None
            elif due_text is not None and len(due_text) > MAX_DUE_TEXT:
                self._notes.append(FileNote(line, f"{cell('due')}{code}: due {due_text[:60]!r}... is not a date; kept as "
                                                  f"text, shortened to {MAX_DUE_TEXT} characters."))
                due_text = due_text[: MAX_DUE_TEXT - 1] + "\u2026"
            else:
                self._notes.append(FileNote(line, f"{cell('due')}{code}: due {due_text!r} is not a date; kept as text."))
        original = None
        if values.get("original_due") is not None:
            original = parse_due_value(values["original_due"], self.today)
            if original is None:
                self._notes.append(FileNote(line, f"{cell('original_due')}{code}: original due {_shown(values['original_due'])!r} "
                                                  f"is not a date; left empty."))
        state = None
        if values.get("state") is not None:
            word = header_key(values["state"])
            state = STATE_WORDS.get(word)
            if state is None and word not in DERIVED_STATUS_WORDS:
                self._notes.append(FileNote(line, f"{cell('state')}{code}: state {_shown(values['state'])!r} not understood; "
                                                  f"the state follows progress."))
        return ImportRow(
            line=line,
            code=" ".join(code.split()),
            section_code=draft.section,
            title=clean_text(values.get("title")) or "",
            responsibility=clean_text(values.get("responsibility")),
            due_date=due_date,
            due_text=due_text,
            original_due_date=original,
            progress=progress,
            update=clean_text(values.get("update"), keep_lines=True),
            state=state,
            plan=clean_text(values.get("plan")),
        )


def _shown(value: object) -> str:
    return str(value).strip()
