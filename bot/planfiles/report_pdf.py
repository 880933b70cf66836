"""The committee report as a PDF (fpdf2): the same content as the Markdown/HTML report.

A4 landscape; a running header and page numbers; a summary first; each section's table
repeats its header across page breaks and its heading is never left alone at a page foot; the
Status cell is coloured as in the legend, the file's RAG in its colour. fpdf2 is pure Python (no system libraries) and imported here
only. Text uses DejaVu Sans when the system has it (any character), else the PDF core font
Helvetica with characters outside Latin-1 spelled plainly (– -> -, ’ -> ').
"""

from __future__ import annotations

from pathlib import Path

from bot.planfiles.plan_report import (
    LEGEND, RAG_COLOUR, STATUS_COLOUR, PlanReport, action_columns, action_values, report_cells,
)  # fmt: skip
from bot.planfiles.report_text import ROLLUP_HEADER, _long_date, _rollup_rows

_FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"),
              Path("/Library/Fonts"), Path("C:/Windows/Fonts"))
_PLAIN = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2018": "'", "\u2019": "'", "\u201c": '"',
                        "\u201d": '"', "\u2022": "*", "\u2026": "...", "\u2192": "->", "\u00a0": " "})
_ROLLUP_WIDTHS = (18, 80, 18, 30, 26, 18, 40)


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)


class _Text:
    """Chooses the font once and makes any text safe for it."""

    def __init__(self, pdf: object, font_dirs: tuple[Path, ...] = _FONT_DIRS) -> None:
        regular = next((d / "DejaVuSans.ttf" for d in font_dirs if (d / "DejaVuSans.ttf").is_file()), None)
        bold = regular.with_name("DejaVuSans-Bold.ttf") if regular else None
        if regular is not None and bold is not None and bold.is_file():
            pdf.add_font("DejaVu", "", str(regular))  # type: ignore[attr-defined]
            pdf.add_font("DejaVu", "B", str(bold))  # type: ignore[attr-defined]
            self.family, self.unicode = "DejaVu", True
        else:
            self.family, self.unicode = "Helvetica", False

    def __call__(self, value: str) -> str:
        if self.unicode:
            return value
        return value.translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")


# Width weights of the action columns; a report's columns share the page width by these.
_WEIGHTS = {"Code": 30, "Action Title": 60, "Responsibility": 30, "Original Due Date": 21, "Due Date": 21,
            "Slippage (days)": 15, "Latest Status Update": 66, "Status Progress": 15, "Status": 22, "RAG": 14}
_PAGE_WIDTH = 297 - 2 * 12  # A4 landscape inside the margins
_KEEP_WITH_HEADING = 7 + 5 + 12  # a heading, the table header and about two rows: never alone at a page foot


def _widths(columns: tuple[str, ...]) -> tuple[float, ...]:
    total = sum(_WEIGHTS[c] for c in columns)
    return tuple(_PAGE_WIDTH * _WEIGHTS[c] / total for c in columns)


