"""Handlers of allocated actions (`PQ-2026-0042/1 done`, `reopen`, `due`, `owner`), of an
entry's timescales (`acknowledged`, `responded`, `stage 2`, `concerns overdue`, `concerns due
this week`, `concerns timescales`), and the log's part of `mine`.

A confidential entry's action is shown to people without the safeguarding role by its
reference alone (`PQ-2026-0042/1 (confidential)`), never its words or provider.
"""

from __future__ import annotations

import difflib
from dataclasses import replace
from datetime import date, timedelta

from bot.concern_commands import (
    ConcernActionDone,
    ListConcernsDue,
    RecordConcernMilestone,
    ReopenConcernAction,
    SetComplaintStage,
    SetConcernActionDue,
    SetConcernActionOwner,
    ShowTimescales,
)
from bot.context import HandlerContext
from bot.domain.concerns import Category, Concern, ConcernAction, EntryState, has_safeguarding_role, may_see
from bot.domain.model import Person
from bot.domain.progress import UpdateRefused
from bot.domain.timescales import LogSettings, checks, shares
from bot.messages import Reply
from handlers.formatting import fmt_date
from handlers.log_entries import append_event, load_entry, record_view, viewer

MAX_LINES = 40


def log_settings(ctx: HandlerContext) -> LogSettings:
    """The log's settings; bot.app.dispatch_log_settings may pass a function that builds them."""
    found = ctx.log_settings() if callable(ctx.log_settings) else ctx.log_settings
    return found if isinstance(found, LogSettings) else LogSettings()


# --- owners: a known person or team ------------------------------------------------------------

def resolve_owner(ctx: HandlerContext, typed: str) -> str:
    """The person or team `typed` names (full name, a unique first name, a team), or an
    UpdateRefused that names what was typed and suggests who was meant."""
    wanted = " ".join(typed.strip().lstrip("@").split())
    people = [p for p, _ in ctx.uow.people.list()]
    folded = wanted.casefold()
    for person in people:
        if person.name.casefold() == folded:
            return str(person.name)
    # Teams people belong to, and those registered with `actionbot people team` (the reminders').
    teams = sorted({p.team for p in people if p.team} | {t.name for t in ctx.uow.reminders.teams()})
    for team in teams:
        if team.casefold() == folded:
            return str(team)
    by_first = [p for p in people if p.name.split()[0].casefold() == folded]
    if len(by_first) == 1:
        return str(by_first[0].name)
    if len(by_first) > 1:
        raise UpdateRefused(f"'{wanted}' could be {_either([p.name for p in by_first])}; type the full name. "
                            "Nothing was changed.")
    names = [p.name for p in people] + teams
    close = difflib.get_close_matches(wanted, names, n=3, cutoff=0.6)
    close += [n for n in names if folded and any(w.casefold().startswith(folded[:3]) for w in n.split())
              and n not in close][: 3 - len(close)]
    hint = f" Did you mean {_either(close)}?" if close else (
        " Known people: " + ", ".join(sorted(p.name for p in people)[:8]) + "." if people else "")
    raise UpdateRefused(f"I don't know a person or team called '{wanted}'.{hint} An admin adds people with "
                        "`actionbot people add`. Nothing was changed.")


