"""Reading the date phrases people type: `31/03/2026`, `end of March`, `Q4 2025/26`, `next Friday`.

UK usage throughout: day first, and the financial year runs April to March (Q1 Apr-Jun, Q2
Jul-Sep, Q3 Oct-Dec, Q4 Jan-Mar). A month on its own means that month's last day, because
action plans are due "by" a month (`Aug-23`, `March 2026`, `end of March`).

Common forms are read here with regular expressions. Anything else goes to `dateparser`,
which is imported inside `parse_date_phrase` only: importing it costs a cold start that most
messages never need. Nothing here calls the clock; `today` is always passed in.

Decisions worth knowing:
- `Friday`, `this Friday` and `next Friday` all mean the first Friday strictly after today.
- `Mar 26` / `Mar-26` / `Jan 08` are month and two-digit year (as spreadsheets print them),
  not the 26th of March; `26 Mar` is a day.
- A month without a year (`March`, `end of March`) is the next such month-end on or after
  today; `31 March` without a year is the next 31 March on or after today.
- Bare numbers and percentages (`40`, `40%`) are never dates.
"""

from __future__ import annotations

import calendar
import functools
import importlib
import re
from datetime import date, datetime, timedelta
from typing import Any

MONTHS: dict[str, int] = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3,
    "apr": 4, "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7,
    "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10,
    "nov": 11, "november": 11, "dec": 12, "december": 12,
}  # fmt: skip

WEEKDAYS: dict[str, int] = {
    "mon": 0, "monday": 0, "tue": 1, "tues": 1, "tuesday": 1, "wed": 2, "weds": 2,
    "wednesday": 2, "thu": 3, "thur": 3, "thurs": 3, "thursday": 3, "fri": 4, "friday": 4,
    "sat": 5, "saturday": 5, "sun": 6, "sunday": 6,
}  # fmt: skip

_SMALL_NUMBERS: dict[str, int] = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip

MAX_PHRASE_WORDS = 7
_MAX_PHRASE_CHARS = 80
_MIN_YEAR, _MAX_YEAR = 1900, 2199

# --- fast paths (on lower-cased text with single spaces) ------------------------------------

_BARE_NUMBER = re.compile(r"[-+]?\d++(?:[.,]\d++)?+")
_FILLER_PREFIX = re.compile(r"(?:by|on|before)\s+")
_NUMERIC_DMY = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})")
_NUMERIC_DM = re.compile(r"(\d{1,2})/(\d{1,2})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DAY_MONTH_YEAR = re.compile(
    r"(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)?(?:\s+of)?[\s-]+([a-z]{3,9})\.?,?[\s-]+'?(\d{4}|\d{2})"
)
_DAY_MONTH = re.compile(r"(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)?(?:\s+of)?[\s-]+([a-z]{3,9})\.?")
_MONTH_YEAR = re.compile(r"(?:(?:the\s+)?end\s+(?:of\s+)?)?([a-z]{3,9})\.?,?[\s-]+'?(\d{4}|\d{2})")
_MONTH_ONLY = re.compile(r"(?:(?:the\s+)?end\s+(?:of\s+)?)?([a-z]{3,9})\.?")
_QUARTER = re.compile(
    r"(?:(?:the\s+)?end\s+(?:of\s+)?)?q([1-4])"
    r"(?:\s*(?:fy\s*)?(\d{4}|\d{2})\s*[/-]\s*(\d{4}|\d{2}))?"
)
_WEEKDAY = re.compile(r"(?:(?:this|next|on|coming|this\s+coming)\s+)?([a-z]{3,9})")
_WEEKDAY_LEAD = re.compile(r"([a-z]{3,9}),?\s+(?=(?:the\s+)?\d)")  # `friday 13 march`: the day names the date
_IN_PERIOD = re.compile(
    r"in\s+(\d{1,3}|[a-z]+)\s+(day|week|fortnight|month|year)s?(?:'?s?\s+time)?"
)


def month_end(year: int, month: int) -> date:
    """The last day of a month: `month_end(2024, 2)` is 29 February 2024."""
    return date(year, month, calendar.monthrange(year, month)[1])


def financial_quarter_end(q: int, fy_start_year: int) -> date:
    """Last day of quarter `q` of the UK financial year starting April `fy_start_year`.

    `financial_quarter_end(4, 2025)` is 31 March 2026 (Q4 2025/26).
    """
    if q not in (1, 2, 3, 4):
        raise ValueError(f"quarter must be 1-4, not {q}")
    if q == 4:
        return month_end(fy_start_year + 1, 3)
    return month_end(fy_start_year, 3 + 3 * q)


def _financial_year_start(today: date) -> int:
    return today.year if today.month >= 4 else today.year - 1


