"""Handlers that answer questions: summary, status, owner, history, changes since, overdue,
due soon, mine. (`help` is in handlers/help.py.)"""

from __future__ import annotations

from datetime import datetime, time, timezone

from bot.commands import (
    ShowChanges,
    ShowDue,
    ShowHistory,
    ShowMine,
    ShowOverdue,
    ShowOwner,
    ShowStatus,
    Summary,
)
from bot.context import HandlerContext
from bot.domain import codes
from bot.domain.model import Action, HistoryEntry
from bot.domain.permissions import is_responsible
from bot.domain.progress import UpdateRefused
from bot.domain.status import (
    days_overdue,
    derive_status,
    is_open,
    is_overdue,
    rollup_from_tallies,
    section_rollup,
)
from bot.messages import ActionLine, Reply
from handlers.formatting import (
    fmt_action_line,
    fmt_date,
    fmt_history_entry,
    fmt_rollup,
    fmt_status_block,
    fmt_time,
    local_time,
    short,
    tail,
    zone_info,
)
from handlers.resolve import resolve_action, resolve_section

MAX_LINES = 40  # a chat answer lists at most this many actions and says how many more


def _lines(actions: list[Action], ctx: HandlerContext) -> list[ActionLine]:
    return [
        ActionLine(a, derive_status(a, ctx.today).value, days_overdue(a, ctx.today)) for a in actions
    ]


def _listing(title: str, actions: list[Action], ctx: HandlerContext, empty: str) -> Reply:
    return _page(title, actions[:MAX_LINES], len(actions), ctx, empty)


def _page(title: str, shown: list[Action], total: int, ctx: HandlerContext, empty: str) -> Reply:
    """A listing's reply: the first MAX_LINES actions (`shown`) of `total`."""
    if not total:
        return Reply(text=empty, title=title, as_of=ctx.today)
    more = total - len(shown)
    text = [f"{title} ({total}, as of {fmt_date(ctx.today)}):"]
    text += [fmt_action_line(a, ctx.today) for a in shown]
    if more:
        text.append(f"…and {more} more. Narrow it down, e.g. `overdue 2.5`, or export the plan.")
    return Reply(text="\n".join(text), title=title, lines=_lines(shown, ctx), more=more, as_of=ctx.today)


def handle_summary(cmd: Summary, ctx: HandlerContext) -> Reply:
    """Section rollups; with a section, its actions too."""
    sections = resolve_section(ctx, cmd.section) if cmd.section else ctx.uow.plans.sections(ctx.plan)
    if not sections:
        return Reply(text="No plan is loaded yet. Import one with `actionbot import FILE`.", as_of=ctx.today)
    by_section: dict[tuple[str, str], list[Action]] = {}
    if cmd.section:  # the section's actions are listed: read them, and only them
        for s in sections:
            by_section[(s.plan, s.code)] = ctx.uow.actions.list(plan=s.plan, section=s.code)
        rollups = [section_rollup(s.plan, s.code, s.title, by_section[(s.plan, s.code)], ctx.today,
                                  s.reported_progress) for s in sections]
    else:  # rollups only: counts from the database, not every action of the plan
        tallies = ctx.uow.actions.tallies(ctx.plan, ctx.today)
        rollups = [rollup_from_tallies(s.plan, s.code, s.title, tallies.get(s.id or 0, []), s.reported_progress)
                   for s in sections]
    text: list[str] = []
    lines: list[ActionLine] = []
    plans = sorted({r.plan for r in rollups})
    for plan in plans:
        if len(plans) > 1 or not cmd.section:
            text.append(plan)
        for rollup in (r for r in rollups if r.plan == plan):
            text.append(fmt_rollup(rollup))
            if cmd.section:
                members = by_section.get((rollup.plan, rollup.section_code), [])
                text += [fmt_action_line(a, ctx.today) for a in members]
                lines += _lines(members, ctx)
    title = f"Summary {cmd.section}" if cmd.section else "Summary"
    return Reply(text="\n".join(text), title=title, rollups=rollups, lines=lines, as_of=ctx.today)


