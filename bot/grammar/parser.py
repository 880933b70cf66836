"""`parse(text, today)`: the one reader every channel uses.

Order: length guard, clean-up, prefix rules, keyword rules, then code-led segments. Updates
always come back wrapped in an `UpdateBatch`; a message with several segments is all updates
or a `ParseError` naming the first segment that is not, so nothing is half-applied.
"""

from __future__ import annotations

import logging
import re
from datetime import date

from bot.commands import (
    ActionUpdate,
    AddNote,
    Cancel,
    Help,
    MarkDone,
    MarkStarted,
    NotACommand,
    ParseError,
    SetDue,
    SetOwner,
    SetProgress,
    UpdateBatch,
)
from bot.grammar.rules import MAX_KEYWORD_WORDS, ParseEnv, keyword_rule, load_grammars_for, prefix_rules
from bot.grammar.tokens import (
    MAX_MESSAGE_CHARS,
    OTHER_REF_PATTERN,
    Segment,
    clean,
    quote,
    read_code,
    split_segments,
)

log = logging.getLogger(__name__)

MAX_UPDATES = 50
_UPDATE_TYPES = (SetProgress, MarkDone, MarkStarted, Cancel, SetDue, SetOwner, AddNote)
_WORD = r"([A-Za-z]++)(?![0-9])"
_LEADING_WORDS = re.compile(rf"{_WORD}(?:[ \t]++{_WORD})?(?:[ \t]++{_WORD})?")
_REST_LEAD = re.compile(r"[ \t]*+(?::[ \t]*+)?")
_CODE_REST_LEAD = re.compile(r"[ \t]*+(?:(?::|[-\u2013\u2014](?=\s)|,)[ \t]*+)?")
# A plain numeric ref (`12`, `12b`), as many trackers number their actions: it leads an update
# only when what follows reads as one (`12 50%`, `12: done`), since a bare number is more often
# a count ("3 more to go"). Which action it is, or that it is ambiguous, the resolver says.
# The same for a tracker's lettered refs that are not dotted codes (`IA-03 50%`, `BP12 done`).
_BARE_REF = re.compile(rf"({OTHER_REF_PATTERN})(?=[ \t]*+:|[ \t])")


def parse(text: str, today: date) -> object:
    """A command from `bot.commands`, a `ParseError` or a `NotACommand`. Never raises."""
    if len(text) > MAX_MESSAGE_CHARS:
        return ParseError(
            f"That message is {len(text):,} characters; I read at most {MAX_MESSAGE_CHARS:,}. "
            "Send the updates in smaller messages."
        )
    try:
        return _parse(clean(text), today)
    except Exception:  # a bug in one rule must not take the bot down; the text is not logged
        log.exception("grammar rule failed", extra={"text_length": len(text)})
        return ParseError(
            "Sorry, I couldn't read that message. Type `help` to see what I understand."
        )


def _parse(text: str, today: date) -> object:
    if not text:
        return NotACommand(None)
    if text == "?":
        return Help()
    load_grammars_for(text)
    for pattern, rule in prefix_rules():
        match = pattern.match(text)
        if match:
            found = rule(_rest_after(text, match.end()), ParseEnv(today, text, match))
            if found is not None:
                return found
    found = _keyword(text, today)
    if found is not None:
        return found
    return _code_led(text, today)


def _rest_after(text: str, end: int) -> str:
    lead = _REST_LEAD.match(text, end)
    return text[lead.end() if lead else end :].strip()


def _keyword(text: str, today: date) -> object | None:
    words = _LEADING_WORDS.match(text)
    if words is None:
        return None
    for count in range(MAX_KEYWORD_WORDS, 0, -1):
        if words.group(count) is None:
            continue
        key = " ".join(w.lower() for w in words.groups()[:count] if w is not None)
        rule = keyword_rule(key)
        if rule is None:
            continue
        found = rule(_rest_after(text, words.end(count)), ParseEnv(today, text, words))
        if found is not None:
            return found
    return None


def _code_led(text: str, today: date) -> object:
    segments = split_segments(text)
    if len(segments) > MAX_UPDATES:
        return ParseError(
            f"That message has {len(segments)} lines or parts; I take at most {MAX_UPDATES} "
            "updates in one message. Send them in smaller messages."
        )
    if not segments or _lead_code(segments[0].text) is None:
        if any(s.starts_line and s.line > 1 and read_code(s.text) for s in segments):
            return _segment_error(segments, 0, "it doesn't start with an action code.", text)
        return NotACommand(None)
    env = ParseEnv(today, text)
    if len(segments) == 1:
        found = _read_segment(segments[0], env)
        return UpdateBatch((found,)) if isinstance(found, _UPDATE_TYPES) else found
    updates: list[ActionUpdate] = []
    for index, segment in enumerate(segments):
        found = _read_segment(segment, env)
        if isinstance(found, _UPDATE_TYPES):
            updates.append(found)
            continue
        return _segment_error(segments, index, _why_not_update(found), text)
    return UpdateBatch(tuple(updates))


def _lead_code(text: str) -> tuple[str, int, bool] | None:
    """(code, where the rest starts, whether it is a bare number) for a segment's leading code."""
    match = read_code(text)
    if match is not None:
        return match.code, match.end, False
    bare = _BARE_REF.match(text)
    if bare is None:
        return None
    ref = bare.group(1)
    return (ref.upper() if ref[0].isalpha() else ref), bare.end(), True


def _read_segment(segment: Segment, env: ParseEnv) -> object:
    found = _lead_code(segment.text)
    if found is None:
        return NotACommand(None)
    from bot.grammar.updates import read_code_led  # (imported by the first update: `say status AP2.5.1` needs none)

    code, end, bare = found
    lead = _CODE_REST_LEAD.match(segment.text, end)
    rest = segment.text[lead.end() if lead else end :].strip()
    result = read_code_led(code, rest, env)
    if bare and not _plainly_an_update(result, rest):
        return NotACommand(None)  # "3 more to go", "5 cancelled meetings": a number, not a ref
    return result


_WORD_THEN_NOTE = re.compile(r"(?i:in[ \t]++progress|[A-Za-z]{1,12}+)[ \t]*+(?:$|[:\-\u2013\u2014])")


def _plainly_an_update(result: object, rest: str) -> bool:
    """After a bare number: a percent or a due date, or a state word standing alone or before
    a colon or dash (`12 done`, `12 done - signed off`), never a word that runs into a sentence."""
    if isinstance(result, (SetProgress, SetDue)):
        return True
    return isinstance(result, (MarkDone, MarkStarted, Cancel)) and bool(_WORD_THEN_NOTE.match(rest))


def _why_not_update(found: object) -> str:
    if isinstance(found, ParseError):
        return found.message
    if isinstance(found, NotACommand) and found.hint:
        return found.hint
    if isinstance(found, NotACommand):
        return "it doesn't start with an action code."
    return "only updates can be sent together; ask questions one per message."


def _segment_error(segments: list[Segment], index: int, why: str, text: str) -> ParseError:
    segment = segments[index]
    where = f"line {segment.line}" if "\n" in text else f"part {index + 1}"
    return ParseError(
        f"I couldn't read {where}, '{quote(segment.text)}': {why} Nothing was changed."
    )
