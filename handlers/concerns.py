"""Handlers of the contract-monitoring log: log, allocate, close, re-categorise, note, show, list.

Safeguarding entries are confidential: a person without the safeguarding role sees only their
reference (and a count), in replies and lists alike. Nothing here logs an entry's content.
"""

from __future__ import annotations

from dataclasses import replace

from bot.concern_commands import (
    ReopenConcern,
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
    Provider,
    Restriction,
    Source,
    guess_category,
    has_safeguarding_role,
    may_see,
    may_see_body,
    may_see_event,
    provider_named,
    raised_restriction,
    redacted_line,
    restriction_for,
    state_after_allocation,
    summary_from_text,
)
from bot.domain.providers import matching
from bot.domain.safeguarding import assess
from bot.domain.model import Person
from bot.domain.progress import UpdateRefused
from bot.messages import Reply
from handlers.confidential import request_downgrade
from handlers.log_entries import append_event, load_entry, record_view
from handlers.log_entries import viewer as asker
from handlers.formatting import fmt_date, fmt_time
from handlers.log_actions import log_settings, refuse_past, resolve_owner
from handlers.providers import find_provider
from handlers.resolve import resolve_action
from bot.domain.timescales import checks

MAX_LIST = 40


def _source(channel: str) -> Source:
    return {"console": Source.CONSOLE, "email": Source.EMAIL}.get(channel, Source.CHAT)


def handle_log_concern(cmd: LogConcern, ctx: HandlerContext) -> Reply:
    """A new entry from chat or the console."""
    if ctx.person is None:
        raise UpdateRefused("I don't know who you are yet, so I can't add to the log. Ask an admin to add you "
                            "with `actionbot people add`.")
    provider = provider_named(ctx.uow.providers.list(), cmd.provider) if cmd.provider else None
    category = Category(cmd.category) if cmd.category else guess_category(cmd.text)
    restriction = restriction_for(category, assess(cmd.provider, cmd.text))
    reference, _ = ctx.uow.concerns.allocate_reference(ctx.today.year)
    concern = ctx.uow.concerns.add(Concern(
        reference=reference, category=category, summary=summary_from_text(cmd.text), body=cmd.text,
        source=_source(ctx.message.channel), reporter=ctx.actor, received_at=ctx.now,
        provider=provider.name if provider else cmd.provider, reporter_email=ctx.person.email,
        restriction=restriction, logged_at=ctx.now, provider_proposed=provider is None and bool(cmd.provider),
        # Logged by a member of staff, who has the concern in hand: acknowledged as it is logged.
        acknowledged_at=ctx.now,
    ), provider_id=provider.id if provider else None)
    append_event(ctx, concern, "logged", changes=(("state", None, EntryState.OPEN.value),))
    if restriction is Restriction.PENDING:
        text = (f"Logged {reference} as confidential pending safeguarding review: its words may point to a "
                "safeguarding concern. Only people with the safeguarding role can see it until one of them "
                f"reviews it (`{reference} restrict` to confirm, `{reference} unrestrict` to release).")
    elif concern.is_confidential:
        text = (f"Logged {reference} as a confidential safeguarding entry. Only people with the "
                "safeguarding role can see it. Flagged for same-day triage.")
    else:
        unknown = "" if provider or not cmd.provider else (
            f" ({cmd.provider} is not on the provider register, so it is proposed; confirm it with "
            f"`{reference} provider {cmd.provider}`.)")
        text = (f"Logged {redacted_line(concern)}{unknown}\nAllocate an action with "
                f"`{reference} action WHAT @OWNER by WHEN`.")
    return Reply(text=text, title=f"Logged {reference}", as_of=ctx.today)


def handle_allocate(cmd: AllocateConcernAction, ctx: HandlerContext) -> Reply:
    """Allocate an action (owner and timescale) on an entry; an open entry becomes in progress."""
    concern = load_entry(ctx, cmd.reference)
    if concern.state is EntryState.CLOSED:
        raise UpdateRefused(f"{concern.reference} is closed; nothing was allocated.")
    owner = resolve_owner(ctx, cmd.owner)
    refuse_past(ctx, cmd.due)
    concern = raise_for(ctx, concern, cmd.description)  # an action's words can restrict the entry too
    added = ctx.uow.concerns.add_action(concern, ConcernAction(cmd.description, owner, cmd.due, cmd.due_phrase))
    new_state = state_after_allocation(concern.state)
    changes: tuple[tuple[str, str | None, str | None], ...] = ()
    if new_state is not concern.state:
        changes = (("state", concern.state.value, new_state.value),)
        ctx.uow.concerns.update(replace(concern, state=new_state))
    timescale = f" by {fmt_date(cmd.due)}" if cmd.due else ""
    ref = added.reference(concern.reference)
    append_event(ctx, concern, "action", note=f"{ref} {cmd.description} — {owner}{timescale}", changes=changes)
    shown = cmd.description if may_see(asker(ctx), concern) else "(confidential)"
    if concern.is_confidential:
        record_view(ctx, concern, "allocate", allowed=True)
    return Reply(text=f"{ref}: action for {owner}{timescale}: {shown}. State: {new_state.value}. "
                      f"When it is done, type `{ref} done`.",
                 title=f"Action on {concern.reference}", as_of=ctx.today, private=concern.is_confidential)