def handle_status(cmd: ShowStatus, ctx: HandlerContext) -> Reply:
    """One action in full."""
    action = resolve_action(ctx, cmd.code)
    return Reply(text=fmt_status_block(action, ctx.today, ctx.timezone), title=tail(action.code),
                 lines=_lines([action], ctx), as_of=ctx.today)


def handle_owner(cmd: ShowOwner, ctx: HandlerContext) -> Reply:
    """Who is responsible for an action."""
    action = resolve_action(ctx, cmd.code)
    owner = action.responsibility or "nobody yet (unassigned)"
    text = (f"{action.code} ({short(action.title, 60)}): {owner}.\n"
            f"To change it, type `{tail(action.code)} owner NAME`.")
    return Reply(text=text, title=f"Owner of {tail(action.code)}", lines=_lines([action], ctx), as_of=ctx.today)


def handle_changes(cmd: ShowChanges, ctx: HandlerContext) -> Reply:
    """Every change across the plan since the start of a day (in the team's zone), newest first."""
    start = datetime.combine(cmd.since, time(0), tzinfo=zone_info(ctx.timezone)).astimezone(timezone.utc)
    entries = list(reversed(ctx.uow.history.since(start, plan=ctx.plan)))
    day = f"{local_time(start, ctx.timezone):%A} {fmt_date(cmd.since)}"
    title = f"Changes since {day}"
    if not entries:
        return Reply(text=f"Nothing has changed since {day}.", title=title, as_of=ctx.today)
    rows = _change_rows(entries, ctx.timezone)
    shown = rows[:MAX_LINES]
    text = [f"{title} ({len(entries)} {'change' if len(entries) == 1 else 'changes'}, newest first):", *shown]
    if len(rows) > len(shown):
        text.append(f"…and {len(rows) - len(shown)} earlier. Ask about a shorter time, e.g. `changes today`, "
                    "or one action: `history AP2.5.1`.")
    return Reply(text="\n".join(text), title=title, history=entries[:MAX_LINES], as_of=ctx.today)


def _change_rows(entries: list[HistoryEntry], zone: str) -> list[str]:
    """One line a change; an import's entries (one a changed action) as one line."""
    imports: dict[str, list[HistoryEntry]] = {}
    for entry in entries:
        if entry.kind == "import":
            imports.setdefault(entry.batch_id or f"import {entry.id}", []).append(entry)
    rows: list[str] = []
    for entry in entries:
        batch = imports.get(entry.batch_id or f"import {entry.id}") if entry.kind == "import" else None
        if batch is None:
            rows.append(fmt_history_entry(entry, zone, with_code=True))
        elif batch[0] is entry:
            noun = "action" if len(batch) == 1 else "actions"
            plans = ", ".join(sorted({e.plan for e in batch if e.plan}))
            rows.append(f"{fmt_time(entry.at, zone)} {entry.actor} via {entry.channel}: imported {len(batch)} {noun}"
                        + (f" of {plans}" if plans else "") + " (`history CODE` for one)")
    return rows


def handle_history(cmd: ShowHistory, ctx: HandlerContext) -> Reply:
    """Every change to an action, newest first."""
    action = resolve_action(ctx, cmd.code)
    entries = ctx.uow.history.for_action(action.id, limit=50)
    if not entries:
        return Reply(text=f"{tail(action.code)} has no recorded changes yet.", as_of=ctx.today)
    text = [f"History of {action.code} (newest first):"] + [fmt_history_entry(e, ctx.timezone) for e in entries]
    return Reply(text="\n".join(text), title=f"History {tail(action.code)}", history=entries, as_of=ctx.today)


