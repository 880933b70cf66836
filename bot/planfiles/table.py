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
Sub-actions listed under one ref (the ref cell merged or left blank below it) get lettered
codes after it (`5a`, `5b`); a ref used again gets a suffix. Sections come from a Section
column, a grouping column (Theme, Objective, Workstream, Item ...), section headings, or
codes like `AP2.5.1`; a plan with none of these has one section.

Every data row is accounted for: an action, joined to the action above, the file's own
section rollup, skipped as not an action, or a problem naming its line (or cell) and why.
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
from bot.planfiles.status_words import read_status
from bot.planfiles.values import clean_text, parse_due_value, parse_progress, recurring_timescale, section_of

_HEADING = re.compile(
    r"^(?:#{1,6}\s*)?(?:\*\*)?\s*(?:(?:proposal|section|objective|theme|area|indicator)\s+)?"
    r"(\d{1,3}(?:\.\d{1,3})+|\d{1,3}(?=\s?[.:)\-\u2013]?\s+[A-Za-z]))\s?[.:)\-\u2013]?\s*(.*?)\s*(?:\*\*)?$",
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

MAX_RAG, MAX_PRIORITY, MAX_FILE_STATUS = 40, 100, 200
ONE_SECTION = ("1", "Actions")  # the section of a plan that has none


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
    parent: "_Draft | None" = None  # a sub-action listed under this ref (merged or blank ref cell)
    subs: int = 0  # sub-actions listed under this one
    section_from: str = ""  # "column", "group", "heading" or "" (from the code, decided at the end)


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
        status_words: Mapping[str, State] | None = None,
        loose: bool = False,
    ) -> None:
        """`status_words`: the team's own status words (bot.planfiles.status_words); `loose`: the
        rows come from text split on tabs (a PDF or Word copy), where one action may be split
        over several rows; in a real table (CSV, workbook, Word table) each titled row is one."""
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
        self.status_words = dict(status_words or {})
        self.loose = loose
        self._data_lines: set[int] = set()
        self._joined: list[FileNote] = []
        self._rollup_lines: list[int] = []
        self._skipped: list[FileNote] = []
        self._groups: dict[str, tuple[str, str]] = {}  # group cell (folded) -> (section code, title)

    # --- feeding -------------------------------------------------------------------------------

    def feed(self, line: int, cells: Sequence[object], percent_columns: frozenset[int] = frozenset()) -> None:
        filled = [i for i, cell in enumerate(cells) if cell is not None and str(cell).strip()]
        if not filled:
            return
        if all(isinstance(cells[i], str) and _DASHES.match(str(cells[i])) for i in filled):
            return  # a Markdown table rule
        if len(filled) == 1 and not self._sub_action_cell(filled[0]) and self._heading_or_noise(line, cells, filled[0]):
            return
        mapped = looks_like_header(cells, self.overrides)
        if mapped is not None:
            self._start_table(mapped, cells)
            return
        if self._table is None:
            self._noise += 1
            return
        self._data_lines.add(line)
        self._data_row(line, cells, filled, percent_columns)

    def _sub_action_cell(self, index: int) -> bool:
        """A lone cell in the title column of a coded table (not its first column): a sub-action
        listed under the ref above, not a heading."""
        table = self._table
        return (table is not None and not table.compact and "code" in table.columns.fields
                and index != 0 and index == table.columns.fields.get("title"))

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
        if self._table is not None:
            self._data_lines.add(line)
            self._skipped.append(FileNote(line, f"{self._where(line, index)}{text[:60]!r} is a lone cell under the "
                                                f"table, not an action; skipped."))
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
        for index in self._table.columns.more_updates:
            if index < len(cells) and cells[index] is not None and str(cells[index]).strip():
                more = str(cells[index]).strip()
                values["update"] = f"{values['update']}\n{more}" if values.get("update") else more
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
        if code and title and self._rollup(line, code, title, values):
            return
        assert self._table is not None
        columns = {} if self._table.compact else self._table.columns.fields
        if not code:
            parent = self._table.last
            if title and parent is not None and not parent.generated:
                # A sub-action under the ref above (its ref cell merged or left blank): lettered later.
                for name in ("responsibility", "due", "group", "section"):  # merged down beside it
                    if name not in values and name in parent.values:
                        values[name] = parent.values[name]
                self._flush_split()
                draft = _Draft(line, where, None, parent.section, values, percent, columns=columns, parent=parent,
                               section_from=parent.section_from)
                parent.subs += 1
                self._drafts.append(draft)
                return
            if title:
                self._codeless_row(line, where, values, percent, partial=False)
                return
            if set(values) & {"due", "progress"} and not set(values) & {"responsibility", "update"}:
                self._flush_split()
                self._pending_split = (line, where, values.get("due"), values.get("progress"))
            else:
                self._problem(line, where, "The row has neither a code nor an action title; "
                                           "it may be a continuation of the row above.")
            return
        if self._pending_split is not None:
            self._check_split(code, values)
        section, section_from = self._section_for(values)
        draft = _Draft(line, where, code, section, values, percent, columns=columns, section_from=section_from)
        self._drafts.append(draft)
        self._table.last = draft

    def _section_for(self, values: dict[str, object]) -> tuple[str, str]:
        """(section code, where it came from): a Section column, a grouping column, a heading."""
        number = self._section_cell(values)
        if number:
            return number, "column"
        group = clean_text(values.get("section")) or clean_text(values.get("group"))
        if group:
            return self._group_section(group), "group"
        if self._section:
            return self._section[0], "heading"
        return "", ""

    def _group_section(self, group: str) -> str:
        """A grouping cell ("Workforce", "3. Quality") -> its section code, numbered in order of
        first appearance unless the cell numbers itself."""
        key = " ".join(group.lower().split())
        if key not in self._groups:
            numbered = re.match(r"^(?:[A-Za-z]+\s+)?(\d{1,3}(?:\.\d{1,3})*)[.):]?\s+(\S.*)$", group)
            taken = {code for code, _ in self._groups.values()}
            if numbered and numbered.group(1) not in taken:
                code, title = numbered.group(1), numbered.group(2)
            else:
                code = str(len(self._groups) + 1)
                while code in taken:
                    code = str(int(code) + 1)
                title = group
            self._groups[key] = (code, title[:200])
            self._section_titles[code] = title[:200]
        return self._groups[key][0]

    def _codeless_row(self, line: int, where: str, values: dict[str, object], percent: bool, partial: bool) -> None:
        table = self._table
        assert table is not None
        title = clean_text(values.get("title"), keep_lines=True) or ""
        numbered = _NUMBERED.match(title)
        if table.last is None and numbered:
            table.numbered = True
        last = table.last
        if self.loose or table.compact:
            continues = last is not None and (
                partial
                or (table.numbered and not numbered)
                or (not table.numbered and not set(values) & {"due", "responsibility", "progress"})
            )
        else:  # a real table: a row with a title is an action; one without continues the row above
            continues = last is not None and not title and not set(values) & {"code"}
        if continues and last is not None:
            self._append(last, values, partial)
            self._joined.append(FileNote(line, f"{where}continues the row of line {last.line} "
                                               f"(the export split it); joined to {last.code}."))
            return
        if not title:
            self._problem(line, where, "The row has no action title; I read nothing from it.")
            return
        section, section_from = self._section_for(values)
        section = section or ONE_SECTION[0]
        if numbered and table.numbered:
            number = int(numbered.group(1))
        else:
            number = self._counters.get(section, 0) + 1
        self._counters[section] = max(self._counters.get(section, 0), number)
        draft = _Draft(line, where, f"AP{section}.{number}", section, values, percent, generated=True,
                       section_from=section_from or "heading")
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

    def _rollup(self, line: int, code: str, title: str, values: dict[str, object]) -> bool:
        """A row like `HSCM COMM AP2.1 | 2.1 Governance Structure | 29-Feb-2024 | 100%`."""
        number = code_number(code)
        if not re.fullmatch(r"\d+(?:\.\d+)*", number) or not title.startswith(number + " "):
            return False
        progress_text = values.get("progress")
        progress = parse_progress(progress_text) if progress_text is not None else None
        due = parse_due_value(values.get("due"), self.today) if values.get("due") is not None else None
        self._reported[number] = (title[len(number):].strip(), progress, due)
        self._rollup_lines.append(line)
        return True

    def _section_cell(self, values: dict[str, object]) -> str:
        match = re.fullmatch(r"\s*(?:[A-Za-z]{1,10}\s*)?(\d+(?:\.\d+)*)\.?\s*", clean_text(values.get("section")) or "")
        return match.group(1) if match else ""

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
        self._fractions()
        self._name_sub_actions()
        self._suffix_repeats()
        self._settle_sections()
        plan_cells = [clean_text(d.values.get("plan")) for d in self._drafts]
        plan_name = clean_text(self.plan) or next((p for p in plan_cells if p), None) or self.doc_title \
            or self.default_plan
        plan_name = plan_name[:MAX_PLAN_NAME].strip()
        columns = frozenset(name for m in self.mappings for name in m.fields)
        result = PlanFile(plan_name=plan_name, plan_title=plan_name, source=self.source, columns=columns)
        seen: dict[str, int] = {}
        generated: list[str] = []
        for draft in self._drafts:
            row = self._row(draft, result)
            if row is None:
                continue
            if self.plan is None and row.plan and row.plan != plan_name:
                self._problem(draft.line, draft.where, f"{row.code} belongs to plan {row.plan!r}, but this file is "
                                                       f"being imported into {plan_name!r}; import one plan per file.")
                continue
            key = normalise(row.code)
            if key in seen:  # only when a suffix could not be found
                self._problem(draft.line, draft.where, f"{row.code} appears again (first on line {seen[key]}); "
                                                       f"only the first row was read.")
                continue
            seen[key] = draft.line
            if draft.generated:
                generated.append(row.code)
            result.rows.append(row)
            title = clean_text(draft.values.get("section_title"))
            if title or row.section_code not in self._section_titles:
                self._section_titles[row.section_code] = title or self._section_titles.get(row.section_code, "")
        if generated:
            self._notes.insert(0, FileNote(0, f"{len(generated)} rows had no code, so I gave them codes from their "
                                              f"section (e.g. {generated[0]}); type those codes to update them."))
        used = {row.section_code for row in result.rows} | set(self._reported)
        result.sections = [
            SectionRow(code, self._reported.get(code, (None,))[0] or self._section_titles.get(code)
                       or ("Actions" if code == ONE_SECTION[0] and generated else f"Section {code}"),
                       *self._reported.get(code, (None, None, None))[1:])
            for code in sorted(used, key=section_sort_key)
        ]
        result.problems = sorted(self._problems, key=lambda p: p.line)
        result.notes = sorted(self._notes, key=lambda n: n.line)
        result.mappings = [m.describe() for m in self.mappings]
        self._account(result)
        if not result.rows and not result.problems:
            result.problems.append(FileProblem(0, self._nothing_found()))
        return result

    def _account(self, result: PlanFile) -> None:
        """Every data row is an action, joined, a rollup, skipped or a problem; a row that is none
        of these (there should be none) becomes a problem, so the counts always add up."""
        result.joined = sorted(self._joined, key=lambda n: n.line)
        result.rollup_lines = sorted(self._rollup_lines)
        result.skipped = sorted(self._skipped, key=lambda n: n.line)
        result.data_rows = len(self._data_lines)
        placed = {row.line for row in result.rows}
        placed |= {p.line for p in result.problems} | {n.line for n in result.joined} | set(result.rollup_lines)
        placed |= {n.line for n in result.skipped}
        for line in sorted(self._data_lines - placed):
            result.problems.append(FileProblem(line, f"{self._where(line, None)}This row was not read as an action "
                                                     f"and I cannot say why; check it and add it by hand."))
        # A line reported twice (a problem on a row that also became an action) counts once, as the action.
        refused = {p.line for p in result.problems if p.line in self._data_lines} - {r.line for r in result.rows}
        result.refused_rows = len(refused)
        result.data_rows = len(result.rows) + len(refused) + len({n.line for n in result.joined} - refused) \
            + len(result.rollup_lines) + len(result.skipped)

    def _fractions(self) -> None:
        """Progress numbers all between 0 and 1, some not whole, in cells not formatted as %: a
        column of fractions (Excel's 25% without its format), so 1 is 100%, not 1%."""
        plain = [d for d in self._drafts if not d.percent and isinstance(d.values.get("progress"), (int, float))
                 and not isinstance(d.values.get("progress"), bool)]
        numbers = [float(d.values["progress"]) for d in plain]  # type: ignore[arg-type]
        if numbers and all(0 <= n <= 1 for n in numbers) and any(not n.is_integer() for n in numbers):
            for draft in plain:
                draft.percent = True
            self._notes.append(FileNote(0, "Progress numbers are all between 0 and 1, so I read them as fractions "
                                           "(0.5 is 50%, 1 is 100%)."))

    def _name_sub_actions(self) -> None:
        """Sub-actions listed under one ref get lettered codes after it: 5 -> 5a, 5b, 5c."""
        for parent in [d for d in self._drafts if d.subs]:
            subs = [d for d in self._drafts if d.parent is parent]
            base = parent.code or ""
            family = [parent, *subs]
            taken = {normalise(d.code) for d in self._drafts if d.code and d not in family}
            codes = _suffixed(base, len(family), taken)
            self._notes.append(FileNote(parent.line, f"{parent.where}{len(subs)} sub-action(s) are listed under {base} "
                                                     f"with no ref of their own; they are {', '.join(codes)}."))
            for draft, code in zip(family, codes):
                draft.code = code

    def _suffix_repeats(self) -> None:
        """A ref used on more than one row: each row keeps its place, with a suffix (5a, 5b)."""
        by_key: dict[str, list[_Draft]] = {}
        for draft in self._drafts:
            if draft.code:
                by_key.setdefault(normalise(draft.code), []).append(draft)
        taken = set(by_key)
        for drafts in by_key.values():
            if len(drafts) < 2 or any(d.generated for d in drafts):
                continue
            base = drafts[0].code or ""
            codes = _suffixed(base, len(drafts), taken - {normalise(base)})
            taken |= {normalise(c) for c in codes}
            lines = ", ".join(str(d.line) for d in drafts)
            self._notes.append(FileNote(drafts[0].line, f"{drafts[0].where}the ref {base} is used on {len(drafts)} rows "
                                                        f"(lines {lines}); they are {', '.join(codes)}."))
            for draft, code in zip(drafts, codes):
                draft.code = code

    def _settle_sections(self) -> None:
        """Rows with no Section column, group or heading: sections from codes like AP2.5.1 when
        the codes number sections (several actions each); else the plan's one section."""
        open_drafts = [d for d in self._drafts if not d.section]
        if not open_drafts:
            return
        derived = {id(d): section_of(d.code or "") for d in open_drafts}
        numbered = [d for d in open_drafts if derived[id(d)]]
        groups = {derived[id(d)] for d in numbered}
        deep = sum(code_number(d.code or "").count(".") >= 2 for d in numbered)
        structured = bool(numbered) and (deep * 2 >= len(numbered) or len(numbered) >= 2 * len(groups))
        for draft in open_drafts:
            draft.section = derived[id(draft)] if structured and derived[id(draft)] else ONE_SECTION[0]
        if any(d.section == ONE_SECTION[0] for d in open_drafts):
            self._section_titles.setdefault(ONE_SECTION[0], ONE_SECTION[1])

    def _nothing_found(self) -> str:
        if not self.mappings:
            return ("No actions found: I found no header row naming an action column (such as Code, Action "
                    "Title, Task or Improvement Action) in this file. Is it a plan? If its columns have "
                    "other names, say which with --map \"Column=title\".")
        return "No actions found: the file has a header row but no action rows under it."

    def _row(self, draft: _Draft, result: PlanFile) -> ImportRow | None:
        values = {name: clean_text(value, keep_lines=name in ("update", "state", "progress"))
                  if isinstance(value, str) else value for name, value in draft.values.items()}
        values = {name: value for name, value in values.items() if value is not None}
        line, code = draft.line, draft.code or ""
        where = draft.where

        def cell(name: str) -> str:  # "sheet 'Plan' cell F12: " where the reader can say so
            return self._where(line, draft.columns.get(name)) if name in draft.columns else where

        def note(name: str, message: str) -> None:
            self._notes.append(FileNote(line, f"{cell(name)}{code}: {message}"))

        if len(code) > MAX_CODE:
            self._problem(line, where, f"the code {code[:40]!r}... is {len(code)} characters long; a code has at "
                                       f"most {MAX_CODE} (is the Code column the right one? see --dry-run).")
            return None
        section = draft.section or ONE_SECTION[0]
        progress: int | None = None
        narratives: list[str] = []
        status_cells: list[tuple[str, str]] = []  # (field, text) read as status words
        if values.get("progress") is not None:
            raw = values["progress"]
            progress = parse_progress(raw, percent_format=draft.percent)
            if progress is None and isinstance(raw, float) and 0 < raw < 1:
                progress = parse_progress(raw, percent_format=True)  # 0.25 in a cell not formatted as %
                note("progress", f"progress {raw} read as {progress}% (a fraction of 1).")
            if progress is None:
                if isinstance(raw, (int, float)) or re.fullmatch(r"-?\d+(?:\.\d+)?\s*%?", str(raw).strip()):
                    self._problem(line, cell("progress"), f"{code}: progress {_shown(raw)!r} is not a whole "
                                                          f"number from 0 to 100; write it like 25 or 25%.")
                    return None
                status_cells.append(("progress", str(raw)))  # "Complete", or what has been done
        if values.get("state") is not None:
            status_cells.insert(0, ("state", str(values["state"])))
        state: State | None = None
        rag = direction = file_status = None
        closure = False
        for name, text in status_cells:
            reading = read_status(text, self.status_words)
            state = state or reading.state
            rag = rag or reading.rag
            direction = direction or reading.direction
            closure = closure or reading.proposed_for_closure
            if reading.narrative:
                narratives.append(reading.narrative)
            elif reading.unknown:
                if len(reading.unknown) > MAX_FILE_STATUS:
                    narratives.append(reading.unknown)
                else:
                    file_status = file_status or reading.unknown
                    note(name, f"status {reading.unknown!r} is not a word I know; kept as the file's status "
                               f"(add it to [import.status_words] in the config to say what it means).")
        if values.get("rag") is not None:
            reading = read_status(str(values["rag"]), self.status_words, rag_column=True)
            rag = reading.rag or rag
            state = state or reading.state
            if reading.rag is None and reading.state is None and not reading.proposed_for_closure:
                rag = _shown(values["rag"])[:MAX_RAG]
                note("rag", f"RAG {rag!r} is not Red, Amber, Green or Blue; kept as written.")
        if values.get("direction") is not None:
            reading = read_status(str(values["direction"]), self.status_words)
            direction = reading.direction or _shown(values["direction"])[:MAX_RAG]
        if values.get("closure") is not None:
            closure = closure or str(values["closure"]).strip().lower() in ("true", "yes", "y", "1", "x", "\u2713")
        if state is State.COMPLETED and progress is None:
            progress = 100
        elif state is State.COMPLETED and progress is not None and progress < 100:
            note("state", f"the file says completed but {progress}%; kept as completed at {progress}%.")
        due_date, due_text = None, clean_text(values.get("due"))
        recurring = None
        if values.get("due") is not None:
            due_date = parse_due_value(values["due"], self.today)
            if due_date is not None:
                due_text = None
            elif due_text is not None and recurring_timescale(due_text):
                recurring = due_text[:100]
                note("due", f"due {due_text!r} is a recurring timescale, not a date; kept as such.")
            elif due_text is not None and len(due_text) > MAX_DUE_TEXT:
                note("due", f"due {due_text[:60]!r}... is not a date; kept as text, shortened to {MAX_DUE_TEXT} "
                            f"characters.")
                due_text = due_text[: MAX_DUE_TEXT - 1] + "\u2026"
            else:
                note("due", f"due {due_text!r} is not a date; kept as text.")
        if values.get("recurring") is not None:
            recurring = (clean_text(values["recurring"]) or "")[:100] or None
        original = None
        if values.get("original_due") is not None:
            original = parse_due_value(values["original_due"], self.today)
            if original is None:
                note("original_due", f"original due {_shown(values['original_due'])!r} is not a date; left empty.")
            elif due_date is None and due_text is None:
                due_date = original  # no revised date: the original one still stands
        update = clean_text(values.get("update"), keep_lines=True)
        if narratives:
            update = "\n".join([*([update] if update else []), *narratives])
        return ImportRow(
            line=line,
            code=" ".join(code.split()),
            section_code=section,
            title=clean_text(values.get("title")) or "",
            responsibility=clean_text(values.get("responsibility")),
            due_date=due_date,
            due_text=due_text,
            original_due_date=original,
            progress=progress,
            update=update,
            state=state,
            plan=clean_text(values.get("plan")),
            rag=rag,
            direction=direction,
            priority=(clean_text(values.get("priority")) or "")[:MAX_PRIORITY] or None,
            recommendation=clean_text(values.get("recommendation"), keep_lines=True),
            recurring=recurring,
            file_status=file_status,
            proposed_for_closure=closure,
        )


def _suffixed(base: str, count: int, taken: set[str]) -> list[str]:
    """`count` codes after `base`, none in `taken`: letters when it ends in a digit (5a, 5b),
    else the first keeps it and the others are numbered (2.1.1a, 2.1.1a-2)."""
    letters = base[-1:].isdigit()
    codes: list[str] = [] if letters or normalise(base) in taken else [base]
    index = len(codes)
    while len(codes) < count:
        index += 1
        code = f"{base}{_letters(index)}" if letters else f"{base}-{index}"
        if normalise(code) not in taken:
            codes.append(code)
    return codes


def _letters(index: int) -> str:
    """1 -> a, 26 -> z, 27 -> aa."""
    text = ""
    while index:
        index, remainder = divmod(index - 1, 26)
        text = chr(97 + remainder) + text
    return text


def _shown(value: object) -> str:
    return str(value).strip()
