"""What an update does to an action: progress, completion, cancellation, due-date revisions.

`plan_change` computes the change without applying it; `apply_change` applies a computed
change to an Action. Both are pure: `today` is an argument, never read from the clock.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from bot.commands import (
    ActionUpdate,
    AddNote,
    Cancel,
    MarkDone,
    MarkStarted,
    SetDue,
    SetOwner,
    SetProgress,
)
from bot.domain.model import Action, ActionChange, FieldChange, State

MAX_NOTE_CHARS = 2000


class UpdateRefused(Exception):
    """An update that cannot be applied; the message is a sentence for the sender."""


class NothingToChange(UpdateRefused):
    """The action is already as the update asks (`AP2.9.1a is already 55%`). Alone it is
    refused; in a batch it is reported and the other updates apply."""


def _progress_text(action: Action) -> str:
    return f"{action.progress}%" if action.progress is not None else "not yet scored"


def _state_for_progress(percent: int) -> State:
    if percent >= 100:
        return State.COMPLETED
    if percent > 0:
        return State.IN_PROGRESS
    return State.NOT_STARTED


def _target_for_progress(action: Action, percent: int, today: date) -> dict[str, Any]:
    state = _state_for_progress(percent)
    target: dict[str, Any] = {"progress": percent, "state": state}
    if state is State.COMPLETED:
        if action.state is not State.COMPLETED:
            target["completed_on"] = today
    else:
        # Lowering a completed action reopens it.
        target["completed_on"] = None
    return target


def plan_change(action: Action, update: ActionUpdate, today: date) -> ActionChange:
    """The change an update would make to an action, or UpdateRefused with a sentence."""
    note = (update.note or "").strip() or None
    if note and len(note) > MAX_NOTE_CHARS:
        raise UpdateRefused(
            f"The note for {action.code} is {len(note):,} characters; the limit is "
            f"{MAX_NOTE_CHARS:,}. Shorten it; nothing was changed."
        )
    target: dict[str, Any]
    if isinstance(update, SetProgress):
        if not 0 <= update.percent <= 100:
            raise UpdateRefused(
                f"Progress must be 0–100%; {_tail(action.code)} is still {_progress_text(action)}."
            )
        target = _target_for_progress(action, update.percent, today)
    elif isinstance(update, MarkDone):
        target = _target_for_progress(action, 100, today)
        if update.completed_on is not None:
            if update.completed_on > today:
                raise UpdateRefused(
                    f"{_tail(action.code)} can't be completed on {update.completed_on:%d %b %Y}, "
                    f"after today; type `{_tail(action.code)} done` to complete it today."
                )
            target["completed_on"] = update.completed_on
    elif isinstance(update, MarkStarted) and update.reopen:
        if action.state not in (State.COMPLETED, State.CANCELLED):
            raise NothingToChange(
                f"{_tail(action.code)} is not completed or cancelled, so there is nothing to "
                f"reopen; it is {_progress_text(action)}."
            )
        target = {"state": State.IN_PROGRESS, "completed_on": None}
    elif isinstance(update, MarkStarted):
        if action.state is State.COMPLETED:
            raise UpdateRefused(
                f"{_tail(action.code)} is already completed; to reopen it type "
                f"`{_tail(action.code)} 50%` (or whatever its progress now is)."
            )
        target = {"state": State.IN_PROGRESS, "completed_on": None}
    elif isinstance(update, Cancel):
        target = {"state": State.CANCELLED, "completed_on": None}
    elif isinstance(update, SetDue):
        target = {"due_date": update.due}
        if action.original_due_date is None and action.due_date is not None:
            # A revised due date keeps the original one.
            target["original_due_date"] = action.due_date
    elif isinstance(update, SetOwner):
        owner = update.owner.strip()
        if not owner:
            raise UpdateRefused(f"Say who owns {_tail(action.code)}, e.g. `{_tail(action.code)} owner Finance Team`.")
        target = {"responsibility": owner}
    elif isinstance(update, AddNote):
        if not note:
            raise UpdateRefused(f"The note for {_tail(action.code)} is empty; type `{_tail(action.code)} note <text>`.")
        target = {}
    else:  # pragma: no cover - the grammar builds only the types above
        raise UpdateRefused(f"I can't apply {type(update).__name__} to an action.")

    changes = tuple(
        FieldChange(name, getattr(action, name), value)
        for name, value in target.items()
        if getattr(action, name) != value
    )
    change = ActionChange(action_code=action.code, changes=changes, note=note)
    if change.is_empty:
        raise NothingToChange(f"{_tail(action.code)} is already {_describe_target(action, update)}; nothing changed.")
    return change


def apply_change(action: Action, change: ActionChange, reverse: bool = False) -> Action:
    """A copy of the action with the change applied (or reverted, for undo)."""
    values = {c.field: (c.old if reverse else c.new) for c in change.changes}
    return replace(action, **values)


def conflicts_for_undo(action: Action, change: ActionChange) -> list[FieldChange]:
    """Fields changed since the change being undone, which undo must not overwrite."""
    return [c for c in change.changes if getattr(action, c.field) != c.new]


def _describe_target(action: Action, update: ActionUpdate) -> str:
    if isinstance(update, (SetProgress, MarkDone)):
        if action.state is State.COMPLETED and action.completed_on is not None:
            return f"completed ({action.completed_on:%a} {action.completed_on.day} {action.completed_on:%b %Y})"
        return _progress_text(action) + (" and completed" if action.state is State.COMPLETED else "")
    if isinstance(update, MarkStarted):
        return "in progress"
    if isinstance(update, Cancel):
        return "cancelled"
    if isinstance(update, SetDue):
        due = action.due_date
        return f"due {due:%a} {due.day} {due:%b %Y}" if due else "without a due date"
    if isinstance(update, SetOwner):
        return f"owned by {action.responsibility}"
    return "as described"


def _tail(code: str) -> str:
    return code.rsplit(" ", 1)[-1]