def handle_overdue(cmd: ShowOverdue, ctx: HandlerContext) -> Reply:
    """Overdue actions, most overdue first; optionally for a section or a responsibility."""
    scope = (cmd.scope or "").strip()
    empty = f"Nothing is overdue{' for ' + scope if scope else ''}."
    section_ids: list[int] | None = None
    if scope:
        number = codes.section_number(scope)
        in_section = [s.id or 0 for s in ctx.uow.plans.sections(ctx.plan)
                      if codes.section_number(s.code) == number] if any(ch.isdigit() for ch in scope) else []
        if not in_section:
            # A responsibility: open actions due before today are read (the database narrows),
            # and the domain decides.
            folded = scope.casefold()
            overdue = sorted((a for a in ctx.uow.actions.open_list(plan=ctx.plan, due_before=ctx.today)
                              if folded in (a.responsibility or "").casefold() and is_overdue(a, ctx.today)),
                             key=lambda a: (a.due_date, a.code))
            return _listing(f"Overdue for {scope}", overdue, ctx, empty)
        section_ids = in_section
    # The plan's (or the section's) overdue actions are counted and ordered by the database,
    # as is_overdue and the sort above decide (tests/questions/test_overdue_replies.py), and
    # only the shown ones are read: a council's plan has hundreds.
    total, shown = ctx.uow.actions.overdue_page(ctx.plan, ctx.today, MAX_LINES, section_ids=section_ids)
    return _page(f"Overdue in {scope}" if scope else "Overdue", shown, total, ctx, empty)


def handle_due(cmd: ShowDue, ctx: HandlerContext) -> Reply:
    """Incomplete actions due within a period; with `mine`, only the asker's."""
    if cmd.mine and ctx.person is None:
        raise UpdateRefused("I don't know who you are yet, so I can't tell which actions are yours.")
    actions = [
        a for a in ctx.uow.actions.list(plan=ctx.plan)
        if is_open(a) and a.due_date is not None and cmd.start <= a.due_date <= cmd.end
        and (not cmd.mine or (ctx.person is not None and is_responsible(ctx.person, a)))
    ]
    actions.sort(key=lambda a: (a.due_date, a.code))
    whose = f" for {ctx.person.name}" if cmd.mine and ctx.person is not None else ""
    period = f"Due {cmd.period}{whose} ({fmt_date(cmd.start)} – {fmt_date(cmd.end)})"
    return _listing(period, actions, ctx, f"Nothing open is due {cmd.period}{whose}.")


MAX_LOG_LINES = 20  # of the log's actions in `mine` (and so in the Slack App Home)


def with_log_actions(reply: Reply, ctx: HandlerContext) -> Reply:
    """`mine` also lists the asker's open actions allocated in the contract-monitoring log."""
    from handlers.log_actions import my_log_actions

    log_lines = my_log_actions(ctx)
    if not log_lines:
        return reply
    heading = f"Log actions ({len(log_lines)}):"
    shown = log_lines[:MAX_LOG_LINES]
    if len(log_lines) > MAX_LOG_LINES:
        shown.append(f"…and {len(log_lines) - MAX_LOG_LINES} more: `concerns overdue`, `concerns due this week`.")
    lead = reply.text if reply.lines else f"{ctx.person.name if ctx.person else 'You'} has no open plan actions."
    reply.text = lead + "\n" + "\n".join([heading] + shown)
    reply.notes = [*reply.notes, heading, *shown]
    return reply


def handle_mine(cmd: ShowMine, ctx: HandlerContext) -> Reply:
    """Actions whose responsibility names you or your team, overdue first."""
    if ctx.person is None:
        raise UpdateRefused("I don't know who you are yet, so I can't tell which actions are yours.")
    person = ctx.person
    # The database narrows to open actions naming the person or their team; is_responsible decides.
    naming = tuple(name for name in (person.name, person.team) if name)
    mine = [a for a in ctx.uow.actions.open_list(plan=ctx.plan, naming=naming) if is_open(a) and is_responsible(person, a)]
    mine.sort(key=lambda a: (not is_overdue(a, ctx.today), a.due_date or ctx.today, a.code))
    reply = _listing(f"Open actions for {person.name}", mine, ctx, f"{person.name} has no open actions.")
    return with_log_actions(reply, ctx)
