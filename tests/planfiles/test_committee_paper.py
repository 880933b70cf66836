"""A paper a committee can table (issue 16, item 9): the PDF, HTML and Markdown report and the
workbook, from a plan whose due dates slipped and whose file had its own RAG."""

from __future__ import annotations

import re
import zlib
from datetime import date
from pathlib import Path

import openpyxl

from bot.domain.model import Action, Plan, Section, State
from bot.planfiles.plan_report import PlanReport, build_plan_reports
from bot.planfiles.report_pdf import write_pdf
from bot.planfiles.report_text import render_html, render_markdown
from bot.planfiles.xlsx_export import ROLLUP_COLUMNS, write_workbook

TODAY = date(2024, 6, 3)


class _Plans:
    def __init__(self, sections: list[Section]) -> None:
        self._sections = sections

    def list(self) -> list[Plan]:
        return [Plan("Audit Committee Tracker", "Audit Committee Tracker")]

    def get(self, name: str) -> Plan | None:
        return self.list()[0]

    def sections(self, plan: str | None = None) -> list[Section]:
        return self._sections


class _Actions:
    def __init__(self, actions: list[Action]) -> None:
        self._actions = actions

    def list(self, plan: str | None = None) -> list[Action]:
        return self._actions


class _Uow:
    def __init__(self, sections: int, per_section: int) -> None:
        self.plans = _Plans([Section("Audit Committee Tracker", str(s), f"Heading-{s}") for s in range(1, sections + 1)])
        actions = []
        for s in range(1, sections + 1):
            for n in range(1, per_section + 1):
                slipped = n == 1
                actions.append(Action(
                    code=f"IA{s}.{n}", title=f"Row-{s}-{n}", plan="Audit Committee Tracker", section_code=str(s),
                    section_title=f"Heading-{s}", responsibility="Finance", due_date=date(2024, 3, 31),
                    original_due_date=date(2024, 1, 31) if slipped else None, progress=50,
                    state=State.IN_PROGRESS, rag="Red" if slipped else "Green", latest_update="Working on it"))
        self.actions = _Actions(actions)


def _report(sections: int = 3, per_section: int = 2) -> list[PlanReport]:
    return build_plan_reports(_Uow(sections, per_section), TODAY)  # type: ignore[arg-type]


def _page_texts(pdf: bytes) -> list[list[str]]:
    """The text shown on each page, in drawing order (core font: plain strings in the streams)."""
    pages = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            content = zlib.decompress(stream)
        except zlib.error:
            continue
        if b"BT" in content:
            texts = [t.decode("latin-1") for t in re.findall(rb"\((.*?)(?<!\\)\) ?Tj", content)]
            pages.append([t.replace("\\(", "(").replace("\\)", ")") for t in texts])
    return pages


def test_the_pdf_has_page_numbers_a_running_header_a_title_and_a_language(tmp_path: Path) -> None:
    path = tmp_path / "paper.pdf"
    write_pdf(_report(sections=12, per_section=6), path, font_dirs=())

    data = path.read_bytes()
    pages = _page_texts(data)
    assert len(pages) >= 3
    for number, texts in enumerate(pages, 1):
        assert f"Page {number} of {len(pages)}" in "".join(texts)
        if number > 1:  # the running header: plan and date, on every page after the first
            assert any(t.startswith("Audit Committee Tracker") and "3 June 2024" in t for t in texts)
    assert b"/Title (Audit Committee Tracker)" in data or b"/Title <FEFF" in data
    assert b"/Lang (en-GB)" in data


def test_the_pdf_opens_with_a_summary_and_never_strands_a_heading(tmp_path: Path) -> None:
    path = tmp_path / "paper.pdf"
    write_pdf(_report(sections=14, per_section=5), path, font_dirs=())

    pages = _page_texts(path.read_bytes())
    first = pages[0]
    assert first.index("Summary") < first.index("Overall progress") < first.index("1 Heading-1")
    assert "Slipped (due date moved later)" in first
    for texts in pages:
        shown = [t for t in texts if not t.startswith(("Page ", "Audit Committee Tracker")) and not t.isdigit()]
        assert not re.fullmatch(r"\d+ Heading-\d+", shown[-1]), f"a heading left at the foot of a page: {shown[-3:]}"


def test_html_and_markdown_show_the_summary_first_slippage_and_the_files_rag() -> None:
    reports = _report()
    html = render_html(reports)
    markdown = render_markdown(reports)

    assert '<html lang="en-GB">' in html
    assert html.index("Overall progress") < html.index("<h2>1 Heading-1</h2>")
    assert "<th>Original Due Date</th><th>Due Date</th><th>Slippage (days)</th>" in html
    assert "<td>+60</td>" in html or '<td class="num">+60</td>' in html  # 31 Jan -> 31 Mar 2024
    assert 'background:#F4B6B6">Red</td>' in html
    assert markdown.index("**Summary**") < markdown.index("## 1 Heading-1")
    assert "| Slipped (due date moved later) | 3 |" in markdown
    assert "| RAG in the file: Red | 3 |" in markdown and "| RAG in the file: Green | 3 |" in markdown
    assert "| 31-Jan-2024 | 31-Mar-2024 | +60 |" in markdown and "| Red |" in markdown


def test_the_workbook_filters_freezes_and_prints_its_header_and_names_every_column_once(tmp_path: Path) -> None:
    path = tmp_path / "paper.xlsx"
    write_workbook(_report(), path)

    book = openpyxl.load_workbook(path)
    try:
        sheet = book.worksheets[0]
        header_row = next(row[0].row for row in sheet.iter_rows() if row[0].value == "Code")
        header = [c.value for c in sheet[header_row] if c.value]
        assert len(header) == len(set(header)) and {"Slippage (days)", "RAG"} <= set(header)
        assert sheet.freeze_panes == f"A{header_row + 1}"
        assert sheet.auto_filter.ref.startswith(f"A{header_row}:")
        assert sheet.print_title_rows in (f"{header_row}:{header_row}", f"${header_row}:${header_row}")
        assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.page_setup.orientation == "landscape"
        rollups = book["Rollups"]
        names = [c.value for c in rollups[1]]
        assert names == list(ROLLUP_COLUMNS) and len(names) == len(set(names))
        assert rollups.freeze_panes == "A2" and rollups.auto_filter.ref.startswith("A1:")
    finally:
        book.close()