def _next_month_end(month: int, today: date) -> date:
    candidate = month_end(today.year, month)
    return candidate if candidate >= today else month_end(today.year + 1, month)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _year(text: str) -> int:
    return 2000 + int(text) if len(text) == 2 else int(text)


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _fixed_phrase(text: str, today: date) -> date | None:
    if text in ("today", "tonight"):
        return today
    if text == "tomorrow":
        return today + timedelta(days=1)
    if text in ("end of month", "end of the month", "end of this month", "month end", "month-end"):
        return month_end(today.year, today.month)
    if text in ("end of next month", "end of the next month"):
        following = _add_months(today.replace(day=1), 1)
        return month_end(following.year, following.month)
    if text in ("end of year", "end of the year", "end of this year", "year end", "year-end",
                "end of calendar year", "end of the calendar year"):  # fmt: skip
        return date(today.year, 12, 31)
    if text in ("end of next year", "end of the next year"):
        return date(today.year + 1, 12, 31)
    if text in ("end of financial year", "end of the financial year", "end of fy", "end of the fy",
                "end of this financial year", "financial year end", "financial year-end",
                "fy end", "fye", "year end (fy)"):  # fmt: skip
        return _next_month_end(3, today)
    return None


def _quarter(text: str, today: date) -> date | None:
    match = _QUARTER.fullmatch(text)
    if not match:
        return None
    q = int(match.group(1))
    if match.group(2) is None:
        fy = _financial_year_start(today)
        end = financial_quarter_end(q, fy)
        return end if end >= today else financial_quarter_end(q, fy + 1)
    first, second = match.group(2), match.group(3)
    start_year = _year(first)
    expected = (start_year + 1) % 100 if len(second) == 2 else start_year + 1
    if int(second) != expected:
        return None
    return financial_quarter_end(q, start_year)


def _relative(text: str, today: date) -> date | None:
    match = _WEEKDAY.fullmatch(text)
    if match and match.group(1) in WEEKDAYS:
        ahead = (WEEKDAYS[match.group(1)] - today.weekday() - 1) % 7 + 1
        return today + timedelta(days=ahead)
    match = _IN_PERIOD.fullmatch(text)
    if match:
        amount_text, unit = match.group(1), match.group(2)
        amount = int(amount_text) if amount_text.isdigit() else _SMALL_NUMBERS.get(amount_text)
        if amount is None:
            return None
        if unit == "day":
            return today + timedelta(days=amount)
        if unit == "week":
            return today + timedelta(weeks=amount)
        if unit == "fortnight":
            return today + timedelta(weeks=2 * amount)
        return _add_months(today, amount * (12 if unit == "year" else 1))
    return None


def _numeric(text: str, today: date) -> date | None:
    match = _NUMERIC_DMY.fullmatch(text)
    if match:
        return _safe_date(_year(match.group(4)), int(match.group(3)), int(match.group(1)))
    match = _ISO.fullmatch(text)
    if match:
        return _safe_date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    match = _NUMERIC_DM.fullmatch(text)
    if match:
        return _next_day_month(int(match.group(1)), int(match.group(2)), today)
    return None


def _next_day_month(day: int, month: int, today: date) -> date | None:
    for year in range(today.year, today.year + 5):  # 29 Feb needs up to four years
        candidate = _safe_date(year, month, day)
        if candidate is not None and candidate >= today:
            return candidate
    return None


def _worded(text: str, today: date) -> date | None:
    match = _DAY_MONTH_YEAR.fullmatch(text)
    if match and match.group(2) in MONTHS:
        return _safe_date(_year(match.group(3)), MONTHS[match.group(2)], int(match.group(1)))
    match = _MONTH_YEAR.fullmatch(text)
    if match and match.group(1) in MONTHS:
        return month_end(_year(match.group(2)), MONTHS[match.group(1)])
    match = _DAY_MONTH.fullmatch(text)
    if match and match.group(2) in MONTHS:
        return _next_day_month(int(match.group(1)), MONTHS[match.group(2)], today)
    match = _MONTH_ONLY.fullmatch(text)
    if match and match.group(1) in MONTHS:
        return _next_month_end(MONTHS[match.group(1)], today)
    return None


def fast_parse(text: str, today: date) -> date | None:
    """The regex-only reader: `None` means "not one of the common forms", not "not a date"."""
    for reader in (_fixed_phrase, _quarter, _relative, _numeric, _worded):
        found = reader(text, today)
        if found is not None:
            return found
    lead = _WEEKDAY_LEAD.match(text)
    if lead and lead.group(1) in WEEKDAYS:  # `Friday 13 March`, `Mon, 1/12/2026`: the date after the day name
        rest = text[lead.end() :]
        return _numeric(rest, today) or _worded(rest, today)
    return None


