"""The pieces every rule reads: action codes, cleaned text, segments and notes.

Every pattern here runs on untrusted text of up to 4,000 characters, so each is linear:
possessive quantifiers where a repeat could otherwise give characters back, and bounded
repeats elsewhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_MESSAGE_CHARS = 4_000

# Prefix words of a full code are typed in capitals (`HSCM COMM`); command words are not
# prefixes, so `STATUS AP2.5.1` is the status command, not a code.
_RESERVED = r"(?:STATUS|HISTORY|SUMMARY|OVERDUE|HELP|DUE|NOTE|UPDATE|COMMENT|OWNER|UNDO|MINE)\b"
_PREFIX_WORD = rf"(?!(?i:{_RESERVED}))(?-i:[A-Z]{{2,10}})[ \t]++"
_TAIL = r"[A-Za-z]{0,6}+\d++(?:\.\d++)++[A-Za-z]?+(?![A-Za-z0-9]|\.\d)"
CODE_PATTERN = rf"(?:{_PREFIX_WORD}){{0,3}}{_TAIL}"

CODE = re.compile(CODE_PATTERN)
"""An action or section code at the start of the text: `HSCM COMM AP2.5.1`, `ap2.5.1`, `2.5`."""

# Codes as people type them: `ap 2.9.1a`, `AP-2.9.1a`, `Ap2.9.1A`, `(AP2.5.1)`, `*AP2.5.1*`.
# Letters then a space or dash then the number is one code, unless the letters are a word
# that comes before numbers in chatter (`at 2.30`, `see 2.5`, `version 2.1`).
_OPENERS = re.compile(r"[(\[*_\"'`\u201c\u2018]{1,3}+")
_CLOSERS = re.compile(r"[)\]*_\"'`\u201d\u2019]{1,3}+")
_SPACED = re.compile(
    r"([A-Za-z]{1,5}+)(?:[ \t]*+[-\u2013.][ \t]*+|[ \t]++)(\d++(?:\.\d++)++[A-Za-z]?+)(?![A-Za-z0-9]|\.\d)"
)
_NOT_PREFIXES = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "by", "c", "ca", "do", "for", "from", "go", "if",
    "in", "is", "it", "item", "me", "my", "no", "of", "on", "or", "p", "page", "para", "per",
    "phase", "point", "pp", "ref", "re", "see", "sec", "so", "stage", "step", "the", "to",
    "until", "up", "us", "v", "ver", "vs", "was", "we", "about", "after", "before", "since",
    "till", "line", "rule", "table", "figure", "fig", "annex", "appx", "paras", "r", "rev",
    "section", "version", "approx", "due", "note", "notes", "owner", "now", "done", "progr",
    "help", "undo", "mine", "when", "date", "week", "wc", "w", "fy", "q", "end", "eom", "ye",
})  # fmt: skip
_LETTERS_FIRST = re.compile(r"([A-Za-z]*+)(.*)", re.DOTALL)


@dataclass(frozen=True)
class CodeMatch:
    """A code found in text: `code` as stored keys read it, `end` just after what was typed."""

    code: str
    start: int
    end: int


def read_code(text: str, pos: int = 0) -> CodeMatch | None:
    """The code typed at `pos`, in its canonical form (`ap 2.9.1a` -> `AP2.9.1a`).

    Whole codes only: `AP2.1` is never the start of `AP2.10`. Brackets, asterisks and quotes
    around the code are read past (`(AP2.5.1)`, `*AP2.5.1*`).
    """
    start = pos
    opener = _OPENERS.match(text, pos)
    if opener:
        pos = opener.end()
    spaced = _SPACED.match(text, pos)
    if spaced and spaced.group(1).lower() not in _NOT_PREFIXES:
        code, end = spaced.group(1).upper() + spaced.group(2), spaced.end()
    else:
        match = CODE.match(text, pos)
        if match is None:
            return None
        code, end = _canonical(match.group(0)), match.end()
    closer = _CLOSERS.match(text, end)
    return CodeMatch(code, start, closer.end() if closer else end)


def _canonical(typed: str) -> str:
    """A tail's letters in capitals (`ap2.5.1` -> `AP2.5.1`); full codes stay as typed."""
    if " " in typed:
        return typed
    letters = _LETTERS_FIRST.match(typed)
    assert letters is not None  # `.*` always matches
    return letters.group(1).upper() + letters.group(2)

_CODE_AFTER_COMMA = re.compile(rf",[ \t]*+(?={CODE_PATTERN})")
_SEGMENT_BREAK = re.compile(r"[\n;]")
# Inside a segment, a code with letters followed by a value starts the next update:
# `AP2.2.3b 70% AP2.9.1a 55%` is two. Bare numbers (`2.5.1`) are left alone there: mid-text
# they are more often dates and versions than codes.
_CODE_DIGITS = re.compile(r"\d\.\d")
_WORD_START = re.compile(r"(?<=[ \t])[(\[*_\"'`\u201c\u2018]{0,3}+[A-Za-z]")
_VALUE_AFTER_CODE = re.compile(
    r"[ \t]*+(?::[ \t]*+)?(?:(?:now|at|is|to|->|=|\u2192)[ \t]*+)?"
    r"(?:\d{1,3}+(?:[ \t]*+(?:%|percent\b|per[ \t]?cent\b)|(?=[ \t]*+(?:$|[,.;!])))"
    r"|(?:done|complete|completed|finished|closed|signed[ \t]+off|started|cancell?ed|reopened"
    r"|due(?![ \t]++to[ \t]++[a-z])|deadline|owner)\b)",  # `due to staff sickness` is prose
    re.IGNORECASE,
)
_NOTE_LEAD = re.compile(r"(?:\s|[-\u2013\u2014:,;])++")
_DASH_SEPARATOR = re.compile(r"\s[-\u2013\u2014]+(?:\s|$)")

