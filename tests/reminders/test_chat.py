"""Leave, snoozes and "not mine" said in chat: each a record, bad input refused with a sentence."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.domain.model import Role
from tests.conftest import TestBot


@pytest.fixture
def people(testbot: TestBot) -> TestBot:
    testbot.add_person("Sam Patel", team="Commissioning Team")
    testbot.add_person("Lee Hart", team="Commissioning Team")
    testbot.add_person("Ann Admin", role=Role.ADMIN)
    with testbot.runtime.new_uow() as uow:
        uow.reminders.set_team("Commissioning Team", lead="Lee Hart")
        uow.commit()
    return testbot


def _leave(bot: TestBot, name: str) -> list[object]:
    with bot.runtime.new_uow() as uow:
        person = uow.people.get(name)
        return uow.reminders.leave_from(bot.runtime.clock.today(), person.id).get(person.id, [])


def _snoozes(bot: TestBot, name: str) -> dict[str, date]:
    with bot.runtime.new_uow() as uow:
        person = uow.people.get(name)
        return uow.reminders.snoozes(bot.runtime.clock.today()).get(person.id, {})


def test_leave_with_a_cover_is_recorded_and_im_back_ends_it(people: TestBot) -> None:
    today = people.runtime.clock.today()
    reply = people.ok("away until 12/12 cover Lee Hart", as_person="Sam Patel")
    assert "your reminders go to Lee Hart" in reply.text
    (spell,) = _leave(people, "Sam Patel")
    assert spell.cover == "Lee Hart" and spell.starts == today and (spell.ends.month, spell.ends.day) == (12, 12)
    assert "start again today" in people.ok("I'm back", as_person="Sam Patel").text
    assert _leave(people, "Sam Patel") == []
    with people.runtime.engine.connect() as connection:  # the record is kept, ended
        from sqlalchemy import text
        rows = connection.execute(text("SELECT ended_on FROM leave")).all()
    assert [str(r[0]) for r in rows] == [today.isoformat()]


def test_leave_without_cover_pauses(people: TestBot) -> None:
    assert "paused" in people.ok("I'm on leave until 12 December", as_person="Sam Patel").text
    assert _leave(people, "Sam Patel")[0].cover is None


@pytest.mark.parametrize(("text", "says"), [
    pytest.param("I'm on leave until 12/12/2020", "in the past", id="leave-in-the-past"),
    pytest.param("away until 12/12 cover Nobody Known", "I don't know anyone called Nobody Known", id="unknown-cover"),
    pytest.param("away until 12/12 cover Sam Patel", "can't cover for yourself", id="self-cover"),
    pytest.param("I'm on leave until someday", "couldn't read", id="unreadable-date"),
    pytest.param("AP2.5.1 snooze 2 years", "at most a year", id="snooze-over-a-year"),
    pytest.param("AP2.5.1 snooze 400 days", "at most a year", id="snooze-400-days"),
    pytest.param("snooze until 15 Dec", "Say which action", id="snooze-without-a-code"),
    pytest.param("AP9.9.9 snooze 1 week", "can't find an action", id="snooze-unknown-action"),
])
def test_bad_leave_and_snoozes_change_nothing(people: TestBot, text: str, says: str) -> None:
    reply = people.refused(text, as_person="Sam Patel")
    assert says in reply.text
    assert len(reply.text.split(". ")) <= 3
    assert _leave(people, "Sam Patel") == [] and _snoozes(people, "Sam Patel") == {}


def test_a_snooze_is_kept_for_the_asker(people: TestBot) -> None:
    today = people.runtime.clock.today()
    reply = people.ok("AP2.5.1 snooze 2 weeks", as_person="Sam Patel")
    assert "Snoozed HSCM COMM AP2.5.1" in reply.text
    (until,) = _snoozes(people, "Sam Patel").values()
    assert until == today + timedelta(days=14)
    assert _snoozes(people, "Lee Hart") == {}


def test_not_mine_notes_the_history_and_tells_the_admins_and_the_lead(people: TestBot) -> None:
    reply = people.ok("AP2.5.1 not mine", as_person="Sam Patel")
    assert "I've told Ann Admin, Lee Hart" in reply.text
    assert any("not theirs" in (entry.note or "") for entry in people.history("AP2.5.1"))
    with people.runtime.new_uow() as uow:
        notices = uow.reminders.notices()
    assert sorted(n.person for n in notices) == ["Ann Admin", "Lee Hart"]
    assert all("`HSCM COMM AP2.5.1 owner NAME`" in n.text for n in notices)
    assert people.action("AP2.5.1").responsibility == "Commissioning Team"  # unchanged until reassigned


def test_unknown_people_cannot_set_leave(testbot: TestBot) -> None:
    assert "don't know who you are" in testbot.refused("I'm on leave until 12 December", as_person="Stranger").text


def test_help_reminders(testbot: TestBot) -> None:
    text = testbot.ok("help reminders").text
    for form in ("I'm on leave until 12 December", "AP2.5.1 snooze 2 weeks", "AP2.5.1 not mine", "I'm back",
                 "`2 40%`"):
        assert form in text
    assert "help reminders" in testbot.ok("help").text