# --- dateparser fallback -------------------------------------------------------------------

_DATE_WORDS = frozenset(
    set(MONTHS) | set(WEEKDAYS) | {
        "day", "days", "week", "weeks", "fortnight", "month", "months", "year", "years",
        "today", "tomorrow", "tonight", "noon", "midday", "midnight", "morning", "afternoon",
        "evening",
    }
)  # fmt: skip
_CONNECTORS = frozenset({
    "next", "last", "this", "coming", "in", "on", "the", "of", "by", "at", "a", "an", "ago",
    "from", "now", "after", "before", "end", "am", "pm", "time", "and", "within",
} | set(_SMALL_NUMBERS))  # fmt: skip
_NUMERIC_WORD = re.compile(r"[\d/.:'-]+(?:st|nd|rd|th|am|pm)?")
_WORD_EDGE_PUNCTUATION = ".,!?()"


def _worth_asking_dateparser(text: str) -> bool:
    """Only phrases made of date words reach dateparser, so a note is never read as a date."""
    words = [word.strip(_WORD_EDGE_PUNCTUATION) for word in text.split(" ")]
    if not words or (words[-1] in _CONNECTORS and words[-1] not in ("now", "ago")):
        return False
    has_date_word = False
    for word in words:
        if word in _DATE_WORDS:
            has_date_word = True
        elif word not in _CONNECTORS and not _NUMERIC_WORD.fullmatch(word):
            return False
    return has_date_word  # all-number forms are the fast paths' job: `5 5` is not a date


@functools.lru_cache(maxsize=4096)
def _ask_dateparser(text: str, today: date) -> date | None:
    # About 2 ms a phrase: remembered, since a pasted list repeats its dates (`next Friday` x 40).
    # Imported here, not at module level: a cold start most messages never need.
    dateparser = importlib.import_module("dateparser")

    settings: dict[str, Any] = {
        "DATE_ORDER": "DMY",
        "PREFER_DATES_FROM": "future",
        "RELATIVE_BASE": datetime(today.year, today.month, today.day),
        "PREFER_DAY_OF_MONTH": "last",
    }
    try:
        parsed = dateparser.parse(text, languages=["en"], settings=settings)
    except Exception:  # dateparser raises on some odd inputs; an odd input is "not a date"
        return None
    return parsed.date() if parsed is not None else None


# --- public API ----------------------------------------------------------------------------


def _normalise(text: str) -> str:
    return " ".join(text.lower().replace("\u2019", "'").split()).strip(" ,")


def parse_date_phrase(text: str, today: date) -> date | None:
    """The date a whole phrase means, or `None` if it is not (only) a date."""
    phrase = _normalise(text)
    if not phrase or len(phrase) > _MAX_PHRASE_CHARS or "%" in phrase or "&" in phrase:
        return None  # percentages are progress; `Feb & March 08` is two months, not a date
    filler = _FILLER_PREFIX.match(phrase)
    if filler:
        phrase = phrase[filler.end() :]
    if _BARE_NUMBER.fullmatch(phrase):
        return None
    found = fast_parse(phrase.rstrip("."), today)
    if found is None and _worth_asking_dateparser(phrase):
        found = _ask_dateparser(phrase, today)
    if found is None or not _MIN_YEAR <= found.year <= _MAX_YEAR:
        return None
    return found


_PHRASE_END = re.compile(r"\s+[-\u2013\u2014]+\s|\s+[-\u2013\u2014]+$|[;:]")
_WORD = re.compile(r"\S+")
_NOTE_LEAD = re.compile(r"^(?:\s|[-\u2013\u2014:;,.])+")


def split_date_phrase(text: str, today: date) -> tuple[date, str, str] | None:
    """Read a date from the start of `text`: `(date, phrase as typed, the rest as a note)`.

    Tries the longest leading run of words (at most `MAX_PHRASE_WORDS`) that reads as a date;
    a ` - `, ` – `, `;` or `:` ends the phrase. The note has leading separators stripped and
    is `""` when there is none.
    """
    stop = _PHRASE_END.search(text, 0, 200)
    head_end = stop.start() if stop else len(text)
    words = []
    for match in _WORD.finditer(text, 0, head_end):
        words.append(match)
        if len(words) == MAX_PHRASE_WORDS:
            break
    for count in range(len(words), 0, -1):
        end = words[count - 1].end()
        phrase = text[words[0].start() : end].rstrip(",")
        found = parse_date_phrase(phrase, today)
        if found is not None:
            note = _NOTE_LEAD.sub("", text[words[0].start() + len(phrase) :]).strip()
            return found, phrase, note
    return None
