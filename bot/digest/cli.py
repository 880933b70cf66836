"""`actionbot digest …`: subscriptions, preview and one sending pass (for cron deployments).

Everything heavy is imported inside the commands, so `actionbot say` stays fast.
"""

from __future__ import annotations

from typing import Annotated, Any, Optional

import typer

digest_app = typer.Typer(
    help="Weekly digests: subscribe a Slack/Teams channel or an email address, preview, send what is due.",
    no_args_is_help=True,
)

FORMATS = ("text", "json", "blocks")


def _cli() -> Any:
    """bot.cli's runtime factory and error exit (`python -m bot.cli` runs the importable
    module too, so this is the module whose options were read)."""
    import bot.cli

    return bot.cli


@digest_app.command("subscribe")
def subscribe(
    slack: Annotated[Optional[str], typer.Option(help="Slack channel id, e.g. C0123ABCD.")] = None,
    teams: Annotated[Optional[str], typer.Option(help="Teams conversation id, e.g. 19:abc@thread.tacv2.")] = None,
    email: Annotated[Optional[str], typer.Option(help="Email address.")] = None,
    plan: Annotated[Optional[str], typer.Option(help="Only this plan (default: every plan).")] = None,
    section: Annotated[Optional[list[str]], typer.Option(help="Only this section, e.g. 2.5 (repeatable).")] = None,
    responsibility: Annotated[Optional[str], typer.Option(help="Only actions whose owner contains this.")] = None,
    group_by: Annotated[str, typer.Option(help="Group overdue actions by 'section' or 'responsibility'.")] = "section",
    schedule: Annotated[str, typer.Option(help="Cron: minute hour day month weekday, local to --timezone.")] = "0 9 * * 1",
    timezone: Annotated[str, typer.Option(help="Time zone the schedule is read in.")] = "Europe/London",
    due_soon_days: Annotated[int, typer.Option(help="List open actions due within this many days.")] = 14,
    stale_days: Annotated[int, typer.Option(help="'Check progress' after this many days without an update.")] = 30,
    skip_when_empty: Annotated[bool, typer.Option(
        "--skip-when-empty", help="Send nothing for a period with nothing to report.")] = False,
) -> None:
    """Subscribe a destination to a digest (default: Mondays 09:00 Europe/London)."""
    from bot.digest.email_delivery import is_email_address
    from bot.digest.model import GROUP_BY, Subscription
    from bot.digest.schedule import ScheduleError, next_fire_time, parse_schedule, zone

    cli = _cli()
    targets = [(kind, value) for kind, value in (("slack", slack), ("teams", teams), ("email", email)) if value]
    if len(targets) != 1:
        raise cli.fail("give exactly one destination: --slack CHANNEL_ID, --teams CONVERSATION_ID or --email ADDRESS.")
    kind, destination = targets[0]
    destination = destination.strip()
    if kind == "email" and not is_email_address(destination):
        raise cli.fail(f"'{destination}' is not an email address.")
    if group_by not in GROUP_BY:
        raise cli.fail(f"--group-by must be one of: {', '.join(GROUP_BY)}.")
    if due_soon_days < 1 or stale_days < 1:
        raise cli.fail("--due-soon-days and --stale-days must be at least 1.")
    try:
        parsed = parse_schedule(schedule)
        zone(timezone)
    except ScheduleError as exc:
        raise cli.fail(str(exc))
    runtime = cli._runtime()
    try:
        now = runtime.clock.now()
        with runtime.new_uow() as uow:
            if plan is not None:
                found = uow.plans.get(plan)
                if found is None:
                    names = ", ".join(p.name for p in uow.plans.list()) or "none"
                    raise cli.fail(f"there is no plan '{plan}'. Plans: {names}.")
                plan = found.name
            sub = uow.digests.add(Subscription(
                kind, destination.lower() if kind == "email" else destination, plan=plan,
                sections=tuple(section or ()), responsibility=responsibility, group_by=group_by,
                schedule=parsed.text, timezone=timezone, due_soon_days=due_soon_days, stale_days=stale_days,
                skip_when_empty=skip_when_empty, created_at=now, created_by="actionbot digest subscribe"))
            uow.commit()
    finally:
        runtime.close()
    upcoming = next_fire_time(parsed, timezone, now)
    when = upcoming.period_key.replace("T", " ") + f" {timezone}" if upcoming else "never (check the schedule)"
    typer.echo(f"Subscribed {sub.id}: {sub.describe()}. Next digest: {when}.")


@digest_app.command("list")
def list_subscriptions(
    all_: Annotated[bool, typer.Option("--all", help="Include cancelled subscriptions.")] = False,
    deliveries: Annotated[int, typer.Option(help="Show this many recent deliveries of each.")] = 3,
) -> None:
    """List subscriptions, their next digest and their latest deliveries (sent, failed, skipped)."""
    from bot.digest.schedule import ScheduleError, next_fire_time, parse_schedule

    cli = _cli()
    runtime = cli._runtime()
    try:
        now = runtime.clock.now()
        with runtime.new_uow() as uow:
            subs = uow.digests.list(active_only=not all_)
            recent = {s.id: uow.digests.deliveries(s.id, limit=deliveries) for s in subs}
    finally:
        runtime.close()
    if not subs:
        typer.echo("No digest subscriptions. Add one with `actionbot digest subscribe --slack C0123ABCD`.")
    for sub in subs:
        try:
            upcoming = next_fire_time(parse_schedule(sub.schedule), sub.timezone, now)
            when = upcoming.period_key.replace("T", " ") if upcoming else "never"
        except ScheduleError:
            when = "unreadable schedule"
        state = "" if sub.active else " [cancelled]"
        typer.echo(f"{sub.id}\t{sub.describe()}{state}\tnext: {when}")
        for record in recent[sub.id]:
            error = f" — {record.last_error}" if record.last_error else ""
            typer.echo(f"\t{record.period_key}\t{record.state.value}\t{record.attempts} attempt(s){error}")


