"""Handlers that change actions: progress, done, started, cancelled, due, owner, note; undo."""

from __future__ import annotations

from dataclasses import replace

from bot.commands import SetDue, UpdateBatch, Undo
from bot.context import HandlerContext
from bot.domain.model import Action, ActionChange, FieldChange, HistoryEntry
from bot.domain.permissions import can_update
from bot.domain.progress import NothingToChange, UpdateRefused, apply_change, conflicts_for_undo, plan_change
from bot.domain.status import rollup_from_tallies
from bot.messages import Reply
from handlers.formatting import fmt_change, fmt_field_change, fmt_rollup, fmt_time, fmt_value, tail
from handlers.resolve import resolve_action


def handle_updates(cmd: UpdateBatch, ctx: HandlerContext) -> Reply:
    """Apply every update of the message, or none of them.

    An update that would change nothing (`AP2.9.1a 55%` when it is 55%) does not stop the
    others: the reply says it is already so. A real refusal changes nothing at all.
    """
    if ctx.message.amends:  # an edited message replaces what it did before
        from handlers.amend import handle_amended_updates  # amend builds on this module

        return handle_amended_updates(cmd, ctx)
    already: list[str] = []
    planned, errors = plan_updates(cmd, ctx, working={}, already=already)
    if errors:
        if len(cmd.updates) > 1:
            errors.insert(0, f"Nothing was changed: {len(errors)} of {len(cmd.updates)} updates could not be applied.")
        return Reply.error("\n".join(errors))
    if not planned:
        return Reply.error("\n".join(already))

    written: list[ActionChange] = []
    for action, change in planned:
        recorded = _record(ctx, action, change, kind="update")
        written.append(recorded)
    return _change_reply(ctx, written, [a for a, _ in planned], notes=already + date_readings(cmd))


def date_readings(cmd: UpdateBatch) -> list[str]:
    """How each two-reading date phrase was read (`year end`, `Q4 2026`, `w/c 14/12`)."""
    return [
        f"{tail(u.code)}: \"{u.phrase}\" {u.reading}."
        for u in cmd.updates
        if isinstance(u, SetDue) and u.reading
    ]


def plan_updates(cmd: UpdateBatch, ctx: HandlerContext, working: dict[int, Action],
                 already: list[str] | None = None) -> tuple[list[tuple[Action, ActionChange]], list[str]]:
    """Each update of the message planned on the action as the earlier ones leave it
    (`working`, by action id, is updated as it goes); refusals as sentences. With `already`,
    updates that would change nothing are listed there instead of refused."""
    planned: list[tuple[Action, ActionChange]] = []
    errors: list[str] = []
    for number, update in enumerate(cmd.updates, start=1):
        try:
            action = resolve_action(ctx, update.code)
            action = working.get(action.id or -1, action)
            decision = can_update(ctx.person, action, ctx.permission_mode)
            if not decision.allowed:
                raise UpdateRefused(decision.reason)
            change = plan_change(action, update, ctx.today)
        except NothingToChange as same:
            if already is None:
                errors.append(str(same) if len(cmd.updates) == 1 else f"Update {number} ({update.code}): {same}")
            else:
                already.append(str(same).replace("; nothing changed.", "; left as it is."))
            continue
        except UpdateRefused as refused:
            errors.append(str(refused) if len(cmd.updates) == 1 else f"Update {number} ({update.code}): {refused}")
            continue
        updated = apply_change(action, change)
        working[action.id or -1] = updated
        planned.append((updated, change))
    return planned, errors


def _record(ctx: HandlerContext, action: Action, change: ActionChange, kind: str,
            note: str | None = None, undoes_batch: str | None = None,
            latest_update: str | None = None) -> ActionChange:
    """Save the action and append one history entry for this change."""
    if latest_update is None:
        latest_update = change.note or "; ".join(
            fmt_field_change(c) for c in change.changes if c.field not in ("completed_on", "original_due_date")
        )
    changes = change.changes
    if latest_update != action.latest_update:
        changes = changes + (FieldChange("latest_update", action.latest_update, latest_update),)
    saved = replace(action, latest_update=latest_update, updated_at=ctx.now, updated_by=ctx.actor)
    ctx.uow.actions.save(saved)
    ctx.uow.history.append(
        HistoryEntry(
            action_code=action.code,
            plan=action.plan,
            action_id=action.id,
            at=ctx.now,
            actor=ctx.actor,
            channel=ctx.message.channel,
            kind=kind,
            changes=changes,
            note=note if note is not None else change.note,
            source_ref=ctx.message.source_ref,
            batch_id=ctx.batch_id,
            undoes_batch=undoes_batch,
            person_id=ctx.person.id if ctx.person else None,
        )
    )
    return ActionChange(action.code, change.changes, change.note)


