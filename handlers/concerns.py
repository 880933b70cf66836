"""Handlers of the contract-monitoring log: log, allocate, close, re-categorise, note, show, list.

Safeguarding entries are confidential: a person without the safeguarding role sees only their
reference (and a count), in replies and lists alike. Nothing here logs an entry's content.
"""

from __future__ import annotations

from dataclasses import replace

from bot.concern_commands import (
    AddConcernNote,
    AllocateConcernAction,
    CloseConcern,
    LinkConcern,
    ListConcerns,
    LogConcern,
    SetConcernCategory,
    ShowConcern,
)
from bot.context import HandlerContext
from bot.domain.concerns import (
    Category,
    Concern,
    ConcernAction,
    ConcernEvent,
    EntryState,
    Source,
    guess_category,
    may_change,
    may_see,
    provider_named,
    redacted_line,
    state_after_allocation,
    summary_from_text,
)
from bot.domain.model import Person
from bot.domain.progress import UpdateRefused
from bot.messages import Reply
from handlers.formatting import fmt_date
from handlers.resolve import resolve_action

MAX_LIST = 40


def _source(channel: str) -> Source:
    return {"console": Source.CONSOLE, "email": Source.EMAIL}.get(channel, Source.CHAT)


def _event(ctx: HandlerContext, concern: Concern, kind: str, note: str | None = None,
           changes: tuple[tuple[str, str | None, str | None], ...] = ()) -> None:
    ctx.uow.concerns.append_event(concern, ConcernEvent(
        reference=concern.reference, at=ctx.now, actor=ctx.actor, channel=ctx.message.channel, kind=kind,
        changes=changes, note=note, source_ref=ctx.message.source_ref,
    ))


def _entry(ctx: HandlerContext, reference: str, changing: bool = True) -> Concern:
    concern: Concern | None = ctx.uow.concerns.get(reference)
    if concern is None:
        raise UpdateRefused(f"There is no entry {reference} in the log. Type `concerns open` to see the open entries.")
    if changing:
        why = may_change(ctx.person, concern)
        if why:
            raise UpdateRefused(why)
    return concern


def _viewer(ctx: HandlerContext) -> Person | None:
    """Whose eyes a reply is for: the asker. A reply that shows them confidential content is
    marked `private`, and every adapter delivers such a reply to the asker alone (ephemeral or
    DM in Slack, the personal chat in Teams), wherever the question was asked."""
    return ctx.person


def handle_log_concern(cmd: LogConcern, ctx: HandlerContext) -> Reply:
    """A new entry from chat or the console."""
    if ctx.person is None:
        raise UpdateRefused("I don't know who you are yet, so I can't add to the log. Ask an admin to add you "
                            "with `actionbot people add`.")
    provider = provider_named(ctx.uow.providers.list(), cmd.provider) if cmd.provider else None
    category = Category(cmd.category) if cmd.category else guess_category(cmd.text)
    reference, _ = ctx.uow.concerns.allocate_reference(ctx.today.year)
    concern = ctx.uow.concerns.add(Concern(
        reference=reference, category=category, summary=summary_from_text(cmd.text), body=cmd.text,
        source=_source(ctx.message.channel), reporter=ctx.actor, received_at=ctx.now,
        provider=provider.name if provider else cmd.provider, reporter_email=ctx.person.email,
    ), provider_id=provider.id if provider else None)
    _event(ctx, concern, "logged", changes=(("state", None, EntryState.OPEN.value),))
    if concern.is_confidential:
        text = (f"Logged {reference} as a confidential safeguarding entry. Only people with the "
                "safeguarding role can see it.")
    else:
        unknown = "" if provider or not cmd.provider else (
            f" ({cmd.provider} is not a provider on record; add it with `actionbot providers add`.)")
        text = (f"Logged {redacted_line(concern)}{unknown}\nAllocate an action with "
                f"`{reference} action WHAT @OWNER by WHEN`.")
    return Reply(text=text, title=f"Logged {reference}", as_of=ctx.today)


