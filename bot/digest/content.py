"""What a digest holds, as plain data, from plain inputs. No clock, no SQL, no Slack.

`build_digest` takes the actions, sections and history entries a subscription's filter
selects, plus `today`/`now`, and returns a `Digest` every renderer (text, Block Kit,
Adaptive Card, email) draws from, so every destination says the same thing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bot.domain import codes
from bot.domain.model import Action, HistoryEntry, Section, SectionRollup, State
from bot.domain.status import days_overdue, derive_status, is_open, is_overdue, section_rollup

# Open provider concerns by category, for a plan (None = every plan); None when there is no
# concern log to ask, which the digest says. The default source is the concern log in
# storage (bot.digest.sender.compose_digest); tests and other deployments may pass another.
ConcernCounts = Callable[[str | None], Mapping[str, int] | None]


def no_concern_source(plan: str | None) -> Mapping[str, int] | None:
    """No concern log: None (not {}), so the digest says it is not connected."""
    return None


@dataclass(frozen=True)
class DigestFilter:
    plan: str | None = None
    sections: tuple[str, ...] = ()
    responsibility: str | None = None
    group_by: str = "section"  # or "responsibility"
    due_soon_days: int = 14
    stale_days: int = 30

    def selects(self, action: Action) -> bool:
        if self.plan is not None and action.plan.casefold() != self.plan.casefold():
            return False
        if self.sections:
            wanted = {codes.section_number(s) for s in self.sections}
            if codes.section_number(action.section_code) not in wanted:
                return False
        if self.responsibility and self.responsibility.casefold() not in (action.responsibility or "").casefold():
            return False
        return True


@dataclass(frozen=True)
class DigestItem:
    code: str
    title: str
    plan: str
    section_code: str
    section_title: str
    owner: str | None
    due_date: date | None
    status: str
    progress: int | None
    days_overdue: int = 0
    update_age_days: int | None = None  # days since the latest update; None = never
    latest_update: str | None = None


@dataclass(frozen=True)
class DigestGroup:
    label: str  # "2.5 Sample Testing" or "Finance Team"
    items: tuple[DigestItem, ...]


@dataclass(frozen=True)
class DigestChange:
    code: str
    kind: str  # "completed" | "overdue" | "progress" | "due"
    text: str
    slippage_days: int | None = None  # for "due": new due minus old due


@dataclass
class Digest:
    title: str
    as_of: date
    since: datetime | None
    filter: DigestFilter
    overdue: list[DigestGroup] = field(default_factory=list)
    due_soon: list[DigestItem] = field(default_factory=list)
    stale: list[DigestItem] = field(default_factory=list)
    changes: list[DigestChange] = field(default_factory=list)
    rollups: list[SectionRollup] = field(default_factory=list)
    concerns: Mapping[str, int] | None = None  # None: the concern log is not connected
    action_count: int = 0

    @property
    def overdue_count(self) -> int:
        return sum(len(g.items) for g in self.overdue)

    def all_items(self) -> Iterable[tuple[str, DigestItem]]:
        """Every listed action with the part of the digest it is in (for the CSV)."""
        for group in self.overdue:
            for item in group.items:
                yield "overdue", item
        for item in self.due_soon:
            yield "due soon", item
        for item in self.stale:
            yield "check progress", item


def _tail(code: str) -> str:
    """`HSCM COMM AP2.5.1a` -> `AP2.5.1a`, as people type it."""
    return code.strip().rsplit(" ", 1)[-1]


def _item(action: Action, today: date, now: datetime) -> DigestItem:
    # Clamped: an update stamped later than `now` (a pinned clock) is "today", not -1 days.
    age = max(0, (now - action.updated_at).days) if action.updated_at is not None else None
    return DigestItem(
        code=action.code, title=action.title, plan=action.plan, section_code=action.section_code,
        section_title=action.section_title, owner=action.responsibility, due_date=action.due_date,
        status=derive_status(action, today).value, progress=action.progress,
        days_overdue=days_overdue(action, today), update_age_days=age, latest_update=action.latest_update,
    )


def _overdue_groups(overdue: list[Action], flt: DigestFilter, today: date, now: datetime) -> list[DigestGroup]:
    """`overdue` sorted most overdue first."""
    groups: dict[str, list[DigestItem]] = {}
    for action in overdue:
        if flt.group_by == "responsibility":
            label = action.responsibility or "Unassigned"
        else:
            label = f"{action.section_code} {action.section_title}"
        groups.setdefault(label, []).append(_item(action, today, now))
    # The group with the most overdue action first; within a group, most overdue first.
    ordered = sorted(groups.items(), key=lambda kv: (-kv[1][0].days_overdue, kv[0]))
    return [DigestGroup(label, tuple(items)) for label, items in ordered]


def _creates(entry: HistoryEntry) -> bool:
    """The entry that created the action (an import of a new row): not news of a change."""
    return any(c.field == "state" and c.old is None for c in entry.changes)


def _changes(entries: list[HistoryEntry], by_id: dict[int, Action], since_day: date, today: date,
             overdue: list[Action]) -> list[DigestChange]:
    """Newly completed, newly overdue, progress moves and due dates revised since the last digest."""
    first_old: dict[tuple[int, str], object] = {}
    last_new: dict[tuple[int, str], object] = {}
    completed: dict[int, None] = {}  # an ordered set
    for entry in entries:
        if entry.action_id is None or entry.action_id not in by_id or _creates(entry):
            continue
        for change in entry.changes:
            key = (entry.action_id, change.field)
            first_old.setdefault(key, change.old)
            last_new[key] = change.new
            if change.field == "state" and change.new is State.COMPLETED:
                completed[entry.action_id] = None
    found: list[DigestChange] = []
    for action_id in completed:
        action = by_id[action_id]
        if action.state is State.COMPLETED:
            found.append(DigestChange(action.code, "completed", f"{_tail(action.code)} completed"))
    for action in overdue:
        if action.due_date is not None and action.due_date >= since_day:
            found.append(DigestChange(action.code, "overdue",
                                      f"{_tail(action.code)} became overdue (due {action.due_date:%d %b %Y})"))
    for (action_id, name), old in first_old.items():
        new = last_new[(action_id, name)]
        if old == new or (name == "progress" and (old or 0) == (new or 0)):
            continue
        tail = _tail(by_id[action_id].code)
        if name == "progress":
            found.append(DigestChange(by_id[action_id].code, "progress",
                                      f"{tail} progress {old if old is not None else 0}% → {new}%"))
        elif name == "due_date" and isinstance(new, date):
            slip = (new - old).days if isinstance(old, date) else None
            was = f"{old:%d %b %Y}" if isinstance(old, date) else "no date"
            sign = f" ({'+' if slip >= 0 else ''}{slip} days)" if slip is not None else ""
            found.append(DigestChange(by_id[action_id].code, "due",
                                      f"{tail} due {was} → {new:%d %b %Y}{sign}", slip))
    return found


def build_digest(
    actions: list[Action],
    sections: list[Section],
    history: list[HistoryEntry],
    flt: DigestFilter,
    today: date,
    now: datetime,
    since: datetime | None,
    concerns: Mapping[str, int] | None = None,
    title: str = "Weekly digest",
) -> Digest:
    """The digest as of `today`/`now`. `history` holds the entries after `since` (the last
    digest sent); with `since` None the changes cover the last seven days."""
    chosen = [a for a in actions if flt.selects(a)]
    open_actions = [a for a in chosen if is_open(a)]
    overdue = sorted((a for a in open_actions if is_overdue(a, today)),
                     key=lambda a: (a.due_date or today, a.code))  # most overdue first
    horizon = today + timedelta(days=flt.due_soon_days)
    due_soon = sorted((a for a in open_actions if a.due_date is not None and today <= a.due_date <= horizon),
                      key=lambda a: (a.due_date, a.code))
    stale_before = now - timedelta(days=flt.stale_days)
    stale = sorted((a for a in open_actions if a.updated_at is None or a.updated_at < stale_before),
                   key=lambda a: (a.updated_at or datetime.min.replace(tzinfo=now.tzinfo), a.code))
    by_section: dict[tuple[str, str], list[Action]] = {}
    for action in chosen:
        by_section.setdefault((action.plan, action.section_code), []).append(action)
    rollups = [
        section_rollup(s.plan, s.code, s.title, by_section[(s.plan, s.code)], today, s.reported_progress)
        for s in sections if (s.plan, s.code) in by_section
    ]
    by_id = {a.id: a for a in chosen if a.id is not None}
    since_day = (since.date() if since is not None else today - timedelta(days=7))
    return Digest(
        title=title,
        as_of=today,
        since=since,
        filter=flt,
        overdue=_overdue_groups(overdue, flt, today, now),
        due_soon=[_item(a, today, now) for a in due_soon],
        stale=[_item(a, today, now) for a in stale],
        changes=_changes(history, by_id, since_day, today, overdue),
        rollups=rollups,
        concerns=concerns,
        action_count=len(chosen),
    )
