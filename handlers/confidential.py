"""Handlers of an entry's confidentiality: restrict, ask to take out of safeguarding, confirm
(a second person), and who has viewed it.

Restricting is one step for anyone who may change the log; taking an entry out of safeguarding
takes two people with the safeguarding role, and what was written while it was confidential
stays confidential (storage marks each line of history as it is written).
"""

from __future__ import annotations

from dataclasses import replace

from bot.concern_commands import ConfirmDowngrade, RestrictConcern, ShowConcernAccess, UnrestrictConcern
from bot.context import HandlerContext
from bot.domain.concerns import (
    Category,
    Concern,
    Restriction,
    confirmation_refusal,
    downgrade_refusal,
    has_safeguarding_role,
)
from bot.domain.progress import UpdateRefused
from bot.messages import Reply
from handlers.formatting import fmt_time
from handlers.log_entries import append_event, load_entry, record_view

MAX_ACCESS_LINES = 50


def handle_restrict(cmd: RestrictConcern, ctx: HandlerContext) -> Reply:
    """Make an entry confidential, or confirm one restricted pending review."""
    concern = load_entry(ctx, cmd.reference, raising=True)
    if concern.restriction is Restriction.RESTRICTED or concern.category is Category.SAFEGUARDING:
        if concern.downgrade_requested_by and has_safeguarding_role(ctx.person):
            ctx.uow.concerns.update(replace(concern, downgrade_requested_by=None, downgrade_to=None))
            append_event(ctx, concern, "restrict", note="downgrade request withdrawn")
            return Reply(text=f"{concern.reference} stays confidential; the request to take it out of "
                              "safeguarding is withdrawn.", as_of=ctx.today)
        return Reply(text=f"{concern.reference} is already confidential.", as_of=ctx.today)
    ctx.uow.concerns.update(replace(concern, restriction=Restriction.RESTRICTED))
    append_event(ctx, concern, "restrict",
                 changes=(("restriction", concern.restriction.value, Restriction.RESTRICTED.value),))
    done = "confirmed as confidential after review" if concern.restriction is Restriction.PENDING else "now confidential"
    return Reply(text=f"{concern.reference} is {done}: only people with the safeguarding role can see it.",
                 as_of=ctx.today)


def request_downgrade(ctx: HandlerContext, concern: Concern, category: Category | None) -> Reply:
    """The first of the two people a downgrade needs: the entry stays confidential."""
    why = downgrade_refusal(ctx.person, concern)
    if why:
        raise UpdateRefused(why)
    if category is None and concern.category is Category.SAFEGUARDING:
        raise UpdateRefused(f"{concern.reference} is a safeguarding entry: say which category it becomes, e.g. "
                            f"`{concern.reference} category complaint`. Nothing was changed.")
    ctx.uow.concerns.update(replace(concern, downgrade_requested_by=ctx.actor, downgrade_to=category))
    to = f" as {category.value}" if category else ""
    append_event(ctx, concern, "downgrade asked", note=f"out of safeguarding{to}")
    return Reply(text=f"{concern.reference} stays confidential until a second person with the safeguarding role "
                      f"confirms taking it out of safeguarding{to}: ask a colleague to type "
                      f"`{concern.reference} confirm downgrade`.", as_of=ctx.today)


def handle_unrestrict(cmd: UnrestrictConcern, ctx: HandlerContext) -> Reply:
    """Ask to take an entry out of safeguarding (a second person confirms)."""
    concern = load_entry(ctx, cmd.reference)
    return request_downgrade(ctx, concern, Category(cmd.category) if cmd.category else None)


def handle_confirm_downgrade(cmd: ConfirmDowngrade, ctx: HandlerContext) -> Reply:
    """The second safeguarding-role person: the entry is no longer confidential; what was
    written while it was stays confidential."""
    concern = load_entry(ctx, cmd.reference)
    assert ctx.person is not None  # load_entry refused anyone unknown
    why = confirmation_refusal(ctx.person, concern)
    if why:
        raise UpdateRefused(why)
    category = concern.downgrade_to or concern.category
    lowered = replace(concern, category=category, restriction=Restriction.NONE, downgrade_requested_by=None,
                      downgrade_to=None)
    ctx.uow.concerns.update(lowered)
    append_event(ctx, concern, "downgrade", note=f"asked for by {concern.downgrade_requested_by}, confirmed by "
                                                 f"{ctx.actor}",
                 changes=(("category", concern.category.value, category.value),
                          ("restriction", concern.restriction.value, Restriction.NONE.value)))
    return Reply(text=f"{concern.reference} is out of safeguarding ({category.value}), asked for by "
                      f"{concern.downgrade_requested_by} and confirmed by {ctx.actor}. What was written while it "
                      "was confidential stays confidential.", as_of=ctx.today)


def handle_access(cmd: ShowConcernAccess, ctx: HandlerContext) -> Reply:
    """Who has viewed the entry (and who was refused), when and where: the role only."""
    concern = load_entry(ctx, cmd.reference, changing=False)
    if not has_safeguarding_role(ctx.person):
        record_view(ctx, concern, "access", allowed=False)
        # Not an error reply: the refusal itself is recorded (an error would roll it back).
        return Reply(text=f"Only people with the safeguarding role may see who has viewed {concern.reference}.",
                     as_of=ctx.today)
    views = ctx.uow.concerns.access_log(concern)
    record_view(ctx, concern, "access", allowed=True)
    if not views:
        return Reply(text=f"Nobody has viewed {concern.reference} through me yet.", private=True, as_of=ctx.today)
    lines = [f"Views of {concern.reference}, oldest first:"]
    for view in views[-MAX_ACCESS_LINES:]:
        where = "privately" if view.place is None else f"in {view.place}"
        outcome = "" if view.allowed else " — refused"
        lines.append(f"  {fmt_time(view.at, ctx.timezone)} {view.person}, {view.channel} {where}: {view.what}{outcome}")
    if len(views) > MAX_ACCESS_LINES:
        lines.insert(1, f"  (the last {MAX_ACCESS_LINES} of {len(views)}; `actionbot concerns access-log` has all)")
    return Reply(text="\n".join(lines), title=f"Access to {concern.reference}", private=True, as_of=ctx.today)
