"""Apply a PlanFile to storage: upsert the plan, its sections and its actions, with history.

Importing the same file twice changes nothing the second time; a changed row updates its
action and leaves one "import" history entry naming the fields that changed. The caller owns
the unit of work and commits; a dry run reads but writes nothing.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from bot.domain.codes import normalise
from bot.domain.model import FILE_FIELDS, Action, FieldChange, HistoryEntry, Plan, Section, State
from bot.planfiles.model import FileNote, FileProblem, ImportRow, PlanFile

if TYPE_CHECKING:
    from bot.planfiles.rollup_check import RollupDifference

logger = logging.getLogger(__name__)

# Order of fields in an import's history entry (attribute names of Action, so that undo can
# apply them with bot.domain.progress.apply_change).
IMPORT_FIELDS: tuple[str, ...] = (
    "title",
    "section_code",
    "section_title",
    "responsibility",
    "due_date",
    "original_due_date",
    "due_text",
    "progress",
    "state",
    "completed_on",
    "latest_update",
    *FILE_FIELDS,
    "removed_at",
)
# Columns that carry each file field: a file without the column leaves the field alone.
_FILE_FIELD_COLUMNS: dict[str, tuple[str, ...]] = {
    "rag": ("rag", "state", "progress"), "direction": ("direction", "state", "progress"), "priority": ("priority",),
    "recommendation": ("recommendation",), "recurring": ("due", "recurring"), "file_status": ("state", "progress"),
    "proposed_for_closure": ("state", "progress", "rag", "closure"),
}


class _Plans(Protocol):
    def get(self, name: str) -> Plan | None: ...
    def upsert(self, name: str, title: str) -> Plan: ...
    def get_section(self, plan: str, code: str) -> Section | None: ...
    def upsert_section(self, section: Section) -> Section: ...


class _Actions(Protocol):
    def list(self, plan: str | None = None, *, include_removed: bool = False) -> list[Action]: ...
    def add(self, action: Action) -> Action: ...
    def save(self, action: Action) -> None: ...


class _History(Protocol):
    def append(self, entry: HistoryEntry) -> HistoryEntry: ...


class ImportUnitOfWork(Protocol):
    """The part of storage's unit of work (docs/storage-api.md) an import uses."""

    plans: _Plans
    actions: _Actions
    history: _History


@dataclass
class ImportReport:
    plan: str
    batch_id: str
    dry_run: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    created_codes: list[str] = field(default_factory=list)
    updated_codes: list[str] = field(default_factory=list)
    updated_fields: dict[str, list[str]] = field(default_factory=dict)  # code -> fields that change
    problems: list[FileProblem] = field(default_factory=list)
    notes: list[FileNote] = field(default_factory=list)
    # Where the file's own section rollups differ from those its actions give (seed 000's table).
    rollup_differences: list[RollupDifference] = field(default_factory=list)
    # Actions of the plan that the file no longer lists; `pruned` when --prune removed them.
    missing_codes: list[str] = field(default_factory=list)
    pruned: bool = False
    restored_codes: list[str] = field(default_factory=list)  # removed before, listed again: back in the plan

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


def state_for(progress: int | None, explicit: State | None, current: State | None = None) -> State:
    """Stored state from a row: 100 -> completed, 1–99 -> in progress, 0/none -> not started.

    Only an explicit State cell can cancel. With no State column (`explicit` None and the
    current state known), a cancelled action stays cancelled: the file says nothing about it.
    A status word says completed, or in progress, even when no % is given.
    """
    if explicit is _CANCELLED or (explicit is None and current is _CANCELLED):
        return _CANCELLED
    if explicit is _COMPLETED or (progress is not None and progress >= 100):
        return _COMPLETED
    if progress or explicit is _IN_PROGRESS:
        return _IN_PROGRESS
    return _NOT_STARTED


# Members looked up once: an import calls state_for for every row.
_CANCELLED, _COMPLETED, _IN_PROGRESS, _NOT_STARTED = (State.CANCELLED, State.COMPLETED, State.IN_PROGRESS,
                                                      State.NOT_STARTED)


