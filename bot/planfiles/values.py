"""Reading one cell: text (with HTML fragments and wrapped lines), progress, due dates.

Cells arrive as text (CSV, the text export) or typed (XLSX: dates, numbers). Dates are read
the way public bodies write them (`31-Aug-2023`, `31/08/23`, `10.05.2023`, `Aug-23`,
`December 2021`, `Q4 2025/26`); a value that is not a date ("In place", "Ongoing", "TBC") is
kept as text by the caller and reported, never guessed.
"""

from __future__ import annotations

import html
import re
from datetime import date, datetime

from bot.domain.codes import code_number
from bot.domain.dates import parse_date_phrase
from bot.export_safety import restore_cell

_PROGRESS = re.compile(r"^(\d{1,3})(?:\.0+)?\s*%?$")
_TAG = re.compile(r"<[^>]{0,400}>")
_BLOCK_TAG = re.compile(r"</?(?:p|br|li|ul|ol|div|tr)\b[^>]{0,400}>", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_ANY_SPACE = re.compile(r"\s+")
def _plain(text: str) -> bool:
    """Text that clean_text returns unchanged (checked at C speed): ASCII with no markup,
    entity, formula quote, line break, tab or run of spaces, and no space at either end."""
    return (text.isascii() and "  " not in text and "\n" not in text and "\t" not in text and "\r" not in text
            and "<" not in text and "&" not in text and "\x0b" not in text and "\x0c" not in text
            and text[:1] != "'" and text[:1] != " " and text[-1:] != " ")

# Two anchors far apart: a phrase that means the same date from both is absolute
# ("Aug-23", "Q4 2025/26"); one that moves with today ("next Friday", "March") is not read
# without a real `today`.
_ANCHORS = (date(2001, 1, 1), date(2098, 7, 15))


def clean_text(value: object, *, keep_lines: bool = False) -> str | None:
    """Cell text, stripped; HTML fragments become plain text. None when empty.

    The `'` our exports put before text that starts like a formula (`'=1+1`; see
    bot.export_safety) comes off again, so an export imports back unchanged.

    `keep_lines` keeps the cell's own line breaks (an update written over several lines);
    otherwise a wrapped cell reads as one line.
    """
    if value is None:
        return None
    if type(value) is str and _plain(value):
        return value or None  # the common cell: one line of plain text, nothing to clean
    text = restore_cell(str(value).replace("\ufeff", "")).replace("\r\n", "\n").replace("\r", "\n")
    if "<" in text and ">" in text:
        text = _BLOCK_TAG.sub("\n", text)
        text = _TAG.sub("", text)
    if "&" in text:
        text = html.unescape(text)
    if keep_lines:
        text = "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))
        text = _BLANK_LINES.sub("\n", text).strip()
    else:
        text = _ANY_SPACE.sub(" ", text).strip()
    return text or None


def parse_progress(value: object, *, percent_format: bool = False) -> int | None:
    """`25%`, `25` or 25 -> 25; Excel's 0.25 in a % cell -> 25; else (`140%`, `abc`) None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = float(value) * (100 if percent_format else 1)
        if not number.is_integer() and not percent_format:
            return None
        result = round(number)
        return result if 0 <= result <= 100 else None
    match = _PROGRESS.match(str(value).strip())
    if not match:
        return None
    result = int(match.group(1))
    return result if 0 <= result <= 100 else None


def parse_due_value(value: object, today: date | None = None) -> date | None:
    """A due cell as a date, or None when it is not one ("Ongoing", "TBC").

    Excel dates are dates. Text is read by `bot.domain.dates.parse_date_phrase`; without
    `today` only phrases that name their own year are dates (never "next Friday").
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if value is None or isinstance(value, (int, float)):
        return None
    text = " ".join(str(value).split())
    if not text:
        return None
    if today is not None:
        return parse_date_phrase(text, today)
    first = parse_date_phrase(text, _ANCHORS[0])
    if first is None:
        return None
    return first if parse_date_phrase(text, _ANCHORS[1]) == first else None


def section_of(code: str) -> str:
    """`HSCM COMM AP2.5.1` -> `2.5`, `AP2.10.1a` -> `2.10`; "" when the code has one number."""
    number = code_number(code)
    return number.rsplit(".", 1)[0] if "." in number else ""


_RECURRING = re.compile(
    r"^(?:(?:bi|six|6|two|three|3|half|twice)[- ]?)?(?:daily|weekly|fortnightly|monthly|quarterly|yearly|annually|annual"
    r"|termly)\b|^every\s+(?:\d{1,2}\s+)?(?:day|week|fortnight|month|quarter|year|meeting)s?\b|^(?:ongoing\s*[-/,]\s*)"
    r"(?:weekly|monthly|quarterly|annually)\b|^(?:bi-?annual|biannual|half-yearly)\b",
    re.IGNORECASE,
)


def recurring_timescale(text: str) -> bool:
    """`Monthly`, `Quarterly`, `Every 6 months`, `Bi-monthly`: a timescale that repeats, not a date."""
    return bool(_RECURRING.match(text.strip()))


def month_end(day: date) -> date:
    """The last day of `day`'s month (a cell Excel shows as `Aug-23` holds the 1st)."""
    following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)
