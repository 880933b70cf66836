"""Commands: what a message asks for, as small dataclasses.

The parser (bot.grammar) turns text into one of these; the handler registry maps each type to
one handler. A command's docstring is its help text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


# --- updates to actions (applied all-or-nothing as an UpdateBatch) -----------------------


@dataclass(frozen=True)
class SetProgress:
    """`AP2.5.1 40%`, `AP2.5.1 now 40%`, `AP2.5.1 -> 40% - note`: set % progress (0-100)."""

    code: str
    percent: int
    note: str | None = None


@dataclass(frozen=True)
class MarkDone:
    """`AP2.5.1 done` (or complete(d), finished, closed, signed off): 100% and completed
    today; `AP2.5.1 done 12/11/2026` or `completed on Friday` records that day instead."""

    code: str
    note: str | None = None
    completed_on: date | None = None


@dataclass(frozen=True)
class MarkStarted:
    """`AP2.5.1 started`: mark the action in progress; `AP2.5.1 reopened` reopens a
    completed or cancelled one."""

    code: str
    note: str | None = None
    reopen: bool = False


@dataclass(frozen=True)
class Cancel:
    """`AP2.5.1 cancelled because …`: cancel the action (left out of rollups)."""

    code: str
    note: str | None = None


@dataclass(frozen=True)
class SetDue:
    """`AP2.5.1 due 31/03/2026`, `due end of March`, `due Q4 2025/26`, `due 2026/27`,
    `due w/c 14/12`, `due this Friday`, `due EOM`: revise the due date.

    The first due date is kept as the original due date.
    """

    code: str
    due: date
    phrase: str
    note: str | None = None
    # Which reading was taken of a phrase with two (`year end`, `Q4 2026`), for the reply.
    reading: str | None = field(default=None, compare=False)


@dataclass(frozen=True)
class SetOwner:
    """`AP2.5.1 owner Finance Team`: change who is responsible."""

    code: str
    owner: str
    note: str | None = None


@dataclass(frozen=True)
class AddNote:
    """`AP2.5.1 note …`: add a status update without changing anything else."""

    code: str
    note: str


ActionUpdate = SetProgress | MarkDone | MarkStarted | Cancel | SetDue | SetOwner | AddNote


@dataclass(frozen=True)
class UpdateBatch:
    """One or more updates in one message, separated by newlines, commas or semicolons.

    Applied all-or-nothing: if any update is refused or invalid, nothing changes.
    """

    updates: tuple[ActionUpdate, ...]


# --- questions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """`summary 2.5` (or `summary AP2.5`, `2.5 summary`): a section's rollup and actions;
    bare `summary` for every section."""

    section: str | None = None


@dataclass(frozen=True)
class ShowStatus:
    """`status AP2.5.1` or `AP2.5.1?`: one action in full."""

    code: str


@dataclass(frozen=True)
class ShowHistory:
    """`history AP2.5.1`: every change to an action, newest first."""

    code: str


@dataclass(frozen=True)
class ShowOverdue:
    """`overdue`, `overdue 2.5`, `overdue Finance Team`: actions past their due date."""

    scope: str | None = None


@dataclass(frozen=True)
class ShowDue:
    """`due this week`, `due next week`, `due this month`, `what's due for me next month?`:
    incomplete actions due soon (yours only, when you ask for yours)."""

    period: str
    start: date
    end: date
    mine: bool = False


@dataclass(frozen=True)
class ShowMine:
    """`mine`, `anything for me?`, `what have I got due?`: the actions you are responsible for."""


@dataclass(frozen=True)
class ShowOwner:
    """`who owns AP2.5.1`, `who is the lead on 2.2.3b`, `who's responsible for 2.2.3b`: who is
    responsible for an action."""

    code: str


@dataclass(frozen=True)
class ShowChanges:
    """`changes since Monday`, `what changed today`, `what's changed this week`: every change
    across the plan since then, newest first."""

    since: date


@dataclass(frozen=True)
class Undo:
    """`undo`: revert your own last change (recorded as a new history entry).

    `batch` is set by an Undo button, which names the change it was shown under."""

    batch: str | None = None


@dataclass(frozen=True)
class MessageDeleted:
    """(Sent by a chat channel, never typed.) The message at `source_ref` was deleted: its
    updates stand, and each action it changed gets a note saying so in its history."""

    source_ref: str


@dataclass(frozen=True)
class MessageEditedAway:
    """(Made by the dispatcher, never typed.) The message at `source_ref` was edited into
    something that is no longer a command: what it changed stands, and the sender is told so,
    with an Undo button for it."""

    source_ref: str


@dataclass(frozen=True)
class Help:
    """`help`: what you can type."""

    topic: str | None = None


# --- digests ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SubscribeDigest:
    """`subscribe this channel to weekly digest` (admins): post the weekly digest here,
    Mondays at 09:00 UK time; the plan bound to the channel, else every plan."""


@dataclass(frozen=True)
class UnsubscribeDigest:
    """`unsubscribe this channel` (admins): stop posting digests here."""


@dataclass(frozen=True)
class PreviewDigest:
    """`digest preview`: the digest this channel would get, as of now."""


# --- results of parsing that are not commands --------------------------------------------


@dataclass(frozen=True)
class ParseError:
    """The text looked like a command but could not be read; `message` says what to type."""

    message: str


@dataclass(frozen=True)
class NotACommand:
    """Chatter. Channels stay silent; direct messages get a short help."""

    hint: str | None = None
