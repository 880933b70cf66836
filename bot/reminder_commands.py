"""Commands about reminders: leave, snoozes, "not mine", and answers to a reminder.

A command's docstring is its help (`help reminders`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class GoOnLeave:
    """`I'm on leave until 12 December`, `away until 12/12 cover Sam Patel`, `on leave from
    1 Dec until 12 Dec`: no reminders for you until then (the last day away); with a cover,
    they go to your cover instead."""

    until: date
    starts: date | None = None
    cover: str | None = None


@dataclass(frozen=True)
class BackFromLeave:
    """`I'm back`: your reminders start again from today."""


@dataclass(frozen=True)
class SnoozeReminder:
    """`AP2.5.1 snooze 2 weeks`, `AP2.5.1 snooze until 15 Dec`: no reminders about that action
    for you until then (at most a year). In a reply to a reminder: `snooze 1 week`, `2 snooze
    until Friday`."""

    code: str | None
    days: int | None = None
    until: date | None = None


@dataclass(frozen=True)
class NotMine:
    """`AP2.5.1 not mine`: tell the admins and your team lead that the action is not yours;
    they reassign it with `AP2.5.1 owner NAME`."""

    code: str | None


@dataclass(frozen=True)
class ReminderReply:
    """(Made by the dispatcher, never typed.) A reply in a reminder's thread or to its email:
    `40% - contracts signed` applies to the one action it named, `2 40%` to the second listed."""

    send_id: int
    text: str


@dataclass(frozen=True)
class ReminderButton:
    """(Sent by a button under a reminder, never typed.) Done, Snooze 1 week, Not mine or
    Update… (with the text typed into the card) for the reminder's `index`th item (0-based)."""

    send_id: int
    index: int
    what: str  # "done" | "snooze" | "not_mine" | "update"
    text: str = ""  # what was typed, for "update": e.g. `40% six contracts signed`
