"""Who is reminded of what, and when: the rules of the reminder pass, as pure functions.

One pass looks at every open item (plan actions, and the contract-monitoring log's allocated
actions and visits, all as `ReminderItem`s), works out who is responsible for each, and gives
each person at most one `ReminderMessage` for the day, its lines most urgent first:

- overdue: on the first working day after the due date, then weekly on the person's reminder
  day (default Monday; the first working day of the week on or after it, so Easter Monday
  moves it to Tuesday);
- due today (the last working day on or before the due date);
- due soon: 7 and 1 working days before the due date (`[reminders] due_soon`);
- an update request when an item has had no update for 30 days (`stale_days`), weekly on the
  reminder day;
- escalation: items overdue by more than 10 working days (`escalate_after`), weekly on the
  reminder day, to the responsible team's lead and the admins.

Days are counted on the recipient's team's `WorkingCalendar` (bot.domain.workdays): nothing
is sent on a weekend, a bank holiday of the team's nation or a closure day, and a trigger
that would fall on one moves to a working day, so none is lost. Leave pauses a person's
reminders or sends them to their cover; a snooze silences one item for one person.

Restricted items (safeguarding) are shown by reference only, except to a person with the
safeguarding role; every reminder goes to one person privately (a DM, a personal chat, an
email to them alone), so that person may see the title.

Pure: no clock, no SQL, no chat. `today` is passed in.
"""

from __future__ import annotations

import enum
import re
from functools import lru_cache
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from bot.domain.workdays import WorkingCalendar

CHANNELS = ("slack", "teams", "email", "none")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
SAFEGUARDING_ROLE = "safeguarding"
MAX_SNOOZE_DAYS = 366
RESTRICTED_TITLE = "confidential item: reference only"
MAX_ESCALATION_LINES = 30  # per message; the rest are counted
MAX_ITEMS = 20  # a person's own items per message (each has its buttons: Slack holds 50 blocks)


class ItemKind(str, enum.Enum):
    ACTION = "action"  # an action of an improvement plan
    LOG_ACTION = "log action"  # an action allocated from the contract-monitoring log
    VISIT = "visit"  # a monitoring visit with an owner and a date


@dataclass(frozen=True)
class ReminderItem:
    """Anything with an owner and a due date that someone should be reminded of."""

    ref: str  # what people type: `AP2.5.1`, `PQ-2026-0012`
    title: str
    due: date | None
    progress: int | None = None
    last_update: str | None = None
    last_update_on: date | None = None  # the day of the last update (or of creation)
    owner: str | None = None  # the Responsibility text: names, a team, a role, a list
    restricted: bool = False  # safeguarding: reference only, except to the safeguarding role
    kind: ItemKind = ItemKind.ACTION
    plan: str | None = None
    # Unique across sources: what a snooze and a sent reminder name (set from the fields above).
    key: str = field(init=False, compare=False, repr=False, default="")

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", f"{self.kind.value}:{self.plan or ''}:{self.ref}")


@dataclass(frozen=True)
class Leave:
    starts: date
    ends: date  # the last day away, inclusive
    cover: str | None = None  # the name of the person who gets the reminders meanwhile

    def covers(self, day: date) -> bool:
        return self.starts <= day <= self.ends


@dataclass(frozen=True)
class Recipient:
    """A person as the reminder pass sees them."""

    name: str
    team: str | None = None
    channel: str = "none"  # where reminders go: slack | teams | email | none
    unreachable: str | None = None  # why the channel cannot be used (no Slack id, ...)
    timezone: str = "Europe/London"
    reminder_day: int = 0  # 0 = Monday
    roles_extra: tuple[str, ...] = ()
    is_admin: bool = False
    leave: tuple[Leave, ...] = ()
    snoozed: dict[str, date] = field(default_factory=dict)  # item key -> silent until (exclusive)

    @property
    def safeguarding(self) -> bool:
        return SAFEGUARDING_ROLE in self.roles_extra

    def on_leave(self, day: date) -> Leave | None:
        for spell in self.leave:
            if spell.covers(day):
                return spell
        return None

    def reachable(self) -> bool:
        return self.channel != "none" and self.unreachable is None


@dataclass(frozen=True)
class Team:
    name: str
    lead: str | None = None
    remind_all: bool = False  # every member is reminded of the team's actions, not only the lead
    nation: str | None = None  # bank holidays of this nation; None: the bot's [calendar]


