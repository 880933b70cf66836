"""`actionbot export --log`: the contract-monitoring log for a provider review meeting or a
committee, as CSV, an xlsx workbook, or a report (Markdown, HTML or PDF by the --out suffix).

What it holds: every entry received in the period (reference, dates, provider, category, state,
summary, whether each timescale was met), the allocated actions, the monitoring visits and
meetings done, and the share of timescales met per provider and per category.

Confidential entries (safeguarding, restricted, pending review) appear as their reference and
category only, with none of their actions' words, unless a person with the safeguarding role
asks with `--include-restricted --as NAME`; each confidential entry so exported is recorded in
the access log (what = "export"). Every text cell is made inert (bot.export_safety).
"""

from __future__ import annotations

import csv
import html
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import IO, Any

from bot.domain.concerns import Concern, ConcernAccess, Provider
from bot.domain.monitoring import VisitRecord
from bot.domain.timescales import LogSettings, Share, checks, shares
from bot.export_safety import inert_cell

LOG_FORMATS = ("csv", "xlsx", "report")
ENTRY_COLUMNS = ("reference", "received", "logged", "provider", "category", "state", "summary",
                 "acknowledge by", "acknowledged", "respond by", "responded", "timescales", "actions open", "closed")
ACTION_COLUMNS = ("action", "provider", "description", "owner", "due", "done", "note")
VISIT_COLUMNS = ("date", "provider", "activity", "note", "recorded by", "report")
CSV_COLUMNS = ("record", "reference", "date", "logged", "provider", "category", "state", "text", "owner", "due",
               "done", "acknowledge by", "acknowledged", "respond by", "responded", "timescales", "actions open",
               "note")
WITHHELD = "(confidential)"


@dataclass
class LogReport:
    title: str
    generated_on: date
    entries: list[tuple[Any, ...]] = field(default_factory=list)
    actions: list[tuple[Any, ...]] = field(default_factory=list)
    visits: list[tuple[Any, ...]] = field(default_factory=list)
    by_provider: dict[str, Share] = field(default_factory=dict)
    by_category: dict[str, Share] = field(default_factory=dict)
    withheld: int = 0  # confidential entries shown as reference and category only
    exported_confidential: list[Concern] = field(default_factory=list)


def _day(moment: datetime | None, zone: str) -> str:
    if moment is None:
        return ""
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


