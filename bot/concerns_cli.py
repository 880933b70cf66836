"""`actionbot concerns …`: information governance over the contract-monitoring log.

`access-log` prints every recorded view of a confidential entry (never the entry's content);
`purge` anonymises closed entries whose retention period has passed. A sub-app of bot.cli; like
every command it wires a runtime through bot.app and nothing else.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterable
from datetime import date, datetime, time, timezone
from typing import Annotated, Any, Optional, TextIO

import typer

from bot.export_safety import inert_cell

concerns_app = typer.Typer(
    help="The contract-monitoring log's information governance: who looked at confidential entries "
         "(access-log) and the retention purge (purge). See docs/data-protection.md.",
    no_args_is_help=True, rich_markup_mode=None)

ACCESS_LOG_FORMATS = ("text", "csv")
ACCESS_LOG_FIELDS = ("reference", "at_utc", "person", "channel", "place", "what", "allowed")
PROGRESS_BAR_FROM = 100  # entries; fewer finish before a bar would be worth drawing

def _root() -> Any:
    from bot import cli  # loaded already: this module is a sub-app of bot.cli

    return cli


def _since(text: str, today: date) -> datetime:
    from bot.domain.dates import parse_date_phrase

    day = None
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        day = parse_date_phrase(text, today)
    if day is None:
        raise _root().fail(f"--since '{text}' is not a date I can read; use the form 2026-11-01, or a phrase "
                           "like '7 days ago'.")
    return datetime.combine(day, time.min, tzinfo=timezone.utc)


@concerns_app.command("access-log")
def access_log(
    since: Annotated[Optional[str], typer.Option("--since", metavar="DATE", help="Only views from 00:00 UTC on "
                                                 "this day: 2026-11-01, or a phrase such as '7 days ago' "
                                                 "(as for due dates, counted from today).")] = None,
    format: Annotated[str, typer.Option("--format", "-f", help="text (tab-separated, with a header) or csv "
                                        "(cells that a spreadsheet would run as a formula start with ').")] = "text",
) -> None:
    """Every recorded view of a confidential entry, allowed or refused, oldest first.

    For information governance: the reference, when (UTC), who, the channel, where (the
    conversation, or "private" for a direct message, the console or email), what they did
    (show, list, …) and whether it was allowed. The log records no content of any entry.
    People with the safeguarding role see one entry's views in chat with `PQ-… access`.
    """
    from bot.app import make_clock

    cli = _root()
    if format not in ACCESS_LOG_FORMATS:
        raise cli.fail(f"unknown format '{format}'; choose one of: {', '.join(ACCESS_LOG_FORMATS)}.")
    start = _since(since, make_clock(cli.STATE.settings).today()) if since else None
    runtime = cli._runtime()
    try:
        with runtime.new_uow() as uow:
            views = uow.concerns.access_log(since=start, limit=10_000_000)
    finally:
        runtime.close()
    rows = [_access_row(view) for view in views]
    if format == "csv":
        _write_csv(rows, sys.stdout)
        return
    if not rows:
        after = f" since {start:%Y-%m-%d} 00:00 UTC" if start else ""
        typer.echo(f"No views of confidential entries are recorded{after}.")
        return
    typer.echo("\t".join(ACCESS_LOG_FIELDS))
    for row in rows:
        typer.echo("\t".join(row))


def _access_row(view: Any) -> tuple[str, ...]:
    return (view.reference, f"{view.at.astimezone(timezone.utc):%Y-%m-%d %H:%M:%S} UTC", view.person, view.channel,
            view.place or "private", view.what, "allowed" if view.allowed else "refused")


def _write_csv(rows: Iterable[tuple[str, ...]], stream: TextIO) -> None:
    writer = csv.writer(stream)
    writer.writerow(ACCESS_LOG_FIELDS)
    for row in rows:
        writer.writerow([inert_cell(cell) for cell in row])  # OWASP: never a formula


@concerns_app.command("purge")
def purge(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List what would be anonymised (reference, category, "
                                          "closing date); change nothing.")] = False,
) -> None:
    """Anonymise closed entries whose content has outlived their category's retention period.

    The period counts from the day an entry was closed: `retention_years` in the `[concerns]`
    section of the settings file (default 6), per category under
    `[concerns.retention_years_by_category]` (e.g. `complaint = 3`). The reference, category,
    state, provider and dates are kept; the summary and text, the reporter, history notes,
    action descriptions, attachments' names and data, and the mail threads' Message-IDs go.
    One transaction: either every entry due is anonymised or none is. Run it from cron, e.g.
    monthly; a second run finds nothing more to do.
    """
    from bot.concerns_retention import RetentionSettings, anonymise_all, entries_due
    from bot.planfiles.progress_bar import stage_progress
    from config.settings import SettingsError

    cli = _root()
    try:
        settings = RetentionSettings.from_extra(cli.STATE.settings.extra)
    except SettingsError as exc:
        raise cli.fail(str(exc))
    runtime = cli._runtime()
    try:
        now = runtime.clock.now()
        with runtime.new_uow() as uow:
            closed = uow.concerns.closed_entries(limit=10_000_000)
            due = entries_due(closed, now, settings)
            undated = sum(1 for c in closed if c.closed_at is None)
            if not dry_run and due:
                bar = sys.stderr.isatty() and len(due) >= PROGRESS_BAR_FROM
                with stage_progress(bar) as stage:
                    anonymise_all(uow, due, now, stage("Anonymising", len(due)))
                uow.commit()
    finally:
        runtime.close()
    policy = _policy(settings)
    if dry_run:
        if not due:
            typer.echo(f"Nothing is due for anonymising ({policy}).")
        else:
            typer.echo(f"Would anonymise {_entries(len(due))} ({policy}); nothing was changed:")
            for concern in due:
                typer.echo(f"{concern.reference}\t{concern.category.value}\tclosed {concern.closed_at:%Y-%m-%d}")
    else:
        typer.echo(f"Anonymised {_entries(len(due))} ({policy}).")
    if undated:
        typer.echo(f"{_entries(undated)} closed without a recorded closing date {'was' if undated == 1 else 'were'} "
                   "left alone: their retention period cannot be counted.", err=True)


def _entries(count: int) -> str:
    return f"{count} {'entry' if count == 1 else 'entries'}"


def _policy(settings: Any) -> str:
    years = f"retention {settings.default_years} years after closing"
    overrides = "; ".join(f"{category} {n}" for category, n in sorted(settings.by_category.items()))
    return f"{years}; {overrides}" if overrides else years