@dataclass(frozen=True)
class ReminderRules:
    """`[reminders]` settings."""

    due_soon: tuple[int, ...] = (7, 1)  # working days before the due date
    stale_days: int = 30  # an update request after this many days without an update
    escalate_after: int = 10  # working days overdue before the lead and admins are told
    send_time: str = "09:00"  # local to each person
    timezone: str = "Europe/London"
    reminder_day: int = 0  # Monday
    max_items: int = MAX_ITEMS  # listed in one message, most urgent first; the rest are counted


class Reason(enum.IntEnum):
    """Why an item is in a message; the lower, the more urgent."""

    OVERDUE = 1
    DUE_TODAY = 2
    DUE_SOON = 3
    UPDATE_REQUEST = 4


@dataclass(frozen=True)
class ReminderLine:
    item: ReminderItem
    reason: Reason
    detail: str  # "overdue by 3 working days", "due in 7 working days"
    overdue_days: int = 0
    covering_for: str | None = None  # the name of the person on leave whose item this is

    @property
    def sort_key(self) -> tuple[int, int, date, str]:
        return (self.reason, -self.overdue_days, self.item.due or date.max, self.item.ref)


@dataclass(frozen=True)
class EscalationLine:
    item: ReminderItem
    overdue_days: int
    reminded: tuple[tuple[str, date], ...] = ()  # (who, last day reminded)


@dataclass(frozen=True)
class ReminderMessage:
    """Everything one person gets today, in one message."""

    person: str
    day: date
    lines: tuple[ReminderLine, ...] = ()
    escalations: tuple[EscalationLine, ...] = ()
    more: int = 0  # the person's further items, less urgent than those listed (`mine` has them all)

    @property
    def is_empty(self) -> bool:
        return not self.lines and not self.escalations

    def refs(self) -> list[str]:
        """The refs in the order they are numbered (1, 2, …) in the message."""
        return [line.item.ref for line in self.lines]


@dataclass(frozen=True)
class Unreached:
    item: ReminderItem
    why: str


@dataclass
class PassResult:
    messages: dict[str, ReminderMessage]
    unreached: list[Unreached]


# --- who -----------------------------------------------------------------------------------


