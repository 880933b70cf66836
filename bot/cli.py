"""`actionbot`: the command line. Each command wires a runtime through bot.app and nothing else."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from bot.channels.teams.cli import teams_app
from bot.concerns_cli import concerns_app
from bot.digest.cli import digest_app
from bot.mail.cli import mail_app
from bot.providers_cli import providers_app
from bot.reminders.cli import reminders_app, team_command
from config.settings import Settings, SettingsError, load_settings

app = typer.Typer(
    help="actionbot: track improvement and contract-monitoring action plans from chat, mail and the console.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
people_app = typer.Typer(help="People, their roles and their chat/email identities.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(people_app, name="people")
app.add_typer(mail_app, name="mail")
app.add_typer(teams_app, name="teams")
app.add_typer(providers_app, name="providers")
app.add_typer(concerns_app, name="concerns")
app.add_typer(digest_app, name="digest")
app.add_typer(reminders_app, name="reminders")
people_app.command("team")(team_command)


class State:
    settings: Settings


STATE = State()


def fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"Error: {message}", err=True)
    return typer.Exit(code)


@app.callback()
def main_options(
    db: Annotated[Optional[str], typer.Option("--db", help="Database URL (env ACTIONBOT_DATABASE_URL). "
                                              "Default: sqlite:///var/actionbot.db in the current folder.")] = None,
    config: Annotated[Optional[Path], typer.Option("--config", help="TOML settings file (env ACTIONBOT_CONFIG).")] = None,
    today: Annotated[Optional[str], typer.Option("--today", help="Pin today's date, e.g. 2026-03-31 "
                                                  "(env ACTIONBOT_TODAY); for demos and tests.")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log what the bot does to stderr.")] = False,
) -> None:
    import os

    from bot.logs import LoggingSettingsError, configure_logging

    try:
        configure_logging(verbose, os.environ)
    except LoggingSettingsError as exc:
        raise fail(str(exc))
    try:
        STATE.settings = load_settings(config_file=config, database_url=db, today=today)
    except SettingsError as exc:
        raise fail(str(exc))


def _runtime(metrics=None, *, wait: bool = True):  # type: ignore[no-untyped-def]
    """The runtime a command works in (bot.launch.command_runtime); a database that cannot be
    opened is one sentence and exit status 2."""
    from bot.launch import CommandFailed, command_runtime

    try:
        return command_runtime(STATE.settings, metrics, wait=wait, echo_err=lambda line: typer.echo(line, err=True))
    except CommandFailed as exc:
        raise fail(str(exc), exc.code)


def _safe_url(url: str) -> str:
    from bot.launch import safe_url

    return safe_url(url)


@app.command()
def say(
    text: Annotated[str, typer.Argument(help="The message, exactly as it would be typed in chat.")],
    as_person: Annotated[Optional[str], typer.Option("--as", help="Who is speaking (a name from `actionbot people list`). "
                                                      "Default: the console user, an admin.")] = None,
    channel: Annotated[Optional[str], typer.Option("--channel", help="The conversation name, so a plan bound to it "
                                                    "in [channel_plans] (\"console:NAME\") applies.")] = None,
) -> None:
    """Send one message through the same pipeline every chat channel uses, and print the reply.

    Exit status 0 on success, 1 when the reply is an error (unknown code, bad value, refused).
    """
    from bot.launch import run_say

    # `actionbot say …` in its plain forms is run by bot.launch without building this app;
    # both run the same run_say.
    runtime = _runtime()
    try:
        reply, code = run_say(runtime, text, as_person, channel)
    finally:
        runtime.close()
    if reply is not None:
        typer.echo(reply)
    if code:
        raise typer.Exit(code)


@app.command()
def chat(
    as_person: Annotated[Optional[str], typer.Option("--as", help="Who is speaking. Default: the console user.")] = None,
    channel: Annotated[Optional[str], typer.Option("--channel", help="The conversation name (plan binding).")] = None,
) -> None:
    """Interactive console: type updates and questions; `quit` or Ctrl-D to leave."""
    runtime = _runtime()
    try:
        _chat_loop(runtime, as_person or STATE.settings.console_user, channel)
    finally:
        runtime.close()


def _chat_loop(runtime, sender: str, channel: str | None) -> None:  # type: ignore[no-untyped-def]
    from bot.channels.console import ConsoleChannel

    console = ConsoleChannel(runtime.dispatcher.handle, sender, channel)
    interactive = sys.stdin.isatty()
    if interactive:
        typer.echo(f"actionbot console as {sender}. Type `help`, or `quit` to leave.")

    def lines():  # type: ignore[no-untyped-def]
        while True:
            try:
                yield input(console.prompt if interactive else "")
            except (EOFError, KeyboardInterrupt):
                return

    console.run(lines(), sys.stdout)


@app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="The plan file: .xlsx, .xls, .ods, .docx (Word tables), .csv, or the "
                                         "text Actions Report export (.txt).",
                                         exists=True, dir_okay=False, readable=True)],
    plan: Annotated[Optional[str], typer.Option("--plan", help="Plan name (default: the file's title, Plan column, "
                                                 "sheet name or file name).")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show how the columns were read and what would "
                                          "change; write nothing.")] = False,
    sheet: Annotated[Optional[str], typer.Option("--sheet", metavar="NAME", help="Only this sheet of a workbook (default: every "
                                                 "sheet with actions, one plan per sheet).")] = None,
    mapping: Annotated[Optional[list[str]], typer.Option("--map", metavar="COLUMN=FIELD", help="COLUMN=FIELD, e.g. --map \"Agency=responsibility\" "
                                                         "or --map \"Resources=ignore\"; repeatable.")] = None,
    prune: Annotated[bool, typer.Option("--prune", help="Mark actions the file no longer lists as removed from the "
                                        "plan (kept with their history; back on re-import or `actionbot restore`).")] = False,
) -> None:
    """Import (or re-import) a plan from Excel (.xlsx, .xls), LibreOffice (.ods), Word tables
    (.docx), CSV or the text Actions Report export.

    Columns are matched by meaning (Ref, Lead, Timescale, % Complete ...). Re-importing updates
    actions in place and records each change in their history; it never duplicates. Rows
    without codes get codes from their section. Unreadable rows are listed with their line
    (or sheet and cell); the rest import. Where the file has its own section rollups, every
    difference from the computed ones is reported. Every data row is counted: imported, joined
    to the row above, a rollup, skipped, or listed with why it was not read. Actions the file no
    longer lists are named; --prune removes them from the plan. Status words a team uses are
    added in the config ([import.status_words]). Exit status 1 when some row was not read.
    """
    from bot.planfiles.apply import codes_by_plan, import_plan
    from bot.planfiles.columns import parse_overrides
    from bot.planfiles.import_summary import mapping_lines, problem_lines, summary_lines
    from bot.planfiles.progress_bar import import_progress, wants_bar
    from bot.planfiles.readers import UnreadableFile, read_plan_files
    from bot.planfiles.status_words import parse_config_words

    try:
        overrides = parse_overrides(mapping or [])
        imports = STATE.settings.extra.get("import", {})
        status_words = parse_config_words(imports.get("status_words") if isinstance(imports, dict) else None)
    except ValueError as exc:
        raise fail(str(exc))
    runtime = _runtime()
    try:
        with import_progress(file, wants_bar(file)) as stage:
            try:
                plan_files = read_plan_files(file, plan, sheet=sheet, overrides=overrides,
                                             on_row=stage(f"Reading {file.name}", None), status_words=status_words)
            except (UnreadableFile, UnicodeError, OSError) as exc:
                raise fail(f"cannot read {file}: {exc}")
            if prune and any(pf.problems for pf in plan_files):
                raise fail(f"--prune needs a file every row of which was read, and {file.name} has rows that were "
                           f"not; fix them (see `actionbot import --dry-run`), or import without --prune.")
            reports = []
            listed = codes_by_plan(plan_files)
            with runtime.new_uow() as uow:
                for plan_file in plan_files:
                    reports.append(import_plan(
                        uow, plan_file, actor="actionbot import", channel="import", now=runtime.clock.now(),
                        today=runtime.clock.today(), dry_run=dry_run, prune=prune,
                        also_listed=listed[plan_file.plan_name],
                        on_row=stage(f"Importing {plan_file.plan_name[:40]}", len(plan_file.rows))))
                if not dry_run:
                    uow.commit()
    finally:
        runtime.close()
    unread = False
    for plan_file, report in zip(plan_files, reports):
        if dry_run:
            for line in mapping_lines(plan_file):
                typer.echo(line)
        for line in summary_lines(plan_file, report, verbose=dry_run):
            typer.echo(line)
        for line in problem_lines(report):
            typer.echo(line, err=True)
        unread = unread or bool(report.problems)
    if unread:
        raise typer.Exit(1)


@app.command()
def restore(
    codes: Annotated[list[str], typer.Argument(help="Full codes of the actions to bring back, e.g. \"IA 12\" 5a.")],
    plan: Annotated[str, typer.Option("--plan", help="The plan they were removed from.")],
) -> None:
    """Bring actions that `import --prune` removed back into their plan (history kept)."""
    from bot.planfiles.apply import restore_actions

    runtime = _runtime()
    try:
        with runtime.new_uow() as uow:
            if uow.plans.get(plan) is None:
                raise fail(f"there is no plan '{plan}'. Plans: {', '.join(p.name for p in uow.plans.list()) or 'none'}.")
            result = restore_actions(uow, plan, codes, actor="actionbot restore", channel="import",
                                     now=runtime.clock.now())
            if result.unknown:
                raise fail(f"'{plan}' has no action {', '.join(result.unknown)}; nothing was restored.")
            uow.commit()
    finally:
        runtime.close()
    if result.restored:
        typer.echo(f"Back in '{plan}': {', '.join(result.restored)}.")
    if result.not_removed:
        typer.echo(f"Already in the plan: {', '.join(result.not_removed)}.")


EXPORT_FORMATS = ("csv", "json", "xlsx", "report")


@app.command()
def export(
    format: Annotated[str, typer.Option("--format", "-f", help="csv, json, xlsx (one sheet per plan, a Rollups "
                                        "sheet, the legend as colours) or report (the committee Actions Report: "
                                        "Markdown, or HTML/PDF by the --out extension).")] = "csv",
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Write here instead of standard output "
                                                "(required for xlsx; report.html / report.pdf choose the report's form).")] = None,
    plan: Annotated[Optional[str], typer.Option("--plan", help="Only this plan.")] = None,
    log: Annotated[bool, typer.Option("--log", help="Export the contract-monitoring log instead (csv, xlsx or "
                                      "report): entries, timescales met, actions, visits.")] = False,
    provider: Annotated[Optional[str], typer.Option("--provider", help="--log: only this provider.")] = None,
    from_: Annotated[Optional[str], typer.Option("--from", metavar="DATE", help="--log: entries received from "
                                                 "this day (2026-04-01).")] = None,
    to: Annotated[Optional[str], typer.Option("--to", metavar="DATE", help="--log: … up to this day.")] = None,
    include_restricted: Annotated[bool, typer.Option("--include-restricted", help="--log: confidential entries in "
                                                     "full (needs --as a person with the safeguarding role; "
                                                     "recorded in the access log).")] = False,
    as_person: Annotated[Optional[str], typer.Option("--as", help="--log: who is exporting.")] = None,
) -> None:
    """Export actions: csv/json (every field: code, plan, section, title, responsibility, dates,
    progress, state, overdue as of today, latest update, who and when), xlsx (the seed's columns,
    imports back unchanged) or report (by section, with the rollup table and the status legend).

    With --log, the contract-monitoring log (see bot/log_export.py): confidential entries as
    reference and category only unless --include-restricted --as NAME (safeguarding role)."""
    if log:
        _export_log(format, out, provider, from_, to, include_restricted, as_person)
        return
    if format not in EXPORT_FORMATS:
        raise fail(f"unknown format '{format}'; choose one of: {', '.join(EXPORT_FORMATS)}.")
    if format == "xlsx" and out is None:
        raise fail("an xlsx workbook cannot go to the terminal; add --out plan.xlsx.")
    suffix = out.suffix.lower() if out else ".md"
    if format == "report" and suffix not in (".md", ".markdown", ".html", ".htm", ".pdf"):
        raise fail(f"a report is written as .md, .html or .pdf, not '{suffix}'; e.g. --out report.pdf.")
    runtime = _runtime()
    try:
        with runtime.new_uow() as uow:
            if plan and uow.plans.get(plan) is None:
                raise fail(f"there is no plan '{plan}'. Plans: {', '.join(p.name for p in uow.plans.list()) or 'none'}.")
            if format in ("csv", "json"):
                from bot.planfiles.export import export_rows

                rows = export_rows(uow.actions.list(plan=plan), runtime.clock.today())
                count = len(rows)
            else:
                from bot.planfiles.plan_report import build_plan_reports

                reports = build_plan_reports(uow, runtime.clock.today(), plan)
                count = sum(r.action_count for r in reports)
    finally:
        runtime.close()
    if format in ("csv", "json"):
        from bot.planfiles.export import write_csv, write_json

        writer = write_json if format == "json" else write_csv
        if out:
            with out.open("w", encoding="utf-8", newline="") as stream:
                writer(rows, stream)
        else:
            writer(rows, sys.stdout)
    elif format == "xlsx":
        from bot.planfiles.xlsx_export import write_workbook

        assert out is not None
        write_workbook(reports, out)
    else:
        _write_report(reports, out, suffix)
    if out:
        typer.echo(f"Wrote {count} actions to {out}.", err=True)


def _export_log(format: str, out: Path | None, provider: str | None, start: str | None, end: str | None,
                include_restricted: bool, as_person: str | None) -> None:
    from bot.log_export import LogExportError, run_log_export

    runtime = _runtime()
    try:
        count = run_log_export(runtime, format, out, provider, start, end, include_restricted, as_person, sys.stdout)
    except LogExportError as exc:
        raise fail(f"{exc} Nothing was written.")
    finally:
        runtime.close()
    if out:
        typer.echo(f"Wrote {count} log entries to {out}.", err=True)


def _write_report(reports, out: Path | None, suffix: str) -> None:  # type: ignore[no-untyped-def]
    if suffix == ".pdf":
        from bot.planfiles.report_pdf import write_pdf

        assert out is not None
        write_pdf(reports, out)
        return
    from bot.planfiles.report_text import render_html, render_markdown

    text = render_html(reports) if suffix in (".html", ".htm") else render_markdown(reports)
    if out:
        out.write_text(text, encoding="utf-8")
    else:
        typer.echo(text, nl=False)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database schema to the newest version (Alembic upgrade head)."""
    from storage import make_engine, upgrade

    engine = make_engine(STATE.settings.database_url)
    try:
        upgrade(engine)
    except Exception as exc:
        raise fail(f"upgrade of {_safe_url(STATE.settings.database_url)} failed: {exc}")
    finally:
        engine.dispose()
    typer.echo(f"Database {_safe_url(STATE.settings.database_url)} is up to date.")


