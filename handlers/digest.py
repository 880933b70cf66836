"""Digest subscriptions by chat: subscribe and unsubscribe this channel (admins), preview.

The destination is the conversation the message came from: a Slack channel id, a Teams
conversation id, or (by email) the sender's address.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from bot.commands import PreviewDigest, SubscribeDigest, UnsubscribeDigest
from bot.context import HandlerContext
from bot.domain.progress import UpdateRefused
from bot.messages import Reply

if TYPE_CHECKING:  # imported where a subscription is made: a `say` that is not about digests never needs it
    from bot.digest.model import Subscription

_CLI_HINT = "From the command line: `actionbot digest subscribe --slack C0123ABCD` (or --teams, --email)."


def destination_of(ctx: HandlerContext) -> tuple[str, str] | None:
    """(kind, destination) for the conversation the message came from; None for the console."""
    message = ctx.message
    if message.channel in ("slack", "teams") and message.conversation_id:
        return message.channel, message.conversation_id
    if message.channel == "email":
        address = message.sender_email or message.sender_id
        return ("email", address.lower()) if address and "@" in address else None
    return None


def _require_admin(ctx: HandlerContext, what: str) -> None:
    if ctx.person is None or not ctx.person.is_admin:
        raise UpdateRefused(f"Only an admin can {what}; ask one of your admins to type it here.")


def _current(ctx: HandlerContext, kind: str, destination: str) -> list[Subscription]:
    return [s for s in ctx.uow.digests.for_destination(kind, destination)
            if (s.plan or "").casefold() == (ctx.plan or "").casefold()]


def handle_subscribe(cmd: SubscribeDigest, ctx: HandlerContext) -> Reply:
    """Subscribe this channel to the weekly digest (admins only)."""
    _require_admin(ctx, "subscribe a channel to the digest")
    target = destination_of(ctx)
    if target is None:
        return Reply.error(f"I can only post digests to a Slack or Teams channel or an email address. {_CLI_HINT}")
    kind, destination = target
    scope = ctx.plan or "every plan"
    existing = _current(ctx, kind, destination)
    if any(s.active for s in existing):
        return Reply(text=f"This channel already gets the weekly digest of {scope}. "
                          "Type `digest preview` to see it now.", as_of=ctx.today)
    if existing:
        sub = ctx.uow.digests.save(replace(existing[0], active=True, created_by=ctx.actor))
    else:
        from bot.digest.model import Subscription

        sub = ctx.uow.digests.add(Subscription(kind, destination, plan=ctx.plan, created_at=ctx.now,
                                               created_by=ctx.actor))
    return Reply(
        text=(f"Subscribed this channel to the weekly digest of {scope} (subscription {sub.id}): "
              f"Mondays at 09:00 {sub.timezone} time. Type `digest preview` to see it now, "
              "`unsubscribe this channel` to stop it."),
        title="Digest subscription", as_of=ctx.today,
    )


def handle_unsubscribe(cmd: UnsubscribeDigest, ctx: HandlerContext) -> Reply:
    """Stop the digests posted to this channel (admins only)."""
    _require_admin(ctx, "unsubscribe a channel from the digest")
    target = destination_of(ctx)
    if target is None:
        return Reply.error(f"This conversation cannot have a digest subscription. {_CLI_HINT}")
    active = [s for s in ctx.uow.digests.for_destination(*target) if s.active]
    if not active:
        return Reply(text="This channel has no digest subscription, so there is nothing to stop.", as_of=ctx.today)
    for sub in active:
        ctx.uow.digests.save(replace(sub, active=False))
    ids = ", ".join(str(s.id) for s in active)
    return Reply(text=f"Unsubscribed: no more digests here (subscription {ids}).", as_of=ctx.today)


def handle_preview(cmd: PreviewDigest, ctx: HandlerContext) -> Reply:
    """The digest this channel would get now (without sending it)."""
    from bot.digest.model import Subscription
    from bot.digest.render_text import render_text  # only when asked: keeps `say` start-up lean
    from bot.digest.sender import compose_digest, last_digest_time
    from bot.digest.service import contract_log_items
    from handlers.log_actions import log_settings

    target = destination_of(ctx)
    subs = [s for s in ctx.uow.digests.for_destination(*target) if s.active] if target else []
    sub = subs[0] if subs else Subscription("console", "preview", plan=ctx.plan)
    digest = compose_digest(ctx.uow, sub, ctx.now, last_digest_time(ctx.uow, sub, before=ctx.now),
                            contract_log=contract_log_items(log_settings(ctx).frequencies))
    note = "" if subs else "\n\n(This channel has no subscription; this is the default weekly digest.)"
    return Reply(text=render_text(digest) + note, title="Digest preview", rollups=digest.rollups, as_of=ctx.today)
