"""The one working-day calendar that the log's timescales and the reminders both count on."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.workdays import CalendarError, WorkingCalendar, nation_from_text
from config.settings import SettingsError, load_settings

SCOTLAND = WorkingCalendar("scotland")
ENGLAND = WorkingCalendar("england-and-wales")
NI = WorkingCalendar("northern-ireland")


@pytest.mark.parametrize(
    ("calendar", "day", "working", "why"),
    [
        (SCOTLAND, date(2026, 11, 30), False, "Saint Andrew's Day"),  # a Monday
        (ENGLAND, date(2026, 11, 30), True, None),
        (ENGLAND, date(2026, 4, 6), False, "Easter Monday"),
        (SCOTLAND, date(2026, 4, 6), True, None),  # Scotland has no Easter Monday holiday
        (SCOTLAND, date(2026, 1, 2), False, "New Year Holiday"),
        (ENGLAND, date(2026, 1, 2), True, None),
        (NI, date(2026, 3, 17), False, "Saint Patrick's Day"),
        (ENGLAND, date(2026, 12, 28), False, "Boxing Day (observed)"),
        (ENGLAND, date(2026, 12, 5), False, "Saturday"),
        (ENGLAND, date(2026, 12, 6), False, "Sunday"),
        (ENGLAND, date(2026, 12, 7), True, None),
    ],
)
def test_which_days_are_working_days(calendar: WorkingCalendar, day: date, working: bool, why: str | None) -> None:
    assert calendar.is_working_day(day) is working
    assert calendar.why_not_working(day) == why


@pytest.mark.parametrize(
    ("calendar", "start", "count", "expected"),
    [
        # Received Friday 27 Nov 2026: 3 working days in Scotland skips St Andrew's Monday.
        (SCOTLAND, date(2026, 11, 27), 3, date(2026, 12, 3)),
        (ENGLAND, date(2026, 11, 27), 3, date(2026, 12, 2)),
        # Maundy Thursday + 1 in England: Good Friday and Easter Monday are both off.
        (ENGLAND, date(2026, 4, 2), 1, date(2026, 4, 7)),
        (SCOTLAND, date(2026, 4, 2), 1, date(2026, 4, 6)),
        # 20 working days over Christmas and New Year in England.
        (ENGLAND, date(2026, 12, 18), 20, date(2027, 1, 20)),
        # Backwards: 7 working days before a due date.
        (ENGLAND, date(2026, 12, 31), -7, date(2026, 12, 18)),
        (ENGLAND, date(2026, 12, 5), 0, date(2026, 12, 7)),  # 0: the next working day on or after
    ],
)
def test_adding_working_days(calendar: WorkingCalendar, start: date, count: int, expected: date) -> None:
    assert calendar.add_working_days(start, count) == expected


@pytest.mark.parametrize(
    ("calendar", "start", "end", "expected"),
    [
        (ENGLAND, date(2026, 11, 27), date(2026, 12, 2), 3),
        (SCOTLAND, date(2026, 11, 27), date(2026, 12, 2), 2),
        (ENGLAND, date(2026, 12, 2), date(2026, 11, 27), -3),
        (ENGLAND, date(2026, 12, 7), date(2026, 12, 7), 0),
    ],
)
def test_counting_working_days_between(calendar: WorkingCalendar, start: date, end: date, expected: int) -> None:
    assert calendar.working_days_between(start, end) == expected


def test_long_spans_count_the_same_in_bulk_as_day_by_day() -> None:
    calendar = WorkingCalendar("scotland", closures=frozenset({date(2027, 12, 29), date(2027, 12, 27)}))
    start, end = date(2020, 1, 3), date(2033, 6, 9)
    by_day = sum(1 for d in calendar.working_days(start, end) if d != start)
    assert calendar.working_days_between(start, end) == by_day


def test_team_closures_are_not_working_days() -> None:
    calendar = WorkingCalendar.from_settings("England", ["2026-12-29", "2026-12-30", "2026-12-31"])
    assert calendar.why_not_working(date(2026, 12, 30)) == "office closed"
    # Christmas Eve (Thu) + 1: Christmas, Boxing Day observed and three closure days pass.
    assert calendar.add_working_days(date(2026, 12, 24), 1) == date(2027, 1, 4)


@pytest.mark.parametrize("text", ["Atlantis", "", "UK"])
def test_an_unknown_nation_is_named(text: str) -> None:
    with pytest.raises(CalendarError, match="not a nation"):
        nation_from_text(text)


def test_the_config_sets_the_nation_and_closures(tmp_path) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "actionbot.toml"
    config.write_text('[calendar]\nnation = "Scotland"\nclosures = ["2026-12-29"]\n', encoding="utf-8")
    settings = load_settings(config_file=config, environ={})
    calendar = settings.working_calendar()
    assert calendar.nation == "scotland"
    assert not calendar.is_working_day(date(2026, 12, 29))
    assert load_settings(environ={"ACTIONBOT_NATION": "northern ireland"}).nation == "northern-ireland"


def test_a_bad_calendar_setting_is_a_clear_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "actionbot.toml"
    config.write_text('[calendar]\nclosures = ["29/12/2026"]\n', encoding="utf-8")
    with pytest.raises(SettingsError, match=r"\[calendar\].*29/12/2026.*2026-12-29"):
        load_settings(config_file=config, environ={})
    with pytest.raises(SettingsError, match="ACTIONBOT_NATION"):
        load_settings(environ={"ACTIONBOT_NATION": "Mars"})


def test_the_default_calendar_is_england_and_wales() -> None:
    assert load_settings(environ={}).working_calendar().nation == "england-and-wales"
    with pytest.raises(CalendarError):
        ENGLAND.add_working_days(date(2026, 1, 1), 5000)