@digest_app.command("unsubscribe")
def unsubscribe(subscription: Annotated[int, typer.Argument(help="The id from `actionbot digest list`.")]) -> None:
    """Cancel a subscription (its delivery record is kept)."""
    from dataclasses import replace

    cli = _cli()
    runtime = cli._runtime()
    try:
        with runtime.new_uow() as uow:
            sub = uow.digests.get(subscription)
            if sub is None:
                raise cli.fail(f"there is no subscription {subscription}; see `actionbot digest list`.")
            uow.digests.save(replace(sub, active=False))
            uow.commit()
    finally:
        runtime.close()
    typer.echo(f"Unsubscribed {subscription}: {sub.describe()}.")


@digest_app.command("preview")
def preview(
    subscription: Annotated[Optional[int], typer.Option(help="Preview this subscription (default: every plan, Slack).")] = None,
    today: Annotated[Optional[str], typer.Option(help="As of this date, e.g. 2023-10-02.")] = None,
    format: Annotated[str, typer.Option(help="text, json (the content) or blocks (exactly what is posted: Block "
                                             "Kit, Adaptive Card or HTML email).")] = "text",
    plan: Annotated[Optional[str], typer.Option(help="Without --subscription: only this plan.")] = None,
) -> None:
    """Print exactly what would be sent, without sending it."""
    from datetime import date

    from bot.clock import PinnedClock
    from bot.digest.delivery import render_for
    from bot.digest.model import Subscription
    from bot.digest.render_text import render_json, render_text
    from bot.digest.sender import compose_digest, last_digest_time
    from bot.digest.service import contract_log_source

    cli = _cli()
    if format not in FORMATS:
        raise cli.fail(f"unknown format '{format}'; choose one of: {', '.join(FORMATS)}.")
    try:
        pinned = date.fromisoformat(today) if today else None
    except ValueError:
        raise cli.fail(f"'{today}' is not a date; use the form 2023-10-02.")
    runtime = cli._runtime()
    try:
        with runtime.new_uow() as uow:
            if subscription is not None:
                sub = uow.digests.get(subscription)
                if sub is None:
                    raise cli.fail(f"there is no subscription {subscription}; see `actionbot digest list`.")
            else:
                sub = Subscription("slack", "preview", plan=plan)
            now = PinnedClock(pinned, sub.timezone).now() if pinned else runtime.clock.now()
            since = last_digest_time(uow, sub, before=now)
            digest = compose_digest(uow, sub, now, since, contract_log=contract_log_source(runtime))
    finally:
        runtime.close()
    if format == "text":
        typer.echo(render_text(digest))
    elif format == "json":
        typer.echo(render_json(digest))
    else:
        rendered = render_for(sub.destination_kind, digest)
        typer.echo(rendered.native())
        for attachment in rendered.attachments:
            typer.echo(f"attachment: {attachment.filename} ({attachment.content_type}, {len(attachment.data)} bytes)",
                       err=True)


@digest_app.command("send-due")
def send_due() -> None:
    """Send every digest that is due now (one pass; for deployments that run it from cron).

    Safe to run from several hosts at once: each period is claimed once. Exit 1 when a
    delivery failed (it is recorded and retried on a later pass)."""
    from bot.digest.service import make_sender

    from config.settings import SettingsError

    cli = _cli()
    runtime = cli._runtime()
    try:
        sender = make_sender(runtime)
        if not sender.deliveries:
            raise cli.fail("no digest delivery is configured (set SLACK_BOT_TOKEN for Slack; email goes to the maildrop).")
        report = sender.send_due(runtime.clock.now())
    except SettingsError as exc:
        raise cli.fail(str(exc))
    except typer.Exit:
        raise
    except Exception as exc:  # e.g. the database went away mid-pass; claims already made stay
        raise cli.fail(f"the sending pass stopped: {exc}. Run it again: nothing is sent twice.", code=1)
    finally:
        runtime.close()
    for sub_id, period in report.sent:
        typer.echo(f"sent\t{sub_id}\t{period}")
    for sub_id, period in report.skipped:
        typer.echo(f"skipped\t{sub_id}\t{period}\t(missed by more than the grace window)")
    for sub_id, period in report.empty:
        typer.echo(f"empty\t{sub_id}\t{period}\t(nothing to report; not sent)")
    for sub_id, period, error in report.failed:
        typer.echo(f"failed\t{sub_id}\t{period}\t{error}", err=True)
    for sub_id, kind in report.waiting:
        hint = {"slack": "set SLACK_BOT_TOKEN", "teams": "set the ACTIONBOT_TEAMS_* variables"}.get(
            kind, f"no {kind} delivery is configured")
        typer.echo(f"waiting\t{sub_id}\t{kind}: not sent ({hint})", err=True)
    typer.echo(report.summary() + ".", err=True)
    if report.failed:
        raise typer.Exit(1)
