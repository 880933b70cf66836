"""Reading the date phrases people type: `31/03/2026`, `end of March`, `Q4 2025/26`, `next Friday`.

UK usage throughout: day first, and the financial year runs April to March (Q1 Apr-Jun, Q2
Jul-Sep, Q3 Oct-Dec, Q4 Jan-Mar). A month on its own means that month's last day, because
action plans are due "by" a month (`Aug-23`, `March 2026`, `end of March`).

Common forms are read here with regular expressions. Anything else goes to `dateparser`,
which is imported inside `parse_date_phrase` only: importing it costs a cold start that most
messages never need. Nothing here calls the clock; `today` is always passed in.

Decisions worth knowing (a phrase with two readings carries a sentence saying which was
taken and how to type the other: `DateReading.reading`):
- `Friday` and `next Friday` mean the first Friday strictly after today; `this Friday` said
  on a Friday is today; `Friday week` is a week after `this Friday`.
- Financial years: `2026/27`, `2026-27`, `26/27`, `FY26/27` end on 31 March 2027. `11/12`
  is a day and month (11 December); only a pair that is no date reads as a financial year.
- `Q4 2026` is Q4 of the financial year that starts in April 2026 (31 March 2027); the
  reply says to type `due 31/12/2026` for the calendar quarter.
- `year end` is the financial year end; `end of the year` is 31 December. Both replies say
  how to type the other.
- `w/c 14/12` (week commencing) is the Friday of that week.
- `Christmas` is 25 December; `Easter` and `before Easter` are Maundy Thursday, the day
  before Good Friday (the last working day before the Easter bank holidays).
- Completion dates (`done 12/11/2026`, `completed on Friday`) are read looking back:
  `past=True` makes `Friday` the latest Friday on or before today.
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
from dataclasses import dataclass
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
_WEEKDAY = re.compile(
    r"(?:(this|next|last|on|coming|this\s+coming)\s+)?([a-z]{3,9})(\s+week|\s+next\s+week)?"
)
_WEEK_ON = re.compile(r"a\s+week\s+(?:(?:on|from)\s+)?([a-z]{3,9})")
_FINANCIAL_YEAR = re.compile(
    r"(?:(?:the\s+)?end\s+(?:of\s+)?)?((?:fy|financial\s+year)\s*)?"
    r"(\d{4}|\d{2})\s*([/-])\s*(\d{4}|\d{2})(?:\s+(?:year[\s-]?end|ye))?"
)
_QUARTER_WORD = r"(?:(?:the\s+)?end\s+(?:of\s+)?)?(?:q|quarter\s*)([1-4])"
_QUARTER = re.compile(
    rf"{_QUARTER_WORD}(?:\s*(?:of\s+)?(?:fy\s*)?(\d{{4}}|\d{{2}})\s*[/-]\s*(\d{{4}}|\d{{2}}))?"
)
_QUARTER_OF_YEAR = re.compile(rf"{_QUARTER_WORD}\s*(?:of\s+)?(?:fy\s*)?(\d{{4}})")
_QUARTER_YEAR_FIRST = re.compile(r"(?:fy\s*)?(\d{4}|\d{2})\s*[/-]\s*(\d{4}|\d{2})\s+q([1-4])")
_QUARTER_MONTHS = re.compile(
    rf"{_QUARTER_WORD}\s*\(\s*(?:[a-z]{{3,9}}\s*(?:to|-|\u2013)\s*)?([a-z]{{3,9}})\s*(\d{{4}})\s*\)"
)
_WEEK_COMMENCING = re.compile(r"(?:w/c|wc|w/b|wb|week\s+(?:commencing|beginning|starting|of))\s+(.+)")
_FEAST = re.compile(r"(christmas(?:\s+day|\s+eve)?|xmas(?:\s+eve)?|easter)(?:\s+(\d{4}))?")
_WEEKDAY_LEAD = re.compile(r"([a-z]{3,9}),?\s+(?=(?:the\s+)?\d)")  # `friday 13 march`: the day names the date
_IN_PERIOD = re.compile(
    r"in\s+(\d{1,3}|[a-z]+)\s+(day|week|fortnight|month|year)s?(?:'?s?\s+time)?"
)


@dataclass(frozen=True)
class DateReading:
    """A date read from a phrase, and for a phrase with two readings (`year end`, `Q4 2026`,
    `w/c 14/12`) a sentence saying which was taken and how to type the other."""

    day: date
    reading: str | None = None


def day_text(day: date) -> str:
    """`Wed 31 Mar 2027`: every reply that sets a date shows its weekday."""
    return f"{day:%a} {day.day} {day:%b %Y}"


def easter_sunday(year: int) -> date:
    """Easter Sunday (Gregorian; the anonymous algorithm, as in Meeus)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (b - (b + 8) // 25 + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weekday_shift = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weekday_shift) // 451
    month, day = divmod(h + weekday_shift - 7 * m + 114, 31)
    return date(year, month, day + 1)


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


Found = date | DateReading | None


def _fixed_phrase(text: str, today: date, past: bool) -> Found:
    if text in ("today", "tonight"):
        return today
    if text == "tomorrow":
        return today + timedelta(days=1)
    if text == "yesterday":
        return today - timedelta(days=1)
    if text in ("end of month", "end of the month", "end of this month", "month end", "month-end",
                "eom", "the end of the month"):  # fmt: skip
        return month_end(today.year, today.month)
    if text in ("end of next month", "end of the next month"):
        following = _add_months(today.replace(day=1), 1)
        return month_end(following.year, following.month)
    if text in ("end of calendar year", "end of the calendar year", "calendar year end"):
        return date(today.year, 12, 31)
    if text in ("end of year", "end of the year", "end of this year", "eoy"):
        day = date(today.year, 12, 31)
        fy_end = _next_month_end(3, today)
        return DateReading(day, f"taken as the calendar year end, {day_text(day)}; type "
                                f"\"due end of the financial year\" for {day_text(fy_end)}")
    if text in ("year end", "year-end", "yearend", "ye", "by year end"):
        day = _next_month_end(3, today)
        return DateReading(day, f"taken as the financial year end, {day_text(day)}; type "
                                f"\"due 31/12/{today.year}\" for the calendar year")
    if text in ("end of next year", "end of the next year"):
        return date(today.year + 1, 12, 31)
    if text in ("end of financial year", "end of the financial year", "end of fy", "end of the fy",
                "end of this financial year", "financial year end", "financial year-end",
                "fy end", "fye", "year end (fy)", "end of quarter", "end of the quarter",
                "quarter end", "end of this quarter"):  # fmt: skip
        if "quarter" in text:
            return _next_quarter_end(today)
        return _next_month_end(3, today)
    return None


def _next_quarter_end(today: date) -> date:
    for q in (1, 2, 3, 4):
        end = financial_quarter_end(q, _financial_year_start(today))
        if end >= today:
            return end
    return financial_quarter_end(1, _financial_year_start(today) + 1)  # pragma: no cover


def _financial_year_pair(first: str, second: str) -> int | None:
    """`2026`/`27`, `26`/`27`, `2026`/`2027` -> 2026, the year the financial year starts."""
    start_year = _year(first)
    expected = (start_year + 1) % 100 if len(second) == 2 else start_year + 1
    return start_year if int(second) == expected else None


def _quarter(text: str, today: date, past: bool) -> Found:
    match = _QUARTER.fullmatch(text)
    if match:
        q = int(match.group(1))
        if match.group(2) is None:
            fy = _financial_year_start(today)
            end = financial_quarter_end(q, fy)
            return end if end >= today else financial_quarter_end(q, fy + 1)
        start_year = _financial_year_pair(match.group(2), match.group(3))
        return None if start_year is None else financial_quarter_end(q, start_year)
    match = _QUARTER_YEAR_FIRST.fullmatch(text)
    if match:
        start_year = _financial_year_pair(match.group(1), match.group(2))
        return None if start_year is None else financial_quarter_end(int(match.group(3)), start_year)
    match = _QUARTER_OF_YEAR.fullmatch(text)
    if match:  # `Q4 2026`: two readings, the financial one taken
        q, year = int(match.group(1)), int(match.group(2))
        day = financial_quarter_end(q, year)
        calendar_end = month_end(year, 3 * q)
        return DateReading(
            day,
            f"taken as Q{q} of the financial year {year}/{(year + 1) % 100:02d}, ending "
            f"{day_text(day)}; type \"due {calendar_end:%d/%m/%Y}\" for calendar Q{q} {year}",
        )
    match = _QUARTER_MONTHS.fullmatch(text)
    if match and match.group(2) in MONTHS:  # `quarter 4 (January to March 2027)`
        q, month, year = int(match.group(1)), MONTHS[match.group(2)], int(match.group(3))
        if month != (3 * q + 3 - 1) % 12 + 1:
            return None  # the months named are not that quarter's
        return month_end(year, month)
    return None


def _financial_year(text: str, today: date, past: bool) -> Found:
    match = _FINANCIAL_YEAR.fullmatch(text)
    if match is None:
        return None
    named, first, dash, second = match.groups()
    if not named and dash == "-" and len(first) == len(second) == 2:
        return None  # `10-11` is more likely a range of days than the year 2010/11
    start_year = _financial_year_pair(first, second)
    return None if start_year is None else date(start_year + 1, 3, 31)


def _weekday_ahead(weekday: int, today: date, include_today: bool) -> date:
    ahead = (weekday - today.weekday()) % 7
    return today + timedelta(days=ahead if ahead or include_today else 7)


def _weekday_back(weekday: int, today: date, include_today: bool) -> date:
    back = (today.weekday() - weekday) % 7
    return today - timedelta(days=back if back or include_today else 7)


def _weekday(text: str, today: date, past: bool) -> Found:
    match = _WEEK_ON.fullmatch(text)
    if match and match.group(1) in WEEKDAYS:  # `a week on Friday`
        return _weekday_ahead(WEEKDAYS[match.group(1)], today, include_today=True) + timedelta(weeks=1)
    match = _WEEKDAY.fullmatch(text)
    if not match or match.group(2) not in WEEKDAYS:
        return None
    lead, weekday, week = match.group(1) or "", WEEKDAYS[match.group(2)], match.group(3)
    if week:  # `Friday week`, `Friday next week`: a week after this Friday
        if lead not in ("", "on"):
            return None
        return _weekday_ahead(weekday, today, include_today=True) + timedelta(weeks=1)
    if lead == "last" or (past and lead in ("", "on", "this")):
        return _weekday_back(weekday, today, include_today=lead != "last")
    if lead == "this":
        return _weekday_ahead(weekday, today, include_today=True)
    day = _weekday_ahead(weekday, today, include_today=False)
    if lead == "next" and (day - today).days < 7:
        name = calendar.day_name[weekday]
        return DateReading(day, f"taken as the coming {name}, {day_text(day)}; "
                                f"type \"due {name} week\" for {day_text(day + timedelta(weeks=1))}")
    return day


def _relative(text: str, today: date, past: bool) -> Found:
    found = _weekday(text, today, past)
    if found is not None:
        return found
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


def _week_commencing(text: str, today: date, past: bool) -> Found:
    match = _WEEK_COMMENCING.fullmatch(text)
    if match is None:
        return None
    # `w/c 23/11` said on Friday 27/11 is this week: a start up to six days back still counts.
    since = today - timedelta(days=6)
    inner = match.group(1)
    day_name = _WEEKDAY_LEAD.match(inner)  # `w/c Monday 14 December`
    if day_name and day_name.group(1) in WEEKDAYS:
        inner = inner[day_name.end() :]
    start = _numeric(inner, since, past) or _worded(inner, since, past)
    if not isinstance(start, date):
        return None
    friday = start - timedelta(days=start.weekday()) + timedelta(days=4)
    return DateReading(friday, f"taken as the Friday of the week commencing "
                               f"{day_text(start - timedelta(days=start.weekday()))}, {day_text(friday)}")


def _feast(text: str, today: date, past: bool) -> Found:
    match = _FEAST.fullmatch(text)
    if match is None:
        return None
    years = [int(match.group(2))] if match.group(2) else [today.year, today.year + 1]
    for year in years:
        if match.group(1) == "easter":
            day = easter_sunday(year) - timedelta(days=3)
            reading = f"taken as {day_text(day)}, the day before Good Friday"
        elif match.group(1).endswith("eve"):
            day, reading = date(year, 12, 24), f"taken as Christmas Eve, {day_text(date(year, 12, 24))}"
        else:
            day, reading = date(year, 12, 25), f"taken as Christmas Day, {day_text(date(year, 12, 25))}"
        if day >= today or match.group(2) or past:
            return DateReading(day, reading)
    return None  # pragma: no cover - next year's is always ahead


def _numeric(text: str, today: date, past: bool) -> date | None:
    match = _NUMERIC_DMY.fullmatch(text)
    if match:
        return _safe_date(_year(match.group(4)), int(match.group(3)), int(match.group(1)))
    match = _ISO.fullmatch(text)
    if match:
        return _safe_date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    match = _NUMERIC_DM.fullmatch(text)
    if match:
        return _nearest_day_month(int(match.group(1)), int(match.group(2)), today, past)
    return None


def _nearest_day_month(day: int, month: int, today: date, past: bool) -> date | None:
    """The next such day on or after today, or with `past` the latest on or before it."""
    years = range(today.year, today.year - 5, -1) if past else range(today.year, today.year + 5)
    for year in years:  # 29 Feb needs up to four years
        candidate = _safe_date(year, month, day)
        if candidate is not None and (candidate <= today if past else candidate >= today):
            return candidate
    return None


def _worded(text: str, today: date, past: bool) -> date | None:
    match = _DAY_MONTH_YEAR.fullmatch(text)
    if match and match.group(2) in MONTHS:
        return _safe_date(_year(match.group(3)), MONTHS[match.group(2)], int(match.group(1)))
    match = _MONTH_YEAR.fullmatch(text)
    if match and match.group(1) in MONTHS:
        return month_end(_year(match.group(2)), MONTHS[match.group(1)])
    match = _DAY_MONTH.fullmatch(text)
    if match and match.group(2) in MONTHS:
        return _nearest_day_month(int(match.group(1)), MONTHS[match.group(2)], today, past)
    match = _MONTH_ONLY.fullmatch(text)
    if match and match.group(1) in MONTHS:
        return _next_month_end(MONTHS[match.group(1)], today)
    return None


_FAST_READERS = (_fixed_phrase, _quarter, _relative, _numeric, _financial_year, _worded,
                 _week_commencing, _feast)  # fmt: skip


def fast_read(text: str, today: date, past: bool = False) -> DateReading | None:
    """The regex-only reader: `None` means "not one of the common forms", not "not a date"."""
    for reader in _FAST_READERS:
        found = reader(text, today, past)
        if found is not None:
            return found if isinstance(found, DateReading) else DateReading(found)
    lead = _WEEKDAY_LEAD.match(text)
    if lead and lead.group(1) in WEEKDAYS:  # `Friday 13 March`, `Mon, 1/12/2026`: the date after the day name
        rest = text[lead.end() :]
        day = _numeric(rest, today, past) or _worded(rest, today, past)
        return DateReading(day) if day else None
    return None


def fast_parse(text: str, today: date) -> date | None:
    """`fast_read` without the reading."""
    found = fast_read(text, today)
    return found.day if found else None


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
_CODE_NUMBER = re.compile(r"\d+(?:\.\d+){2,}[a-z]?")  # `2.5.1`: an action code, not part of a date
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
        elif _CODE_NUMBER.fullmatch(word) and not _NUMERIC_DMY.fullmatch(word):
            return False
    return has_date_word  # all-number forms are the fast paths' job: `5 5` is not a date


@functools.lru_cache(maxsize=4096)
def _ask_dateparser(text: str, today: date, past: bool = False) -> date | None:
    # About 2 ms a phrase: remembered, since a pasted list repeats its dates (`next Friday` x 40).
    # Imported here, not at module level: a cold start most messages never need.
    dateparser = importlib.import_module("dateparser")

    settings: dict[str, Any] = {
        "DATE_ORDER": "DMY",
        "PREFER_DATES_FROM": "past" if past else "future",
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
    found = read_date_phrase(text, today)
    return found.day if found else None


def read_date_phrase(text: str, today: date, *, past: bool = False) -> DateReading | None:
    """The date a whole phrase means and, for a phrase with two readings, which was taken.

    `past=True` reads a date that has happened (`completed on Friday`): weekdays and days
    without a year look back from today instead of forward.
    """
    phrase = _normalise(text)
    if not phrase or len(phrase) > _MAX_PHRASE_CHARS or "%" in phrase or "&" in phrase:
        return None  # percentages are progress; `Feb & March 08` is two months, not a date
    filler = _FILLER_PREFIX.match(phrase)
    if filler:
        phrase = phrase[filler.end() :]
    phrase = phrase.removeprefix("the ")  # `by the end of the year`
    if _BARE_NUMBER.fullmatch(phrase):
        return None
    found = fast_read(phrase.rstrip("."), today, past)
    if found is None and _worth_asking_dateparser(phrase):
        day = _ask_dateparser(phrase, today, past)
        found = DateReading(day) if day else None
    if found is None or not _MIN_YEAR <= found.day.year <= _MAX_YEAR:
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
    found = split_date_reading(text, today)
    return (found[0].day, found[1], found[2]) if found else None


def split_date_reading(text: str, today: date, *, past: bool = False) -> tuple[DateReading, str, str] | None:
    """`split_date_phrase` keeping the reading (see `read_date_phrase`)."""
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
        found = read_date_phrase(phrase, today, past=past)
        if found is not None:
            note = _NOTE_LEAD.sub("", text[words[0].start() + len(phrase) :]).strip()
            return found, phrase, note
    return None
