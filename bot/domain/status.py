"""Derived status and section rollups, as in the status legend of the seed Actions Report."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from bot.domain.model import Action, SectionRollup, State, Status


def is_open(action: Action) -> bool:
    return action.state not in (State.COMPLETED, State.CANCELLED)


def is_overdue(action: Action, today: date) -> bool:
    """Due date passed, and neither completed nor cancelled."""
    return is_open(action) and action.due_date is not None and action.due_date < today


def days_overdue(action: Action, today: date) -> int:
    if not is_overdue(action, today) or action.due_date is None:
        return 0
    return (today - action.due_date).days


def derive_status(action: Action, today: date) -> Status:
    """One status per action, in the legend's order of precedence."""
    if action.state is State.CANCELLED:
        return Status.CANCELLED
    if action.state is State.COMPLETED:
        return Status.COMPLETED
    if is_overdue(action, today):
        return Status.OVERDUE
    if not (action.responsibility or "").strip():
        return Status.UNASSIGNED
    if action.state is State.IN_PROGRESS:
        return Status.IN_PROGRESS
    return Status.NOT_STARTED


def round_half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def mean_progress(actions: Iterable[Action]) -> int | None:
    """Mean progress of the actions that are not cancelled, rounded half up.

    An action with no recorded progress counts as 0% unless it is completed (100%).
    Returns None when every action is cancelled or there are none.
    """
    values: list[int] = []
    for action in actions:
        if action.state is State.CANCELLED:
            continue
        if action.progress is not None:
            values.append(action.progress)
        else:
            values.append(100 if action.state is State.COMPLETED else 0)
    if not values:
        return None
    return round_half_up(Decimal(sum(values)) / Decimal(len(values)))


def section_rollup(
    plan: str,
    section_code: str,
    section_title: str,
    actions: list[Action],
    today: date,
    reported_progress: int | None = None,
    statuses: Iterable[Status] | None = None,
) -> SectionRollup:
    """`statuses`: each action's `derive_status` on `today`, when the caller has them already."""
    counts: Counter[Status] = Counter(statuses if statuses is not None else (derive_status(a, today) for a in actions))
    dues = [a.due_date for a in actions if a.due_date is not None and a.state is not State.CANCELLED]
    return SectionRollup(
        plan=plan,
        section_code=section_code,
        section_title=section_title,
        progress=mean_progress(actions),
        counts=dict(counts),
        overdue=counts.get(Status.OVERDUE, 0),
        action_count=len(actions),
        latest_due=max(dues) if dues else None,
        reported_progress=reported_progress,
    )


@dataclass(frozen=True)
class StatusTally:
    """How many actions of one section share a stored state, lateness (open with a due date
    before `today`) and assignment: a section rollup from counts, without the actions."""

    state: State
    late: bool
    assigned: bool  # the responsibility names someone
    count: int
    progress_sum: int  # progress, or 100 for a completed action without one, else 0
    latest_due: date | None


def tally_status(tally: StatusTally) -> Status:
    """`derive_status` for every action of a tally (the legend's order of precedence)."""
    if tally.state is State.CANCELLED:
        return Status.CANCELLED
    if tally.state is State.COMPLETED:
        return Status.COMPLETED
    if tally.late:
        return Status.OVERDUE
    if not tally.assigned:
        return Status.UNASSIGNED
    return Status.IN_PROGRESS if tally.state is State.IN_PROGRESS else Status.NOT_STARTED


def rollup_from_tallies(plan: str, section_code: str, section_title: str, tallies: Iterable[StatusTally],
                        reported_progress: int | None = None) -> SectionRollup:
    """The same SectionRollup `section_rollup` gives for the actions the tallies count."""
    counts: Counter[Status] = Counter()
    total = progress = 0
    dues: list[date] = []
    for tally in tallies:
        if tally.count <= 0:
            continue
        counts[tally_status(tally)] += tally.count
        if tally.state is not State.CANCELLED:
            total += tally.count
            progress += tally.progress_sum
            if tally.latest_due is not None:
                dues.append(tally.latest_due)
    return SectionRollup(
        plan=plan,
        section_code=section_code,
        section_title=section_title,
        progress=round_half_up(Decimal(progress) / Decimal(total)) if total else None,
        counts=dict(counts),
        overdue=counts.get(Status.OVERDUE, 0),
        action_count=sum(counts.values()),
        latest_due=max(dues) if dues else None,
        reported_progress=reported_progress,
    )


@functools.lru_cache(maxsize=65536)
def section_sort_key(code: str) -> tuple[tuple[int, str], ...]:
    """Sort `2.10` after `2.9`, and `2.1.1a` before `2.1.1b`. (Cached: listings sort by it.)"""
    parts: list[tuple[int, str]] = []
    for piece in code.replace("-", ".").split("."):
        if piece.isdigit():  # most pieces: the same key, without the walks below
            parts.append((int(piece), ""))
            continue
        digits = "".join(ch for ch in piece if ch.isdigit())
        rest = "".join(ch for ch in piece if not ch.isdigit())
        parts.append((int(digits) if digits else -1, rest.lower()))
    return tuple(parts)
