"""The committee report as a PDF (fpdf2): the same content as the Markdown/HTML report.

A4 landscape; each section's table repeats its header across page breaks; the Status cell is
coloured as in the legend. fpdf2 is pure Python (no system libraries) and imported here
only. Text uses DejaVu Sans when the system has it (any character), else the PDF core font
Helvetica with characters outside Latin-1 spelled plainly (– -> -, ’ -> ').
"""

from __future__ import annotations

from pathlib import Path

from bot.planfiles.plan_report import LEGEND, REPORT_COLUMNS, STATUS_COLOUR, PlanReport, report_cells
from bot.planfiles.report_text import ROLLUP_HEADER, _action_row, _long_date, _rollup_rows

_FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"),
              Path("/Library/Fonts"), Path("C:/Windows/Fonts"))
_PLAIN = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2018": "'", "\u2019": "'", "\u201c": '"',
                        "\u201d": '"', "\u2022": "*", "\u2026": "...", "\u2192": "->", "\u00a0": " "})
_ACTION_WIDTHS = (34, 62, 32, 22, 74, 16, 22)
_ROLLUP_WIDTHS = (18, 80, 18, 30, 26, 18, 40)


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)


class _Text:
    """Chooses the font once and makes any text safe for it."""

    def __init__(self, pdf: object) -> None:
        regular = next((d / "DejaVuSans.ttf" for d in _FONT_DIRS if (d / "DejaVuSans.ttf").is_file()), None)
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


def write_pdf(reports: list[PlanReport], path: Path) -> None:
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.set_margins(12, 12, 12)
    text = _Text(pdf)
    heading_style = FontFace(emphasis="BOLD", fill_color=(217, 225, 242))
    if not reports:
        pdf.add_page()
        pdf.set_font(text.family, size=12)
        pdf.cell(text="No plans to report.")
    for report in reports:
        pdf.add_page()
        pdf.set_font(text.family, "B", 16)
        pdf.multi_cell(0, 8, text(report.title), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(text.family, size=9)
        pdf.cell(0, 5, text(f"Report Type: Actions Report    Generated on: {_long_date(report.generated_on)}"),
                 new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        pdf.set_font(text.family, "B", 9)
        pdf.cell(0, 5, "Action Status", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(text.family, size=8)
        for label, _, colour in LEGEND:
            pdf.set_fill_color(*_rgb(colour))
            pdf.cell(6, 4.5, "", border=1, fill=True)
            pdf.cell(0, 4.5, text(f"  {label}"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_fill_color(255, 255, 255)  # tables fill their cells with the current colour
        for block in report.sections:
            pdf.ln(3)
            pdf.set_font(text.family, "B", 11)
            pdf.cell(0, 7, text(f"{block.code} {block.title}"), new_x="LMARGIN", new_y="NEXT")
            pdf.set_font(text.family, size=7.5)
            if not block.actions:
                pdf.cell(0, 5, "No actions.", new_x="LMARGIN", new_y="NEXT")
                continue
            with pdf.table(col_widths=_ACTION_WIDTHS, headings_style=heading_style, text_align="LEFT",
                           line_height=3.6, padding=1, v_align="TOP") as table:
                table.row([text(c) for c in REPORT_COLUMNS])
                for action in block.actions:
                    cells = report_cells(action, report.generated_on)
                    values = [text(v) for v in _action_row(cells)]
                    row = table.row()
                    for value in values[:-1]:
                        row.cell(value)
                    row.cell(values[-1], style=FontFace(fill_color=_rgb(STATUS_COLOUR[cells["Status"]])))
        pdf.ln(4)
        pdf.set_font(text.family, "B", 11)
        pdf.cell(0, 7, "Summary by section", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(text.family, size=8)
        with pdf.table(col_widths=_ROLLUP_WIDTHS, headings_style=heading_style, text_align="LEFT",
                       line_height=4, padding=1) as table:
            table.row([text(c) for c in ROLLUP_HEADER])
            for values in _rollup_rows(report):
                table.row([text(v) for v in values])
    pdf.output(str(path))
