"""`actionbot reminders …`: check who would be reached, preview, send what is due, list sends;
and `actionbot people team …` for team leads and nations.

Everything heavy is imported inside the commands, so `actionbot say` stays fast.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Annotated, Any, Optional

import typer

reminders_app = typer.Typer(
    help="Reminders and update requests: check who they reach, preview, send what is due, list sends.",
    no_args_is_help=True,
)


def _cli() -> Any:
    import bot.cli

    return bot.cli


def _config(cli: Any) -> Any:
    from bot.reminders.settings import ReminderSettings, ReminderSettingsError

    try:
        return ReminderSettings.from_extra(cli.STATE.settings.extra)
    except ReminderSettingsError as exc:
        raise cli.fail(str(exc))


def _day(cli: Any, text: str | None, runtime: Any) -> date:
    if text is None:
        return runtime.clock.today()  # type: ignore[no-any-return]
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise cli.fail(f"'{text}' is not a date; use the form 2026-12-07.")


@reminders_app.command("check")
def check(
    today: Annotated[Optional[str], typer.Option("--today", help="As of this day, e.g. 2026-12-07.")] = None,
) -> None:
    """List every open action whose reminders would reach nobody, and why (exit 1 if any)."""
    from bot.reminders.passes import preview

    cli = _cli()
    config = _config(cli)
    runtime = cli._runtime()
    try:
        day = _day(cli, today, runtime)
        with runtime.new_uow() as uow:
            snapshot, result = preview(uow, day, runtime.settings, config, person="")
    finally:
        runtime.close()
    for miss in result.unreached:
        where = f" ({miss.item.plan})" if miss.item.plan else ""
        typer.echo(f"{miss.item.ref}{where}\t{miss.item.owner or '-'}\t{miss.why}")
    reached = len(snapshot.items) - len(result.unreached)
    typer.echo(f"{reached} of {len(snapshot.items)} open items reach someone; {len(result.unreached)} reach nobody.",
               err=True)
    if result.unreached:
        raise typer.Exit(1)


@reminders_app.command("preview")
def preview_command(
    person: Annotated[Optional[str], typer.Option("--person", help="Only this person's message.")] = None,
    today: Annotated[Optional[str], typer.Option("--today", help="As of this day, e.g. 2026-12-07.")] = None,
) -> None:
    """Print exactly what each person would get (as of today, or --today); sends nothing."""
    from bot.reminders.passes import preview, render_text

    cli = _cli()
    config = _config(cli)
    runtime = cli._runtime()
    try:
        day = _day(cli, today, runtime)
        with runtime.new_uow() as uow:
            if person and uow.people.get(person) is None:
                raise cli.fail(f"there is no person called {person}; see `actionbot people list`.")
            snapshot, result = preview(uow, day, runtime.settings, config, person)
    finally:
        runtime.close()
    messages = [m for _, m in sorted(result.messages.items()) if not m.is_empty]
    for message in messages:
        channel, address = snapshot.addresses.get(message.person, ("none", ""))
        typer.echo(f"=== To {message.person} by {channel} ({address}) for {day:%a %d %b %Y}")
        typer.echo(render_text(message, snapshot))
        typer.echo("")
    if not messages:
        who = person or "anyone"
        typer.echo(f"Nothing is due for {who} on {day:%a %d %b %Y}: no reminder would be sent.")


@reminders_app.command("send-due")
def send_due(
    now: Annotated[Optional[str], typer.Option("--now", help="Act as if it were this time, e.g. "
                                               "2026-12-07T09:05 (in [reminders] timezone, Europe/London "
                                               "unless set, when it has no offset).")] = None,
) -> None:
    """Send every reminder that is due now (one pass; for cron). Safe on several hosts at once:
    each (person, day) is claimed once. Exit 1 when a delivery failed (it is retried later)."""
    from bot.reminders.service import make_sender

    from zoneinfo import ZoneInfo

    cli = _cli()
    config = _config(cli)
    runtime = cli._runtime()
    try:
        at = runtime.clock.now()
        if now is not None:
            try:
                at = datetime.fromisoformat(now.strip())
            except ValueError:
                raise cli.fail(f"'{now}' is not a date and time; use the form 2026-12-07T09:05.")
            if at.tzinfo is None:
                at = at.replace(tzinfo=ZoneInfo(config.rules.timezone))
            at = at.astimezone(timezone.utc)
        sender = make_sender(runtime)
        if not sender.deliveries:
            raise cli.fail("no reminder delivery is configured (set SLACK_BOT_TOKEN for Slack; email goes to the "
                           "maildrop).")
        report = sender.send_due(at)
    except typer.Exit:
        raise
    except Exception as exc:
        raise cli.fail(f"the sending pass stopped: {exc}. Run it again: nothing is sent twice.", code=1)
    finally:
        runtime.close()
    for person, day in report.sent:
        typer.echo(f"sent\t{person}\t{day.isoformat()}")
    for person, day, error in report.failed:
        typer.echo(f"failed\t{person}\t{day.isoformat()}\t{error}", err=True)
    for person, channel in report.waiting:
        typer.echo(f"waiting\t{person}\t{channel}: not sent (that channel is not configured here)", err=True)
    typer.echo(report.summary() + ".", err=True)
    if report.failed:
        raise typer.Exit(1)


@reminders_app.command("list")
def list_command(
    person: Annotated[Optional[str], typer.Option("--person", help="Only this person's reminders.")] = None,
    limit: Annotated[int, typer.Option(help="How many, newest first.")] = 20,
) -> None:
    """Recent reminders: day, person, channel, state, attempts, items, last error."""
    cli = _cli()
    runtime = cli._runtime()
    try:
        with runtime.new_uow() as uow:
            records = uow.reminders.recent(limit=max(limit, 1), person=person)
            notices = uow.reminders.notices(limit=max(limit, 1))
    finally:
        runtime.close()
    if not records:
        typer.echo("No reminders sent yet.")
    for r in records:
        error = f"\t{r.last_error}" if r.last_error else ""
        typer.echo(f"{r.day.isoformat()}\t{r.person}\t{r.channel}\t{r.state.value}\tattempt {r.attempts}\t"
                   f"{', '.join(r.refs()) or 'escalations only'}{error}")
    for n in notices:
        typer.echo(f"notice\t{n.person}\t{n.state.value}\t{n.text[:80]}")


def team_command(
    name: Annotated[str, typer.Argument(help="Team name as people's --team gives it, e.g. 'Commissioning Team'.")],
    lead: Annotated[Optional[str], typer.Option(help="The team lead (a person's name).")] = None,
    remind_all: Annotated[Optional[bool], typer.Option("--remind-all/--remind-lead", help="Remind every member of "
                                                       "the team's actions, or only the lead (default).")] = None,
    nation: Annotated[Optional[str], typer.Option(help="Bank holidays of: england-and-wales, scotland, "
                                                  "northern-ireland (default: [calendar] nation).")] = None,
) -> None:
    """Create or change a team: its lead, who is reminded, its nation's bank holidays."""
    from bot.domain.workdays import CalendarError, nation_from_text
    from storage.errors import NotFound

    cli = _cli()
    try:
        nation_key = nation_from_text(nation) if nation else None
    except CalendarError as exc:
        raise cli.fail(str(exc))
    runtime = cli._runtime()
    try:
        with runtime.new_uow() as uow:
            try:
                team = uow.reminders.set_team(name, lead=lead, remind_all=remind_all, nation=nation_key)
            except NotFound as exc:
                raise cli.fail(f"{exc} Add them first with `actionbot people add`.")
            uow.commit()
    finally:
        runtime.close()
    who = "every member" if team.remind_all else f"the lead ({team.lead or 'none yet'})"
    typer.echo(f"Team {team.name}: reminders go to {who}; bank holidays of {team.nation or 'the [calendar] nation'}.")


def apply_person_options(uow: Any, person_name: str, team: str | None, lead: bool, remind: str | None,
                         tz: str | None, reminder_day: str | None) -> None:
    """The reminder options of `actionbot people add`, written in the caller's unit of work."""
    from bot.reminders.settings import check_zone, weekday_number

    person = uow.people.get(person_name)
    assert person is not None and person.id is not None
    day = weekday_number(reminder_day) if reminder_day else None
    zone = check_zone(tz) if tz else None
    if remind or zone or day is not None:
        uow.reminders.set_settings(person.id, channel=remind, timezone=zone, reminder_day=day)
    if lead:
        team_name = team or person.team
        if not team_name:
            raise ValueError("--lead needs --team: say which team they lead.")
        uow.reminders.set_team(team_name, lead=person.name)
