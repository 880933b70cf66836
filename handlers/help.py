"""`help` and `help TOPIC`: built from the commands' docstrings, so help never drifts from the
grammar. A topic is a group of commands; each command is listed by its docstring's first
paragraph (its typed forms in backticks, then what it does).
"""

from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from bot.commands import (
    AddNote,
    Cancel,
    Help,
    MarkDone,
    MarkStarted,
    PreviewDigest,
    SetDue,
    SetOwner,
    SetProgress,
    ShowChanges,
    ShowDue,
    ShowHistory,
    ShowMine,
    ShowOverdue,
    ShowOwner,
    ShowStatus,
    SubscribeDigest,
    Summary,
    Undo,
    UnsubscribeDigest,
    UpdateBatch,
)
from bot.context import HandlerContext
from bot.messages import Reply
from handlers.formatting import local_time


@dataclass(frozen=True)
class Topic:
    name: str
    about: str  # one line for the topic list
    commands: tuple[type, ...]
    notes: tuple[str, ...] = ()  # a few lines after the commands
    aliases: tuple[str, ...] = ()


def __getattr__(name: str) -> tuple[Topic, ...]:
    if name == "TOPICS":  # `from handlers.help import TOPICS`, built on first use as topics() is
        return topics()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@cache
def topics() -> tuple[Topic, ...]:
    """Every help topic, in the order `help` lists them. Built when first asked for: the log's and
    the reminders' command modules are imported only then (a one-shot `say` need not build them)."""
    from bot import concern_commands as log
    from bot import reminder_commands as remind

    return (
        Topic("updates", "change an action: progress, done, due date, owner, notes, undo",
              (SetProgress, MarkDone, MarkStarted, Cancel, SetDue, SetOwner, AddNote, UpdateBatch, Undo),
              ("Start with the action's code; `AP2.5.1`, `2.5.1` and `HSCM COMM AP2.5.1` all work.",),
              ("update", "progress", "undo")),
        Topic("questions", "ask about the plan, in these words or your own",
              (Summary, ShowStatus, ShowOwner, ShowHistory, ShowChanges, ShowOverdue, ShowDue, ShowMine),
              ("Or ask as you would a colleague: `who is the lead on 2.2.3b?`, `anything overdue for HR?`, "
               "`what's changed since Monday?`, `how is 2.4 doing?`, `what have I got due this week?`, "
               "`anything for me?`",),
              ("question", "ask", "queries", "changes", "summary", "status", "overdue", "mine", "history", "who")),
        Topic("dates", "due dates as you say them, and the times I show",
              (SetDue, ShowDue, ShowChanges),
              ("Dates: `31/03/2026`, `31 March`, `end of March`, `next Friday`, `Q4 2025/26`. A day without "
               "a year is the next one for a due date and the last one for `changes since`.",
               "Weeks run Monday to Sunday. Times are shown in {zone_name} ({zone}).")
              , ("date", "due", "time", "times", "timezone")),
        Topic("concerns", "the contract-monitoring log: concerns, complaints, safeguarding",
              (log.LogConcern, log.ListConcerns, log.ShowConcern, log.AllocateConcernAction, log.AddConcernNote,
               log.SetConcernCategory, log.LinkConcern, log.CloseConcern, log.RestrictConcern, log.UnrestrictConcern,
               log.ConfirmDowngrade, log.ShowConcernAccess, log.ConcernActionDone, log.ReopenConcernAction,
               log.SetConcernActionDue, log.SetConcernActionOwner, log.ReopenConcern, log.SetConcernProvider,
               log.RecordConcernMilestone, log.SetComplaintStage, log.ListConcernsDue, log.ShowTimescales),
              ("Safeguarding entries are confidential: only people with the safeguarding role see their text.",
               "Timescales count working days (weekends and bank holidays skipped): acknowledge within 3, respond "
               "within 5 (complaint stage 2: 20; safeguarding: the same day)."),
              ("concern", "complaint", "complaints", "safeguarding", "log", "pq", "contract", "contracts",
               "monitoring")),
        Topic("providers", "providers and their monitoring schedule: visits, liaison meetings, forum, call monitoring",
              (log.ShowProvider, log.RecordVisit, log.SetProviderRisk, log.SetProviderOfficer, log.AddProviderDomain,
               log.ListProviders),
              ("In a terminal: `actionbot providers import FILE`, `actionbot providers schedule --due-within 30`, "
               "`actionbot export --log --format report --out log.pdf`.",),
              ("provider", "visit", "visits", "schedule", "risk", "forum", "liaison", "officer")),
        Topic("digest", "the weekly digest in a channel",
              (SubscribeDigest, UnsubscribeDigest, PreviewDigest),
              (), ("digests", "weekly", "weekly digest", "subscribe", "unsubscribe")),
        Topic("reminders", "reminders of what is due, leave, snoozes, answering a reminder",
              (remind.GoOnLeave, remind.BackFromLeave, remind.SnoozeReminder, remind.NotMine, SetOwner),
              ("Each working day at 09:00 your time I send you one message listing what needs you, most urgent "
               "first: overdue, due today, due in 7 or 1 working days, and (weekly) anything with no update for "
               "30 days. Nothing is sent when nothing is due, nor on weekends and bank holidays.",
               "Answer where it arrived: in Slack reply in the thread or use the buttons; by email reply to it. "
               "`40% - contracts signed` applies to the one action it named, `2 40%` to the second listed.",
               "Your admin sets where reminders go: `actionbot people add NAME --remind slack|teams|email|none`."),
              ("reminder", "remind", "leave", "away", "snooze", "holiday", "not mine", "nudges")),
        Topic("import", "loading or refreshing a plan (admins, in a terminal)", (),
              (), ("imports", "plan", "plans", "load", "export")),
    )


