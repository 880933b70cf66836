"""What every handler of the contract-monitoring log does first: find the entry, check who may
change it, write to its history, and record each view of a confidential entry.

Below both handlers/concerns.py and handlers/confidential.py, so neither imports the other.
"""

from __future__ import annotations

from dataclasses import replace

from bot.context import HandlerContext
from bot.domain.concerns import Category, Concern, ConcernAccess, ConcernEvent, Restriction, may_change
from bot.domain.model import Person
from bot.domain.progress import UpdateRefused


def viewer(ctx: HandlerContext) -> Person | None:
    """Whose eyes a reply is for: the asker. A reply that shows them confidential content is
    marked `private`, and every adapter delivers such a reply to the asker alone (ephemeral or
    DM in Slack, the personal chat in Teams), wherever the question was asked."""
    return ctx.person


def load_entry(ctx: HandlerContext, reference: str, changing: bool = True, raising: bool = False) -> Concern:
    """The entry, once the asker may do what they ask. `raising`: the change only makes the
    entry more confidential, which anyone who may change the log may do, role or not."""
    concern: Concern | None = ctx.uow.concerns.get(reference)
    if concern is None:
        raise UpdateRefused(f"There is no entry {reference} in the log. Type `concerns open` to see the open entries.")
    if changing:
        why = may_change(ctx.person, replace(concern, category=Category.QUERY, restriction=Restriction.NONE)
                         if raising else concern)
        if why:
            raise UpdateRefused(why)
    return concern


def append_event(ctx: HandlerContext, concern: Concern, kind: str, note: str | None = None,
                 changes: tuple[tuple[str, str | None, str | None], ...] = ()) -> None:
    """One line of the entry's history. Written while the entry is confidential, it stays
    confidential (storage marks it)."""
    ctx.uow.concerns.append_event(concern, ConcernEvent(
        reference=concern.reference, at=ctx.now, actor=ctx.actor, channel=ctx.message.channel, kind=kind,
        changes=changes, note=note, source_ref=ctx.message.source_ref,
    ))


def record_view(ctx: HandlerContext, concern: Concern, what: str, allowed: bool) -> None:
    """Every view of a confidential entry, and every refused one: who, when, where."""
    place = None if ctx.message.is_private else (ctx.message.conversation_id or "shared")
    ctx.uow.concerns.record_access(concern, ConcernAccess(
        reference=concern.reference, person=ctx.actor, at=ctx.now, channel=ctx.message.channel, place=place,
        what=what, allowed=allowed,
    ))