def _either(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def refuse_past(ctx: HandlerContext, due: date | None) -> None:
    if due is not None and due < ctx.today:
        raise UpdateRefused(f"{fmt_date(due)} is in the past; give a timescale from today ({fmt_date(ctx.today)}) "
                            "on. Nothing was changed.")


# --- one allocated action ----------------------------------------------------------------------

def _action(ctx: HandlerContext, reference: str, number: int) -> tuple[Concern, ConcernAction]:
    concern = load_entry(ctx, reference)
    if not 1 <= number <= len(concern.actions):
        count = len(concern.actions)
        has = "no allocated actions" if not count else f"{count} allocated action{'s' if count != 1 else ''}"
        raise UpdateRefused(f"There is no action {reference}/{number}: {reference} has {has}. Type `{reference}` "
                            "to see them. Nothing was changed.")
    return concern, concern.actions[number - 1]


def _shown(concern: Concern, action: ConcernAction, ctx: HandlerContext) -> str:
    return action.description if may_see(viewer(ctx), concern) else "(confidential)"


def _done_reply(ctx: HandlerContext, concern: Concern, text: str) -> Reply:
    if concern.is_confidential:
        record_view(ctx, concern, "action", allowed=True)
    return Reply(text=text, title=f"Action on {concern.reference}", as_of=ctx.today,
                 private=concern.is_confidential and has_safeguarding_role(viewer(ctx)))


def handle_action_done(cmd: ConcernActionDone, ctx: HandlerContext) -> Reply:
    """An allocated action is done (with an optional note)."""
    concern, action = _action(ctx, cmd.reference, cmd.number)
    ref = action.reference(concern.reference)
    if action.done:
        raise UpdateRefused(f"{ref} is already done. To open it again, type `{ref} reopen`.")
    ctx.uow.concerns.update_action(concern, replace(action, done=True, done_at=ctx.now, done_note=cmd.note))
    append_event(ctx, concern, "action done", note=f"{ref}" + (f": {cmd.note}" if cmd.note else ""),
                 changes=((f"action {action.number}", "open", "done"),))
    left = len(concern.open_actions) - 1
    tail = (f" {left} action{'s' if left != 1 else ''} still open on {concern.reference}." if left else
            f" No actions are open on {concern.reference} now; close it with `{concern.reference} close NOTE`.")
    return _done_reply(ctx, concern, f"{ref} done: {_shown(concern, action, ctx)}.{tail}")


def handle_action_reopen(cmd: ReopenConcernAction, ctx: HandlerContext) -> Reply:
    concern, action = _action(ctx, cmd.reference, cmd.number)
    ref = action.reference(concern.reference)
    if not action.done:
        raise UpdateRefused(f"{ref} is not done; there is nothing to reopen.")
    if concern.state is EntryState.CLOSED:
        raise UpdateRefused(f"{concern.reference} is closed; reopen it first with `{concern.reference} reopen`. "
                            "Nothing was changed.")
    ctx.uow.concerns.update_action(concern, replace(action, done=False, done_at=None, done_note=None))
    append_event(ctx, concern, "action reopened", note=ref, changes=((f"action {action.number}", "done", "open"),))
    return _done_reply(ctx, concern, f"{ref} is open again: {_shown(concern, action, ctx)}.")


def handle_action_due(cmd: SetConcernActionDue, ctx: HandlerContext) -> Reply:
    concern, action = _action(ctx, cmd.reference, cmd.number)
    ref = action.reference(concern.reference)
    refuse_past(ctx, cmd.due)
    ctx.uow.concerns.update_action(concern, replace(action, due_date=cmd.due, due_text=cmd.due_phrase))
    append_event(ctx, concern, "action due", note=ref, changes=((
        f"action {action.number} due", action.due_date.isoformat() if action.due_date else None, cmd.due.isoformat()),))
    was = f" (was {fmt_date(action.due_date)})" if action.due_date else ""
    return _done_reply(ctx, concern, f"{ref} is now due {fmt_date(cmd.due)}{was}.")


def handle_action_owner(cmd: SetConcernActionOwner, ctx: HandlerContext) -> Reply:
    concern, action = _action(ctx, cmd.reference, cmd.number)
    ref = action.reference(concern.reference)
    owner = resolve_owner(ctx, cmd.owner)
    ctx.uow.concerns.update_action(concern, replace(action, owner=owner))
    append_event(ctx, concern, "action owner", note=ref, changes=((f"action {action.number} owner", action.owner, owner),))
    return _done_reply(ctx, concern, f"{ref} is now owned by {owner} (was {action.owner}).")


# --- timescales ------------------------------------------------------------------------------

def handle_milestone(cmd: RecordConcernMilestone, ctx: HandlerContext) -> Reply:
    """`acknowledged` / `responded`: recorded today, for the entry's timescales."""
    concern = load_entry(ctx, cmd.reference)
    acknowledging = cmd.what == "acknowledged"
    if (concern.acknowledged_at if acknowledging else concern.responded_at) is not None:
        return Reply(text=f"{concern.reference} was already {cmd.what}.", as_of=ctx.today)
    changed = (replace(concern, acknowledged_at=ctx.now) if acknowledging
               else replace(concern, responded_at=ctx.now))
    ctx.uow.concerns.update(changed)
    append_event(ctx, concern, cmd.what, note=cmd.note, changes=((cmd.what, None, ctx.today.isoformat()),))
    check = next(c for c in checks(changed, log_settings(ctx), ctx.timezone)
                 if c.what == ("acknowledge" if acknowledging else "respond"))
    verdict = "within its timescale" if check.met else f"after its timescale ({fmt_date(check.due)})"
    return Reply(text=f"{concern.reference} {cmd.what} today, {verdict}.", as_of=ctx.today)


def handle_stage(cmd: SetComplaintStage, ctx: HandlerContext) -> Reply:
    concern = load_entry(ctx, cmd.reference)
    if concern.category is not Category.COMPLAINT:
        raise UpdateRefused(f"{concern.reference} is not a complaint ({concern.category.value}); only complaints "
                            "have stages. Nothing was changed.")
    ctx.uow.concerns.update(replace(concern, complaint_stage=cmd.stage))
    append_event(ctx, concern, "stage", changes=(("complaint stage", str(concern.complaint_stage or 1),
                                                  str(cmd.stage)),))
    days = log_settings(ctx).timescales.respond_within(replace(concern, complaint_stage=cmd.stage))
    return Reply(text=f"{concern.reference} is at complaint stage {cmd.stage}: respond within {days} working days "
                      "of receipt.", as_of=ctx.today)


# --- what is due -----------------------------------------------------------------------------

def _action_line(concern: Concern, action: ConcernAction, who: Person | None, today: date) -> str:
    ref = action.reference(concern.reference)
    due = fmt_date(action.due_date) if action.due_date else "no date"
    late = f" — overdue since {due}" if action.overdue(today) else f", due {due}"
    if concern.is_confidential and not (has_safeguarding_role(who) and may_see(who, concern)):
        return f"{ref} (confidential){late}"
    where = f" [{concern.provider_label}]" if concern.provider else ""
    return f"{ref}{where} {action.description} — {action.owner}{late}"


def handle_list_due(cmd: ListConcernsDue, ctx: HandlerContext) -> Reply:
    """Allocated actions, entries' timescales and the providers' monitoring activities (visits,
    liaison meetings, forums, call-monitoring reviews) overdue, or due by the end of this week."""
    who = viewer(ctx)
    today = ctx.today
    end = today + timedelta(days=6 - today.weekday())  # Sunday of this week
    overdue = cmd.which == "overdue"

    def wanted(due: date | None) -> bool:
        if due is None:
            return False
        return due < today if overdue else today <= due <= end

    def when(due: date) -> str:
        return f"overdue since {fmt_date(due)}" if overdue else f"due {fmt_date(due)}"

    lines: list[str] = []
    private = False
    for concern, action in ctx.uow.concerns.open_actions():
        if wanted(action.due_date):
            lines.append(_action_line(concern, action, who, today))
            private = private or (concern.is_confidential and has_safeguarding_role(who))
    settings = log_settings(ctx)
    for concern in ctx.uow.concerns.list(open_only=True, limit=100_000):
        for check in checks(concern, settings, ctx.timezone):
            if check.done is None and wanted(check.due):
                if concern.is_confidential and not has_safeguarding_role(who):
                    label = f"{concern.reference} (confidential)"
                else:
                    label = f"{concern.reference} [{concern.category.value}] {concern.provider_label or ''}".rstrip()
                    private = private or concern.is_confidential
                lines.append(f"{label}: {check.what} — {when(check.due)}")
    for activity in ctx.uow.monitoring.schedule(today, settings.frequencies):  # visits, meetings, reviews
        if wanted(activity.due):
            lines.append(f"{activity.label} ({activity.owner or 'no officer allocated'}) — {when(activity.due)}")
    title = "Overdue in the log" if overdue else f"Due in the log this week (to {fmt_date(end)})"
    if not lines:
        return Reply(text=f"{title}: none.", title=title, as_of=today)
    text = [f"{title} ({len(lines)}):"] + lines[:MAX_LINES]
    if len(lines) > MAX_LINES:
        text.append(f"…and {len(lines) - MAX_LINES} more.")
    return Reply(text="\n".join(text), title=title, as_of=today, private=private,
                 more=max(0, len(lines) - MAX_LINES))


def handle_timescales(cmd: ShowTimescales, ctx: HandlerContext) -> Reply:
    """The share of timescales met (acknowledge and respond), by provider and by category."""
    concerns = ctx.uow.concerns.list(open_only=False, limit=1_000_000)
    role = has_safeguarding_role(viewer(ctx))
    settings = log_settings(ctx)
    lines = ["Timescales met (acknowledge and respond, in working days), by provider:"]
    by_provider = shares(concerns, settings, ctx.today, ctx.timezone, key="provider")
    lines += [f"  {name}: {share.text()}" for name, share in sorted(by_provider.items())] or ["  none yet"]
    lines.append("By category:")
    by_category = shares(concerns, settings, ctx.today, ctx.timezone, key="category", hide_confidential=not role)
    lines += [f"  {name}: {share.text()}" for name, share in sorted(by_category.items())] or ["  none yet"]
    return Reply(text="\n".join(lines), title="Timescales met", as_of=ctx.today,
                 private=role and any(c.is_confidential for c in concerns))


# --- `mine` ------------------------------------------------------------------------------------

def my_log_actions(ctx: HandlerContext) -> list[str]:
    """The asker's open allocated actions (theirs or their team's), overdue first, as lines for
    `mine` and the Slack App Home. A confidential entry's by reference only: `mine` may be
    asked in a shared channel."""
    person = ctx.person
    if person is None:
        return []
    owners = [person.name] + ([person.team] if person.team else [])
    found = ctx.uow.concerns.open_actions(owners=owners)
    found.sort(key=lambda pair: (not pair[1].overdue(ctx.today), pair[1].due_date or date.max))
    return [_action_line(concern, action, None, ctx.today) for concern, action in found]