def _owner_name(ctx: HandlerContext, typed: str) -> str:
    person = ctx.uow.people.get(typed)
    if person is not None:
        return str(person.name)
    wanted = typed.casefold()
    matches = [p for p, _ in ctx.uow.people.list() if p.name.split()[0].casefold() == wanted]
    return str(matches[0].name) if len(matches) == 1 else typed


def handle_allocate(cmd: AllocateConcernAction, ctx: HandlerContext) -> Reply:
    """Allocate an action (owner and timescale) on an entry; an open entry becomes in progress."""
    concern = _entry(ctx, cmd.reference)
    if concern.state is EntryState.CLOSED:
        raise UpdateRefused(f"{concern.reference} is closed; nothing was allocated.")
    owner = _owner_name(ctx, cmd.owner)
    ctx.uow.concerns.add_action(concern, ConcernAction(cmd.description, owner, cmd.due, cmd.due_phrase))
    new_state = state_after_allocation(concern.state)
    changes: tuple[tuple[str, str | None, str | None], ...] = ()
    if new_state is not concern.state:
        changes = (("state", concern.state.value, new_state.value),)
        ctx.uow.concerns.update(replace(concern, state=new_state))
    timescale = f" by {fmt_date(cmd.due)}" if cmd.due else ""
    _event(ctx, concern, "action", note=f"{cmd.description} — {owner}{timescale}", changes=changes)
    shown = cmd.description if may_see(_viewer(ctx), concern) else "(confidential)"
    return Reply(text=f"{concern.reference}: action for {owner}{timescale}: {shown}. State: {new_state.value}.",
                 title=f"Action on {concern.reference}", as_of=ctx.today, private=concern.is_confidential)


def handle_close(cmd: CloseConcern, ctx: HandlerContext) -> Reply:
    """Close an entry with a note."""
    concern = _entry(ctx, cmd.reference)
    if concern.state is EntryState.CLOSED:
        raise UpdateRefused(f"{concern.reference} is already closed.")
    ctx.uow.concerns.update(replace(concern, state=EntryState.CLOSED))
    _event(ctx, concern, "close", note=cmd.note, changes=(("state", concern.state.value, EntryState.CLOSED.value),))
    return Reply(text=f"{concern.reference}: {concern.state.value} → closed.", title=f"Closed {concern.reference}",
                 as_of=ctx.today)


def handle_set_category(cmd: SetConcernCategory, ctx: HandlerContext) -> Reply:
    """Correct an entry's category. Making it safeguarding makes it confidential at once."""
    concern = _entry(ctx, cmd.reference)
    new = Category(cmd.category)
    if new is concern.category:
        return Reply(text=f"{concern.reference} is already {new.value}.", as_of=ctx.today)
    ctx.uow.concerns.update(replace(concern, category=new))
    _event(ctx, concern, "category", changes=(("category", concern.category.value, new.value),))
    return Reply(text=f"{concern.reference}: category {concern.category.value} → {new.value}.", as_of=ctx.today)


def handle_link(cmd: LinkConcern, ctx: HandlerContext) -> Reply:
    """Link an entry to the plan action it bears on."""
    concern = _entry(ctx, cmd.reference)
    action = resolve_action(ctx, cmd.code)
    ctx.uow.concerns.update(replace(concern, action_code=action.code))
    _event(ctx, concern, "link", changes=(("action_code", concern.action_code, action.code),))
    return Reply(text=f"{concern.reference} is linked to {action.code}.", as_of=ctx.today)


def handle_note(cmd: AddConcernNote, ctx: HandlerContext) -> Reply:
    """Add a note to an entry's history."""
    concern = _entry(ctx, cmd.reference)
    _event(ctx, concern, "note", note=cmd.note)
    return Reply(text=f"{concern.reference}: note added.", as_of=ctx.today)