def handle_close(cmd: CloseConcern, ctx: HandlerContext) -> Reply:
    """Close an entry with a note."""
    concern = load_entry(ctx, cmd.reference)
    if concern.state is EntryState.CLOSED:
        raise UpdateRefused(f"{concern.reference} is already closed.")
    still_open = concern.open_actions
    if still_open and not cmd.anyway:
        refs = ", ".join(a.reference(concern.reference) for a in still_open[:5])
        n = len(still_open)
        raise UpdateRefused(
            f"{concern.reference} has {n} open action{'s' if n != 1 else ''} ({refs}). Mark "
            f"{'them' if n != 1 else 'it'} done (`{still_open[0].reference(concern.reference)} done`), or type "
            f"`{concern.reference} close anyway{' ' + cmd.note if cmd.note else ''}` to close it as it is. "
            "Nothing was changed.")
    concern = raise_for(ctx, concern, cmd.note)
    closed = replace(concern, state=EntryState.CLOSED, closed_at=ctx.now)
    ctx.uow.concerns.update(replace(closed, responded_at=concern.responded_at or ctx.now,
                                    acknowledged_at=concern.acknowledged_at or ctx.now))
    append_event(ctx, concern, "close", note=cmd.note, changes=(("state", concern.state.value, EntryState.CLOSED.value),))
    left = f" ({len(still_open)} action{'s' if len(still_open) != 1 else ''} left open)" if still_open else ""
    return Reply(text=f"{concern.reference}: {concern.state.value} → closed{left}. To open it again, type "
                      f"`{concern.reference} reopen`.", title=f"Closed {concern.reference}", as_of=ctx.today)


def handle_reopen(cmd: ReopenConcern, ctx: HandlerContext) -> Reply:
    """A closed entry is open again (in progress when it has open actions)."""
    concern = load_entry(ctx, cmd.reference)
    if concern.state is not EntryState.CLOSED:
        raise UpdateRefused(f"{concern.reference} is not closed ({concern.state.value}); there is nothing to reopen.")
    state = EntryState.IN_PROGRESS if concern.open_actions else EntryState.OPEN
    ctx.uow.concerns.update(replace(concern, state=state, closed_at=None))
    append_event(ctx, concern, "reopen", note=cmd.note, changes=(("state", EntryState.CLOSED.value, state.value),))
    return Reply(text=f"{concern.reference}: closed → {state.value}.", title=f"Reopened {concern.reference}",
                 as_of=ctx.today)


def handle_set_category(cmd: SetConcernCategory, ctx: HandlerContext) -> Reply:
    """Correct an entry's category. Making it safeguarding makes it confidential at once."""
    new = Category(cmd.category)
    concern = load_entry(ctx, cmd.reference, raising=new is Category.SAFEGUARDING)
    if new is concern.category:
        return Reply(text=f"{concern.reference} is already {new.value}.", as_of=ctx.today)
    if concern.is_confidential and new is not Category.SAFEGUARDING:
        return request_downgrade(ctx, concern, new)  # out of safeguarding: two people
    ctx.uow.concerns.update(replace(concern, category=new))
    append_event(ctx, concern, "category", changes=(("category", concern.category.value, new.value),))
    if new is Category.SAFEGUARDING and not may_see(asker(ctx), concern):
        return Reply(text=f"{concern.reference} is now a confidential safeguarding entry.", as_of=ctx.today)
    return Reply(text=f"{concern.reference}: category {concern.category.value} → {new.value}.", as_of=ctx.today)


def handle_link(cmd: LinkConcern, ctx: HandlerContext) -> Reply:
    """Link an entry to the plan action it bears on."""
    concern = load_entry(ctx, cmd.reference)
    action = resolve_action(ctx, cmd.code)
    ctx.uow.concerns.update(replace(concern, action_code=action.code))
    append_event(ctx, concern, "link", changes=(("action_code", concern.action_code, action.code),))
    return Reply(text=f"{concern.reference} is linked to {action.code}.", as_of=ctx.today)


