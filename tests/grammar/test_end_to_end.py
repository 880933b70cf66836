"""The same messages through the whole bot (parse, resolve, plan, write, reply) on the
example plan, on Friday 27 November 2026."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from bot.domain.model import State
from tests.conftest import TestBot, make_testbot

TODAY = date(2026, 11, 27)  # a Friday


@pytest.fixture
def bot(tmp_path: Path) -> Iterator[TestBot]:
    testbot = make_testbot(tmp_path, today=TODAY)
    yield testbot
    testbot.runtime.close()


@pytest.mark.parametrize("typed", ["Ap 2.9.1a 60%", "ap-2.9.1a 60%", "(AP2.9.1A) 60%", "AP 2.9.1a: 60%",
                                   "hscm comm ap2.9.1a 60%".upper(), "*ap 2.9.1a* now 60% \U0001f44d"],
                         ids=["space-mixed", "dash-lower", "brackets-capital", "space-colon", "full-capitals",
                              "bold-emoji"])
def test_codes_as_typed_update_the_action_shown_in_canonical_form(bot: TestBot, typed: str) -> None:
    reply = bot.ok(typed)
    assert "AP2.9.1a: progress 50% → 60%" in reply.text
    action = bot.action("AP2.9.1a")
    assert action.progress == 60 and action.latest_update == "progress 50% → 60%"


@pytest.mark.parametrize("text", ["AP2.2.3b 70% AP2.9.1a 55%", "AP2.2.3b now 70% ap 2.9.1a 55",
                                  "AP2.2.3b 70% - on track AP2.9.1a 55%"], ids=["plain", "lower-bare", "with-note"])
def test_run_on_updates_apply_each_and_store_no_code_as_a_note(bot: TestBot, text: str) -> None:
    reply = bot.ok(text)
    assert "AP2.2.3b: progress 50% → 70%" in reply.text and "AP2.9.1a: progress 50% → 55%" in reply.text
    first = bot.action("AP2.2.3b")
    assert first.progress == 70 and "AP2.9.1a" not in (first.latest_update or "")
    assert bot.action("AP2.9.1a").progress == 55


@pytest.mark.parametrize(("text", "already"), [
    ("AP2.9.1a 50%, AP2.2.3b 70%", "AP2.9.1a is already 50%"),
    ("AP2.2.3b 70% AP2.9.1a 50%", "AP2.9.1a is already 50%"),
    ("AP2.4.1 done\nAP2.2.3b 70%", "AP2.4.1 is already 100% and completed"),
    ("AP2.5.4b 70%; AP2.2.3b 70%; AP2.2.3b 70%", "AP2.2.3b is already 70%"),
], ids=["progress-same", "run-on", "done-twice", "same-update-twice"])
def test_an_update_that_changes_nothing_is_reported_and_the_rest_apply(bot: TestBot, text: str, already: str) -> None:
    reply = bot.ok(text)
    assert already in reply.text
    assert bot.action("AP2.2.3b").progress == 70


@pytest.mark.parametrize("text", ["AP2.9.1a 50%, AP2.2.3b 70%, AP9.9.9 10%", "AP2.9.1a 50%\nAP2.2.3b 140%",
                                  "AP2.2.3b 70% AP2.4.2a done 12/12/2026"],
                         ids=["unknown-code", "out-of-range", "future-completion"])
def test_a_real_error_still_refuses_the_whole_message(bot: TestBot, text: str) -> None:
    reply = bot.refused(text)
    assert "Nothing was changed" in reply.text or "nothing was changed" in reply.text or "after today" in reply.text
    assert bot.action("AP2.2.3b").progress == 50 and bot.action("AP2.2.3b").latest_update != "progress 50% → 70%"


@pytest.mark.parametrize("text", ["AP2.9.1a 50%", "AP2.9.1a 50%, AP2.4.1 done"], ids=["single", "all-same"])
def test_updates_that_all_change_nothing_are_refused_as_already(bot: TestBot, text: str) -> None:
    before = bot.history("AP2.9.1a")
    assert "is already" in bot.refused(text).text
    assert len(bot.history("AP2.9.1a")) == len(before)


@pytest.mark.parametrize(("text", "code"), [("AP2.5.1 65%.", "AP2.5.1"), ("AP2.2.2c done!", "AP2.2.2c"),
                                            ("AP2.2.2c done \u2705", "AP2.2.2c"), ("AP2.5.1 complete.", "AP2.5.1"),
                                            ("AP2.5.1 signed off \U0001f389", "AP2.5.1")],
                         ids=["percent-stop", "done-bang", "done-emoji", "complete-stop", "signed-off-emoji"])
def test_punctuation_is_not_stored_as_the_update(bot: TestBot, text: str, code: str) -> None:
    reply = bot.ok(text)
    assert "Update:" not in reply.text
    latest = bot.action(code).latest_update or ""
    assert any(ch.isalnum() for ch in latest)
    assert bot.history(code)[0].note is None


@pytest.mark.parametrize(("text", "day", "shown"), [
    ("AP2.4.2a done 12/11/2026", date(2026, 11, 12), "completed Thu 12 Nov 2026"),
    ("AP2.4.2a completed on Friday", TODAY, "completed Fri 27 Nov 2026"),
    ("AP2.4.2a finished on Monday - minuted", date(2026, 11, 23), "completed Mon 23 Nov 2026"),
    ("ap 2.4.2a closed yesterday", date(2026, 11, 26), "completed Thu 26 Nov 2026"),
], ids=["numeric", "friday-on-friday", "monday-with-note", "yesterday"])
def test_a_completion_date_is_recorded_and_shown_with_its_weekday(bot: TestBot, text: str, day: date,
                                                                  shown: str) -> None:
    reply = bot.ok(text)
    assert shown in reply.text
    action = bot.action("AP2.4.2a")
    assert action.state is State.COMPLETED and action.completed_on == day and action.progress == 100


def test_a_completed_action_can_be_given_its_real_completion_date(bot: TestBot) -> None:
    bot.ok("AP2.4.2a done")
    bot.ok("AP2.4.2a done 20/11/2026")
    assert bot.action("AP2.4.2a").completed_on == date(2026, 11, 20)


def test_a_future_completion_date_is_refused_and_nothing_changes(bot: TestBot) -> None:
    reply = bot.refused("AP2.4.2a done 12/12/2026")
    assert "after today" in reply.text and "`AP2.4.2a due 12/12/2026`" in reply.text
    assert bot.action("AP2.4.2a").state is not State.COMPLETED


def test_reopened_and_on_hold(bot: TestBot) -> None:
    bot.ok("AP2.4.1 reopened - audit found gaps")
    action = bot.action("AP2.4.1")
    assert action.state is State.IN_PROGRESS and action.completed_on is None
    assert "nothing to reopen" in bot.refused("AP2.4.1 reopened").text
    bot.ok("AP2.4.2a on hold - awaiting funding")
    held = bot.action("AP2.4.2a")
    assert held.latest_update == "on hold - awaiting funding" and held.progress == 50


@pytest.mark.parametrize(("text", "due", "says"), [
    ("AP2.5.4b due year end", date(2027, 3, 31),
     ["due Fri 28 Feb 2025 → Wed 31 Mar 2027", "taken as the financial year end", "\"due 31/12/2026\""]),
    ("AP2.5.4b due Q4 2026", date(2027, 3, 31), ["Wed 31 Mar 2027", "calendar Q4 2026"]),
    ("AP2.5.4b due w/c 14/12", date(2026, 12, 18), ["→ Fri 18 Dec 2026", "Friday of the week commencing"]),
    ("AP2.5.4b due FY26/27", date(2027, 3, 31), ["→ Wed 31 Mar 2027"]),
    ("AP2.5.4b due Q2 26/27", date(2026, 9, 30), ["→ Wed 30 Sep 2026"]),
    ("AP2.5.4b due end of Q3", date(2026, 12, 31), ["→ Thu 31 Dec 2026"]),
    ("AP2.5.4b due EOM", date(2026, 11, 30), ["→ Mon 30 Nov 2026"]),
    ("AP2.5.4b due this Friday", TODAY, ["→ Fri 27 Nov 2026"]),
    ("AP2.5.4b due Friday week", date(2026, 12, 4), ["→ Fri 4 Dec 2026"]),
    ("AP2.5.4b due by Christmas", date(2026, 12, 25), ["→ Fri 25 Dec 2026", "Christmas Day"]),
    ("AP2.5.4b due before Easter", date(2027, 3, 25), ["→ Thu 25 Mar 2027", "day before Good Friday"]),
    ("AP2.5.4b due 2026-27 - moved by board", date(2027, 3, 31), ["→ Wed 31 Mar 2027", "Update: moved by board"]),
    ("AP2.5.4b due next Monday", date(2026, 11, 30),
     ["→ Mon 30 Nov 2026", "\"next Monday\" taken as the coming Monday", "\"due Monday week\""]),
], ids=["year-end", "q4-2026", "wc", "fy", "quarter", "end-of-q3", "eom", "this-friday", "friday-week",
        "christmas", "easter", "fy-dash-note", "next-monday"])
def test_due_dates_set_and_replied_with_weekday_and_reading(bot: TestBot, text: str, due: date,
                                                           says: list[str]) -> None:
    reply = bot.ok(text)
    for part in says:
        assert part in reply.text, reply.text
    assert bot.action("AP2.5.4b").due_date == due


def test_rich_channels_show_the_notes_and_weekdays(bot: TestBot) -> None:
    from bot.channels.slack.blocks import reply_blocks
    from bot.channels.teams.cards import reply_card

    reply = bot.ok("AP2.9.1a 50%, AP2.5.4b due year end")
    assert any("AP2.9.1a is already 50%" in n for n in reply.notes)
    assert any("taken as the financial year end" in n for n in reply.notes)
    slack = str(reply_blocks(reply))
    teams = str(reply_card(reply))
    for shown in (slack, teams):
        assert "AP2.9.1a is already 50%" in shown and "financial year end" in shown and "Wed 31 Mar 2027" in shown