def fmt_entry(concern: Concern, events: list[ConcernEvent]) -> str:
    lines = [
        f"{concern.reference} [{concern.category.value}] {concern.state.value}",
        f"Provider: {concern.provider or 'unknown'}; from {concern.reporter} by {concern.source.value}, "
        f"{concern.received_at:%d %b %Y %H:%M} UTC" + (f"; linked to {concern.action_code}" if concern.action_code else ""),
        f"Summary: {concern.summary}",
    ]
    if concern.body.strip() and concern.body.strip() != concern.summary:
        lines.append("Text: " + concern.body.strip()[:1500])
    for attachment in concern.attachments:
        lines.append(f"Attachment: {attachment.filename} ({attachment.size:,} bytes)"
                     + ("" if attachment.stored else f" — not kept: {attachment.note}"))
    for action in concern.actions:
        due = f" by {fmt_date(action.due_date)}" if action.due_date else ""
        lines.append(f"• Action: {action.description} — {action.owner}{due}")
    if events:
        lines.append("History:")
        lines += [f"  {e.at:%d %b %Y %H:%M} {e.actor} ({e.channel}) {e.kind}" + (f": {e.note}" if e.note else "")
                  for e in events]
    return "\n".join(lines)


def handle_show(cmd: ShowConcern, ctx: HandlerContext) -> Reply:
    """One entry in full, for those who may see it."""
    concern = _entry(ctx, cmd.reference, changing=False)
    if not may_see(_viewer(ctx), concern):
        return Reply(text=f"{concern.reference} is a confidential safeguarding entry ({concern.state.value}); only "
                          "people with the safeguarding role can see its content.", as_of=ctx.today)
    events = ctx.uow.concerns.events(concern)
    return Reply(text=fmt_entry(concern, events), title=concern.reference, as_of=ctx.today,
                 private=concern.is_confidential)


def _full_line(concern: Concern) -> str:
    return (f"{concern.reference} [{concern.category.value}] {concern.provider or 'provider unknown'}: "
            f"{concern.summary} — {concern.state.value}")


def visible_listing(concerns: list[Concern], viewer: Person | None) -> tuple[list[str], list[str]]:
    """(lines the viewer may read, references of confidential entries they may not)."""
    shown = [_full_line(c) for c in concerns if may_see(viewer, c)]
    hidden = [c.reference for c in concerns if not may_see(viewer, c)]
    return shown, hidden


def handle_list(cmd: ListConcerns, ctx: HandlerContext) -> Reply:
    """Open entries, or every entry of one provider."""
    provider = None
    if cmd.provider:
        provider = provider_named(ctx.uow.providers.list(), cmd.provider)
        concerns = ctx.uow.concerns.list(open_only=cmd.open_only, provider=provider,
                                         provider_text=None if provider else cmd.provider)
        title = f"Entries for {provider.name if provider else cmd.provider}"
    else:
        concerns = ctx.uow.concerns.list(open_only=cmd.open_only)
        title = "Open entries" if cmd.open_only else "All entries"
    if not concerns:
        return Reply(text=f"{title}: none.", title=title, as_of=ctx.today)
    viewer = _viewer(ctx)
    shown, hidden = visible_listing(concerns, viewer)
    text = [f"{title} ({len(concerns)}):"] + shown[:MAX_LIST]
    if len(shown) > MAX_LIST:
        text.append(f"…and {len(shown) - MAX_LIST} more.")
    if hidden:
        text.append(f"{len(hidden)} confidential safeguarding "
                    f"{'entry' if len(hidden) == 1 else 'entries'}: {', '.join(hidden)}.")
    private = any(c.is_confidential and may_see(viewer, c) for c in concerns)
    return Reply(text="\n".join(text), title=title, more=max(0, len(shown) - MAX_LIST), as_of=ctx.today,
                 private=private)