def handle_note(cmd: AddConcernNote, ctx: HandlerContext) -> Reply:
    """Add a note to an entry's history."""
    concern = load_entry(ctx, cmd.reference)
    restricted = raise_for(ctx, concern, cmd.note)
    append_event(ctx, restricted, "note", note=cmd.note)
    if restricted.is_confidential and not concern.is_confidential:
        return Reply(text=f"{concern.reference}: note added. Its words may point to a safeguarding concern, so the "
                          "entry is now confidential: only people with the safeguarding role can see it.",
                     as_of=ctx.today)
    return Reply(text=f"{concern.reference}: note added.", as_of=ctx.today)


def raise_for(ctx: HandlerContext, concern: Concern, *texts: str | None) -> Concern:
    """Restrict the entry if `texts` carry a safeguarding signal (never the reverse); the entry
    as it now is."""
    restriction = raised_restriction(concern.restriction, assess(*texts))
    if restriction is concern.restriction:
        return concern
    raised = replace(concern, restriction=restriction)
    ctx.uow.concerns.update(raised)
    append_event(ctx, raised, "restrict", changes=(("restriction", concern.restriction.value, restriction.value),))
    return raised


_RESTRICTION_LINE = {
    Restriction.RESTRICTED: "Confidential: only people with the safeguarding role can see this entry.",
    Restriction.PENDING: ("Confidential pending safeguarding review: type `{ref} restrict` to confirm, or "
                          "`{ref} unrestrict` to release (a second safeguarding-role person confirms)."),
}


def _provider_text(concern: Concern) -> str:
    if not concern.provider:
        return "not known yet (set it with `" + concern.reference + " provider NAME`)"
    if concern.provider_proposed:
        return (f"{concern.provider} (proposed: confirm with `{concern.reference} provider {concern.provider}`)")
    return concern.provider


def _logged_text(concern: Concern, zone: str) -> str:
    if concern.logged_at is None or abs((concern.logged_at - concern.received_at).total_seconds()) < 60:
        return ""
    return f" (logged {fmt_time(concern.logged_at, zone)})"


def fmt_entry(concern: Concern, events: list[ConcernEvent], viewer: Person | None = None,
              zone: str = "Europe/London", timescale_lines: list[str] | None = None) -> str:
    """The entry as `viewer` may see it: what was written while it was confidential stays
    hidden from people without the role after a downgrade."""
    body_visible = may_see_body(viewer, concern)
    lines = [f"{concern.reference} [{concern.category.value}] {concern.state.value}"]
    if concern.is_confidential:
        restriction = Restriction.RESTRICTED if concern.category is Category.SAFEGUARDING else concern.restriction
        lines.append(_RESTRICTION_LINE[restriction].format(ref=concern.reference))
    if concern.closed_at is not None:
        anonymised = (f"; its content was anonymised on {concern.anonymised_at:%d %b %Y} under the retention policy"
                      if concern.anonymised_at else "")
        lines.append(f"Closed {fmt_time(concern.closed_at, zone)}{anonymised}.")
    if concern.downgrade_requested_by:
        lines.append(f"Downgrade asked for by {concern.downgrade_requested_by}, waiting for a second "
                     f"safeguarding-role person: `{concern.reference} confirm downgrade`.")
    reporter = concern.reporter if body_visible else "(confidential)"
    lines += [
        f"Provider: {_provider_text(concern)}; from {reporter} by {concern.source.value}, "
        + fmt_time(concern.received_at, zone) + _logged_text(concern, zone)
        + (f"; linked to {concern.action_code}" if concern.action_code else ""),
        f"Summary: {concern.summary if body_visible else '(written while the entry was confidential)'}",
    ]
    if body_visible and concern.body.strip() and concern.body.strip() != concern.summary:
        lines.append("Text: " + concern.body.strip()[:1500])
    for attachment in concern.attachments:
        if attachment.restricted and not may_see_body(viewer, replace(concern, body_restricted=True)):
            continue
        lines.append(f"Attachment: {attachment.filename} ({attachment.size:,} bytes)"
                     + ("" if attachment.stored else " — not kept" + (f": {attachment.note}" if attachment.note else "")))
    for action in concern.actions:
        due = f" by {fmt_date(action.due_date)}" if action.due_date else ""
        done = (f" — done {fmt_time(action.done_at, zone)}" + (f": {action.done_note}" if action.done_note else "")
                if action.done and action.done_at else " — done" if action.done else "")
        lines.append(f"• {action.reference(concern.reference)} {action.description} — {action.owner}{due}{done}")
    if timescale_lines:
        lines += timescale_lines
    shown = [e for e in events if may_see_event(viewer, concern, e)]
    if shown:
        lines.append("History:")
        lines += [f"  {fmt_time(e.at, zone)} {e.actor} ({e.channel}) {e.kind}" + (f": {e.note}" if e.note else "")
                  for e in shown]
    if len(shown) < len(events):
        hidden = len(events) - len(shown)
        lines.append(f"{hidden} {'entry' if hidden == 1 else 'entries'} of its history, written while it was "
                     "confidential, can be seen only by people with the safeguarding role.")
    return "\n".join(lines)


