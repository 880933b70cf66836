"""Date phrases as people type them, read against a pinned Monday 23 November 2026."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest

from bot.domain.dates import financial_quarter_end, month_end, parse_date_phrase, split_date_phrase

TODAY = date(2026, 11, 23)  # a Monday

FAST_PATHS = [
    ("31/03/2026", date(2026, 3, 31)),
    ("31/03/26", date(2026, 3, 31)),
    ("1/4/2027", date(2027, 4, 1)),
    ("31-Mar-2026", date(2026, 3, 31)),
    ("31 Mar 2026", date(2026, 3, 31)),
    ("31 March 2026", date(2026, 3, 31)),
    ("31st March 2026", date(2026, 3, 31)),
    ("31.03.2026", date(2026, 3, 31)),
    ("31-03-2026", date(2026, 3, 31)),
    ("2026-03-31", date(2026, 3, 31)),
    ("29-Feb-2024", date(2024, 2, 29)),
    ("Mar-26", date(2026, 3, 31)),
    ("Aug-23", date(2023, 8, 31)),
    ("August 2023", date(2023, 8, 31)),
    ("March 2026", date(2026, 3, 31)),
    ("December 2021", date(2021, 12, 31)),
    ("Feb 2024", date(2024, 2, 29)),
    ("Jan 08", date(2008, 1, 31)),
    ("end of March", date(2027, 3, 31)),
    ("end March", date(2027, 3, 31)),
    ("March", date(2027, 3, 31)),
    ("november", date(2026, 11, 30)),
    ("end of December", date(2026, 12, 31)),
    ("end of March 2026", date(2026, 3, 31)),
    ("31 March", date(2027, 3, 31)),
    ("31/03", date(2027, 3, 31)),
    ("end of month", date(2026, 11, 30)),
    ("end of the month", date(2026, 11, 30)),
    ("end of next month", date(2026, 12, 31)),
    ("end of year", date(2026, 12, 31)),
    ("end of financial year", date(2027, 3, 31)),
    ("end of FY", date(2027, 3, 31)),
    ("Q4 2025/26", date(2026, 3, 31)),
    ("Q4 25/26", date(2026, 3, 31)),
    ("Q1 2026-27", date(2026, 6, 30)),
    ("Q2 2026/2027", date(2026, 9, 30)),
    ("q3 FY26/27", date(2026, 12, 31)),
    ("Q3", date(2026, 12, 31)),
    ("Q4", date(2027, 3, 31)),
    ("Q2", date(2027, 9, 30)),
    ("end of Q3", date(2026, 12, 31)),
    ("today", TODAY),
    ("tomorrow", date(2026, 11, 24)),
    ("Friday", date(2026, 11, 27)),
    ("this Friday", date(2026, 11, 27)),
    ("next Friday", date(2026, 11, 27)),
    ("by Friday", date(2026, 11, 27)),
    ("on Wednesday", date(2026, 11, 25)),
    ("Monday", date(2026, 11, 30)),
    ("next monday", date(2026, 11, 30)),
    ("in 2 weeks", date(2026, 12, 7)),
    ("in 3 days", date(2026, 11, 26)),
    ("in a month", date(2026, 12, 23)),
    ("in two months", date(2027, 1, 23)),
    ("in a year", date(2027, 11, 23)),
    ("  31 March 2026  ", date(2026, 3, 31)),
    ("Friday 13 March", date(2027, 3, 13)),  # the day name before a date is read past
    ("Fri, 13/03/2027", date(2027, 3, 13)),
    ("Thursday the 1st of April 2027", date(2027, 4, 1)),
]


@pytest.mark.parametrize(("text", "expected"), FAST_PATHS, ids=[t for t, _ in FAST_PATHS])
def test_common_forms(text: str, expected: date) -> None:
    assert parse_date_phrase(text, TODAY) == expected


@pytest.mark.parametrize(("text", "expected"), FAST_PATHS, ids=[t for t, _ in FAST_PATHS])
def test_common_forms_do_not_touch_dateparser(text: str, expected: date) -> None:
    from bot.domain import dates

    def refuse(text: str, today: date) -> date | None:
        raise AssertionError(f"{text!r} went to dateparser")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(dates, "_ask_dateparser", refuse)
        assert parse_date_phrase(text, TODAY) == expected


FALLBACK = [
    ("March 31st", date(2027, 3, 31)),
    ("a week from now", date(2026, 11, 30)),
]


@pytest.mark.parametrize(("text", "expected"), FALLBACK, ids=[t for t, _ in FALLBACK])
def test_other_forms_go_to_dateparser(text: str, expected: date) -> None:
    assert parse_date_phrase(text, TODAY) == expected


NOT_DATES = [
    "40",
    "40%",
    "-5%",
    "40.5",
    "2026",
    "",
    "   ",
    "xyz",
    "Feb & March 08",
    "31/02/2026",
    "32/01/2026",
    "Q4 2025/27",
    "Q5",
    "in some weeks",
    "pending board approval",
    "is a tricky one",
    "5 5",
    "now",
    "March" * 40,
]


@pytest.mark.parametrize("text", NOT_DATES, ids=[repr(t[:20]) for t in NOT_DATES])
def test_not_dates(text: str) -> None:
    assert parse_date_phrase(text, TODAY) is None


def test_q3_alone_rolls_to_next_financial_year_once_past() -> None:
    assert parse_date_phrase("Q3", date(2027, 1, 5)) == date(2027, 12, 31)
    assert parse_date_phrase("Q4", date(2027, 1, 5)) == date(2027, 3, 31)


def test_month_alone_on_its_last_day_is_today() -> None:
    assert parse_date_phrase("end of March", date(2026, 3, 31)) == date(2026, 3, 31)
    assert parse_date_phrase("end of FY", date(2026, 3, 31)) == date(2026, 3, 31)


def test_weekday_is_strictly_after_today() -> None:
    friday = date(2026, 11, 27)
    assert parse_date_phrase("Friday", friday) == date(2026, 12, 4)
    assert parse_date_phrase("next Friday", date(2026, 11, 28)) == date(2026, 12, 4)


def test_in_a_month_clamps_to_month_end() -> None:
    assert parse_date_phrase("in a month", date(2027, 1, 31)) == date(2027, 2, 28)


SPLITS = [
    ("31/03/2026", (date(2026, 3, 31), "31/03/2026", "")),
    ("31/03/2026 - revised after board", (date(2026, 3, 31), "31/03/2026", "revised after board")),
    ("31-Mar-2026 \u2013 revised", (date(2026, 3, 31), "31-Mar-2026", "revised")),
    ("end of March pending board approval", (date(2027, 3, 31), "end of March", "pending board approval")),
    ("next Friday at the latest", (date(2026, 11, 27), "next Friday", "at the latest")),
    ("Q4 2025/26: moved by board", (date(2026, 3, 31), "Q4 2025/26", "moved by board")),
    ("Q4 2025/26; moved", (date(2026, 3, 31), "Q4 2025/26", "moved")),
    ("Friday, waiting on finance", (date(2026, 11, 27), "Friday", "waiting on finance")),
    ("31 March 2026 finance agreed", (date(2026, 3, 31), "31 March 2026", "finance agreed")),
    ("Friday 13 March then review", (date(2027, 3, 13), "Friday 13 March", "then review")),
]


@pytest.mark.parametrize(("text", "expected"), SPLITS, ids=[t for t, _ in SPLITS])
def test_split_date_phrase(text: str, expected: tuple[date, str, str]) -> None:
    assert split_date_phrase(text, TODAY) == expected


@pytest.mark.parametrize("text", ["xyz", "", " - 31/03/2026", "40% done"], ids=["word", "empty", "separator-first", "percent"])
def test_split_date_phrase_without_a_date(text: str) -> None:
    assert split_date_phrase(text, TODAY) is None


@pytest.mark.parametrize(
    ("year", "month", "expected"),
    [(2024, 2, date(2024, 2, 29)), (2023, 2, date(2023, 2, 28)), (2026, 12, date(2026, 12, 31))],
    ids=["leap-feb", "feb", "dec"],
)
def test_month_end(year: int, month: int, expected: date) -> None:
    assert month_end(year, month) == expected


@pytest.mark.parametrize(
    ("q", "fy", "expected"),
    [
        (1, 2025, date(2025, 6, 30)),
        (2, 2025, date(2025, 9, 30)),
        (3, 2025, date(2025, 12, 31)),
        (4, 2025, date(2026, 3, 31)),
    ],
    ids=["Q1", "Q2", "Q3", "Q4"],
)
def test_financial_quarter_end(q: int, fy: int, expected: date) -> None:
    assert financial_quarter_end(q, fy) == expected


def test_financial_quarter_end_rejects_q5() -> None:
    with pytest.raises(ValueError):
        financial_quarter_end(5, 2025)


def test_importing_dates_does_not_import_dateparser() -> None:
    code = "import sys, bot.domain.dates; sys.exit('dateparser' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
