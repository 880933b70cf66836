"""Code-led segments: `AP2.5.1 40%`, `AP2.5.1 done`, `AP2.5.1 due end of March`, `AP2.5 summary`.

`read_code_led` reads one segment that starts with a code. It returns an update command, a
question about that code (`AP2.5.1?`, `AP2.5.1 history`), a `ParseError` when the segment
clearly meant an update but could not be read, or a `NotACommand` whose hint explains the
update forms.
"""

from __future__ import annotations

import re

from bot.commands import (
    AddNote,
    Cancel,
    MarkDone,
    MarkStarted,
    NotACommand,
    ParseError,
    SetDue,
    SetOwner,
    SetProgress,
    ShowHistory,
    ShowStatus,
    Summary,
)
from bot.domain.dates import WEEKDAYS, day_text, split_date_reading
from bot.grammar.rules import ParseEnv
from bot.grammar.tokens import quote, split_dash, strip_note

_FLAGS = re.IGNORECASE
_LEADING_SYMBOLS = re.compile(r"^[\u2600-\u27bf\U0001f300-\U0001faff\ufe0f\u200d\s]++(?=\w)")
_RESTATED_DONE = re.compile(r"(?:100[ \t]*+%|done|completed?|finished|closed)[ \t]*+[.!]*+", _FLAGS)

_QUESTION = re.compile(r"(status|history|summary)?[ \t]*+[?.!]*+", _FLAGS)

# `now 40%`, `-> 40%`, `is now at 40`, `progress: 40%`, `to 40 %`.
_PROGRESS_LEAD = re.compile(
    r"(?:(?:progress|is|now|at|up\s+to|to)(?:\s*:\s*|\s+)|(?:->|\u2192|=|:)\s*){0,3}", _FLAGS
)
_NUMBER = re.compile(
    r"(-?)(\d++)(?:\.(\d++))?(?:\s*(%|percent\b|per\s?cent\b))?(?![A-Za-z0-9%])", _FLAGS
)
_MAX_DIGITS = 6
_NOTE_SEPARATOR = re.compile(r"\s*(?:[-\u2013\u2014:,]|$)")

_STATE_LEAD = r"(?:(?:is|now|has\s+been|been|was|marked|as)\s+){0,3}"
_DONE = re.compile(
    rf"{_STATE_LEAD}(done|completed?|finished|closed|signed[\s-]?off)\b", _FLAGS
)
_STARTED = re.compile(rf"{_STATE_LEAD}(started|in[\s-]progress|under\s?way)\b", _FLAGS)
_REOPENED = re.compile(rf"{_STATE_LEAD}(re-?opened|re-?open)\b", _FLAGS)
_CANCELLED = re.compile(rf"{_STATE_LEAD}(cancell?ed|cancel)\b", _FLAGS)
_ON_HOLD = re.compile(rf"{_STATE_LEAD}(?:on\s+hold|paused)\b", _FLAGS)
_BECAUSE = re.compile(r"(?:because|as)\b[\s:]*", _FLAGS)
# `done 12/11/2026`, `completed on Friday`, `done yesterday`: the date follows the word
# directly. Only forms with a number or a day's name count, so `done, may need review` and
# `done 6 contracts signed` keep their notes.
_COMPLETED_ON = re.compile(r"[ \t]++(?:(?:on|at)[ \t]++)?(?=\S)", _FLAGS)
_DAY_WORDS = frozenset({*WEEKDAYS, "today", "yesterday", "tomorrow"})

_DUE = re.compile(
    r"(?:revised\s+)?(?:due|deadline)(?:\s+date)?\b\s*(?:(?::|=|->|\u2192)\s*)?"
    r"(?:(?:is|now|moved|changed|revised|extended|to)\s+){0,3}",
    _FLAGS,
)
_OWNER = re.compile(
    r"(?:owner|owned\s+by|(?:re)?assign(?:ed)?\s+to|responsibility|responsible)\b"
    r"\s*(?:(?::|=|->|\u2192)\s*)?(?:(?:is|now|to)\s+){0,2}",
    _FLAGS,
)
_NOTE = re.compile(r"(?:notes?|update|comment)\b\s*", _FLAGS)


def read_code_led(code: str, rest: str, env: ParseEnv) -> object:
    """Read the words after a code. `rest` has had leading separators removed."""
    rest = _LEADING_SYMBOLS.sub("", rest)  # `AP2.5.1 ✅ done`
    question = _QUESTION.fullmatch(rest)
    if question:
        word = (question.group(1) or "status").lower()
        if word == "history":
            return ShowHistory(code)
        if word == "summary":
            return Summary(section=code)
        return ShowStatus(code)
    for reader in (_progress, _state, _due, _owner, _note):
        found = reader(code, rest, env)
        if found is not None:
            return found
    return NotACommand(hint=update_forms(code, rest))


