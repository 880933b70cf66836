"""Schedules: cron fields read as people write them, and Monday 09:00 London stays 09:00 in
London across the clock changes — 08:00 UTC in summer, 09:00 UTC in winter, once a week."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.digest.email_delivery import EmailDigestDelivery
from bot.digest.schedule import ScheduleError, fire_times, next_fire_time, parse_schedule
from bot.digest.sender import DigestSender
from bot.mail.mailbox import OutgoingMail
from tests.conftest import TestBot
from tests.digest_fixtures import TEST_SETTINGS, subscribe

UTC = timezone.utc


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "after", "expected"),
    [
        pytest.param("0 9 * * 1", utc(2024, 3, 20), utc(2024, 3, 25, 9), id="monday-9-winter"),
        pytest.param("0 9 * * mon", utc(2024, 6, 1), utc(2024, 6, 3, 8), id="monday-9-summer-is-8-utc"),
        pytest.param("30 7 * * 1-5", utc(2024, 6, 7, 12), utc(2024, 6, 10, 6, 30), id="weekdays-range"),
        pytest.param("0 9 1 * *", utc(2024, 1, 15), utc(2024, 2, 1, 9), id="first-of-month"),
        pytest.param("0 */6 * * *", utc(2024, 1, 15, 7), utc(2024, 1, 15, 12), id="every-six-hours"),
        pytest.param("0 9 * * 7", utc(2024, 1, 1), utc(2024, 1, 7, 9), id="seven-is-sunday"),
        pytest.param("0 9 15 * fri", utc(2024, 3, 1), utc(2024, 3, 1, 9), id="day-or-weekday-as-cron-does"),
    ],
)
def test_next_fire_time(text: str, after: datetime, expected: datetime) -> None:
    fire = next_fire_time(parse_schedule(text), "Europe/London", after)
    assert fire is not None and fire.at == expected


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        pytest.param("0 9 * *", "five fields", id="four-fields"),
        pytest.param("0 25 * * *", "hour 25 is outside 0-23", id="hour-25"),
        pytest.param("0 9 * * funday", "'funday' is not a weekday", id="bad-day-name"),
        pytest.param("0 9 * * 5-1", "runs backwards", id="backwards"),
        pytest.param("*/0 9 * * *", "not a step", id="zero-step"),
    ],
)
def test_unreadable_schedules_say_what_is_wrong(text: str, complaint: str) -> None:
    with pytest.raises(ScheduleError, match=complaint):
        parse_schedule(text)


def test_a_time_that_happens_twice_when_clocks_go_back_is_one_period() -> None:
    times = fire_times(parse_schedule("30 1 * * *"), "Europe/London", utc(2024, 10, 26, 12), utc(2024, 10, 28, 2))
    assert [t.period_key for t in times] == ["2024-10-27T01:30", "2024-10-28T01:30"]


@pytest.mark.parametrize(
    ("created", "monday_before", "monday_after"),
    [
        pytest.param(utc(2024, 3, 20), utc(2024, 3, 25, 9), utc(2024, 4, 1, 8), id="clocks-go-forward"),
        pytest.param(utc(2024, 10, 16), utc(2024, 10, 21, 8), utc(2024, 10, 28, 9), id="clocks-go-back"),
    ],
)
def test_the_monday_digest_goes_out_once_a_week_across_the_clock_change(
    testbot: TestBot, created: datetime, monday_before: datetime, monday_after: datetime
) -> None:
    outbox: list[OutgoingMail] = []
    subscribe(testbot.runtime.new_uow, kind="email", destination="team@example.org", created_at=created)
    sender = DigestSender(testbot.runtime.new_uow, {"email": EmailDigestDelivery(outbox.append)}, "only",
                          TEST_SETTINGS, with_chart=False)
    sent_at: list[datetime] = []
    now = created
    while now < monday_after + timedelta(days=2):  # poll every 30 minutes for two weeks
        if sender.send_due(now).sent:
            sent_at.append(now)
        now += timedelta(minutes=30)
    assert sent_at == [monday_before, monday_after]
    assert [mail.to for mail in outbox] == [("team@example.org",)] * 2
