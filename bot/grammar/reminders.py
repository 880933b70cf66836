"""Leave, snoozes and "not mine": `I'm on leave until 12 December`, `away until 12/12 cover
Sam Patel`, `I'm back`, `AP2.5.1 snooze 2 weeks`, `snooze until 15 Dec`, `AP2.5.1 not mine`.

`read_reminder_reply` reads an answer to a reminder: a leading number picks the listed item
(`2 40%`), and when the reminder named one item the code may be left out (`40% - signed`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from bot.commands import NotACommand, ParseError, UpdateBatch
from bot.domain.dates import parse_date_phrase
from bot.grammar.rules import ParseEnv, register_keyword, register_prefix_rule
from bot.grammar.tokens import CODE_PATTERN, quote, read_code
from bot.reminder_commands import BackFromLeave, GoOnLeave, NotMine, SnoozeReminder

_F = re.IGNORECASE
_LEAVE_HELP = "Say the last day you are away, e.g. `I'm on leave until 12 December` or `away until 12/12 cover Sam Patel`."
_SNOOZE_HELP = "Say for how long, e.g. `AP2.5.1 snooze 2 weeks` or `AP2.5.1 snooze until 15 Dec`."

_LEAVE_START = re.compile(r"(?:i['\u2019]?m|i\s+am|im)\s+(?:on\s+(?:annual\s+)?leave|away|off|out\s+of\s+(?:the\s+)?office)\b"
                          r"|(?:on\s+(?:annual\s+)?leave|away|ooo)\b(?=\s+(?:from|until|till|til|to)\b)", _F)
_BACK = re.compile(r"(?:i['\u2019]?m|i\s+am|im)\s+back\b[\s.!]*(?:from\s+(?:leave|holiday)[\s.!]*)?$", _F)
_COVER = re.compile(r"[\s,;]+(?:(?:with\s+)?cover(?:ed)?(?:\s+by)?|covering(?:\s+is)?)[\s:]+(.+)$", _F)
_COVER_AFTER = re.compile(r"\s*[,;]\s*([^,;]+?)\s+(?:is\s+)?covering[\s.!]*$", _F)
_FROM = re.compile(r"from\s+(.+?)\s+(?:until|till|til|to)\s+(.+)$", _F)
_UNTIL = re.compile(r"(?:until|till|til|to|back\s+on)\s+(.+)$", _F)

_SNOOZE = re.compile(rf"(?:{CODE_PATTERN})[ \t]+snooze\b", _F)
_NOT_MINE = re.compile(rf"(?:{CODE_PATTERN})[ \t]+(?:is[ \t]+)?not[ \t]+(?:mine|me|my[ \t]+action)\b[\s.!]*$", _F)
_DURATION = re.compile(r"(?:for\s+)?(a|an|one|two|three|four|five|six|\d{1,4})\s+(day|week|month|year)s?[\s.!]*$", _F)
_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_UNIT_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365}


def _date(text: str, today: date) -> date | None:
    return parse_date_phrase(text.strip(" .!"), today)


def read_leave(rest: str, env: ParseEnv) -> object:
    text = rest.strip()
    cover = None
    found = _COVER.search(" " + text)
    if found:
        cover = found.group(1).strip(" .!")
        text = (" " + text)[: found.start()].strip()
    else:
        after = _COVER_AFTER.search(" " + text)
        if after:
            cover = after.group(1).strip(" .!")
            text = (" " + text)[: after.start()].strip()
    starts = None
    span = _FROM.match(text)
    if span:
        starts = _date(span.group(1), env.today)
        ends_text = span.group(2)
        if starts is None:
            return ParseError(f"I couldn't read '{quote(span.group(1))}' as a date. {_LEAVE_HELP}")
    else:
        until = _UNTIL.match(text)
        if until is None:
            return ParseError(_LEAVE_HELP)
        ends_text = until.group(1)
    ends = _date(ends_text, env.today)
    if ends is None:
        return ParseError(f"I couldn't read '{quote(ends_text)}' as a date. {_LEAVE_HELP}")
    return GoOnLeave(until=ends, starts=starts, cover=cover or None)


def read_back(rest: str, env: ParseEnv) -> object:
    return BackFromLeave()


def read_snooze_words(text: str, today: date, code: str | None) -> object:
    words = text.strip(" .!:")
    if not words:
        return ParseError(_SNOOZE_HELP)
    duration = _DURATION.fullmatch(words)
    if duration:
        count = _WORDS.get(duration.group(1).lower())
        number = count if count is not None else int(duration.group(1))
        return SnoozeReminder(code, days=number * _UNIT_DAYS[duration.group(2).lower()])
    until = _UNTIL.match(words)
    day = _date(until.group(1), today) if until else None
    if day is None:
        return ParseError(f"I couldn't read '{quote(words)}' as how long to snooze. {_SNOOZE_HELP}")
    return SnoozeReminder(code, until=day)


def read_code_snooze(rest: str, env: ParseEnv) -> object:
    code = read_code(env.text)
    assert env.match is not None
    return read_snooze_words(env.text[env.match.end():], env.today, code.code if code else None)


def read_bare_snooze(rest: str, env: ParseEnv) -> object:
    return read_snooze_words(rest, env.today, None)


def read_code_not_mine(rest: str, env: ParseEnv) -> object:
    code = read_code(env.text)
    return NotMine(code.code if code else None)


def read_bare_not_mine(rest: str, env: ParseEnv) -> object:
    return NotMine(None) if not rest.strip(" .!") else None


register_prefix_rule(_BACK, read_back)
register_prefix_rule(_LEAVE_START, read_leave)
register_prefix_rule(_SNOOZE, read_code_snooze)
register_prefix_rule(_NOT_MINE, read_code_not_mine)
register_keyword("snooze", read_bare_snooze)
register_keyword("not mine", read_bare_not_mine)


# --- answers to a reminder ------------------------------------------------------------------

_PICK = re.compile(r"(\d{1,2})(?:[.):]|\s*-)?[ \t]+(?=\S)")


def _codes_of(command: object) -> list[str | None]:
    if isinstance(command, UpdateBatch):
        return [u.code for u in command.updates]
    if isinstance(command, (SnoozeReminder, NotMine)):
        return [command.code]
    return []


def _with_code(command: object, code: str) -> object:
    if isinstance(command, (SnoozeReminder, NotMine)) and command.code is None:
        return replace(command, code=code)
    return command


def read_reminder_reply(text: str, refs: Sequence[str], today: date) -> object:
    """The command a reply to a reminder listing `refs` asks for, or a ParseError saying why
    not. Every code it names must be one the reminder listed."""
    from bot.domain.codes import matches
    from bot.grammar.parser import parse

    text = text.strip()
    listed = ", ".join(refs)
    picked = _PICK.match(text)
    if picked and refs:
        number = int(picked.group(1))
        if not 1 <= number <= len(refs):
            return ParseError(f"The reminder listed {len(refs)} item{'s' if len(refs) != 1 else ''} ({listed}); "
                              f"there is no item {number}. Nothing was changed.")
        text = f"{refs[number - 1]} {text[picked.end():]}"
    parsed = parse(text, today)
    if len(refs) == 1 and (isinstance(parsed, (NotACommand, ParseError)) or _codes_of(parsed) == [None]):
        if read_code(text) is None:
            retried = parse(f"{refs[0]} {text}", today)
            parsed = retried if not isinstance(retried, NotACommand) else parsed
        parsed = _with_code(parsed, refs[0])
    if isinstance(parsed, (NotACommand, ParseError)):
        if isinstance(parsed, ParseError):
            return parsed
        how = "`2 40% - contracts signed`, `1 done`" if len(refs) > 1 else "`40% - contracts signed`, `done`"
        return ParseError(f"I couldn't read that as an answer to the reminder. Reply with e.g. {how}, "
                          "`snooze 1 week` or `not mine`. Nothing was changed.")
    codes = _codes_of(parsed)
    if any(code is None for code in codes):
        return ParseError(f"Say which item: the reminder listed {listed}; e.g. `1 snooze 1 week`. Nothing was changed.")
    for code in codes:
        assert code is not None
        if not any(matches(code, ref) or matches(ref, code) for ref in refs):
            return ParseError(f"The reminder did not name {code}; it listed {listed}. Nothing was changed. "
                              "Reply with the number or code of a listed item.")
    return parsed


# --- buttons under a reminder ------------------------------------------------------------------

REMINDER_VERB = "reminder"  # the Teams Action.Execute verb of the reminder's buttons
BUTTON_PREFIX = "reminder button"
UPDATE_INPUT = "update_text"  # the id of the Teams card's text box under Update…
MAX_UPDATE_CHARS = 1000
_BUTTON = re.compile(r"reminder\s+button\s+(\d{1,12}):(\d{1,3})\s+(?:(done|snooze|not_mine)\s*|update\b(.*))$",
                     _F | re.DOTALL)


def reminder_button_text(send_id: int, index: int, what: str, text: str = "") -> str:
    """The text a reminder's button sends (Teams), read back into a ReminderButton; Update…
    carries what was typed into the card after the word `update`."""
    return f"{BUTTON_PREFIX} {send_id}:{index} {what}" + (f" {text}" if what == "update" else "")


def read_reminder_button(rest: str, env: ParseEnv) -> object:
    from bot.reminder_commands import ReminderButton

    found = _BUTTON.match(env.text)
    if found is None:
        return ParseError("That button could not be read. Nothing was changed.")
    if found.group(3) is None:
        return ReminderButton(int(found.group(1)), int(found.group(2)), "update", found.group(4).strip())
    return ReminderButton(int(found.group(1)), int(found.group(2)), found.group(3).lower())


register_prefix_rule(r"reminder\s+button\b", read_reminder_button)
