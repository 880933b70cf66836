"""The committee report (seed 000's Actions Report layout) as Markdown and as HTML.

Per plan: title, report type and date, a summary (overall progress, counts by status,
overdue, slipped), the status legend, then each section with its actions in the seed's
columns (with the original due date and slippage in days where a due date moved, and the
file's own RAG where it had one), then the section rollup table (computed progress beside the
progress the source file reported, where it differs). HTML is self-contained (inline CSS,
print-friendly) and escapes every value. Markdown escapes every value too: `&`, `<` and `>` as
HTML entities (an owner typed as `<script>` shows as text wherever the Markdown is rendered),
and `\\`, `[`, `]` and `|` with a backslash (no link, no extra table column).
"""

from __future__ import annotations

import html
from datetime import date

from bot.planfiles.plan_report import (
    LEGEND, RAG_COLOUR, REPORT_COLUMNS, STATUS_COLOUR, PlanReport, action_columns, action_values, format_due,
    format_progress, report_cells,
)  # fmt: skip


_MD_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\\": "\\\\", "[": "\\[", "]": "\\]",
                             "|": "\\|"})


def _md_cell(value: str) -> str:
    """User text as inert Markdown on one line: no HTML, no link, no table pipe."""
    return " ".join(value.split()).translate(_MD_ESCAPES)


def _md_table(header: tuple[str, ...] | list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines.extend("| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows)
    return lines


def _action_row(cells: dict[str, object]) -> list[str]:
    return [str(cells["Code"]), str(cells["Action Title"]), str(cells["Responsibility"]),
            format_due(cells["Due Date"]),  # type: ignore[arg-type]
            str(cells["Latest Status Update"]), format_progress(cells["Status Progress"]),  # type: ignore[arg-type]
            cells["Status"].value]  # type: ignore[attr-defined]


def _rollup_rows(report: PlanReport) -> list[list[str]]:
    rows = []
    for block in report.sections:
        rollup = block.rollup
        reported = rollup.reported_progress
        note = "" if reported is None or reported == rollup.progress else f"file reported {reported}%"
        rows.append([block.code, block.title, str(rollup.action_count),
                     format_due(rollup.latest_due), format_progress(rollup.progress), str(rollup.overdue), note])
    return rows


ROLLUP_HEADER = ("Section", "Title", "Actions", "Latest Due Date", "Status Progress", "Overdue", "Note")


def render_markdown(reports: list[PlanReport]) -> str:
    lines: list[str] = []
    for report in reports:
        lines += [f"# {_md_cell(report.title)}", "", "**Report Type:** Actions Report  ",
                  f"**Generated on:** {_long_date(report.generated_on)}", "", "**Summary**", ""]
        lines += _md_table(("", "Actions"), [[label, value] for label, value in report.summary().lines()])
        lines += ["", "**Action Status**", ""]
        lines += [f"- {label}" for label, _, _ in LEGEND]
        columns = action_columns(report)
        for block in report.sections:
            lines += ["", f"## {_md_cell(block.code)} {_md_cell(block.title)}", ""]
            rows = [action_values(a, report, columns) for a in block.actions]
            lines += _md_table(columns, rows) if rows else ["_No actions._"]
        lines += ["", f"## Summary by section: {_md_cell(report.title)}", ""]
        lines += _md_table(ROLLUP_HEADER, _rollup_rows(report))
        lines.append("")
    return "\n".join(lines) if lines else "No plans to report.\n"


_CSS = """
body { font-family: Arial, Helvetica, sans-serif; font-size: 10pt; color: #222; margin: 2em; }
h1 { font-size: 18pt; margin-bottom: 0.2em; }
h2 { font-size: 13pt; margin-top: 1.6em; border-bottom: 2px solid #1f4e79; page-break-after: avoid; break-after: avoid; }
thead { display: table-header-group; } tr { page-break-inside: avoid; break-inside: avoid; }
table.summary { width: auto; } @page { size: A4 landscape; margin: 12mm; }
table { border-collapse: collapse; width: 100%; margin-top: 0.4em; page-break-inside: auto; }
th { background: #d9e1f2; text-align: left; } th, td { border: 1px solid #999; padding: 4px 6px; vertical-align: top; }
td.num { text-align: right; white-space: nowrap; } td.date { white-space: nowrap; }
.legend td { border: none; padding: 2px 8px; } .meta { color: #555; } .plan { page-break-after: always; }
"""


def render_html(reports: list[PlanReport]) -> str:
    e = html.escape
    parts = ["<!DOCTYPE html>", '<html lang="en-GB"><head><meta charset="utf-8">',
             f"<title>{e(reports[0].title if reports else 'Actions Report')}</title>", f"<style>{_CSS}</style>",
             "</head><body>"]
    for report in reports:
        parts.append('<section class="plan">')
        parts.append(f"<h1>{e(report.title)}</h1>")
        parts.append(f'<p class="meta"><b>Report Type:</b> Actions Report<br><b>Generated on:</b> '
                     f"{e(_long_date(report.generated_on))}</p>")
        parts.append('<table class="summary"><caption><b>Summary</b></caption>')
        parts += [f"<tr><th>{e(label)}</th><td class=\"num\">{e(value)}</td></tr>"
                  for label, value in report.summary().lines()]
        parts.append("</table>")
        parts.append('<table class="legend"><tr><th colspan="2">Action Status</th></tr>')
        parts += [f'<tr><td style="background:#{colour}; width:1.5em"></td><td>{e(label)}</td></tr>'
                  for label, _, colour in LEGEND]
        parts.append("</table>")
        for block in report.sections:
            parts.append(f"<h2>{e(block.code)} {e(block.title)}</h2>")
            if not block.actions:
                parts.append("<p><i>No actions.</i></p>")
                continue
            columns = action_columns(report)
            parts.append("<table><thead><tr>" + "".join(f"<th>{e(c)}</th>" for c in columns) + "</tr></thead><tbody>")
            for action in block.actions:
                status = report_cells(action, report.generated_on)["Status"]
                cells = []
                for name, value in zip(columns, action_values(action, report, columns)):
                    if name == "Status":
                        cells.append(f'<td style="background:#{STATUS_COLOUR[status]}">{e(value)}</td>')
                    elif name == "RAG" and value in RAG_COLOUR:
                        cells.append(f'<td style="background:#{RAG_COLOUR[value]}">{e(value)}</td>')
                    elif name.endswith("Date"):
                        cells.append(f'<td class="date">{e(value)}</td>')
                    elif name in ("Status Progress", "Slippage (days)"):
                        cells.append(f'<td class="num">{e(value)}</td>')
                    else:
                        cells.append(f"<td>{e(value)}</td>")
                parts.append("<tr>" + "".join(cells) + "</tr>")
            parts.append("</tbody></table>")
        parts.append(f"<h2>Summary by section</h2><table><tr>{''.join(f'<th>{e(c)}</th>' for c in ROLLUP_HEADER)}</tr>")
        for row in _rollup_rows(report):
            parts.append("<tr>" + "".join(f"<td>{e(v)}</td>" for v in row) + "</tr>")
        parts.append("</table></section>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"
