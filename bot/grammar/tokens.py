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

_CODE_AFTER_COMMA = re.compile(rf",[ \t]*+(?={CODE_PATTERN})")
_SEGMENT_BREAK = re.compile(r"[\n;]")
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


def code_at_start(text: str) -> re.Match[str] | None:
    return CODE.match(text)


def full_code(text: str) -> str | None:
    """`text` if it is exactly one code (trailing `?` or `.` allowed), else `None`."""
    stripped = text.strip().rstrip("?.!").strip()
    match = CODE.match(stripped)
    return match.group(0) if match and match.end() == len(stripped) else None


def strip_note(text: str) -> str | None:
    """A note without its leading separators; `None` when nothing is left."""
    match = _NOTE_LEAD.match(text)
    note = (text[match.end() :] if match else text).strip()
    return note or None


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
                _append(segments, piece[start : comma.start()], line_number, starts_line)
                starts_line = False
                start = comma.end()
            _append(segments, piece[start:], line_number, starts_line)
            starts_line = False
    return segments


def _append(segments: list[Segment], text: str, line: int, starts_line: bool) -> None:
    stripped = text.strip()
    if stripped:
        segments.append(Segment(stripped, line, starts_line))


def quote(text: str, limit: int = 60) -> str:
    """Text to echo back in a reply, cut short."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "\u2026"