# Control characters become spaces (newlines separate updates, so they stay); invisible
# characters that chat clients insert are dropped; the non-breaking spaces Teams and Outlook
# send become plain spaces.
_CLEAN: dict[int, str | None] = {c: " " for c in (*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0))}
_CLEAN.update({0x0A: "\n", 0x2028: "\n", 0x2029: "\n", 0xA0: " ", 0x2007: " ", 0x202F: " "})
_CLEAN.update({0x200B: None, 0x200C: None, 0x200D: None, 0x2060: None, 0xFEFF: None})
_CLEAN_TABLE = str.maketrans(_CLEAN)


def clean(text: str) -> str:
    """Line breaks as `\\n`, other control characters as spaces, invisible characters gone."""
    return text.replace("\r\n", "\n").replace("\r", "\n").translate(_CLEAN_TABLE).strip()


def code_at_start(text: str) -> CodeMatch | None:
    return read_code(text)


# A tracker's own refs that are not dotted codes: `12`, `12b`, `IA-03`, `BP12`, `R-7a`. Read
# only where the whole text is the ref (`status IA-03`) or where an update plainly follows it
# (bot.grammar.parser), since `3` or `Q3` in a sentence is more often a count or a quarter.
OTHER_REF_PATTERN = r"(?:[A-Za-z]{1,6}+-?+)?\d{1,4}+[A-Za-z]?+"
_OTHER_REF = re.compile(OTHER_REF_PATTERN)


def full_code(text: str) -> str | None:
    """The canonical code if `text` is exactly one code (trailing `?`, `.`, `:` allowed)."""
    stripped = text.strip().rstrip("?.!:").strip()
    match = read_code(stripped)
    if match and match.end == len(stripped):
        return match.code
    other = _OTHER_REF.fullmatch(stripped)
    return stripped.upper() if other else None


def strip_note(text: str) -> str | None:
    """A note without its leading separators; `None` when nothing is left, or only
    punctuation and emoji (`65%.`, `done!`, `done ✅` leave no note)."""
    match = _NOTE_LEAD.match(text)
    note = (text[match.end() :] if match else text).strip()
    return note if any(ch.isalnum() for ch in note) else None


def split_dash(text: str) -> tuple[str, str | None]:
    """`Finance Team - agreed at board` -> (`Finance Team`, `agreed at board`)."""
    match = _DASH_SEPARATOR.search(text)
    if not match:
        return text.strip(), None
    return text[: match.start()].strip(), strip_note(text[match.end() :])


@dataclass(frozen=True)
class Segment:
    text: str
    line: int  # 1-based line of the message the segment is on
    starts_line: bool  # the segment is at the start of its line


def split_segments(text: str) -> list[Segment]:
    """Split at newlines, semicolons, and commas that are followed by a code.

    `AP2.2.2c 75%, AP2.4.2a 100%` is two segments; `AP2.5.1 40% - six signed, two pending`
    is one. Blank segments are dropped.
    """
    segments: list[Segment] = []
    for line_number, line in enumerate(text.split("\n"), start=1):
        starts_line = True
        for piece in _SEGMENT_BREAK.split(line):
            start = 0
            for comma in _CODE_AFTER_COMMA.finditer(piece):
                for part in split_run_on(piece[start : comma.start()]):
                    _append(segments, part, line_number, starts_line)
                    starts_line = False
                start = comma.end()
            for part in split_run_on(piece[start:]):
                _append(segments, part, line_number, starts_line)
                starts_line = False
    return segments


def split_run_on(piece: str) -> list[str]:
    """`AP2.2.3b 70% AP2.9.1a 55%` -> both updates: a lettered code followed by a value,
    after the start, begins the next one. `AP2.5.1 40% waiting on AP2.5.2` stays one."""
    first_digits = _CODE_DIGITS.search(piece)
    if first_digits is None or _CODE_DIGITS.search(piece, first_digits.end()) is None:
        return [piece]  # fewer than two codes' worth of digits: most segments stop here
    parts: list[str] = []
    start = 0
    first = read_code(piece)
    position = first.end if first else 1
    if _CODE_DIGITS.search(piece, position) is None:
        return [piece]  # no second code after the first
    while True:
        word = _WORD_START.search(piece, position)
        if word is None:
            break
        found = read_code(piece, word.start())
        if found is None or not any(ch.isalpha() for ch in found.code):
            position = word.end()
            continue
        if _VALUE_AFTER_CODE.match(piece, found.end):
            parts.append(_without_joining_word(piece[start : found.start]))
            start = found.start
        position = found.end
    parts.append(piece[start:])
    return parts


_JOINING_WORD = re.compile(r"(?:^|[ \t,;])(?:and|plus|also|then|&|\+)$", re.IGNORECASE)


def _without_joining_word(part: str) -> str:
    """`AP2.5.1 done and` -> `AP2.5.1 done`: the word that joined two updates is no note."""
    stripped = part.rstrip(" \t,;")
    joining = _JOINING_WORD.search(stripped, max(0, len(stripped) - 8))
    return stripped[: joining.start()] if joining else part


def _append(segments: list[Segment], text: str, line: int, starts_line: bool) -> None:
    stripped = text.strip()
    if stripped:
        segments.append(Segment(stripped, line, starts_line))


def quote(text: str, limit: int = 60) -> str:
    """Text to echo back in a reply, cut short."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "\u2026"
