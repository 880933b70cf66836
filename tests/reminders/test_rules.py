"""The rules of the reminder pass (bot.domain.reminders): who gets what, on which day."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from bot.domain.reminder_text import message_text
from bot.domain.reminders import (
    ItemKind,
    Leave,
    Reason,
    Recipient,
    ReminderInputError,
    ReminderItem,
    ReminderRules,
    Team,
    build_pass,
    check_leave,
    snooze_until,
)
from bot.domain.workdays import WorkingCalendar
from bot.reminders.sender import due_days, send_time_utc
from bot.reminders.settings import ReminderSettings

ENGLAND = WorkingCalendar("england-and-wales")
SCOTLAND = WorkingCalendar("scotland")


def calendars(nation: str | None) -> WorkingCalendar:
    return SCOTLAND if nation == "scotland" else ENGLAND


SAM = Recipient("Sam Patel", team="Commissioning Team", channel="email")
LEAD = Recipient("Lee Hart", team="Commissioning Team", channel="slack")
ADMIN = Recipient("Ann Admin", channel="email", is_admin=True)
TEAM = Team("Commissioning Team", lead="Lee Hart")


def item(ref: str = "AP2.5.1", due: date | None = None, owner: str = "Sam Patel", updated: date | None = None,
         **extra: object) -> ReminderItem:
    return ReminderItem(ref=ref, title=f"Title of {ref}", due=due, progress=40, last_update="contracts drafted",
                        last_update_on=updated or date(2026, 11, 20), owner=owner, plan="Plan", **extra)  # type: ignore[arg-type]


def lines_for(items: list[ReminderItem], today: date, people: list[Recipient] = [SAM, LEAD, ADMIN],
              teams: list[Team] = [TEAM], name: str = "Sam Patel") -> list[tuple[str, Reason, str]]:
    result = build_pass(items, people, teams, today, calendars)
    message = result.messages.get(name)
    return [(line.item.ref, line.reason, line.detail) for line in message.lines] if message else []


# Monday 23 Nov 2026 .. Friday 4 Dec 2026 in England: no bank holidays.
@pytest.mark.parametrize(("today", "due", "expected"), [
    pytest.param(date(2026, 11, 23), date(2026, 12, 2), (Reason.DUE_SOON, "due in 7 working days"), id="7-working-days-before"),
    pytest.param(date(2026, 12, 1), date(2026, 12, 2), (Reason.DUE_SOON, "due in 1 working day"), id="1-working-day-before"),
    pytest.param(date(2026, 12, 2), date(2026, 12, 2), (Reason.DUE_TODAY, "due today"), id="due-today"),
    pytest.param(date(2026, 12, 4), date(2026, 12, 5), (Reason.DUE_TODAY, "due Saturday"), id="due-on-saturday-told-friday"),
    pytest.param(date(2026, 12, 3), date(2026, 12, 2), (Reason.OVERDUE, "overdue by 1 working day"), id="first-day-overdue"),
    pytest.param(date(2026, 11, 30), date(2026, 11, 18), (Reason.OVERDUE, "overdue by 8 working days"), id="weekly-on-monday"),
    pytest.param(date(2026, 11, 24), date(2026, 12, 2), None, id="six-days-before-nothing"),
    pytest.param(date(2026, 11, 26), date(2026, 11, 18), None, id="overdue-midweek-quiet"),
])
def test_what_is_sent_when(today: date, due: date, expected: tuple[Reason, str] | None) -> None:
    found = lines_for([item(due=due)], today)
    assert found == ([("AP2.5.1", *expected)] if expected else [])


def test_nothing_is_sent_at_weekends() -> None:
    assert lines_for([item(due=date(2026, 11, 28))], date(2026, 11, 28)) == []


def test_one_message_per_person_most_urgent_first_and_nothing_when_nothing_is_due() -> None:
    today = date(2026, 11, 30)  # a Monday
    items = [item("AP1", due=date(2026, 12, 9)), item("AP2", due=date(2026, 11, 30)),
             item("AP3", due=date(2026, 11, 2)), item("AP4", due=date(2026, 11, 20)),
             item("AP5", due=None, updated=date(2026, 10, 1)), item("AP6", due=date(2027, 6, 1))]
    found = lines_for(items, today)
    assert [ref for ref, _, _ in found] == ["AP3", "AP4", "AP2", "AP1", "AP5"]
    assert found[-1][2] == "update please: no update for 60 days"
    assert lines_for([item("AP6", due=date(2027, 6, 1))], today) == []


def test_a_teams_action_goes_to_its_lead_or_to_every_member() -> None:
    today = date(2026, 12, 2)
    action = item(due=today, owner="Commissioning Team")
    assert lines_for([action], today, name="Lee Hart")
    assert not lines_for([action], today, name="Sam Patel")
    everyone = Team("Commissioning Team", remind_all=True)
    assert lines_for([action], today, teams=[everyone], name="Sam Patel")
    assert lines_for([action], today, teams=[everyone], name="Lee Hart")


@pytest.mark.parametrize(("owner", "people", "teams", "why"), [
    pytest.param("", [SAM], [], "it has no Responsibility", id="no-owner"),
    pytest.param("Service Manager", [SAM], [], "'Service Manager' names no known person or team", id="unknown-role"),
    pytest.param("Commissioning Team", [SAM], [], "team Commissioning Team has no lead", id="team-without-lead"),
    pytest.param("Sam Patel", [Recipient("Sam Patel", channel="none")], [], "reminders are off", id="reminders-off"),
    pytest.param("Sam Patel", [Recipient("Sam Patel", channel="slack", unreachable="no Slack user id is known")], [],
                 "no Slack user id is known", id="no-slack-id"),
    pytest.param("Sam Patel", [Recipient("Sam Patel", channel="email", leave=(Leave(date(2026, 11, 1), date(2026, 12, 31)),))],
                 [], "on leave until 31 Dec 2026 with no cover", id="on-leave-no-cover"),
])
def test_reminders_that_would_reach_nobody_say_why(owner: str, people: list[Recipient], teams: list[Team],
                                                   why: str) -> None:
    result = build_pass([item(due=date(2026, 12, 2), owner=owner)], people, teams, date(2026, 12, 2), calendars)
    assert [u.item.ref for u in result.unreached] == ["AP2.5.1"]
    assert why in result.unreached[0].why


def test_leave_pauses_reminders_or_sends_them_to_the_cover() -> None:
    today = date(2026, 12, 2)
    away = Recipient("Sam Patel", channel="email", leave=(Leave(date(2026, 12, 1), date(2026, 12, 12)),))
    covered = Recipient("Sam Patel", channel="email", leave=(Leave(date(2026, 12, 1), date(2026, 12, 12), "Lee Hart"),))
    action = item(due=today)
    assert build_pass([action], [away, LEAD], [], today, calendars).messages == {}
    message = build_pass([action], [covered, LEAD], [], today, calendars).messages["Lee Hart"]
    assert message.lines[0].covering_for == "Sam Patel"
    assert "(covering for Sam Patel)" in message_text(message, LEAD)
    # The day after the leave, Sam is reminded again.
    back = build_pass([item(due=date(2026, 12, 14))], [covered, LEAD], [], date(2026, 12, 14), calendars)
    assert list(back.messages) == ["Sam Patel"]


def test_a_snooze_silences_one_item_for_one_person_until_its_day() -> None:
    snoozed = Recipient("Sam Patel", channel="email", snoozed={item().key: date(2026, 12, 14)})
    assert lines_for([item(due=date(2026, 12, 2))], date(2026, 12, 2), people=[snoozed]) == []
    assert lines_for([item("AP9", due=date(2026, 12, 2))], date(2026, 12, 2), people=[snoozed])
    assert lines_for([item(due=date(2026, 12, 2))], date(2026, 12, 14), people=[snoozed])


def test_escalation_goes_weekly_to_the_team_lead_and_admins_after_ten_working_days() -> None:
    overdue = item(due=date(2026, 11, 13), owner="Sam Patel")  # 11 working days before Mon 30 Nov
    result = build_pass([overdue], [SAM, LEAD, ADMIN], [TEAM], date(2026, 11, 30), calendars,
                        reminded={overdue.key: (("Sam Patel", date(2026, 11, 23)),)})
    for name in ("Lee Hart", "Ann Admin"):
        (line,) = result.messages[name].escalations
        assert line.overdue_days == 11
        assert "reminded: Sam Patel on 23 Nov" in message_text(result.messages[name], ADMIN)
    assert result.messages["Sam Patel"].escalations == ()
    ten = item(due=date(2026, 11, 16))  # exactly 10 working days: not yet
    quiet = build_pass([ten], [SAM, LEAD, ADMIN], [TEAM], date(2026, 11, 30), calendars).messages
    assert "Ann Admin" not in quiet and "Lee Hart" not in quiet


def test_safeguarding_items_show_by_reference_only_except_to_the_safeguarding_role() -> None:
    secret = item("PQ-2026-0007", due=date(2026, 12, 2), restricted=True, kind=ItemKind.LOG_ACTION)
    plain = Recipient("Sam Patel", channel="email")
    cleared = Recipient("Sam Patel", channel="email", roles_extra=("safeguarding",))
    for person, shows in ((plain, False), (cleared, True)):
        message = build_pass([secret], [person], [], date(2026, 12, 2), calendars).messages["Sam Patel"]
        text = message_text(message, person)
        assert "PQ-2026-0007" in text
        assert ("Title of PQ-2026-0007" in text) is shows
        assert ("contracts drafted" in text) is shows


# --- bank holidays and daylight saving ---------------------------------------------------------


def test_st_andrews_day_moves_a_scottish_teams_weekly_reminder_to_tuesday() -> None:
    scots = Team("Commissioning Team", lead="Lee Hart", nation="scotland")
    overdue = item(due=date(2026, 11, 2))
    monday, tuesday = date(2026, 11, 30), date(2026, 12, 1)  # 30 Nov 2026: St Andrew's Day, a Monday
    assert lines_for([overdue], monday, teams=[scots]) == []
    assert [r for _, r, _ in lines_for([overdue], tuesday, teams=[scots])] == [Reason.OVERDUE]
    # In England the Monday is a working day and Tuesday is quiet.
    assert lines_for([overdue], monday)
    assert lines_for([overdue], tuesday) == []


def test_st_andrews_day_is_not_a_working_day_when_counting_for_scotland() -> None:
    scots = Team("Commissioning Team", lead="Lee Hart", nation="scotland")
    # Due Thu 3 Dec: 1 working day before is Wed 2 Dec; 7 working days before skips St Andrew's Day.
    due = item(due=date(2026, 12, 3))
    assert lines_for([due], date(2026, 11, 23), teams=[scots]) == [("AP2.5.1", Reason.DUE_SOON, "due in 7 working days")]
    assert lines_for([due], date(2026, 11, 24)) == [("AP2.5.1", Reason.DUE_SOON, "due in 7 working days")]


def test_easter_monday_moves_the_weekly_reminder_in_england_but_not_in_scotland() -> None:
    overdue = item(due=date(2027, 3, 1))
    easter_monday, tuesday = date(2027, 3, 29), date(2027, 3, 30)
    assert lines_for([overdue], easter_monday) == []
    assert [r for _, r, _ in lines_for([overdue], tuesday)] == [Reason.OVERDUE]
    scots = Team("Commissioning Team", lead="Lee Hart", nation="scotland")
    assert lines_for([overdue], easter_monday, teams=[scots])


def test_due_the_day_after_good_friday_counts_working_days_round_the_holiday() -> None:
    # Due Tue 30 Mar 2027: one working day before is Thu 25 Mar (Good Friday and Easter Monday off).
    assert lines_for([item(due=date(2027, 3, 30))], date(2027, 3, 25)) == [
        ("AP2.5.1", Reason.DUE_SOON, "due in 1 working day")]


@pytest.mark.parametrize(("day", "utc_hour"), [
    pytest.param(date(2026, 3, 27), 9, id="friday-before-clocks-go-forward-GMT"),
    pytest.param(date(2026, 3, 30), 8, id="monday-after-BST"),
    pytest.param(date(2026, 10, 23), 8, id="friday-before-clocks-go-back-BST"),
    pytest.param(date(2026, 10, 26), 9, id="monday-after-GMT"),
])
def test_the_send_time_is_0900_london_time_through_the_dst_weeks(day: date, utc_hour: int) -> None:
    assert send_time_utc(day, "Europe/London", ReminderSettings()) == datetime(day.year, day.month, day.day, utc_hour,
                                                                                tzinfo=timezone.utc)


def test_a_person_in_another_zone_gets_theirs_at_0900_their_time() -> None:
    config = ReminderSettings()
    assert [d for d, _ in due_days("Europe/London", datetime(2026, 3, 30, 8, 5, tzinfo=timezone.utc), config)] \
        == [date(2026, 3, 30)]
    assert due_days("America/New_York", datetime(2026, 3, 30, 8, 5, tzinfo=timezone.utc), config) == []
    assert [d for d, _ in due_days("America/New_York", datetime(2026, 3, 30, 13, 5, tzinfo=timezone.utc), config)] \
        == [date(2026, 3, 30)]


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("starts", "ends", "message"), [
    pytest.param(date(2026, 11, 30), date(2026, 11, 1), "in the past", id="leave-in-the-past"),
    pytest.param(date(2026, 12, 10), date(2026, 12, 5), "cannot end", id="leave-ends-before-it-starts"),
    pytest.param(date(2026, 11, 30), date(2028, 1, 1), "longer than a year", id="leave-over-a-year"),
])
def test_leave_that_cannot_be_recorded(starts: date, ends: date, message: str) -> None:
    with pytest.raises(ReminderInputError, match=message):
        check_leave(starts, ends, date(2026, 11, 30))


@pytest.mark.parametrize(("days", "until", "message"), [
    pytest.param(400, None, "at most a year", id="snooze-over-a-year"),
    pytest.param(None, date(2026, 11, 1), "not in the future", id="snooze-into-the-past"),
])
def test_snoozes_that_cannot_be_recorded(days: int | None, until: date | None, message: str) -> None:
    with pytest.raises(ReminderInputError, match=message):
        snooze_until(date(2026, 11, 30), days=days, until=until)


def test_rules_read_from_the_reminders_section() -> None:
    config = ReminderSettings.from_extra({"reminders": {"due_soon": [10, 3], "reminder_day": "wednesday",
                                                        "stale_days": 14}})
    assert config.rules == ReminderRules(due_soon=(10, 3), stale_days=14, reminder_day=2)


def test_a_long_list_shows_the_most_urgent_and_counts_the_rest() -> None:
    """25 items need Sam on Monday 30 Nov: 20 are listed (each with its buttons), overdue first,
    and the message says how many more there are and where to see them."""
    today = date(2026, 11, 30)
    overdue = [item(f"AP1.{n}", due=date(2026, 11, 2)) for n in range(1, 16)]
    stale = [item(f"AP2.{n}", due=None, updated=date(2026, 10, 1)) for n in range(1, 11)]
    message = build_pass(stale + overdue, [SAM, LEAD, ADMIN], [TEAM], today, calendars).messages["Sam Patel"]
    assert len(message.lines) == 20 and message.more == 5
    assert [line.reason for line in message.lines[:15]] == [Reason.OVERDUE] * 15  # the five cut are update requests
    text = message_text(message, SAM).split("\n")
    assert text[0].startswith("Good morning Sam: 25 items need you today") and "the 20 most urgent are listed" in text[0]
    assert text[21] == "…and 5 more of yours, less urgent than these: ask me `mine` for the whole list."
    few = build_pass(overdue[:3], [SAM], [], today, calendars, ReminderRules(max_items=2)).messages["Sam Patel"]
    assert [line.item.ref for line in few.lines] == ["AP1.1", "AP1.2"] and few.more == 1


@pytest.mark.parametrize("value", [0, 21, "20", True, 2.5])
def test_max_items_out_of_range_is_refused_with_a_sentence(value: object) -> None:
    with pytest.raises(ValueError, match=r"\[reminders\] max_items must be a whole number from 1 to 20"):
        ReminderSettings.from_extra({"reminders": {"max_items": value}})
    assert ReminderSettings.from_extra({"reminders": {"max_items": 5}}).rules.max_items == 5