def update_forms(code: str, rest: str) -> str:
    """The hint for a code followed by words that are not an update."""
    return (
        f"I didn't understand '{quote(rest)}' after {code}. To update it, type "
        f"`{code} 40%`, `{code} done`, `{code} due 31/03/2026`, `{code} owner Finance Team` "
        f"or `{code} note …`; `{code}?` shows it."
    )


def _progress(code: str, rest: str, env: ParseEnv) -> object | None:
    lead = _PROGRESS_LEAD.match(rest)
    lead_end = lead.end() if lead else 0
    number = _NUMBER.match(rest, lead_end)
    if number is None:
        return None
    after = rest[number.end() :]
    has_percent = number.group(4) is not None
    has_words = any(ch.isalnum() for ch in after)  # `AP2.5.1 65.` is 65%
    if not has_percent and has_words and not (lead_end and _NOTE_SEPARATOR.match(after)):
        return None  # `AP2.5.1 40 people came`, `AP2.5.1 is 3 weeks late` are not updates
    if number.group(3) is not None or len(number.group(2)) > _MAX_DIGITS:
        return ParseError(
            f"Progress must be a whole number from 0 to 100, like `{code} 40%`; "
            f"I read '{quote(rest[lead_end : number.end()])}'."
        )
    percent = int(number.group(2)) * (-1 if number.group(1) else 1)
    note = strip_note(after)
    if percent == 100 and note and _RESTATED_DONE.fullmatch(note):
        note = None  # `AP2.5.1 100% complete`
    return SetProgress(code, percent, note)


def _state(code: str, rest: str, env: ParseEnv) -> object | None:
    match = _DONE.match(rest)
    if match:
        return _done(code, rest[match.end() :], env)
    match = _STARTED.match(rest)
    if match:
        return MarkStarted(code, strip_note(rest[match.end() :]))
    match = _REOPENED.match(rest)
    if match:
        return MarkStarted(code, strip_note(rest[match.end() :]), reopen=True)
    match = _CANCELLED.match(rest)
    if match:
        reason = strip_note(rest[match.end() :]) or ""
        because = _BECAUSE.match(reason)
        return Cancel(code, strip_note(reason[because.end() :] if because else reason))
    if _ON_HOLD.match(rest):  # no state for "on hold": the words are kept as a note
        return AddNote(code, rest.strip())
    return None


def _done(code: str, after: str, env: ParseEnv) -> object:
    lead = _COMPLETED_ON.match(after)
    found = split_date_reading(after[lead.end() :], env.today, past=True) if lead else None
    if found is None or not _names_a_day(found[1]):
        note = strip_note(after)
        return MarkDone(code, None if note and _RESTATED_DONE.fullmatch(note) else note)
    reading, phrase, note = found
    if reading.day > env.today:
        return ParseError(
            f"{code} can't have been completed on {day_text(reading.day)} ('{quote(phrase, 30)}'): "
            f"that is after today, {day_text(env.today)}. Type `{code} done` to complete it "
            f"today, or give the day it was completed, like `{code} done 12/11/2026`; "
            f"for when it is due, type `{code} due {phrase}`."
        )
    return MarkDone(code, strip_note(note), completed_on=reading.day)


def _names_a_day(phrase: str) -> bool:
    words = re.split(r"[\s,]+", phrase.lower())
    return any(ch.isdigit() for ch in phrase) or any(w.strip(".") in _DAY_WORDS for w in words)


def _due(code: str, rest: str, env: ParseEnv) -> object | None:
    match = _DUE.match(rest)
    if match is None:
        return None
    phrase_text = rest[match.end() :].strip()
    if not phrase_text:
        return ParseError(
            f"When is {code} due? Try `{code} due 31/03/2026`, `due end of March` "
            f"or `due Q4 2025/26`."
        )
    found = split_date_reading(phrase_text, env.today)
    if found is None:
        return ParseError(
            f"I couldn't read '{quote(phrase_text, 40)}' as a date for {code}. Try "
            f"`{code} due 31/03/2026`, `due end of March` or `due Q4 2025/26`."
        )
    reading, phrase, note = found
    return SetDue(code, reading.day, phrase, strip_note(note), reading=reading.reading)


def _owner(code: str, rest: str, env: ParseEnv) -> object | None:
    match = _OWNER.match(rest)
    if match is None:
        return None
    owner, note = split_dash(rest[match.end() :])
    owner = owner.rstrip(".")
    if not owner:
        return ParseError(f"Who should own {code}? Try `{code} owner Finance Team`.")
    return SetOwner(code, owner, note)


def _note(code: str, rest: str, env: ParseEnv) -> object | None:
    match = _NOTE.match(rest)
    if match is None:
        return None
    note = strip_note(rest[match.end() :])
    if note is None:
        return ParseError(
            f"What should the note on {code} say? Try `{code} note met finance today`."
        )
    return AddNote(code, note)
