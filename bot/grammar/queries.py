"""Keyword-led questions: `summary 2.5`, `status AP2.5.1`, `overdue`, `due this week`,
`changes since Monday`, `help`. (Questions as people ask them, `who owns 2.2.3b?`, are read
in `bot.grammar.questions` into the same commands.)

Each rule is registered with `register_keyword` when this module is imported (the package
`__init__` imports it). A rule returns `NotACommand` for chatter that merely starts with its
word (`status of the project is fine`), so channels stay quiet.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from bot.commands import (
    Help,
    NotACommand,
    ParseError,
    ShowChanges,
    ShowDue,
    ShowHistory,
    ShowMine,
    ShowOverdue,
    ShowStatus,
    Summary,
    Undo,
)
from bot.domain.dates import month_end, parse_date_phrase
from bot.grammar.rules import ParseEnv, Rule, register_keyword
from bot.grammar.tokens import code_at_start, full_code

_TRAILING = "?.!, \t"
_FOR = re.compile(r"(?:for|of|in|on|section)\s+", re.IGNORECASE)
# Politeness at the end of a question: `summary 2.5 please`, `mine, thanks!`
_POLITE_END = re.compile(r"(?:[\s,]++(?:please|pls|plz|thanks|thank you|thx|ta|cheers))++$", re.IGNORECASE)
_UNDO_TAIL = frozenset({"", "that", "it", "please", "last", "last change", "my last change"})
_DUE_PERIODS = ("today", "this week", "next week", "this month", "next month")
_DUE_HELP = (
    "To list actions due soon, type `due this week`, `due next week`, `due this month` or "
    "`due next month`. To change a due date, put the code first: `AP2.5.1 due 31/03/2026`."
)


def _words(rest: str) -> str:
    words = " ".join(rest.strip(_TRAILING).split()).strip(_TRAILING)
    return _POLITE_END.sub("", " " + words).strip(_TRAILING) if len(words) < 200 else words


def _drop_for(rest: str) -> str:
    match = _FOR.match(rest)
    return rest[match.end() :] if match else rest


def read_summary(rest: str, env: ParseEnv) -> object:
    section = _drop_for(_words(rest))
    if not section or section.lower() in ("all", "everything"):
        return Summary()
    code = full_code(section)
    if code is None:
        return NotACommand(
            hint=f"For a section's summary, type `summary 2.5`; I couldn't read '{section}'."
        )
    return Summary(section=code)


def _read_code_question(word: str, make: type[ShowStatus] | type[ShowHistory]) -> Rule:
    def rule(rest: str, env: ParseEnv) -> object:
        text = _drop_for(_words(rest))
        if not text:
            return ParseError(f"Which action? Type `{word} AP2.5.1`.")
        code = full_code(text)
        if code is None:
            return NotACommand(hint=f"To see one action, type `{word} AP2.5.1`.")
        return make(code)

    return rule


def read_overdue(rest: str, env: ParseEnv) -> object:
    scope = _drop_for(_words(rest))
    return ShowOverdue(scope or None)


def due_period(period: str, today: date) -> tuple[date, date] | None:
    """First and last day of `today`, `this week`, `next week`, `this month` or `next month`.

    Weeks run Monday to Sunday.
    """
    monday = today - timedelta(days=today.weekday())
    if period == "today":
        return today, today
    if period == "this week":
        return monday, monday + timedelta(days=6)
    if period == "next week":
        return monday + timedelta(days=7), monday + timedelta(days=13)
    if period == "this month":
        return today.replace(day=1), month_end(today.year, today.month)
    if period == "next month":
        first = month_end(today.year, today.month) + timedelta(days=1)
        return first, month_end(first.year, first.month)
    return None


def read_due(rest: str, env: ParseEnv) -> object:
    period = _words(rest).lower()
    span = due_period(period, env.today)
    if span is not None:
        return ShowDue(period, span[0], span[1])
    if not period or code_at_start(period.upper()) or parse_date_phrase(period, env.today):
        return ParseError(_DUE_HELP)
    return NotACommand(None)  # `due to staff sickness we …`


_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_SINCE_LEAD = re.compile(r"(?:since|from|after|over|during|in|for)\s+(?:the\s+)?", re.IGNORECASE)
_LAST_DAYS = re.compile(r"(?:last|past)\s+(\d{1,3})\s+days?", re.IGNORECASE)
_WEEKDAY = re.compile(r"(last\s+|on\s+)?(mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*", re.IGNORECASE)
CHANGES_HELP = (
    "To see what changed, type `changes today`, `changes this week`, `changes since Monday` or "
    "`changes since 1 March`. For one action, type `history AP2.5.1`."
)


def since_date(phrase: str, today: date) -> date | None:
    """The first day a `changes since …` question covers: `today`, `yesterday`, `this week`
    (from Monday), `last week`, `this month`, `Monday` (the latest one, today included),
    `last Friday` (the one before today), `last 7 days`, or a date (in the past: `1 March` in
    November is this year's)."""
    text = " ".join(phrase.lower().split())
    lead = _SINCE_LEAD.match(text)
    text = text[lead.end() :] if lead else text
    monday = today - timedelta(days=today.weekday())
    fixed = {
        "today": today, "this morning": today, "this afternoon": today, "yesterday": today - timedelta(days=1),
        "this week": monday, "the week": monday, "week": monday, "last week": monday - timedelta(days=7),
        "this month": today.replace(day=1), "month": today.replace(day=1),
        "last month": (today.replace(day=1) - timedelta(days=1)).replace(day=1),
    }
    if text in fixed:
        return fixed[text]
    days = _LAST_DAYS.fullmatch(text)
    if days:
        return today - timedelta(days=int(days.group(1)))
    weekday = _WEEKDAY.fullmatch(text)
    if weekday and any(day.startswith(weekday.group(2).lower()) for day in _WEEKDAYS):
        wanted = next(i for i, day in enumerate(_WEEKDAYS) if day.startswith(weekday.group(2).lower()))
        back = (today.weekday() - wanted) % 7
        if back == 0 and (weekday.group(1) or "").strip() == "last":
            back = 7
        return today - timedelta(days=back)
    found = parse_date_phrase(text, today)
    if found is not None and found > today:  # `since 1 March`: the last one, not the next
        try:
            found = found.replace(year=found.year - 1)
        except ValueError:  # 29 February
            found = found.replace(year=found.year - 1, day=28)
    return found if found is not None and found <= today else None


def read_changes(rest: str, env: ParseEnv) -> object:
    words = _words(rest)
    if not words:
        return ShowChanges(env.today - timedelta(days=env.today.weekday()))
    since = since_date(words, env.today)
    if since is not None:
        return ShowChanges(since)
    if _SINCE_LEAD.match(words) or words.lower() in ("today", "yesterday"):
        lead = _SINCE_LEAD.match(words)
        return ParseError(f"I couldn't read '{words[lead.end() if lead else 0:]}' as a day. " + CHANGES_HELP)
    return NotACommand(None)  # `changes to the rota are coming`


def read_mine(rest: str, env: ParseEnv) -> object:
    return ShowMine() if not _words(rest) else NotACommand(None)


def read_undo(rest: str, env: ParseEnv) -> object:
    return Undo() if _words(rest).lower() in _UNDO_TAIL else NotACommand(None)


def read_help(rest: str, env: ParseEnv) -> object:
    topic = _words(rest).lower()
    return Help(topic or None)


register_keyword("summary", read_summary)
register_keyword("status", _read_code_question("status", ShowStatus))
register_keyword("history", _read_code_question("history", ShowHistory))
register_keyword("overdue", read_overdue)
register_keyword("due", read_due)
register_keyword("mine", read_mine)
register_keyword("my actions", read_mine)
register_keyword("changes", read_changes)
register_keyword("undo", read_undo)
register_keyword("help", read_help)
