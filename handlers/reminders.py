"""Leave, snoozes, "not mine", and answers to a reminder (a reply or a button).

Each writes a people or history record that is never deleted (storage.reminder_tables):
leave ended early keeps its row, a snooze replaced by another keeps its row, "not mine" is a
note in the action's history and a notice to the admins and the team lead.

An answer to a reminder goes through the same grammar and the same update handler as any
message, with the sender's own permissions; it is refused, changing nothing, when the sender
is not the person the reminder went to or names an item the reminder did not list.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from bot.commands import MarkDone, ParseError, UpdateBatch
from bot.context import HandlerContext
from bot.domain.model import HistoryEntry
from bot.domain.reminders import ItemKind, ReminderInputError, check_leave, snooze_until
from bot.grammar.reminders import read_reminder_reply
from bot.messages import Reply
from bot.reminder_commands import BackFromLeave, GoOnLeave, NotMine, ReminderButton, ReminderReply, SnoozeReminder
from handlers import progress
from handlers.resolve import resolve_action

SNOOZE_BUTTON_DAYS = 7
_WHO = ("I don't know who you are yet, so I can't keep reminders for you. Ask an admin to add you with "
        "`actionbot people add`.")


def _me(ctx: HandlerContext) -> Any:
    if ctx.person is None or ctx.person.id is None:
        return None
    return ctx.person


def handle_leave(cmd: GoOnLeave, ctx: HandlerContext) -> Reply:
    """Record leave (and a cover); reminders pause or go to the cover until it ends."""
    me = _me(ctx)
    if me is None:
        return Reply.error(_WHO)
    starts = cmd.starts or ctx.today
    try:
        check_leave(starts, cmd.until, ctx.today)
    except ReminderInputError as exc:
        return Reply.error(str(exc))
    cover_id = None
    cover_name = None
    if cmd.cover:
        cover = ctx.uow.people.get(cmd.cover)
        if cover is None:
            return Reply.error(f"I don't know anyone called {cmd.cover}, so I have not recorded your leave. "
                               "Name your cover as `actionbot people list` shows them, or leave the cover out.")
        if cover.id == me.id:
            return Reply.error("You can't cover for yourself; name someone else, or leave the cover out.")
        cover_id, cover_name = cover.id, cover.name
    ctx.uow.reminders.add_leave(me.id, starts, cmd.until, cover_id, ctx.now, ctx.actor)
    where = f"your reminders go to {cover_name} meanwhile" if cover_name else "your reminders are paused meanwhile"
    first = "from today" if starts <= ctx.today else f"from {starts:%A %d %B %Y}"
    return Reply(text=f"Recorded: you are away {first} until {cmd.until:%A %d %B %Y} (the last day away); {where}. "
                      "Type `I'm back` if you return sooner.", as_of=ctx.today)


def handle_back(cmd: BackFromLeave, ctx: HandlerContext) -> Reply:
    """End any leave that covers today or later."""
    me = _me(ctx)
    if me is None:
        return Reply.error(_WHO)
    ended = ctx.uow.reminders.end_leave(me.id, ctx.today)
    if not ended:
        return Reply(text="Welcome back. You had no leave recorded, so nothing changed: your reminders are on.",
                     as_of=ctx.today)
    return Reply(text="Welcome back: your leave is ended and your reminders start again today.", as_of=ctx.today)


def _item_key(ctx: HandlerContext, code: str, keys: dict[str, str] | None) -> tuple[str, str]:
    """(item key, shown ref) for a code: from the reminder's own list when answering one."""
    if keys:
        from bot.domain.codes import matches

        for ref, key in keys.items():
            if matches(code, ref) or matches(ref, code):
                return key, ref
    action = resolve_action(ctx, code)
    return f"{ItemKind.ACTION.value}:{action.plan}:{action.code}", action.code


def handle_snooze(cmd: SnoozeReminder, ctx: HandlerContext, keys: dict[str, str] | None = None) -> Reply:
    """No reminders about one item, for the asker, until the date."""
    me = _me(ctx)
    if me is None:
        return Reply.error(_WHO)
    if cmd.code is None:
        return Reply.error("Say which action: e.g. `AP2.5.1 snooze 2 weeks`, or reply to a reminder.")
    try:
        until = snooze_until(ctx.today, days=cmd.days, until=cmd.until)
    except ReminderInputError as exc:
        return Reply.error(str(exc))
    key, ref = _item_key(ctx, cmd.code, keys)
    ctx.uow.reminders.snooze(me.id, key, until, ctx.now, ctx.actor)
    last = until - timedelta(days=1)
    return Reply(text=f"Snoozed {ref}: no reminders about it for you until {until:%A %d %B %Y} "
                      f"(quiet through {last:%d %b}). Escalations to the team lead still run.", as_of=ctx.today)


def handle_not_mine(cmd: NotMine, ctx: HandlerContext, keys: dict[str, str] | None = None) -> Reply:
    """Note it in the action's history; tell the admins and the team lead."""
    me = _me(ctx)
    if me is None:
        return Reply.error(_WHO)
    if cmd.code is None:
        return Reply.error("Say which action: e.g. `AP2.5.1 not mine`, or reply to a reminder.")
    key, ref = _item_key(ctx, cmd.code, keys)
    if not key.startswith(ItemKind.ACTION.value + ":"):
        return _not_mine_notices(ctx, me, ref, None, restricted=True)
    action = resolve_action(ctx, ref)
    ctx.uow.history.append(HistoryEntry(
        action_code=action.code, at=ctx.now, actor=ctx.actor, channel=ctx.message.channel, kind="update",
        note=f"{me.name} says this action is not theirs (answer to a reminder); it needs a new owner.",
        source_ref=ctx.message.source_ref, batch_id=ctx.batch_id, person_id=me.id, action_id=action.id,
        plan=action.plan))
    return _not_mine_notices(ctx, me, action.code, action, restricted=False)


