"""Plain objects of the domain: plans, sections, actions, their history, and people.

Nothing here knows about Slack, SQL or the clock. Storage maps its rows to these objects and
back; handlers and domain rules work on them only.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


class State(str, enum.Enum):
    """Lifecycle state that is stored. Overdue and Unassigned are derived, never stored."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class Status(str, enum.Enum):
    """Derived status, as in the status legend of the seed Actions Report."""

    CANCELLED = "Cancelled"
    OVERDUE = "Overdue"
    UNASSIGNED = "Unassigned"
    NOT_STARTED = "Not started"
    IN_PROGRESS = "In progress"
    COMPLETED = "Completed"


# The legend's order, which rollups list their counts in.
STATUS_ORDER: dict[Status, int] = {status: index for index, status in enumerate(Status)}


class Role(str, enum.Enum):
    VIEWER = "viewer"
    UPDATER = "updater"
    ADMIN = "admin"


@dataclass
class Action:
    """One action of a plan, as the bot and the committee see it."""

    code: str
    title: str
    plan: str
    section_code: str
    section_title: str
    responsibility: str | None = None
    due_date: date | None = None
    original_due_date: date | None = None
    due_text: str | None = None  # a due value that is not a date ("Ongoing", "TBC")
    progress: int | None = None
    state: State = State.NOT_STARTED
    completed_on: date | None = None
    latest_update: str | None = None
    updated_at: datetime | None = None
    updated_by: str | None = None
    id: int | None = None
    # What the team's own tracker says beside our derived status (bot.planfiles): its RAG
    # ("Red", "Amber", "Green", "Blue"), direction of travel, priority, the audit
    # recommendation, a recurring timescale ("Monthly"), a status word we did not know, and
    # "Proposed for closure".
    rag: str | None = None
    direction: str | None = None
    priority: str | None = None
    recommendation: str | None = None
    recurring: str | None = None
    file_status: str | None = None
    proposed_for_closure: bool = False
    # Set when a re-import with --prune found the action no longer in the file: kept with its
    # history, but out of listings, rollups, overdue and digests until re-imported or restored.
    removed_at: datetime | None = None


# Action fields a plan file may carry that the bot itself never derives (see Action).
FILE_FIELDS: tuple[str, ...] = (
    "rag", "direction", "priority", "recommendation", "recurring", "file_status", "proposed_for_closure",
)


@dataclass(frozen=True)
class Section:
    plan: str
    code: str
    title: str
    reported_progress: int | None = None  # the rollup a source file printed, if any
    reported_due: date | None = None
    id: int | None = None


@dataclass(frozen=True)
class Plan:
    name: str
    title: str
    id: int | None = None


@dataclass(frozen=True)
class Person:
    name: str
    role: Role = Role.UPDATER
    team: str | None = None
    email: str | None = None
    roles_extra: tuple[str, ...] = ()  # extra capabilities, e.g. "safeguarding"
    id: int | None = None

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


# Field names a change may touch, in the order replies show them.
CHANGEABLE_FIELDS: tuple[str, ...] = (
    "progress",
    "state",
    "due_date",
    "original_due_date",
    "completed_on",
    "responsibility",
)


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class ActionChange:
    """What one update does to one action: field changes plus the note that explains it."""

    action_code: str
    changes: tuple[FieldChange, ...] = ()
    note: str | None = None

    def get(self, name: str) -> FieldChange | None:
        for change in self.changes:
            if change.field == name:
                return change
        return None

    @property
    def is_empty(self) -> bool:
        return not self.changes and not self.note


@dataclass(frozen=True)
class HistoryEntry:
    """One append-only record of a change to an action."""

    action_code: str
    at: datetime
    actor: str
    channel: str
    kind: str  # "update" | "undo" | "import" | "edit" | "delete-note"
    changes: tuple[FieldChange, ...] = ()
    note: str | None = None
    source_ref: str | None = None
    batch_id: str | None = None
    undoes_batch: str | None = None
    person_id: int | None = None
    action_id: int | None = None
    plan: str | None = None
    id: int | None = None


@dataclass
class SectionRollup:
    plan: str
    section_code: str
    section_title: str
    progress: int | None  # mean of non-cancelled actions' progress, rounded half up
    counts: dict[Status, int] = field(default_factory=dict)
    overdue: int = 0
    action_count: int = 0
    latest_due: date | None = None
    reported_progress: int | None = None
