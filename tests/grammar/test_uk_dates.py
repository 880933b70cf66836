"""Dates in the forms UK public bodies write them, read against Friday 27 November 2026:
financial years and quarters, month ends, week commencing, weekdays, Christmas and Easter,
and phrases with two readings (answered with the reading taken)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.commands import SetDue, UpdateBatch
from bot.domain.dates import day_text, easter_sunday, read_date_phrase
from bot.grammar import parse

TODAY = date(2026, 11, 27)  # a Friday
FY_END = date(2027, 3, 31)

PHRASES = [
    # financial years
    ("fy-long-slash", "2026/27", FY_END), ("fy-dash", "2026-27", FY_END), ("fy-short", "26/27", FY_END),
    ("fy-prefix-short", "FY26/27", FY_END), ("fy-prefix-long", "FY2026/27", FY_END),
    ("fy-prefix-spaced", "FY 2026-27", FY_END), ("fy-prefix-short-dash", "FY26-27", FY_END), ("fy-full-years", "2026/2027", FY_END),
    ("fy-worded", "financial year 2026/27", FY_END), ("fy-end-of", "end of 2026/27", FY_END),
    ("fy-by", "by FY26/27", FY_END), ("fy-next", "2027/28", date(2028, 3, 31)),
    ("fy-past", "fy 2025-26", date(2026, 3, 31)), ("fy-year-end", "2026/27 year end", FY_END),
    # financial quarters (Q1 Apr-Jun ... Q4 Jan-Mar)
    ("q2-long", "Q2 2026/27", date(2026, 9, 30)), ("q2-short", "Q2 26/27", date(2026, 9, 30)),
    ("q3-fy", "Q3 FY26/27", date(2026, 12, 31)), ("q4-dash", "q4 2026-27", FY_END),
    ("q1-next-fy", "Q1 2027/28", date(2027, 6, 30)), ("quarter-word", "quarter 3 2026/27", date(2026, 12, 31)),
    ("year-first", "2026/27 Q4", FY_END), ("end-of-q3", "end of Q3", date(2026, 12, 31)),
    ("end-of-q2-rolls-on", "end of Q2", date(2027, 9, 30)), ("bare-q4", "Q4", FY_END),
    ("q-by", "by Q3", date(2026, 12, 31)),
    ("quarter-months", "quarter 4 (January to March 2027)", FY_END),
    ("quarter-months-short", "Q3 (Oct-Dec 2026)", date(2026, 12, 31)),
    ("end-of-quarter", "end of the quarter", date(2026, 12, 31)),
    # month ends
    ("eom", "EOM", date(2026, 11, 30)), ("by-eom", "by eom", date(2026, 11, 30)),
    ("end-of-the-month", "end of the month", date(2026, 11, 30)), ("month-end", "month end", date(2026, 11, 30)),
    ("end-of-next-month", "end of next month", date(2026, 12, 31)),
    # week commencing: the Friday of that week
    ("wc", "w/c 14/12", date(2026, 12, 18)), ("wc-no-slash", "wc 14/12", date(2026, 12, 18)),
    ("wc-worded", "w/c 7 December", date(2026, 12, 11)), ("wc-long", "week commencing 30/11/2026", date(2026, 12, 4)),
    ("wc-this-week", "w/c 23/11", TODAY), ("wb", "w/b 4/1/2027", date(2027, 1, 8)), ("week-beginning", "week beginning 11th January", date(2027, 1, 15)),
    # weekdays
    ("this-friday-on-friday", "this Friday", TODAY), ("by-this-friday", "by this Friday", TODAY),
    ("friday", "Friday", date(2026, 12, 4)), ("next-friday", "next Friday", date(2026, 12, 4)),
    ("friday-week", "Friday week", date(2026, 12, 4)), ("this-monday", "this Monday", date(2026, 11, 30)),
    ("next-monday", "next Monday", date(2026, 11, 30)), ("monday-week", "Monday week", date(2026, 12, 7)),
    ("a-week-on-tuesday", "a week on Tuesday", date(2026, 12, 8)),
    # holidays
    ("christmas", "by Christmas", date(2026, 12, 25)), ("xmas", "xmas", date(2026, 12, 25)),
    ("christmas-year", "Christmas 2027", date(2027, 12, 25)),
    ("before-easter", "before Easter", date(2027, 3, 25)), ("by-easter", "by Easter", date(2027, 3, 25)),
    ("easter-year", "Easter 2028", date(2028, 4, 13)),
    ("christmas-eve", "Christmas Eve", date(2026, 12, 24)), ("a-week-friday", "a week Friday", date(2026, 12, 4)),
    ("wc-day-name", "w/c Monday 14 December", date(2026, 12, 18)),
    ("fy-end-of-worded", "end of financial year 2026/27", FY_END), ("q-of", "Q3 of 2026/27", date(2026, 12, 31)),
    ("q1-months", "Q1 (April to June 2027)", date(2027, 6, 30)), ("the-end-of-next-month", "by the end of next month",
                                                                    date(2026, 12, 31)),
    # two readings
    ("eoy", "EOY", date(2026, 12, 31)), ("by-the-end-of-the-year", "by the end of the year", date(2026, 12, 31)),
    ("year-end", "year end", FY_END), ("year-end-hyphen", "by year-end", FY_END),
    ("end-of-the-year", "end of the year", date(2026, 12, 31)),
    ("q4-calendar-year", "Q4 2026", FY_END), ("q1-calendar-year", "Q1 2027", date(2027, 6, 30)),
]


@pytest.mark.parametrize(("text", "expected"), [(t, d) for _, t, d in PHRASES], ids=[i for i, _, _ in PHRASES])
def test_phrase(text: str, expected: date) -> None:
    found = read_date_phrase(text, TODAY)
    assert found is not None and found.day == expected


NOT_FINANCIAL_YEARS = [("day-month", "10/11", date(2027, 11, 10)), ("day-month-2", "1/12", date(2026, 12, 1))]


@pytest.mark.parametrize(("text", "expected"), [(t, d) for _, t, d in NOT_FINANCIAL_YEARS],
                         ids=[i for i, _, _ in NOT_FINANCIAL_YEARS])
def test_a_pair_that_is_a_date_is_a_date(text: str, expected: date) -> None:
    found = read_date_phrase(text, TODAY)
    assert found is not None and found.day == expected and found.reading is None


@pytest.mark.parametrize("text", ["25/27", "Q4 2026/28", "Q5", "quarter 4 (April to June 2027)", "2026/25", "10-11"],
                         ids=["fy-gap", "q-fy-gap", "q5", "wrong-months", "fy-backwards", "short-dash-pair"])
def test_not_dates(text: str) -> None:
    assert read_date_phrase(text, TODAY) is None


READINGS = [
    ("year-end", "year end", ["financial year end, Wed 31 Mar 2027", "\"due 31/12/2026\""]),
    ("end-of-the-year", "end of the year", ["calendar year end, Thu 31 Dec 2026", "financial year"]),
    ("q4-2026", "Q4 2026", ["financial year 2026/27", "Wed 31 Mar 2027", "\"due 31/12/2026\""]),
    ("q2-2027", "Q2 2027", ["financial year 2027/28", "Thu 30 Sep 2027", "\"due 30/06/2027\""]),
    ("wc", "w/c 14/12", ["Friday", "Mon 14 Dec 2026", "Fri 18 Dec 2026"]),
    ("wc-midweek", "w/c 16/12", ["Mon 14 Dec 2026", "Fri 18 Dec 2026"]),
    ("easter", "before Easter", ["Thu 25 Mar 2027", "day before Good Friday"]),
    ("christmas", "Christmas", ["Christmas Day, Fri 25 Dec 2026"]),
]


@pytest.mark.parametrize(("text", "says"), [(t, s) for _, t, s in READINGS], ids=[i for i, _, _ in READINGS])
def test_a_phrase_with_two_readings_says_which_was_taken(text: str, says: list[str]) -> None:
    found = read_date_phrase(text, TODAY)
    assert found is not None and found.reading is not None
    for part in says:
        assert part in found.reading


def test_next_weekday_in_the_same_week_says_how_to_type_the_one_after() -> None:
    found = read_date_phrase("next Monday", TODAY)
    assert found is not None and found.reading is not None and "Monday week" in found.reading


@pytest.mark.parametrize(("year", "easter"), [(2024, date(2024, 3, 31)), (2025, date(2025, 4, 20)),
                                              (2026, date(2026, 4, 5)), (2027, date(2027, 3, 28)),
                                              (2038, date(2038, 4, 25))], ids=str)
def test_easter_sunday(year: int, easter: date) -> None:
    assert easter_sunday(year) == easter


def test_day_text_shows_the_weekday() -> None:
    assert day_text(date(2027, 3, 31)) == "Wed 31 Mar 2027"
    assert day_text(date(2026, 12, 1)) == "Tue 1 Dec 2026"


DUE = [
    ("fy", "AP2.5.4b due FY26/27", FY_END, "FY26/27"),
    ("fy-short-note", "AP2.5.4b due 26/27 - agreed at board", FY_END, "26/27"),
    ("quarter", "ap 2.5.4b due Q2 2027/28", date(2027, 9, 30), "Q2 2027/28"),
    ("quarter-months", "AP2.5.4b due quarter 4 (January to March 2027)", FY_END, "quarter 4 (January to March 2027)"),
    ("eom", "AP2.5.4b due EOM", date(2026, 11, 30), "EOM"),
    ("wc", "AP2.5.4b due w/c 14/12", date(2026, 12, 18), "w/c 14/12"),
    ("this-friday", "AP2.5.4b due this Friday", TODAY, "this Friday"),
    ("friday-week", "AP2.5.4b due Friday week", date(2026, 12, 4), "Friday week"),
    ("christmas", "AP2.5.4b due by Christmas", date(2026, 12, 25), "by Christmas"),
    ("easter", "AP2.5.4b due before Easter", date(2027, 3, 25), "before Easter"),
    ("year-end", "AP2.5.4b due year end", FY_END, "year end"),
    ("q4-2026", "AP2.5.4b deadline Q4 2026", FY_END, "Q4 2026"),
]


@pytest.mark.parametrize(("text", "day", "phrase"), [(t, d, p) for _, t, d, p in DUE], ids=[i for i, _, _, _ in DUE])
def test_due_through_the_parser(text: str, day: date, phrase: str) -> None:
    result = parse(text, TODAY)
    assert isinstance(result, UpdateBatch) and len(result.updates) == 1
    update = result.updates[0]
    assert isinstance(update, SetDue)
    assert (update.code, update.due, update.phrase) == ("AP2.5.4b", day, phrase)