def period_bounds(start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
    """[start 00:00, end+1 00:00) in UTC."""
    return (datetime.combine(start, time.min, tzinfo=timezone.utc) if start else None,
            datetime.combine(end + timedelta(days=1), time.min, tzinfo=timezone.utc) if end else None)


def build_log_report(concerns: list[Concern], visits: list[VisitRecord], settings: LogSettings, today: date,
                     zone: str, *, include_restricted: bool, provider: Provider | None = None,
                     start: date | None = None, end: date | None = None) -> LogReport:
    scope = provider.name if provider else "all providers"
    period = f"{start.isoformat() if start else 'the start'} to {end.isoformat() if end else today.isoformat()}"
    report = LogReport(f"Contract-monitoring log: {scope}, {period}", today)
    for concern in concerns:
        hidden = concern.is_confidential and not include_restricted
        if hidden:
            report.withheld += 1
            report.entries.append((concern.reference, "", "", "", concern.category.value) + ("",) * 9)
            for action in concern.actions:
                report.actions.append((action.reference(concern.reference), "", WITHHELD, "", "", "", ""))
            continue
        if concern.is_confidential:
            report.exported_confidential.append(concern)
        ack, respond = checks(concern, settings, zone)
        met = [c.met for c in (ack, respond) if c.decided(today)]
        verdict = ("" if not met else "met" if all(met) else "missed")
        report.entries.append((
            concern.reference, _day(concern.received_at, zone), _day(concern.logged_at, zone),
            concern.provider_label or "", concern.category.value, concern.state.value, concern.summary,
            ack.due.isoformat(), ack.done.isoformat() if ack.done else "", respond.due.isoformat(),
            respond.done.isoformat() if respond.done else "", verdict, len(concern.open_actions),
            _day(concern.closed_at, zone)))
        for action in concern.actions:
            report.actions.append((action.reference(concern.reference), concern.provider or "", action.description,
                                   action.owner, action.due_date.isoformat() if action.due_date else "",
                                   _day(action.done_at, zone) if action.done else "", action.done_note or ""))
    report.visits = [(v.done_on.isoformat(), v.provider, v.activity.value, v.note or "", v.recorded_by,
                      v.report_filename or "") for v in visits]
    report.by_provider = shares(concerns, settings, today, zone, key="provider")
    report.by_category = shares(concerns, settings, today, zone, key="category",
                                hide_confidential=not include_restricted)
    return report


def access_records(report: LogReport, person: str, at: datetime) -> list[tuple[Concern, ConcernAccess]]:
    """One access-log record per confidential entry the export showed in full."""
    return [(c, ConcernAccess(reference=c.reference, person=person, at=at, channel="cli", place=None, what="export",
                              allowed=True)) for c in report.exported_confidential]


# --- writers ---------------------------------------------------------------------------------

def write_csv(report: LogReport, stream: IO[str]) -> None:
    """One table: entries, then actions and visits in the same columns (`record` says which)."""
    writer = csv.writer(stream)
    writer.writerow(CSV_COLUMNS)
    for (reference, received, logged, provider, category, state, summary, ack_by, acked, respond_by, responded,
         verdict, open_actions, closed) in report.entries:
        writer.writerow([inert_cell(c) for c in (
            "entry", reference, received, logged, provider, category, state, summary, "", "", closed, ack_by, acked,
            respond_by, responded, verdict, open_actions, "")])
    for action, provider, description, owner, due, done, note in report.actions:
        state = "" if description == WITHHELD else "done" if done else "open"
        writer.writerow([inert_cell(c) for c in (
            "action", action, "", "", provider, "", state, description, owner, due, done, "", "", "", "", "", "", note)])
    for when, provider, activity, note, by, filename in report.visits:
        writer.writerow([inert_cell(c) for c in (
            "visit", activity, when, "", provider, "", "done", note, by, "", when, "", "", "", "", "", "", filename)])


def _share_rows(shares_by: dict[str, Share]) -> list[tuple[str, int, int, str]]:
    return [(name, s.met, s.total, f"{round(100 * s.met / s.total)}%" if s.total else "-")
            for name, s in sorted(shares_by.items())]


def write_xlsx(report: LogReport, path: Path) -> None:
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    sheets: list[tuple[str, Iterable[str], Iterable[tuple[Any, ...]]]] = [
        ("Entries", ENTRY_COLUMNS, report.entries),
        ("Actions", ACTION_COLUMNS, report.actions),
        ("Visits", VISIT_COLUMNS, report.visits),
        ("Timescales by provider", ("provider", "met", "due", "share"), _share_rows(report.by_provider)),
        ("Timescales by category", ("category", "met", "due", "share"), _share_rows(report.by_category)),
    ]
    first = True
    for title, header, rows in sheets:
        sheet = book.active if first else book.create_sheet()
        first = False
        assert sheet is not None
        sheet.title = title
        sheet.append(list(header))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([inert_cell(c) for c in row])
        for cell_row in sheet.iter_rows(min_row=2):
            for cell in cell_row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text stays text, never a formula
    book.save(path)


def render_markdown(report: LogReport) -> str:
    def table(header: Iterable[str], rows: Iterable[tuple[Any, ...]]) -> list[str]:
        head = list(header)
        out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        out += ["| " + " | ".join(str(c).replace("|", "\\|").replace("\n", " ") for c in row) + " |" for row in rows]
        return out

    lines = [f"# {report.title}", "", f"Generated on {report.generated_on:%d %B %Y}.", ""]
    if report.withheld:
        lines += [f"{report.withheld} confidential {'entry is' if report.withheld == 1 else 'entries are'} shown by "
                  "reference and category only.", ""]
    lines += ["## Timescales met", "", "### By provider", ""]
    lines += table(("provider", "met", "due", "share"), _share_rows(report.by_provider)) + [""]
    lines += ["### By category", ""] + table(("category", "met", "due", "share"), _share_rows(report.by_category))
    lines += ["", f"## Entries ({len(report.entries)})", ""] + table(ENTRY_COLUMNS, report.entries)
    lines += ["", f"## Allocated actions ({len(report.actions)})", ""] + table(ACTION_COLUMNS, report.actions)
    lines += ["", f"## Monitoring visits and meetings ({len(report.visits)})", ""] + table(VISIT_COLUMNS, report.visits)
    return "\n".join(lines) + "\n"


def render_html(report: LogReport) -> str:
    def table(header: Iterable[str], rows: Iterable[tuple[Any, ...]]) -> str:
        head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    withheld = (f"<p>{report.withheld} confidential entries are shown by reference and category only.</p>"
                if report.withheld else "")
    return ("<!doctype html><html><head><meta charset='utf-8'><title>" + html.escape(report.title) + "</title>"
            "<style>body{font-family:sans-serif}table{border-collapse:collapse;margin-bottom:1em}"
            "td,th{border:1px solid #999;padding:2px 6px;font-size:12px}</style></head><body>"
            f"<h1>{html.escape(report.title)}</h1><p>Generated on {report.generated_on:%d %B %Y}.</p>{withheld}"
            "<h2>Timescales met</h2><h3>By provider</h3>"
            + table(("provider", "met", "due", "share"), _share_rows(report.by_provider))
            + "<h3>By category</h3>" + table(("category", "met", "due", "share"), _share_rows(report.by_category))
            + f"<h2>Entries ({len(report.entries)})</h2>" + table(ENTRY_COLUMNS, report.entries)
            + f"<h2>Allocated actions ({len(report.actions)})</h2>" + table(ACTION_COLUMNS, report.actions)
            + f"<h2>Monitoring visits and meetings ({len(report.visits)})</h2>" + table(VISIT_COLUMNS, report.visits)
            + "</body></html>\n")


def write_pdf(report: LogReport, path: Path) -> None:
    from fpdf import FPDF

    from bot.planfiles.report_pdf import _Text  # the font choice of the plan report

    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.set_margins(12, 12, 12)
    text = _Text(pdf)
    pdf.add_page()
    pdf.set_font(text.family, "B", 14)
    pdf.multi_cell(0, 7, text(report.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(text.family, size=9)
    pdf.cell(0, 5, text(f"Generated on {report.generated_on:%d %B %Y}."), new_x="LMARGIN", new_y="NEXT")
    if report.withheld:
        pdf.cell(0, 5, text(f"{report.withheld} confidential entries are shown by reference and category only."),
                 new_x="LMARGIN", new_y="NEXT")

    def block(title: str, header: tuple[str, ...], rows: Iterable[tuple[Any, ...]]) -> None:
        pdf.ln(3)
        pdf.set_font(text.family, "B", 11)
        pdf.cell(0, 6, text(title), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(text.family, size=6.5)
        with pdf.table(first_row_as_headings=True, line_height=3.5) as table:
            for row in [header, *rows]:
                cells = table.row()
                for value in row:
                    cells.cell(text(str(value))[:300])

    block("Timescales met by provider", ("provider", "met", "due", "share"),
          [tuple(map(str, r)) for r in _share_rows(report.by_provider)])
    block("Timescales met by category", ("category", "met", "due", "share"),
          [tuple(map(str, r)) for r in _share_rows(report.by_category)])
    block(f"Entries ({len(report.entries)})", ("reference", "received", "provider", "category", "state", "summary",
                                               "timescales", "actions open"),
          [(r[0], r[1], r[3], r[4], r[5], r[6], r[11], r[12]) for r in report.entries])
    if report.actions:
        block(f"Allocated actions ({len(report.actions)})", ACTION_COLUMNS, report.actions)
    if report.visits:
        block(f"Monitoring visits and meetings ({len(report.visits)})", VISIT_COLUMNS, report.visits)
    pdf.output(str(path))


# --- the command -----------------------------------------------------------------------------

class LogExportError(ValueError):
    """The export cannot run as asked; nothing was written."""


def _date_option(text: str | None, name: str, today: date) -> date | None:
    if text is None:
        return None
    from bot.domain.dates import parse_date_phrase

    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        found = parse_date_phrase(text, today)
        if found is None:
            raise LogExportError(f"{name} '{text}' is not a date I can read; use the form 2026-11-01.") from None
        return found


def run_log_export(runtime: Any, format: str, out: Path | None, provider_name: str | None, start_text: str | None,
                   end_text: str | None, include_restricted: bool, as_person: str | None,
                   stdout: IO[str]) -> int:
    """Build and write the export; how many entries it holds. LogExportError: nothing written."""
    from bot.app import log_settings
    from bot.domain.concerns import has_safeguarding_role
    from bot.domain.progress import UpdateRefused
    from handlers.providers import find_provider

    if format not in LOG_FORMATS:
        raise LogExportError(f"the log exports as {', '.join(LOG_FORMATS)}, not '{format}'.")
    if format == "xlsx" and out is None:
        raise LogExportError("an xlsx workbook cannot go to the terminal; add --out log.xlsx.")
    suffix = out.suffix.lower() if out else ".md"
    if format == "report" and suffix not in (".md", ".markdown", ".html", ".htm", ".pdf"):
        raise LogExportError(f"a report is written as .md, .html or .pdf, not '{suffix}'; e.g. --out log.pdf.")
    today = runtime.clock.today()
    start, end = _date_option(start_text, "--from", today), _date_option(end_text, "--to", today)
    if start and end and end < start:
        raise LogExportError(f"--to {end.isoformat()} is before --from {start.isoformat()}.")
    settings = log_settings(runtime.settings)
    with runtime.new_uow() as uow:
        who = None
        if include_restricted:
            who = uow.people.get(as_person) if as_person else None
            if not has_safeguarding_role(who):
                asker = f"'{as_person}'" if as_person else "an export without --as NAME"
                raise LogExportError(f"--include-restricted needs a person with the safeguarding role (--as NAME); "
                                     f"{asker} does not have it. Without it, confidential entries show as reference "
                                     "and category only.")
        provider = None
        if provider_name:
            try:
                provider = find_provider(uow, provider_name)
            except UpdateRefused as exc:
                raise LogExportError(str(exc)) from None
        lower, upper = period_bounds(start, end)
        concerns = uow.concerns.list_between(lower, upper, provider)
        visits = uow.monitoring.records(provider, start, end)
        report = build_log_report(concerns, visits, settings, today, runtime.settings.timezone,
                                  include_restricted=include_restricted, provider=provider, start=start, end=end)
        if who is not None:
            for concern, access in access_records(report, who.name, runtime.clock.now()):
                uow.concerns.record_access(concern, access)
        # Written before the access records are committed: a failed write leaves no record of a
        # view that did not happen, and a failed commit is an error the caller sees.
        _write(report, format, out, suffix, stdout)
        uow.commit()
    return len(report.entries)


def _write(report: LogReport, format: str, out: Path | None, suffix: str, stdout: IO[str]) -> None:
    if format == "csv":
        if out:
            with out.open("w", encoding="utf-8", newline="") as stream:
                write_csv(report, stream)
        else:
            write_csv(report, stdout)
    elif format == "xlsx":
        assert out is not None
        write_xlsx(report, out)
    elif suffix == ".pdf":
        assert out is not None
        write_pdf(report, out)
    else:
        text = render_html(report) if suffix in (".html", ".htm") else render_markdown(report)
        if out:
            out.write_text(text, encoding="utf-8")
        else:
            stdout.write(text)