def handle_show(cmd: ShowConcern, ctx: HandlerContext) -> Reply:
    """One entry in full, for those who may see it."""
    concern = load_entry(ctx, cmd.reference, changing=False)
    viewer = asker(ctx)
    if not may_see(viewer, concern):
        record_view(ctx, concern, "show", allowed=False)
        return Reply(text=f"{concern.reference} is confidential; only people with the safeguarding role can see "
                          "its content.", as_of=ctx.today)
    if concern.is_confidential:
        record_view(ctx, concern, "show", allowed=True)
    events = ctx.uow.concerns.events(concern)
    # A downgraded entry still holds what was written while it was confidential; the role sees
    # it, privately.
    holds_restricted = (concern.is_confidential or concern.body_restricted or any(e.restricted for e in events)
                        or any(a.restricted for a in concern.attachments))
    timescales = [f"Timescale to {c.what}: {fmt_date(c.due)} — "
                  + ("met" if c.met else "missed" if c.met is False else "overdue" if c.overdue(ctx.today) else "open")
                  for c in checks(concern, log_settings(ctx), ctx.timezone)]
    return Reply(text=fmt_entry(concern, events, viewer, ctx.timezone, timescales), title=concern.reference,
                 as_of=ctx.today,
                 private=holds_restricted and has_safeguarding_role(viewer))


def _full_line(concern: Concern, viewer: Person | None) -> str:
    summary = concern.summary if may_see_body(viewer, concern) else "(written while the entry was confidential)"
    mark = " (confidential)" if concern.is_confidential else ""
    return (f"{concern.reference} [{concern.category.value}]{mark} {concern.provider_label or 'provider unknown'}: "
            f"{summary} — {concern.state.value}")


def visible_listing(concerns: list[Concern], viewer: Person | None) -> tuple[list[str], int]:
    """(lines the viewer may read, how many confidential entries they may not)."""
    shown = [_full_line(c, viewer) for c in concerns if may_see(viewer, c)]
    return shown, sum(1 for c in concerns if not may_see(viewer, c))


def handle_list(cmd: ListConcerns, ctx: HandlerContext) -> Reply:
    """Open entries, or every entry of one provider."""
    provider = None
    if cmd.provider:
        found = ctx.uow.providers.find(cmd.provider)
        if len(found) > 1:
            find_provider(ctx.uow, cmd.provider)  # raises, naming them
        provider = found[0] if found else None
        if provider is not None:
            concerns = ctx.uow.concerns.list(open_only=cmd.open_only, provider=provider)
        else:  # a proposed name, not yet on the register: with its Ltd/Care variants, or its first words
            concerns = [c for c in ctx.uow.concerns.unlinked()
                        if c.provider and matching([Provider(c.provider)], cmd.provider)
                        and (not cmd.open_only or c.state is not EntryState.CLOSED)]
        title = f"Entries for {provider.name if provider else cmd.provider}"
    else:
        concerns = ctx.uow.concerns.list(open_only=cmd.open_only)
        title = "Open entries" if cmd.open_only else "All entries"
    viewer = asker(ctx)
    shown, hidden = visible_listing(concerns, viewer)
    # Without the role, confidential entries are only ever a total count, never per provider:
    # a provider's listing says nothing of them, and the whole log's gives the count alone.
    if cmd.provider:
        hidden = 0
    if not shown and not hidden:
        return Reply(text=f"{title}: none.", title=title, as_of=ctx.today)
    text = [f"{title} ({len(shown)}):" if shown else f"{title}: none you can see."] + shown[:MAX_LIST]
    if len(shown) > MAX_LIST:
        text.append(f"…and {len(shown) - MAX_LIST} more.")
    if hidden:
        text.append(f"There {'is' if hidden == 1 else 'are'} also {hidden} confidential "
                    f"{'entry' if hidden == 1 else 'entries'} in the log, which only people with the "
                    "safeguarding role can see.")
    visible_confidential = [c for c in concerns if c.is_confidential and may_see(viewer, c)]
    for concern in visible_confidential[:MAX_LIST]:
        record_view(ctx, concern, "list", allowed=True)
    private = has_safeguarding_role(viewer) and any(c.is_confidential or c.body_restricted for c in concerns)
    return Reply(text="\n".join(text), title=title, more=max(0, len(shown) - MAX_LIST), as_of=ctx.today,
                 private=private)