ROLES = ("viewer", "updater", "admin")


@people_app.command("add")
def people_add(
    name: Annotated[str, typer.Argument(help="Full name, e.g. 'Sam Patel'.")],
    role: Annotated[str, typer.Option(help="viewer, updater (own actions; all in open mode) or admin.")] = "updater",
    team: Annotated[Optional[str], typer.Option(help="Team, e.g. 'Commissioning Team' (matched against Responsibility).")] = None,
    email: Annotated[Optional[str], typer.Option(help="Email address (mail updates, Slack/Teams lookup).")] = None,
    slack: Annotated[Optional[str], typer.Option(help="Slack user id, e.g. U0123ABCD.")] = None,
    teams: Annotated[Optional[str], typer.Option(help="Teams user's Microsoft Entra (AAD) object id, "
                                                  "e.g. 7faf8ab2-3d56-4244-b585-20c8a42ed2b8.")] = None,
    safeguarding: Annotated[bool, typer.Option(help="May see safeguarding concerns.")] = False,
    lead: Annotated[bool, typer.Option("--lead", help="They lead their --team: the team's actions are reminded "
                                       "to them, and overdue ones escalated to them.")] = False,
    remind: Annotated[Optional[str], typer.Option(help="Where reminders go: slack, teams, email or none "
                                                  "(default: Slack, else Teams, else email, by their identities).")] = None,
    timezone: Annotated[Optional[str], typer.Option(help="Their time zone for reminders (default Europe/London).")] = None,
    reminder_day: Annotated[Optional[str], typer.Option(help="Day of weekly reminders (default monday).")] = None,
) -> None:
    """Add a person (or change an existing one's role, team, email and identities)."""
    from bot.domain.model import Person, Role
    from bot.domain.reminders import CHANNELS
    from bot.reminders.cli import apply_person_options

    if role not in ROLES:
        raise fail(f"role '{role}' is not one of: {', '.join(ROLES)}.")
    if remind is not None and remind not in CHANNELS:
        raise fail(f"--remind '{remind}' is not one of: {', '.join(CHANNELS)}.")
    if lead and not team:
        raise fail("--lead needs --team: say which team they lead, e.g. --team \"Commissioning Team\" --lead.")
    identities = {k: v for k, v in {"slack": slack, "teams": teams.strip().lower() if teams else None, "email": email.lower() if email else None}.items() if v}
    extra = ("safeguarding",) if safeguarding else ()
    runtime = _runtime()
    try:
        with runtime.new_uow() as uow:
            existing = uow.people.get(name)
            if existing is None:
                uow.people.add(Person(name=name, role=Role(role), team=team, email=email, roles_extra=extra), identities)
                verb = "Added"
            else:
                from dataclasses import replace

                uow.people.update(replace(existing, role=Role(role), team=team or existing.team,
                                          email=email or existing.email, roles_extra=extra or existing.roles_extra))
                for channel_name, external in identities.items():
                    uow.people.link(existing.name, channel_name, external)
                verb = "Updated"
            apply_person_options(uow, name, team, lead, remind, timezone, reminder_day)
            uow.commit()
    except typer.Exit:
        raise
    except Exception as exc:
        raise fail(f"could not save {name}: {exc}")
    finally:
        runtime.close()
    typer.echo(f"{verb} {name} ({role}).")