def _not_mine_notices(ctx: HandlerContext, me: Any, ref: str, action: Any, restricted: bool) -> Reply:
    told: dict[int, str] = {}
    for person, _ids in ctx.uow.people.list():
        if person.is_admin and person.id != me.id:
            told[person.id] = person.name
    team = ctx.uow.reminders.team(me.team) if me.team else None
    lead = ctx.uow.people.get(team.lead) if team and team.lead else None
    if lead is not None and lead.id != me.id:
        told[lead.id] = lead.name
    what = f"{ref} {action.title} (responsibility: {action.responsibility or 'nobody'})" if action else ref
    text = (f"{me.name} says {what} is not theirs. Please reassign it, e.g. `{ref} owner NAME`.")
    for person_id in told:
        ctx.uow.reminders.add_notice(person_id, text, ctx.now, private=restricted)
    who = ", ".join(sorted(told.values())) or "nobody (there is no admin or team lead to tell)"
    return Reply(text=f"Noted that {ref} is not yours; I've told {who}, who can reassign it.", as_of=ctx.today)


# --- answers to a reminder ---------------------------------------------------------------------


def _reminder(ctx: HandlerContext, send_id: int) -> tuple[Any, Reply | None]:
    record = ctx.uow.reminders.get_send(send_id)
    if record is None:
        return None, Reply.error("I can't find that reminder any more; type the update with its code, "
                                 "e.g. `AP2.5.1 40%`.")
    if ctx.person is None:
        return None, Reply.error("I don't know who you are, so I take no answers to reminders from you. "
                                 "Nothing was changed.")
    if ctx.person.id != record.person_id:
        return None, Reply.error(f"That reminder was sent to {record.person}, so only they can answer it there. "
                                 "Nothing was changed; type your update with the action's code instead.")
    return record, None


def _run(command: object, record: Any, ctx: HandlerContext) -> Reply:
    keys = {str(item["ref"]): str(item["key"]) for item in record.items}
    plans = {str(item["ref"]): item.get("plan") for item in record.items}
    codes = [u.code for u in command.updates] if isinstance(command, UpdateBatch) else \
        [getattr(command, "code", None)]
    from bot.domain.codes import matches

    named = [ref for ref in plans for code in codes if code and (matches(code, ref) or matches(ref, code))]
    if named and len({plans[r] for r in named}) == 1 and plans[named[0]]:
        ctx = replace(ctx, plan=plans[named[0]])  # the plan the reminder's items belong to
    if isinstance(command, UpdateBatch):
        on_log = [str(i["ref"]) for i in record.items if i.get("kind") != ItemKind.ACTION.value]
        if any(c and matches(c, r) for c in codes for r in on_log):
            return Reply.error("That item is on the contract-monitoring log; update it there. Nothing was changed.")
        return progress.handle_updates(command, ctx)
    if isinstance(command, SnoozeReminder):
        return handle_snooze(command, ctx, keys)
    if isinstance(command, NotMine):
        return handle_not_mine(command, ctx, keys)
    return Reply.error("I couldn't read that as an answer to the reminder. Nothing was changed.")


def handle_reminder_reply(cmd: ReminderReply, ctx: HandlerContext) -> Reply:
    """A reply in a reminder's thread, or to its email."""
    record, refused = _reminder(ctx, cmd.send_id)
    if refused is not None:
        return refused
    parsed = read_reminder_reply(cmd.text, record.refs(), ctx.today)
    if isinstance(parsed, ParseError):
        return Reply.error(parsed.message)
    return _run(parsed, record, ctx)


def handle_reminder_button(cmd: ReminderButton, ctx: HandlerContext) -> Reply:
    """Done, Snooze 1 week, Not mine or Update… under one item of a reminder."""
    record, refused = _reminder(ctx, cmd.send_id)
    if refused is not None:
        return refused
    if not 0 <= cmd.index < len(record.items):
        return Reply.error("That button belongs to an item the reminder no longer lists. Nothing was changed.")
    ref = str(record.items[cmd.index]["ref"])
    command: object
    if cmd.what == "done":
        command = UpdateBatch((MarkDone(ref),))
    elif cmd.what == "snooze":
        command = SnoozeReminder(ref, days=SNOOZE_BUTTON_DAYS)
    elif cmd.what == "not_mine":
        command = NotMine(ref)
    elif cmd.what == "update":
        if not cmd.text:
            return Reply.error(f"Type the update for {ref} in the box first, e.g. `40% six contracts signed` or "
                               "`done`. Nothing was changed.")
        command = read_reminder_reply(cmd.text, [ref], ctx.today)  # as a reply to a one-item reminder
        if isinstance(command, ParseError):
            return Reply.error(command.message)
    else:
        return Reply.error("I don't know that button. Nothing was changed.")
    return _run(command, record, ctx)