def import_plan(
    uow: ImportUnitOfWork,
    plan_file: PlanFile,
    *,
    actor: str,
    channel: str,
    now: datetime,
    today: date,
    dry_run: bool = False,
    on_row: Callable[[int], None] | None = None,
    prune: bool = False,
    also_listed: frozenset[str] = frozenset(),
) -> ImportReport:
    """Upsert the plan file's plan, sections and actions into `uow`; the caller commits.

    `on_row(n)` is called as the n-th row is applied (a progress bar). New actions are stored
    with `uow.actions.add_many` when storage has it (one round trip instead of one per action).
    Actions the file no longer lists are reported (`missing_codes`); with `prune` they are
    marked removed (never deleted: history kept, back on re-import or `actionbot restore`).
    An action removed earlier that the file lists again is brought back. `also_listed` holds the
    codes (normalised) that other parts of the same file list for this plan (sheets of one workbook).
    """
    plan = plan_file.plan_name
    report = ImportReport(
        plan=plan,
        batch_id=uuid.uuid4().hex,
        dry_run=dry_run,
        problems=list(plan_file.problems),
        notes=list(plan_file.notes),
    )
    from bot.planfiles.rollup_check import compare_rollups  # imports this module: import here

    report.rollup_differences = compare_rollups(plan_file)
    if not plan_file.rows:
        return report
    existing_plan = uow.plans.get(plan)
    if not dry_run:
        uow.plans.upsert(plan, existing_plan.title if existing_plan and plan_file.plan_title == plan else
                         plan_file.plan_title)
    section_titles = _apply_sections(uow, plan_file, dry_run, new_plan=existing_plan is None)
    has = plan_file.columns
    existing_by_code = {normalise(a.code): a for a in uow.actions.list(plan=plan, include_removed=True)} \
        if existing_plan else {}
    new_actions: list[tuple[Action, ImportRow]] = []

    for count, row in enumerate(plan_file.rows, 1):
        if on_row is not None:
            on_row(count)
        existing = existing_by_code.get(normalise(row.code))
        section_title = section_titles.get(row.section_code, f"Section {row.section_code}")
        if existing is None:
            report.created += 1
            report.created_codes.append(row.code)
            new_actions.append((_new_action(row, plan, section_title, actor, now, today), row))
            continue

        target = _target_values(existing, row, section_title, has, today)
        if existing.removed_at is not None:
            target["removed_at"] = None
            report.restored_codes.append(existing.code)
        changes = tuple(
            FieldChange(name, getattr(existing, name), target[name])
            for name in IMPORT_FIELDS
            if name in target and getattr(existing, name) != target[name]
        )
        if not changes:
            report.unchanged += 1
            continue
        report.updated += 1
        report.updated_codes.append(existing.code)
        report.updated_fields[existing.code] = [c.field for c in changes]
        if not dry_run:
            updated = replace(existing, **{c.field: c.new for c in changes}, updated_at=now, updated_by=actor)
            uow.actions.save(updated)
            note = row.update if any(c.field == "latest_update" for c in changes) else None
            uow.history.append(_entry(updated, changes, note, actor, channel, now, report, plan_file))

    if new_actions and not dry_run:
        _add_new(uow, new_actions, actor, channel, now, report, plan_file)
    listed = {normalise(row.code) for row in plan_file.rows} | also_listed
    missing = [a for key, a in existing_by_code.items() if key not in listed and a.removed_at is None]
    report.missing_codes = [a.code for a in missing]
    if prune and missing:
        report.pruned = True
        if not dry_run:
            for action in missing:
                removed = replace(action, removed_at=now, updated_at=now, updated_by=actor)
                uow.actions.save(removed)
                uow.history.append(_entry(removed, (FieldChange("removed_at", None, now),), "No longer in the file; "
                                          "removed from the plan (--prune).", actor, channel, now, report, plan_file))

    logger.info(
        "imported plan file",
        extra={"plan": plan, "batch_id": report.batch_id, "dry_run": dry_run, "actions_created": report.created,
               "updated": report.updated, "unchanged": report.unchanged, "problems": len(report.problems)},
    )
    return report


def _add_new(
    uow: ImportUnitOfWork,
    new_actions: list[tuple[Action, ImportRow]],
    actor: str,
    channel: str,
    now: datetime,
    report: ImportReport,
    plan_file: PlanFile,
) -> None:
    actions = [action for action, _ in new_actions]
    add_many = getattr(uow.actions, "add_many", None)
    added = add_many(actions) if add_many is not None else [uow.actions.add(a) for a in actions]
    entries = []
    created_fields = tuple(name for name in IMPORT_FIELDS if name != "latest_update")
    for stored, (_, row) in zip(added, new_actions):
        values = vars(stored)
        changes = tuple(FieldChange(name, None, values[name]) for name in created_fields
                        if values[name] is not None and values[name] is not False)
        entries.append(_entry(stored, changes, row.update, actor, channel, now, report, plan_file))
    append_many = getattr(uow.history, "append_many", None)
    if append_many is not None:
        append_many(entries)
    else:
        for entry in entries:
            uow.history.append(entry)


def _apply_sections(uow: ImportUnitOfWork, plan_file: PlanFile, dry_run: bool, new_plan: bool = False) -> dict[str, str]:
    """Upsert sections; returns section code -> title as stored after the import."""
    plan = plan_file.plan_name
    titled = "section_title" in plan_file.columns
    titles: dict[str, str] = {}
    rollups = plan_file.has_reported_rollups
    for row in plan_file.sections:
        existing = None if new_plan else uow.plans.get_section(plan, row.code)
        if existing is None:
            section = Section(plan=plan, code=row.code, title=row.title, reported_progress=row.reported_progress,
                              reported_due=row.reported_due)
        else:
            section = replace(existing, title=row.title if titled or rollups else existing.title)
            if rollups:
                section = replace(section, reported_progress=row.reported_progress, reported_due=row.reported_due)
            if section == existing:
                titles[row.code] = existing.title
                continue
        titles[row.code] = section.title
        if not dry_run:
            uow.plans.upsert_section(section)
    return titles