def _change_reply(ctx: HandlerContext, changes: list[ActionChange], actions: list[Action], prefix: str = "",
                  notes: list[str] | None = None) -> Reply:
    by_code = {a.code: a for a in actions}
    lines = [prefix] if prefix else []
    lines += [fmt_change(c, by_code[c.action_code]) for c in changes]
    lines += notes or []
    rollups = []
    seen: set[tuple[str, str]] = set()
    for action in actions:
        key = (action.plan, action.section_code)
        if key in seen:
            continue
        seen.add(key)
        # Counts, not the section's actions: the same rollup, a few rows however big the section.
        tallies = ctx.uow.actions.section_tallies(action.plan, action.section_code, ctx.today)
        rollup = rollup_from_tallies(action.plan, action.section_code, action.section_title, tallies)
        rollups.append(rollup)
        lines.append("Section " + fmt_rollup(rollup))
    lines.append("Type `undo` to revert.")
    return Reply(
        text="\n".join(lines),
        notes=list(notes or []),
        title="Updated" if not prefix else "Undone",
        changes=changes,
        rollups=rollups,
        undo_batch=ctx.batch_id,
        as_of=ctx.today,
    )


def changed_since(current: Action, undone: ActionChange) -> str | None:
    """What changed after `undone` was applied, which reverting it would overwrite
    ("progress is now 60%, last by Jo"), or None when it can be reverted."""
    conflicts = conflicts_for_undo(current, undone)
    if not conflicts:
        return None
    now_values = ", ".join(
        f"{c.field.replace('_', ' ')} is now {fmt_value(c.field, getattr(current, c.field))}" for c in conflicts
    )
    return f"{now_values}, last by {current.updated_by}"


def handle_undo(cmd: Undo, ctx: HandlerContext) -> Reply:
    """Revert the sender's own last change, as a new history entry."""
    if ctx.person is None or ctx.person.id is None:
        raise UpdateRefused("I don't know who you are, so there is no change of yours to undo.")
    if cmd.batch:
        entries: list[HistoryEntry] = ctx.uow.history.undoable_batch(cmd.batch, ctx.person.id)
        if not entries:
            raise UpdateRefused("That change is not yours to undo, or it has been undone already.")
    else:
        entries = ctx.uow.history.last_undoable_batch(ctx.person.id)
        if not entries:
            raise UpdateRefused("You have no change of your own left to undo.")
    working: dict[int, Action] = {}
    reverted: list[tuple[Action, ActionChange, Action]] = []
    for entry in sorted(entries, key=lambda e: e.id or 0, reverse=True):
        assert entry.action_id is not None
        current = working.get(entry.action_id) or ctx.uow.actions.get_by_id(entry.action_id)
        if current is None:
            raise UpdateRefused(f"{entry.action_code} no longer exists; nothing was undone.")
        undone = ActionChange(current.code, tuple(c for c in entry.changes if c.field != "latest_update"))
        changed = changed_since(current, undone)
        if changed:
            raise UpdateRefused(
                f"{tail(current.code)} has changed since your update ({changed}); undo would overwrite "
                f"that, so nothing was changed. Set the value you want directly, e.g. `{tail(current.code)} 40%`."
            )
        decision = can_update(ctx.person, current, ctx.permission_mode)
        if not decision.allowed:
            raise UpdateRefused(decision.reason)
        before = next((c.old for c in entry.changes if c.field == "latest_update"), current.latest_update)
        restored = apply_change(current, undone, reverse=True)
        working[entry.action_id] = restored
        reverse_change = ActionChange(
            current.code, tuple(FieldChange(c.field, c.new, c.old) for c in undone.changes)
        )
        reverted.append((restored, reverse_change, current))
        restored_latest = before
        _record(ctx, restored, reverse_change, kind="undo",
                note=f"Undid the change of {fmt_time(entry.at, ctx.timezone)}", undoes_batch=entry.batch_id,
                latest_update=restored_latest)
    changes = [c for _, c, _ in reverted]
    reply = _change_reply(ctx, changes, [a for a, _, _ in reverted], prefix="Undone:")
    reply.undo_batch = None
    reply.text = reply.text.replace("\nType `undo` to revert.", "")
    return reply