def write_pdf(reports: list[PlanReport], path: Path, *, font_dirs: tuple[Path, ...] = _FONT_DIRS) -> None:
    """A4 landscape: a running header (plan, report date) and "Page n of N" on every page, a
    summary first, section headings never stranded at the foot of a page; title and language
    (en-GB) set in the document's properties. `font_dirs` are searched for DejaVu Sans (else
    the core font Helvetica)."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    class _Paper(FPDF):  # type: ignore[misc]
        running = ""

        def header(self) -> None:
            if self.page_no() == 1 or not self.running:
                return
            self.set_font(text.family, size=7.5)
            self.set_text_color(90, 90, 90)
            self.cell(0, 4, text(self.running), new_x="LMARGIN", new_y="NEXT")
            self.set_text_color(0, 0, 0)
            self.ln(1)

        def footer(self) -> None:
            self.set_y(-9)
            self.set_font(text.family, size=7.5)
            self.set_text_color(90, 90, 90)
            self.cell(0, 4, f"Page {self.page_no()} of {{nb}}", align="C")
            self.set_text_color(0, 0, 0)

    pdf = _Paper(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.set_margins(12, 12, 12)
    text = _Text(pdf, font_dirs)
    title = reports[0].title if len(reports) == 1 else "Actions Report"
    pdf.set_title(text(title))
    pdf.set_lang("en-GB")
    pdf.set_creator("actionbot")
    heading_style = FontFace(emphasis="BOLD", fill_color=(217, 225, 242))
    if not reports:
        pdf.add_page()
        pdf.set_font(text.family, size=12)
        pdf.cell(text="No plans to report.")
    for report in reports:
        pdf.running = f"{report.title}  \u2013  Actions Report, {_long_date(report.generated_on)}"
        pdf.add_page()
        pdf.set_font(text.family, "B", 16)
        pdf.multi_cell(0, 8, text(report.title), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(text.family, size=9)
        pdf.cell(0, 5, text(f"Report Type: Actions Report    Generated on: {_long_date(report.generated_on)}"),
                 new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        pdf.set_font(text.family, "B", 11)
        pdf.cell(0, 7, "Summary", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(text.family, size=8.5)
        with pdf.table(col_widths=(60, 30), width=90, align="LEFT", text_align=("LEFT", "RIGHT"), line_height=4.5,
                       padding=1, first_row_as_headings=False) as table:
            for label, value in report.summary().lines():
                table.row([text(label), text(value)])
        pdf.ln(2)
        pdf.set_font(text.family, "B", 9)
        pdf.cell(0, 5, "Action Status", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(text.family, size=8)
        for label, _, colour in LEGEND:
            pdf.set_fill_color(*_rgb(colour))
            pdf.cell(6, 4.5, "", border=1, fill=True)
            pdf.cell(0, 4.5, text(f"  {label}"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_fill_color(255, 255, 255)  # tables fill their cells with the current colour
        columns = action_columns(report)
        widths = _widths(columns)
        for block in report.sections:
            pdf.ln(3)
            if pdf.will_page_break(_KEEP_WITH_HEADING):
                pdf.add_page()  # keep the heading with its first rows
            pdf.set_font(text.family, "B", 11)
            pdf.cell(0, 7, text(f"{block.code} {block.title}"), new_x="LMARGIN", new_y="NEXT")
            pdf.set_font(text.family, size=7.5)
            if not block.actions:
                pdf.cell(0, 5, "No actions.", new_x="LMARGIN", new_y="NEXT")
                continue
            with pdf.table(col_widths=widths, headings_style=heading_style, text_align="LEFT",
                           line_height=3.6, padding=1, v_align="TOP") as table:
                table.row([text(c) for c in columns])
                for action in block.actions:
                    status = report_cells(action, report.generated_on)["Status"]
                    row = table.row()
                    for name, value in zip(columns, action_values(action, report, columns)):
                        if name == "Status":
                            row.cell(text(value), style=FontFace(fill_color=_rgb(STATUS_COLOUR[status])))
                        elif name == "RAG" and value in RAG_COLOUR:
                            row.cell(text(value), style=FontFace(fill_color=_rgb(RAG_COLOUR[value])))
                        else:
                            row.cell(text(value))
        pdf.ln(4)
        if pdf.will_page_break(_KEEP_WITH_HEADING):
            pdf.add_page()
        pdf.set_font(text.family, "B", 11)
        pdf.cell(0, 7, "Summary by section", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(text.family, size=8)
        with pdf.table(col_widths=_ROLLUP_WIDTHS, headings_style=heading_style, text_align="LEFT",
                       line_height=4, padding=1) as table:
            table.row([text(c) for c in ROLLUP_HEADER])
            for values in _rollup_rows(report):
                table.row([text(v) for v in values])
    pdf.output(str(path))