def _new_action(row: ImportRow, plan: str, section_title: str, actor: str, now: datetime, today: date) -> Action:
    state = state_for(row.progress, row.state)
    return Action(
        code=row.code,
        title=row.title,
        plan=plan,
        section_code=row.section_code,
        section_title=section_title,
        responsibility=row.responsibility,
        due_date=row.due_date,
        original_due_date=row.original_due_date,
        due_text=row.due_text,
        progress=row.progress,
        state=state,
        completed_on=None,  # the file does not say when it was completed
        latest_update=row.update,
        updated_at=now,
        updated_by=actor,
        **{name: getattr(row, name) for name in FILE_FIELDS},
    )


def _target_values(
    action: Action, row: ImportRow, section_title: str, has: frozenset[str], today: date
) -> dict[str, Any]:
    """The values the row asks for. A column the file lacks leaves its field alone."""
    target: dict[str, Any] = {"section_code": row.section_code, "section_title": section_title}
    if row.title:
        target["title"] = row.title
    if "responsibility" in has:
        target["responsibility"] = row.responsibility
    if "due" in has:
        target["due_date"] = row.due_date
        target["due_text"] = row.due_text
        if (
            "original_due" not in has
            and action.original_due_date is None
            and action.due_date is not None
            and row.due_date != action.due_date
        ):
            # A revised due date keeps the original one, as a SetDue update does.
            target["original_due_date"] = action.due_date
    if "original_due" in has:
        target["original_due_date"] = row.original_due_date
    if "progress" in has or "state" in has:
        progress = row.progress if "progress" in has else action.progress
        state = state_for(progress, row.state, None if "state" in has else action.state)
        target["progress"] = progress
        target["state"] = state
        if state is State.COMPLETED:
            if action.state is not State.COMPLETED:
                target["completed_on"] = today
        else:
            target["completed_on"] = None
    if row.update:
        # An empty update cell is "nothing new to say", not "forget the last update".
        target["latest_update"] = row.update
    for name, columns in _FILE_FIELD_COLUMNS.items():
        if any(column in has for column in columns):
            target[name] = getattr(row, name)
    return target


def _entry(
    action: Action,
    changes: tuple[FieldChange, ...],
    note: str | None,
    actor: str,
    channel: str,
    now: datetime,
    report: ImportReport,
    plan_file: PlanFile,
) -> HistoryEntry:
    return HistoryEntry(
        action_code=action.code,
        at=now,
        actor=actor,
        channel=channel,
        kind="import",
        changes=changes,
        note=note,
        source_ref=f"file:{plan_file.source}" if plan_file.source else None,
        batch_id=report.batch_id,
        action_id=action.id,
        plan=action.plan,
    )


@dataclass
class RestoreReport:
    restored: list[str] = field(default_factory=list)
    not_removed: list[str] = field(default_factory=list)  # in the plan already
    unknown: list[str] = field(default_factory=list)  # no such code in the plan


def restore_actions(uow: ImportUnitOfWork, plan: str, codes: list[str], *, actor: str, channel: str,
                    now: datetime) -> RestoreReport:
    """Bring actions removed by `import --prune` back into the plan, with a history entry each.
    The caller commits; codes are matched on their whole code, ignoring case and spacing."""
    by_code = {normalise(a.code): a for a in uow.actions.list(plan=plan, include_removed=True)}
    result = RestoreReport()
    batch = uuid.uuid4().hex
    for typed in codes:
        action = by_code.get(normalise(typed))
        if action is None:
            result.unknown.append(typed)
        elif action.removed_at is None:
            result.not_removed.append(action.code)
        else:
            restored = replace(action, removed_at=None, updated_at=now, updated_by=actor)
            uow.actions.save(restored)
            uow.history.append(HistoryEntry(
                action_code=action.code, at=now, actor=actor, channel=channel, kind="import",
                changes=(FieldChange("removed_at", action.removed_at, None),), note="Restored to the plan.",
                batch_id=batch, action_id=action.id, plan=plan))
            result.restored.append(action.code)
    return result


def codes_by_plan(plan_files: list[PlanFile]) -> dict[str, frozenset[str]]:
    """Plan name -> every code (normalised) the files list for it: sheets of one workbook may
    share a plan ("Open actions", "Closed actions"), and none of them is then "no longer listed"."""
    found: dict[str, set[str]] = {}
    for plan_file in plan_files:
        found.setdefault(plan_file.plan_name, set()).update(normalise(row.code) for row in plan_file.rows)
    return {plan: frozenset(codes) for plan, codes in found.items()}