def _matcher(names: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern for many names, longest first, matching whole words ignoring case."""
    ordered = sorted({n.casefold() for n in names if n and n.strip()}, key=len, reverse=True)
    if not ordered:
        return None
    return re.compile(r"(?<!\w)(" + "|".join(re.escape(n) for n in ordered) + r")(?!\w)")


def _found(pattern: re.Pattern[str] | None, text: str) -> list[str]:
    """Casefolded names the pattern finds in the text, in order, once each."""
    if pattern is None:
        return []
    return list(dict.fromkeys(m.group(1) for m in pattern.finditer(text.casefold())))


@dataclass(frozen=True)
class Resolution:
    people: tuple[Recipient, ...]
    teams: tuple[Team, ...]  # the teams the text names (their leads get escalations)
    why: str | None  # why nobody is responsible; None when someone is


@dataclass
class Directory:
    """People and teams, indexed once per pass; Responsibility texts resolved once each."""

    people: dict[str, Recipient]  # casefolded name -> person
    teams: dict[str, Team]  # casefolded name -> team
    members: dict[str, list[Recipient]]  # casefolded team name -> people in it
    _people_pattern: re.Pattern[str] | None = None
    _team_pattern: re.Pattern[str] | None = None
    _resolved: dict[str, Resolution] = field(default_factory=dict)

    @classmethod
    def build(cls, people: Iterable[Recipient], teams: Iterable[Team]) -> Directory:
        by_name = {p.name.casefold(): p for p in people}
        members: dict[str, list[Recipient]] = {}
        for person in by_name.values():
            if person.team:
                members.setdefault(person.team.casefold(), []).append(person)
        team_map = {t.name.casefold(): t for t in teams}
        directory = cls(by_name, team_map, members)
        directory._people_pattern = _matcher(by_name)
        directory._team_pattern = _matcher(set(team_map) | set(members))
        return directory

    def person(self, name: str | None) -> Recipient | None:
        return self.people.get(name.casefold()) if name else None

    def team_of(self, person: Recipient) -> Team | None:
        return self.teams.get(person.team.casefold()) if person.team else None

    def responsible(self, item: ReminderItem) -> tuple[list[Recipient], str | None]:
        """Who is responsible for the item, and why nobody is (None when someone is)."""
        found = self.resolve(item.owner)
        return list(found.people), found.why

    def resolve(self, owner_text: str | None) -> Resolution:
        found = self._resolved.get(owner_text or "")  # the text as written, then as normalised
        if found is None:
            owner = " ".join((owner_text or "").split())
            found = self._resolved.get(owner)
            if found is None:
                found = self._resolved[owner] = self._resolve(owner)
            self._resolved[owner_text or ""] = found
        return found

    def _resolve(self, owner: str) -> Resolution:
        if not owner:
            return Resolution((), (), "it has no Responsibility")
        found: dict[str, Recipient] = {}
        why: list[str] = []
        for key in _found(self._people_pattern, owner):
            found[key] = self.people[key]
        named_teams: list[Team] = []
        for key in _found(self._team_pattern, owner):
            team = self.teams.get(key)
            members = self.members.get(key, [])
            shown = team.name if team else (members[0].team if members and members[0].team else key)
            if team is not None:
                named_teams.append(team)
            if team is not None and team.remind_all:
                if not members:
                    why.append(f"team {shown} has no members")
                for member in members:
                    found[member.name.casefold()] = member
            elif team is not None and team.lead:
                lead = self.person(team.lead)
                if lead is None:
                    why.append(f"team {shown}'s lead {team.lead} is not a known person")
                else:
                    found[lead.name.casefold()] = lead
            else:
                why.append(f"team {shown} has no lead (`actionbot people add NAME --team \"{shown}\" --lead`)")
        people = tuple(sorted(found.values(), key=lambda p: p.name.casefold()))
        if people:
            return Resolution(people, tuple(named_teams), None)
        if why:
            return Resolution((), tuple(named_teams), "; ".join(why))
        return Resolution((), (), f"'{owner}' names no known person or team")


def reachable_for(person: Recipient, directory: Directory, day: date) -> tuple[Recipient | None, str | None]:
    """Who actually gets a person's reminders on `day` (they, or their cover), or why nobody."""
    leave = person.on_leave(day)
    if leave is not None:
        cover = directory.person(leave.cover)
        if cover is None:
            return None, f"{person.name} is on leave until {leave.ends:%d %b %Y} with no cover"
        if not cover.reachable():
            return None, f"{person.name} is on leave and their cover {cover.name} cannot be reminded ({why_unreachable(cover)})"
        return cover, None
    if not person.reachable():
        return None, f"{person.name} cannot be reminded ({why_unreachable(person)})"
    return person, None


def why_unreachable(person: Recipient) -> str:
    if person.channel == "none":
        return "reminders are off"
    return person.unreachable or "no channel"


# --- when ----------------------------------------------------------------------------------


def reminder_day_of_week(day: date, weekday: int, calendar: WorkingCalendar) -> date | None:
    """The day in `day`'s week that weekly reminders go out: the first working day on or
    after the person's reminder day, within the same week (None when the rest of the week is
    holiday)."""
    monday = day - timedelta(days=day.weekday())
    target = monday + timedelta(days=weekday)
    sunday = monday + timedelta(days=6)
    current = target
    while current <= sunday:
        if calendar.is_working_day(current):
            return current
        current += timedelta(days=1)
    return None


def is_weekly_day(day: date, weekday: int, calendar: WorkingCalendar) -> bool:
    return reminder_day_of_week(day, weekday, calendar) == day


def working_days_word(count: int) -> str:
    return f"{count} working day{'s' if count != 1 else ''}"


# Many items share a due date (month and quarter ends): the day arithmetic is done once per
# (calendar, due date, today). WorkingCalendar is frozen, so it is a fine cache key.
@lru_cache(maxsize=65536)
def _overdue_days(calendar: WorkingCalendar, due: date, today: date) -> int:
    return max(calendar.working_days_between(due, today), 1)


@lru_cache(maxsize=65536)
def _first_overdue_day(calendar: WorkingCalendar, due: date) -> date:
    return calendar.next_working_day(due, include=False)


@lru_cache(maxsize=65536)
def _due_day(calendar: WorkingCalendar, due: date) -> date:
    return calendar.previous_working_day(due)


@lru_cache(maxsize=65536)
def _soon_days(calendar: WorkingCalendar, due: date, counts: tuple[int, ...]) -> dict[date, int]:
    return {calendar.working_days_before(due, count): count for count in sorted(counts, reverse=True) if count > 0}


def reason_for(item: ReminderItem, today: date, calendar: WorkingCalendar, rules: ReminderRules,
               weekly: bool) -> tuple[Reason, str, int] | None:
    """The most urgent reason to mention the item today, with its wording and working days
    overdue; None when it need not be mentioned. `today` is a working day; `weekly` says
    whether it is the person's weekly reminder day."""
    if item.due is not None:
        if item.due < today:
            if weekly or today == _first_overdue_day(calendar, item.due):
                overdue = _overdue_days(calendar, item.due, today)
                return Reason.OVERDUE, f"overdue by {working_days_word(overdue)}", overdue
        else:
            if today == _due_day(calendar, item.due):
                return Reason.DUE_TODAY, "due today" if today == item.due else f"due {item.due:%A}", 0
            count = _soon_days(calendar, item.due, rules.due_soon).get(today)
            if count is not None:
                return Reason.DUE_SOON, f"due in {working_days_word(count)}", 0
    if weekly and rules.stale_days > 0:
        last = item.last_update_on
        if last is None or (today - last).days >= rules.stale_days:
            since = "no update yet" if last is None else f"no update for {(today - last).days} days"
            return Reason.UPDATE_REQUEST, f"update please: {since}", 0
    return None


# --- the pass ------------------------------------------------------------------------------


CalendarFor = Callable[[str | None], WorkingCalendar]  # team nation -> calendar


def calendar_of(person: Recipient, directory: Directory, calendar_for: CalendarFor) -> WorkingCalendar:
    team = directory.team_of(person)
    return calendar_for(team.nation if team else None)


def build_pass(items: Sequence[ReminderItem], people: Iterable[Recipient], teams: Iterable[Team],
               today: date, calendar_for: CalendarFor, rules: ReminderRules = ReminderRules(),
               reminded: dict[str, tuple[tuple[str, date], ...]] | None = None,
               only: Iterable[str] | None = None) -> PassResult:
    """Every person's message for `today` (the day in their own time zone), and every open
    item that would reach nobody, with why.

    `reminded` maps an item key to who was last reminded of it and when (for escalations);
    `only` limits the messages built to these names (the unreached list is always complete).
    """
    directory = Directory.build(people, teams)
    wanted = {n.casefold() for n in only} if only is not None else None
    lines: dict[str, list[ReminderLine]] = {}
    escalations: dict[str, list[EscalationLine]] = {}
    unreached: list[Unreached] = []
    calendars: dict[str, WorkingCalendar] = {}
    weekly_cache: dict[tuple[str, int], bool] = {}

    def calendar(person: Recipient) -> WorkingCalendar:
        key = person.team.casefold() if person.team else ""
        if key not in calendars:
            calendars[key] = calendar_of(person, directory, calendar_for)
        return calendars[key]

    working_cache: dict[str, bool] = {}

    def working(person: Recipient) -> bool:
        key = person.team.casefold() if person.team else ""
        if key not in working_cache:
            working_cache[key] = calendar(person).is_working_day(today)
        return working_cache[key]

    def weekly(person: Recipient) -> bool:
        key = (person.team.casefold() if person.team else "", person.reminder_day)
        if key not in weekly_cache:
            weekly_cache[key] = is_weekly_day(today, person.reminder_day, calendar(person))
        return weekly_cache[key]

    reach: dict[str, tuple[Recipient | None, str | None]] = {}

    def reachable(person: Recipient) -> tuple[Recipient | None, str | None]:
        if person.name not in reach:
            reach[person.name] = reachable_for(person, directory, today)
        return reach[person.name]

    admins = sorted((p for p in directory.people.values() if p.is_admin), key=lambda p: p.name.casefold())
    # Who an overdue item is escalated to today depends only on its Responsibility text, so it
    # is worked out once per text (a council's 100,000 actions have a few thousand), and the
    # working days overdue once per calendar and due date.
    escalation_cache: dict[str, list[tuple[Recipient, WorkingCalendar]]] = {}
    overdue_by: dict[tuple[int, date], int] = {}

    def escalation_targets(item: ReminderItem, owners: list[Recipient]) -> list[tuple[Recipient, WorkingCalendar]]:
        key = " ".join((item.owner or "").split())  # as Directory.resolve keys it
        found = escalation_cache.get(key)
        if found is not None:
            return found
        escalate_to: dict[str, Recipient] = {}  # the responsible teams' leads, then the admins
        for owner in owners:
            team = directory.team_of(owner)
            lead = directory.person(team.lead) if team and team.lead else None
            if lead is not None:
                escalate_to[lead.name.casefold()] = lead
        for team in directory.resolve(item.owner).teams:
            lead = directory.person(team.lead)
            if lead is not None:
                escalate_to[lead.name.casefold()] = lead
        for admin in admins:
            escalate_to[admin.name.casefold()] = admin
        found = []
        for person in escalate_to.values():
            target, _problem = reachable(person)
            if target is None or (wanted is not None and target.name.casefold() not in wanted):
                continue
            if working(person) and weekly(person):
                found.append((target, calendar(person)))
        escalation_cache[key] = found
        return found

    for item in items:
        owners, why = directory.responsible(item)
        if not owners:
            unreached.append(Unreached(item, why or "nobody is responsible"))
            continue
        reached_any = False
        reasons: list[str] = []
        for owner in owners:
            target, problem = reachable(owner)
            if target is None:
                reasons.append(problem or "")
                continue
            reached_any = True
            if wanted is not None and target.name.casefold() not in wanted:
                continue
            if not working(owner):
                continue
            cal = calendar(owner)
            snoozed = target.snoozed.get(item.key) or owner.snoozed.get(item.key)
            if snoozed is not None and today < snoozed:
                continue
            found = reason_for(item, today, cal, rules, weekly(owner))
            if found is None:
                continue
            reason, detail, overdue = found
            covering = owner.name if target is not owner else None
            lines.setdefault(target.name, []).append(ReminderLine(item, reason, detail, overdue, covering))
        if not reached_any:
            unreached.append(Unreached(item, "; ".join(r for r in reasons if r)))
        # Escalation: the responsible teams' leads and the admins, weekly.
        if item.due is not None and item.due < today and rules.escalate_after >= 0 \
                and today - item.due > timedelta(days=rules.escalate_after):
            for target, cal in escalation_targets(item, owners):
                overdue_key = (id(cal), item.due)
                late = overdue_by.get(overdue_key)
                if late is None:
                    late = overdue_by[overdue_key] = _overdue_days(cal, item.due, today)
                if late <= rules.escalate_after:
                    continue
                escalations.setdefault(target.name, []).append(
                    EscalationLine(item, late, (reminded or {}).get(item.key, ())))
    messages: dict[str, ReminderMessage] = {}
    for name in set(lines) | set(escalations):
        mine = _one_line_per_item(lines.get(name, []))
        esc = sorted(escalations.get(name, []), key=lambda e: (-e.overdue_days, e.item.ref))
        seen: set[str] = {line.item.key for line in mine}  # already listed as the person's own
        unique_esc = [e for e in esc if not (e.item.key in seen or seen.add(e.item.key))]  # type: ignore[func-returns-value]
        listed = mine[:max(rules.max_items, 1)]
        messages[name] = ReminderMessage(name, today, tuple(listed), tuple(unique_esc), len(mine) - len(listed))
    return PassResult(messages, unreached)


def _one_line_per_item(lines: list[ReminderLine]) -> list[ReminderLine]:
    best: dict[str, ReminderLine] = {}
    for line in lines:
        kept = best.get(line.item.key)
        if kept is None or line.sort_key < kept.sort_key:
            best[line.item.key] = line
    return sorted(best.values(), key=lambda line: line.sort_key)


# --- leave and snooze --------------------------------------------------------------------------


class ReminderInputError(ValueError):
    """Bad leave or snooze input; the message is the one sentence the person sees."""


def check_leave(starts: date, ends: date, today: date) -> None:
    if ends < today:
        raise ReminderInputError(
            f"{ends:%d %B %Y} is in the past, so I have not recorded any leave. "
            "Say the last day you are away, e.g. `I'm on leave until 12 December`.")
    if ends < starts:
        raise ReminderInputError(f"Your leave cannot end ({ends:%d %b %Y}) before it starts ({starts:%d %b %Y}).")
    if (ends - starts).days > MAX_SNOOZE_DAYS:
        raise ReminderInputError("That leave is longer than a year; I record leave of up to a year at a time.")


def snooze_until(today: date, *, days: int | None = None, until: date | None = None) -> date:
    """The first day the item may be reminded again."""
    if until is None:
        until = today + timedelta(days=days or 0)
    if until <= today:
        raise ReminderInputError(
            f"{until:%d %B %Y} is not in the future, so nothing was snoozed. Try `AP2.5.1 snooze 2 weeks`.")
    if (until - today).days > MAX_SNOOZE_DAYS:
        raise ReminderInputError("A snooze can last at most a year; nothing was snoozed. "
                                 "If the action is no longer needed, cancel it or change its due date.")
    return until
