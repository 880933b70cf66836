"""What a digest holds, as plain data, from plain inputs. No clock, no SQL, no Slack.

`build_digest` takes the actions, sections and history entries a subscription's filter
selects, plus `today`/`now`, and returns a `Digest` every renderer (text, Block Kit,
Adaptive Card, email) draws from, so every destination says the same thing.

A sending pass builds many digests of one plan on one day. `DigestBasis` holds what they
share — each action's line item, the overdue / due / last-update orderings, the section
rollups, what changed since a given day — computed once; a subscription's digest is then
its filter applied to those lists (linear in what it lists, never a re-sort of the plan).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from bot.domain import codes
from bot.domain.model import Action, HistoryEntry, Section, SectionRollup, State, Status
from bot.domain.status import days_overdue, derive_status, is_open, section_rollup

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

    @property
    def narrowed(self) -> bool:
        """Filtered below the plan (to sections or a responsibility)."""
        return bool(self.sections or self.responsibility)

    def describe(self) -> str:
        """`sections 2.4, 2.5; for Finance Team`, or "" for a whole plan."""
        parts = []
        if self.sections:
            parts.append(f"section{'s' if len(self.sections) > 1 else ''} {', '.join(self.sections)}")
        if self.responsibility:
            parts.append(f"for {self.responsibility}")
        return "; ".join(parts)

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


@dataclass(frozen=True)
class ContractLogItem:
    """An overdue contract-monitoring log action or visit, for the digest's own section.

    `restricted` items (safeguarding) are listed by reference only: a digest goes to a
    channel, and a channel is never the place for their title, provider or owner."""

    reference: str
    title: str
    provider: str
    due_date: date | None
    owner: str | None
    restricted: bool = False


# Where the digest's "Contract log: overdue actions, visits due" section comes from:
# (uow, plan, today) -> the overdue log actions and the visits due, or None when there is
# nothing to list (the section is then left out). `actionbot run` and `digest send-due` pass
# bot.digest.service.contract_log_source (the log's due items); tests may pass their own.
ContractLogSource = Callable[[Any, str | None, date], Sequence[ContractLogItem] | None]


def no_contract_log(uow: Any, plan: str | None, today: date) -> Sequence[ContractLogItem] | None:
    return None


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
    concerns: Mapping[str, int] | None = None  # None: the concern log is not connected (or filtered out)
    action_count: int = 0
    contract_log: list[ContractLogItem] | None = None  # None: no section (no log, or filtered out)
    # Formatted lines shared by every digest of one DigestBasis (renderers' cache, keyed by
    # the identity of items the basis keeps alive). Not part of what the digest says.
    memo: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def overdue_count(self) -> int:
        return sum(len(g.items) for g in self.overdue)

    @property
    def is_empty(self) -> bool:
        """Nothing to tell: no change, nothing overdue, due soon or waiting for an update."""
        return not (self.changes or self.overdue or self.due_soon or self.stale or self.contract_log)

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


def _creates(entry: HistoryEntry) -> bool:
    """The entry that created the action (an import of a new row): not news of a change."""
    return any(c.field == "state" and c.old is None for c in entry.changes)


def _changes(entries: Sequence[HistoryEntry], by_id: Mapping[int, Action], since_day: date,
             overdue: Iterable[Action]) -> list[tuple[int | None, DigestChange]]:
    """Newly completed, newly overdue, progress moves and due dates revised since the last
    digest, each with its action's id. An action reported completed is not also listed
    under progress moved (its progress went to 100% as it was completed)."""
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
    found: list[tuple[int | None, DigestChange]] = []
    reported_done: set[int] = set()
    for action_id in completed:
        action = by_id[action_id]
        if action.state is State.COMPLETED:
            reported_done.add(action_id)
            found.append((action_id, DigestChange(action.code, "completed", f"{_tail(action.code)} completed")))
    for action in overdue:
        if action.due_date is not None and action.due_date >= since_day:
            found.append((action.id, DigestChange(
                action.code, "overdue", f"{_tail(action.code)} became overdue (due {action.due_date:%d %b %Y})")))
    for (action_id, name), old in first_old.items():
        new = last_new[(action_id, name)]
        if old == new or (name == "progress" and (old or 0) == (new or 0)):
            continue
        tail = _tail(by_id[action_id].code)
        if name == "progress" and action_id not in reported_done:
            found.append((action_id, DigestChange(by_id[action_id].code, "progress",
                                                  f"{tail} progress {old if old is not None else 0}% → {new}%")))
        elif name == "due_date" and isinstance(new, date):
            slip = (new - old).days if isinstance(old, date) else None
            was = f"{old:%d %b %Y}" if isinstance(old, date) else "no date"
            sign = f" ({'+' if slip >= 0 else ''}{slip} days)" if slip is not None else ""
            found.append((action_id, DigestChange(by_id[action_id].code, "due",
                                                  f"{tail} due {was} → {new:%d %b %Y}{sign}", slip)))
    return found


class DigestBasis:
    """What every digest of one set of actions (a plan) on one as-of day shares.

    Built once per plan and day in a sending pass; `digest()` then applies a subscription's
    filter. Orderings are computed here once, and each part of a digest (the overdue groups,
    the due-soon and check-progress lists, the rollups) is built once per filter and setting
    and shared, as the same list object, by every digest that has it — so renderers can make
    each part's text once too (bot.digest.render_text). Those lists are not to be changed."""

    def __init__(self, actions: Sequence[Action], sections: Sequence[Section], today: date, now: datetime) -> None:
        self.actions = actions
        self.sections = sections
        self.today, self.now = today, now
        self.memo: dict[Any, Any] = {}
        self._items: dict[int, DigestItem] = {}
        self._parts: dict[tuple[Any, ...], Any] = {}
        self._changes: dict[tuple[Any, ...], tuple[Sequence[HistoryEntry], list[tuple[int | None, DigestChange]]]] = {}
        self._plans = {a.plan.casefold() for a in actions}
        self._by_number: dict[str, list[int]] | None = None
        self._by_owner: dict[str | None, list[int]] | None = None
        self._statuses: list[Status] | None = None
        open_ix = [i for i, a in enumerate(actions) if is_open(a)]

        # Sorted as (key, code, index) triples: ties keep the plan's order, as a stable sort
        # by (key, code) would, without a key function called for each action.
        by_due = sorted([(a.due_date, a.code, i) for i in open_ix if (a := actions[i]).due_date is not None])
        dated = [i for _due, _code, i in by_due]
        self._dated = dated
        self._dues: list[date] = [due for due, _code, _i in by_due]
        self._overdue = dated[:bisect_left(self._dues, today)]  # most overdue first
        never = datetime.min.replace(tzinfo=now.tzinfo)
        by_update = sorted([(a.updated_at or never, a.code, i) for i in open_ix for a in (actions[i],)])
        self._by_update = [i for _at, _code, i in by_update]
        self._updates = [at for at, _code, _i in by_update]
        # Where each action stands in those orderings (-1: not in it), to list a small
        # selection in order without walking the whole plan.
        self._dated_rank = [-1] * len(actions)
        for rank, index in enumerate(dated):
            self._dated_rank[index] = rank
        self._update_rank = [-1] * len(actions)
        for rank, index in enumerate(self._by_update):
            self._update_rank[index] = rank

    def item(self, index: int) -> DigestItem:
        found = self._items.get(index)
        if found is None:
            found = self._items[index] = _item(self.actions[index], self.today, self.now)
        return found

    def _part(self, key: tuple[Any, ...], make: Callable[[], Any]) -> Any:
        if key not in self._parts:
            self._parts[key] = make()
        return self._parts[key]

    def _selection_key(self, flt: DigestFilter) -> tuple[Any, ...]:
        plan = flt.plan.casefold() if flt.plan is not None else None
        if plan is not None and self._plans <= {plan}:
            plan = None  # every action is of that plan: the plan selects them all
        owner = (flt.responsibility or "").casefold()
        return (plan, tuple(sorted({codes.section_number(s) for s in flt.sections})), owner)

    def selection(self, flt: DigestFilter) -> frozenset[int] | None:
        """Indexes of the actions the filter selects; None for all of them."""
        key = self._selection_key(flt)
        return self._part(("selection", *key), lambda: self._select(*key))  # type: ignore[no-any-return]

    def _select(self, plan: str | None, numbers: tuple[str, ...], owner: str) -> frozenset[int] | None:
        if plan is None and not numbers and not owner:
            return None
        chosen: set[int] | None = None
        if numbers:
            if self._by_number is None:
                self._by_number = {}
                for index, action in enumerate(self.actions):
                    self._by_number.setdefault(codes.section_number(action.section_code), []).append(index)
            chosen = {i for number in numbers for i in self._by_number.get(number, ())}
        if owner:
            if self._by_owner is None:
                self._by_owner = {}
                for index, action in enumerate(self.actions):
                    self._by_owner.setdefault(action.responsibility, []).append(index)
            owned = {i for name, indexes in self._by_owner.items() if owner in (name or "").casefold()
                     for i in indexes}
            chosen = owned if chosen is None else chosen & owned
        if chosen is None:
            chosen = set(range(len(self.actions)))
        if plan is not None:
            chosen = {i for i in chosen if self.actions[i].plan.casefold() == plan}
        return frozenset(chosen)

    def _in_order(self, chosen: frozenset[int] | None, ordered: list[int], ranks: list[int], low: int,
                  high: int) -> list[int]:
        """ordered[low:high], keeping only `chosen` (walking whichever is shorter)."""
        if chosen is None:
            return ordered[low:high]
        if len(chosen) * 4 < high - low:
            return sorted((i for i in chosen if low <= ranks[i] < high), key=ranks.__getitem__)
        return [i for i in ordered[low:high] if i in chosen]

    def _changes_since(self, history: Sequence[HistoryEntry], since_day: date) -> list[tuple[int | None, DigestChange]]:
        key = (id(history), since_day)
        cached = self._changes.get(key)
        if cached is None or cached[0] is not history:
            by_id = {a.id: a for a in self.actions if a.id is not None}
            overdue = [self.actions[i] for i in self._overdue]
            cached = self._changes[key] = (history, _changes(history, by_id, since_day, overdue))
        return cached[1]

    def _change_places(self, found: list[tuple[int | None, DigestChange]]) -> dict[int | None, list[int]]:
        """For `found` (the changes since a day, as _changes_since keeps them): action index
        -> the places of its changes, and None -> each change's action index (-1: none).
        Made once for each such list."""
        key = ("change places", id(found))
        made = self._parts.get(key)
        if made is None or made[0] is not found:
            index_of = self._part(("index of id",), lambda: {a.id: i for i, a in enumerate(self.actions)})
            indexes = [index_of.get(action_id, -1) for action_id, _change in found]
            places: dict[int | None, list[int]] = {None: indexes}
            for place, index in enumerate(indexes):
                places.setdefault(index, []).append(place)
            made = self._parts[key] = (found, places)
        return made[1]

    def _rollups_of(self, indexes: Iterable[int]) -> list[tuple[str, SectionRollup]]:
        if self._statuses is None:  # each action's status, once for every rollup of the day
            self._statuses = [derive_status(a, self.today) for a in self.actions]
        statuses = self._statuses
        by_section: dict[tuple[str, str], tuple[list[Action], list[Status]]] = {}
        for index in indexes:
            action = self.actions[index]
            found = by_section.get((action.plan, action.section_code))
            if found is None:
                found = by_section[(action.plan, action.section_code)] = ([], [])
            found[0].append(action)
            found[1].append(statuses[index])
        return [(s.code, section_rollup(s.plan, s.code, s.title, by_section[(s.plan, s.code)][0], self.today,
                                        s.reported_progress, statuses=by_section[(s.plan, s.code)][1]))
                for s in self.sections if (s.plan, s.code) in by_section]

    def _rollups(self, key: tuple[Any, ...], chosen: frozenset[int] | None) -> list[SectionRollup]:
        plan, numbers, owner = key
        if chosen is None:
            return [r for _code, r in self._part(("rollups",), lambda: self._rollups_of(range(len(self.actions))))]
        if plan is None and not owner:  # whole sections: share their rollups
            every = self._part(("rollups",), lambda: self._rollups_of(range(len(self.actions))))
            return [r for code, r in every if codes.section_number(code) in numbers]
        return [r for _code, r in self._rollups_of(sorted(chosen))]

    def _groups(self, overdue: list[int], group_by: str) -> list[DigestGroup]:
        """`overdue` sorted most overdue first."""
        groups: dict[str, list[DigestItem]] = {}
        for index in overdue:
            action = self.actions[index]
            if group_by == "responsibility":
                label = action.responsibility or "Unassigned"
            else:
                label = f"{action.section_code} {action.section_title}"
            groups.setdefault(label, []).append(self.item(index))
        # The group with the most overdue action first; within a group, most overdue first.
        ordered = sorted(groups.items(), key=lambda kv: (-kv[1][0].days_overdue, kv[0]))
        return [DigestGroup(label, tuple(items)) for label, items in ordered]

    def digest(self, history: Sequence[HistoryEntry], flt: DigestFilter, since: datetime | None,
               concerns: Mapping[str, int] | None = None, title: str = "Weekly digest",
               contract_log: Sequence[ContractLogItem] | None = None) -> Digest:
        """One subscription's digest. A filtered digest says so in its title and leaves out
        what lies outside its filter: provider concerns and contract-log entries belong to
        providers, not to sections or owners, so a section filter leaves them out and a
        responsibility filter keeps only the log entries that owner holds."""
        key = self._selection_key(flt)
        chosen = self.selection(flt)
        today, now = self.today, self.now
        due_low = bisect_left(self._dues, today)
        due_high = bisect_right(self._dues, today + timedelta(days=flt.due_soon_days))
        stale_high = bisect_left(self._updates, now - timedelta(days=flt.stale_days))
        overdue = self._part(("overdue", key), lambda: self._in_order(chosen, self._dated, self._dated_rank, 0, due_low))
        groups = self._part(("groups", key, flt.group_by), lambda: self._groups(overdue, flt.group_by))
        due_soon = self._part(("due soon", key, flt.due_soon_days), lambda: [
            self.item(i) for i in self._in_order(chosen, self._dated, self._dated_rank, due_low, due_high)])
        stale = self._part(("stale", key, flt.stale_days), lambda: [
            self.item(i) for i in self._in_order(chosen, self._by_update, self._update_rank, 0, stale_high)])
        rollups = self._part(("rollups", key), lambda: self._rollups(key, chosen))
        since_day = since.date() if since is not None else today - timedelta(days=7)

        def changes_of() -> list[DigestChange]:
            found = self._changes_since(history, since_day)
            if chosen is None:
                return [c for _action_id, c in found]
            at = self._change_places(found)
            if len(chosen) < len(found):  # a few sections: look up their actions' changes
                return [found[place][1] for place in sorted(p for i in chosen for p in at.get(i, ()))]
            return [c for index, (_action_id, c) in zip(at[None], found) if index in chosen]

        changes = self._part(("changes", key, id(history), since_day), changes_of)
        log = None if contract_log is None else list(contract_log)
        if log is not None and flt.sections:
            log = None
        elif log is not None and flt.responsibility:
            owner = flt.responsibility.casefold()
            log = [e for e in log if owner in (e.owner or "").casefold()]
        scope = flt.describe()
        return Digest(
            title=f"{title} ({scope})" if scope else title,
            as_of=today,
            since=since,
            filter=flt,
            overdue=groups,
            due_soon=due_soon,
            stale=stale,
            changes=changes,
            rollups=rollups,
            concerns=None if flt.narrowed else concerns,
            action_count=len(self.actions) if chosen is None else len(chosen),
            contract_log=log,
            memo=self.memo,
        )


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
    contract_log: Sequence[ContractLogItem] | None = None,
) -> Digest:
    """The digest as of `today`/`now`. `history` holds the entries after `since` (the last
    digest sent); with `since` None the changes cover the last seven days."""
    return DigestBasis(actions, sections, today, now).digest(history, flt, since, concerns, title, contract_log)