@people_app.command("list")
def people_list() -> None:
    """List people with their role, team and identities."""
    runtime = _runtime()
    try:
        with runtime.new_uow() as uow:
            people = uow.people.list()
    finally:
        runtime.close()
    if not people:
        typer.echo("No people yet. Add one with `actionbot people add NAME --role updater --team TEAM`.")
    for person, identities in people:
        ids = ", ".join(f"{k}:{v}" for k, v in sorted(identities.items()))
        extra = f" [{', '.join(person.roles_extra)}]" if person.roles_extra else ""
        typer.echo(f"{person.name}\t{person.role.value}{extra}\t{person.team or '-'}\t{person.email or '-'}\t{ids}")


@app.command()
def run() -> None:
    """Run every configured service (Slack, Teams, the shared mailbox, digests) and the HTTP
    server (/healthz, /readyz, /metrics, and Slack's and Teams' endpoints) until SIGTERM or
    Ctrl-C. On a terminal with no chat channel configured, open the console instead of waiting.
    An empty database gets the example plan."""
    from bot.app import configured_services, load_every_command, load_example_plan_if_empty
    from bot.daemon import run_services
    from bot.http.prometheus import PrometheusMetrics

    runtime = _runtime(PrometheusMetrics(), wait=False)
    try:
        load_every_command(runtime)
        loaded = load_example_plan_if_empty(runtime)
        if loaded:
            typer.echo(loaded)
        from bot.digest.service import startup_warnings

        for warning in startup_warnings(runtime):
            typer.echo(f"Warning: {warning}", err=True)
        try:
            services = configured_services(runtime)
            console = None
            if sys.stdin.isatty() and not any(service.is_chat for service in services):
                console = lambda: _chat_loop(runtime, STATE.settings.console_user, None)  # noqa: E731
            run_services(runtime, services, lambda line: typer.echo(line, err=True), console)
        except (ValueError, RuntimeError) as exc:  # a channel's settings (SettingsError) or a port: no traceback
            raise fail(str(exc))
    except KeyboardInterrupt:
        pass
    finally:
        runtime.close()


# Exit status of a command that found the database held by another process for the whole of
# its wait (EX_TEMPFAIL: try again later).
EXIT_BUSY = 75


def main() -> None:
    from storage.errors import is_database_busy

    try:
        app()
    except Exception as exc:
        # Another actionbot process held the SQLite file for longer than this command waits
        # (storage.writer_wait), or past the busy timeout where nothing waits longer: one
        # sentence, not a traceback. Nothing was changed: the unit of work never began.
        if not is_database_busy(exc):
            raise
        typer.echo(f"Error: {_busy_sentence(exc)}", err=True)
        sys.exit(EXIT_BUSY)


def _busy_sentence(exc: BaseException) -> str:
    from bot.launch import busy_sentence

    return busy_sentence(exc)


if __name__ == "__main__":
    # `python -m bot.cli` runs this file as __main__; run the importable bot.cli instead, so
    # sub-commands that import from bot.cli share one set of options.
    from bot.cli import main as main_of_module

    main_of_module()
