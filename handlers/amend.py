"""Handlers for messages that change after they were handled: edited and deleted messages.

A chat message can be edited after the bot applied it. The edit *amends* the update it came
from instead of adding a second one: every batch that message made (and that nothing has
undone) is reverted, the edited text is applied to the reverted state, and the net difference
is recorded as one change of kind "edit" with the message's source_ref. History is still only
appended: the original entries stay, the edit entry says what changed since.

A deleted message leaves its changes standing; each action it touched gets a "delete-note".
A message edited into chatter also leaves them standing, and its sender is told so, with an
Undo button for what it did.
"""

from __future__ import annotations

from bot.commands import MessageDeleted, MessageEditedAway, UpdateBatch
from bot.context import HandlerContext
from bot.domain.model import CHANGEABLE_FIELDS, Action, ActionChange, FieldChange, HistoryEntry
from bot.domain.permissions import can_update
from bot.domain.progress import UpdateRefused, apply_change
from bot.messages import Reply
from handlers.formatting import tail
from handlers.progress import _change_reply, _record, changed_since, plan_updates

AMENDABLE_KINDS = ("update", "edit")


def _live_batches(ctx: HandlerContext, source_ref: str) -> list[list[HistoryEntry]]:
    """The sender's batches recorded from this message that nothing has undone, oldest first."""
    if ctx.person is None or ctx.person.id is None:
        return []
    batch_ids: list[str] = []
    for entry in ctx.uow.history.by_source_ref(source_ref):
        if entry.kind in AMENDABLE_KINDS and entry.batch_id and entry.batch_id not in batch_ids:
            batch_ids.append(entry.batch_id)
    batches = [ctx.uow.history.undoable_batch(batch_id, ctx.person.id) for batch_id in batch_ids]
    return [entries for entries in batches if entries]


def handle_amended_updates(cmd: UpdateBatch, ctx: HandlerContext) -> Reply:
    """Replace what the original message did with what its edited text says, all or nothing."""
    assert ctx.message.amends is not None
    before: dict[int, Action] = {}  # each touched action as stored now
    working: dict[int, Action] = {}  # ... as the edited message leaves it
    restored_update: dict[int, str | None] = {}  # latest_update from before the message
    for entries in reversed(_live_batches(ctx, ctx.message.amends)):
        for entry in sorted(entries, key=lambda e: e.id or 0, reverse=True):
            assert entry.action_id is not None
            current = working.get(entry.action_id) or ctx.uow.actions.get_by_id(entry.action_id)
            if current is None:
                raise UpdateRefused(f"{entry.action_code} no longer exists, so your edit was not applied.")
            before.setdefault(entry.action_id, current)
            undone = ActionChange(current.code, tuple(c for c in entry.changes if c.field != "latest_update"))
            changed = changed_since(current, undone)
            if changed:
                raise UpdateRefused(
                    f"{tail(current.code)} has changed since your message ({changed}), so your edit was not "
                    f"applied and nothing was changed. Post the new value as a new message, e.g. "
                    f"`{tail(current.code)} 40%`."
                )
            decision = can_update(ctx.person, current, ctx.permission_mode)
            if not decision.allowed:
                raise UpdateRefused(decision.reason)
            working[entry.action_id] = apply_change(current, undone, reverse=True)
            restored_update[entry.action_id] = next(
                (c.old for c in entry.changes if c.field == "latest_update"), current.latest_update
            )

    planned, errors = plan_updates(cmd, ctx, working)
    notes: dict[int, str | None] = {}
    for updated, change in planned:
        assert updated.id is not None
        before.setdefault(updated.id, apply_change(updated, change, reverse=True))
        notes[updated.id] = change.note
    if errors:
        errors.insert(0, "Your edit was not applied; the update from your original message stands.")
        return Reply.error("\n".join(errors))

    written: list[ActionChange] = []
    touched: list[Action] = []
    for action_id, old in before.items():
        new = working[action_id]
        net = tuple(
            FieldChange(name, getattr(old, name), getattr(new, name))
            for name in CHANGEABLE_FIELDS
            if getattr(old, name) != getattr(new, name)
        )
        if action_id in notes:
            note = notes[action_id]
            if not net and (note is None or note == old.latest_update):
                continue
            recorded = _record(ctx, new, ActionChange(old.code, net, note), kind="edit")
        else:  # the edited text no longer mentions this action: it is back where it was
            latest = restored_update.get(action_id, old.latest_update)
            if not net and latest == old.latest_update:
                continue
            recorded = _record(ctx, new, ActionChange(old.code, net), kind="edit", latest_update=latest,
                               note="The edited message no longer updates this action.")
        written.append(recorded)
        touched.append(new)
    if not written:
        return Reply(text="Your edit changes nothing: the actions are already as it says.", as_of=ctx.today)
    reply = _change_reply(ctx, written, touched, prefix="Edited:")
    reply.title = "Edited"
    return reply


def handle_message_deleted(cmd: MessageDeleted, ctx: HandlerContext) -> Reply:
    """Note on each action the deleted message changed that it was deleted; change nothing."""
    action_ids: dict[int, HistoryEntry] = {}
    for entry in ctx.uow.history.by_source_ref(cmd.source_ref):
        if entry.kind in AMENDABLE_KINDS and entry.action_id is not None:
            action_ids.setdefault(entry.action_id, entry)
    for action_id, entry in action_ids.items():
        ctx.uow.history.append(
            HistoryEntry(
                action_code=entry.action_code,
                plan=entry.plan,
                action_id=action_id,
                at=ctx.now,
                actor=ctx.actor,
                channel=ctx.message.channel,
                kind="delete-note",
                note="The message behind this update was deleted; the change stands.",
                source_ref=cmd.source_ref,
                batch_id=ctx.batch_id,
                person_id=ctx.person.id if ctx.person else None,
            )
        )
    codes = sorted({tail(e.action_code) for e in action_ids.values()})
    text = (
        f"Noted in the history of {', '.join(codes)} that the message was deleted; its changes stand."
        if codes else "The deleted message had changed nothing."
    )
    return Reply(text=text, title="Deleted", as_of=ctx.today)


def handle_message_edited_away(cmd: MessageEditedAway, ctx: HandlerContext) -> Reply | None:
    """Tell the sender that their edited message no longer reads as an update, so what it did
    stands; offer to undo it. Silent when the message had changed nothing (still) standing."""
    batches = _live_batches(ctx, cmd.source_ref)
    if not batches:
        return None
    latest: dict[str, Action] = {}
    for entries in batches:
        for entry in entries:
            assert entry.action_id is not None
            action = ctx.uow.actions.get_by_id(entry.action_id)
            if action is not None:
                latest[tail(action.code)] = action
    standing = "; ".join(
        f"{code} {action.progress}%" if action.progress is not None else code for code, action in sorted(latest.items())
    )
    return Reply(
        text=(f"Your edited message no longer reads as an update, so what it did stands ({standing}). "
              "To take that back, press Undo or send `undo`."),
        title="Edited",
        undo_batch=batches[-1][0].batch_id,
        as_of=ctx.today,
    )
