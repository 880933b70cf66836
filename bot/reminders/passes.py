"""One reminder pass: read everything once (a fixed number of queries, however many people and
actions), then build every person's message with the pure rules of bot.domain.reminders."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from bot.domain.model import Person
from bot.domain.reminder_text import answer_hint, message_text
from bot.domain.reminders import (
    CHANNELS,
    PassResult,
    Recipient,
    ReminderItem,
    ReminderMessage,
    Team,
    build_pass,
)
from bot.domain.workdays import WorkingCalendar
from bot.reminders.settings import ReminderSettings
from bot.reminders.sources import Source, read_items

ESCALATION_MEMORY = timedelta(days=60)  # how far back "who was reminded and when" looks


def default_channel(identities: dict[str, str], email: str | None) -> str:
    """Slack, else Teams, else email, else none: the first channel the person can be reached on."""
    for channel in ("slack", "teams"):
        if identities.get(channel):
            return channel
    return "email" if (email or identities.get("email")) else "none"


def address_for(channel: str, identities: dict[str, str], email: str | None) -> str | None:
    if channel == "email":
        return email or identities.get("email")
    if channel in ("slack", "teams"):
        return identities.get(channel)
    return None


_WHY_NO_ADDRESS = {
    "slack": "their reminders go to Slack but no Slack user id is known (`actionbot people add NAME --slack U…`)",
    "teams": "their reminders go to Teams but no Teams user id is known (`actionbot people add NAME --teams …`)",
    "email": "their reminders go by email but no email address is known (`actionbot people add NAME --email …`)",
}


@dataclass
class Snapshot:
    """What one pass reads."""

    items: list[ReminderItem]
    people: list[Recipient]
    teams: list[Team]
    ids: dict[str, int]  # name -> person id
    addresses: dict[str, tuple[str, str]]  # name -> (channel, address) for the reachable
    reminded: dict[str, tuple[tuple[str, date], ...]]
    by_name: dict[str, Recipient]  # casefolded name -> person

    def person(self, name: str) -> Recipient | None:
        return self.by_name.get(name.casefold())


def recipient(person: Person, identities: dict[str, str], settings: Any, leave: Iterable[Any],
              snoozed: dict[str, date], config: ReminderSettings) -> tuple[Recipient, str | None]:
    """The person as the rules see them, and the address reminders go to (None: unreachable)."""
    channel = settings.channel or default_channel(identities, person.email)
    if channel not in CHANNELS:
        channel = "none"
    address = address_for(channel, identities, person.email)
    unreachable = None if channel == "none" or address else _WHY_NO_ADDRESS[channel]
    found = Recipient(
        name=person.name, team=person.team, channel=channel, unreachable=unreachable,
        timezone=settings.timezone or config.rules.timezone,
        reminder_day=settings.reminder_day if settings.reminder_day is not None else config.rules.reminder_day,
        roles_extra=person.roles_extra, is_admin=person.is_admin, leave=tuple(leave), snoozed=dict(snoozed),
    )
    return found, address


def read_snapshot(uow: Any, today: date, config: ReminderSettings,
                  sources: Iterable[Source] | None = None) -> Snapshot:
    """Everything a pass needs, in a fixed number of queries."""
    items = read_items(uow, today, sources)
    rows = uow.reminders.people()
    leave = uow.reminders.leave_from(today - timedelta(days=1))
    snoozes = uow.reminders.snoozes(today - timedelta(days=1))
    teams = uow.reminders.teams()
    reminded = uow.reminders.last_reminded(today - ESCALATION_MEMORY)
    people: list[Recipient] = []
    ids: dict[str, int] = {}
    addresses: dict[str, tuple[str, str]] = {}
    for person, identities, settings in rows:
        assert person.id is not None
        found, address = recipient(person, identities, settings, leave.get(person.id, ()),
                                   snoozes.get(person.id, {}), config)
        people.append(found)
        ids[person.name] = person.id
        if address:
            addresses[person.name] = (found.channel, address)
    return Snapshot(items, people, teams, ids, addresses, reminded, {p.name.casefold(): p for p in people})


def calendar_maker(settings: Any) -> Any:
    """nation -> WorkingCalendar: the team's nation's bank holidays and the [calendar] closures."""
    base: WorkingCalendar = settings.working_calendar()
    made: dict[str | None, WorkingCalendar] = {None: base}

    def calendar_for(nation: str | None) -> WorkingCalendar:
        if nation not in made:
            made[nation] = WorkingCalendar.from_settings(nation, base.closures)
        return made[nation]

    return calendar_for


def build(snapshot: Snapshot, day: date, calendar_for: Any, config: ReminderSettings,
          only: Iterable[str] | None = None) -> PassResult:
    return build_pass(snapshot.items, snapshot.people, snapshot.teams, day, calendar_for, config.rules,
                      snapshot.reminded, only)


def render_text(message: ReminderMessage, snapshot: Snapshot) -> str:
    viewer = snapshot.person(message.person)
    channel = snapshot.addresses.get(message.person, ("none", ""))[0]
    return message_text(message, viewer, how_to_answer=answer_hint(message, channel))


def items_of(message: ReminderMessage) -> list[dict[str, Any]]:
    """What the claim row keeps of each listed item, in listed order: enough to read a reply
    and draw buttons (the item's own line is line 1 + its index of the stored text)."""
    return [{"ref": line.item.ref, "key": line.item.key, "kind": line.item.kind.value, "plan": line.item.plan,
             "reason": line.reason.name.lower(), "restricted": line.item.restricted}
            for line in message.lines]


def preview(uow: Any, today: date, settings: Any, config: ReminderSettings, person: str | None = None,
            sources: Iterable[Source] | None = None) -> tuple[Snapshot, PassResult]:
    snapshot = read_snapshot(uow, today, config, sources)
    result = build(snapshot, today, calendar_maker(settings), config, [person] if person else None)
    return snapshot, result