def _first_paragraph(thing: object) -> str:
    doc = inspect.getdoc(thing) or ""
    return " ".join(doc.split("\n\n", 1)[0].split())


def _import_lines() -> list[str]:
    """The terminal command's own help (read when asked: the handlers do not load the CLI)."""
    command = getattr(importlib.import_module("bot.cli"), "import_command", None)
    doc = inspect.getdoc(command) or ""
    paragraphs = [" ".join(p.split()) for p in doc.split("\n\n") if p.strip()]
    return ["• `actionbot import FILE` (in a terminal, by an admin): " + (paragraphs[0] if paragraphs else ""),
            *(f"  {p}" for p in paragraphs[1:]),
            "  `actionbot import FILE --dry-run` shows what would change and writes nothing."]


def find_topic(name: str | None) -> Topic | None:
    key = " ".join((name or "").lower().split())
    for topic in topics():
        if key == topic.name or key in topic.aliases:
            return topic
    return None


def topic_text(topic: Topic, zone: str, now: datetime) -> str:
    lines = [f"Help: {topic.name} — {topic.about}"]
    lines += [f"• {_first_paragraph(command)}" for command in topic.commands]
    if topic.name == "import":
        lines += _import_lines()
    zone_name = local_time(now, zone).tzname() or zone
    lines += [note.format(zone=zone, zone_name=zone_name) for note in topic.notes]
    return "\n".join(lines)


def topics_text() -> str:
    width = max(len(t.name) for t in topics())
    lines = ["I track the action plan and the contract-monitoring log. Most used: `AP2.5.1 40% - note`, "
             "`AP2.5.1 done`, `summary 2.5`, `overdue`, `status AP2.5.1`, `undo`.",
             "Type `help TOPIC` for more:"]
    lines += [f"  help {t.name.ljust(width)}  {t.about}" for t in topics()]
    lines.append("In a channel, mention me first: `@actionbot help concerns`.")
    return "\n".join(lines)


def handle_help(cmd: Help, ctx: HandlerContext) -> Reply:
    """The topic list, or one topic's commands."""
    if not cmd.topic:
        return Reply(text=topics_text(), title="Help", as_of=ctx.today)
    topic = find_topic(cmd.topic)
    if topic is None:
        known = ", ".join(f"`help {t.name}`" for t in topics())
        return Reply(text=f"I have no help on '{cmd.topic}'. Topics: {known}.\n\n" + topics_text(), title="Help",
                     as_of=ctx.today)
    return Reply(text=topic_text(topic, ctx.timezone, ctx.now), title=f"Help: {topic.name}", as_of=ctx.today)
