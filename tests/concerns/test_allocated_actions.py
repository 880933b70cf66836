"""Allocated actions with a lifecycle (`PQ-2026-0001/1 done`, reopen, due, owner), closing with
open actions, reopening, timescales and what is due, from chat (the console handler)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.channels.slack.home import home_view
from bot.domain.concerns import Provider
from tests.conftest import TestBot, make_testbot


def _state(bot: TestBot, reference: str):  # type: ignore[no-untyped-def]
    with bot.runtime.new_uow() as uow:
        return uow.concerns.get(reference)


def test_an_action_is_numbered_done_reopened_redated_and_reassigned(logbot: TestBot) -> None:
    logbot.ok("concern Acme Care: missed calls on Tuesday")
    reply = logbot.ok("PQ-2026-0001 action chase rota @sam by Friday")
    assert reply.text.startswith("PQ-2026-0001/1: action for Sam Patel by 4 Dec 2026: chase rota.")
    logbot.ok("PQ-2026-0001 action check the rota software @Fiona by 11/12/2026")
    assert "now due 15 Dec 2026 (was 4 Dec 2026)" in logbot.ok("PQ-2026-0001/1 due 15/12/2026").text
    assert "now owned by Contracts (was Sam Patel)" in logbot.ok("PQ-2026-0001/1 owner contracts").text
    done = logbot.ok("PQ-2026-0001/2 done vendor called back").text
    assert done.startswith("PQ-2026-0001/2 done: check the rota software. 1 action still open")
    assert "already done" in logbot.refused("PQ-2026-0001 action 2 done").text
    logbot.ok("PQ-2026-0001/2 reopen")
    shown = logbot.ok("PQ-2026-0001").text
    assert "PQ-2026-0001/1 chase rota — Contracts by 15 Dec 2026" in shown
    assert "PQ-2026-0001/2 check the rota software — Fiona Grant by 11 Dec 2026" in shown
    assert [a.done for a in _state(logbot, "PQ-2026-0001").actions] == [False, False]


@pytest.mark.parametrize("text, says", [
    ("PQ-2026-0001 action chase rota @Fion by Friday", "I don't know a person or team called 'Fion'. Did you mean "
                                                       "Fiona Grant?"),
    ("PQ-2026-0001 action chase rota @Zebedee by Friday", "Known people: "),
    ("PQ-2026-0001 action chase rota @sam by 1/11/2026", "1 Nov 2026 is in the past"),
    ("PQ-2026-0001/1 due 1/11/2026", "1 Nov 2026 is in the past"),
    ("PQ-2026-0001/1 owner Fion", "Did you mean Fiona Grant?"),
    ("PQ-2026-0001/3 done", "There is no action PQ-2026-0001/3: PQ-2026-0001 has 1 allocated action"),
    ("PQ-2026-0099/1 done", "There is no entry PQ-2026-0099"),
    ("PQ-2026-0001 close all sorted", "has 1 open action (PQ-2026-0001/1)"),
    ("PQ-2026-0001/1 done", "viewer role"),
])
def test_bad_input_is_one_sentence_and_changes_nothing(logbot: TestBot, text: str, says: str) -> None:
    logbot.ok("concern Acme Care: missed calls on Tuesday")
    logbot.ok("PQ-2026-0001 action chase rota @sam by Friday")
    before = _state(logbot, "PQ-2026-0001")
    who = "Val Viewer" if "viewer" in says else "Console Admin"
    assert says in logbot.refused(text, as_person=who).text
    assert _state(logbot, "PQ-2026-0001") == before


def test_close_asks_for_close_anyway_and_an_entry_can_be_reopened(logbot: TestBot) -> None:
    logbot.ok("concern Acme Care: missed calls")
    logbot.ok("PQ-2026-0001 action chase rota @sam by Friday")
    asked = logbot.refused("PQ-2026-0001 close rota fixed").text
    assert "`PQ-2026-0001 close anyway rota fixed`" in asked and "Nothing was changed" in asked
    closed = logbot.ok("PQ-2026-0001 close anyway rota fixed").text
    assert "→ closed (1 action left open)" in closed and "`PQ-2026-0001 reopen`" in closed
    assert "PQ-2026-0001/1" not in logbot.ok("mine", as_person="Sam Patel").text, "a closed entry's actions go"
    assert logbot.ok("PQ-2026-0001 reopen more missed calls").text == "PQ-2026-0001: closed → in progress."
    assert "is not closed" in logbot.refused("PQ-2026-0001 reopen").text
    assert "PQ-2026-0001/1" in logbot.ok("mine", as_person="Sam Patel").text


def test_log_actions_are_in_mine_and_the_slack_app_home_confidential_ones_by_reference(logbot: TestBot) -> None:
    logbot.ok("concern Acme Care: missed calls")
    logbot.ok("PQ-2026-0001 action chase rota @Contracts by Friday")
    logbot.ok("safeguarding Acme Care: unexplained bruising on Mr Example", as_person="Jo Reid")
    logbot.ok("PQ-2026-0002 action strategy meeting @Fiona Grant by tomorrow", as_person="Jo Reid")
    mine = logbot.ok("mine", as_person="Fiona Grant")
    assert "Log actions (2):" in mine.text
    assert "PQ-2026-0001/1 [Acme Care (proposed)] chase rota — Contracts, due 4 Dec 2026" in mine.text
    assert "PQ-2026-0002/1 (confidential), due 1 Dec 2026" in mine.text
    assert "strategy" not in mine.text and "bruising" not in mine.text and not mine.private
    home = str(home_view(mine, "UFIONA"))
    assert "PQ-2026-0001/1" in home and "PQ-2026-0002/1 (confidential)" in home and "strategy" not in home


def test_overdue_and_due_this_week(logbot: TestBot, tmp_path: Path) -> None:
    logbot.ok("concern Acme Care: missed calls")
    logbot.ok("PQ-2026-0001 action chase rota @sam by Friday")
    logbot.ok("PQ-2026-0001 action audit @sam by 31/12/2026")
    assert logbot.ok("concerns overdue").text == "Overdue in the log: none."
    week = logbot.ok("concerns due this week").text
    assert "PQ-2026-0001/1 [Acme Care (proposed)] chase rota — Sam Patel, due 4 Dec 2026" in week and "audit" not in week
    later = make_testbot(tmp_path, today=date(2026, 12, 15))  # the same database, two weeks on
    try:
        overdue = later.ok("concerns overdue").text
    finally:
        later.runtime.close()
    assert "PQ-2026-0001/1 [Acme Care (proposed)] chase rota — Sam Patel — overdue since 4 Dec 2026" in overdue
    assert "PQ-2026-0001 [alert] Acme Care (proposed): respond — overdue since 7 Dec 2026" in overdue


def test_acknowledged_responded_stage_and_the_share_met(logbot: TestBot) -> None:
    logbot.ok("complaint Acme Care: family not told of the visit change")
    assert "respond within 20 working days" in logbot.ok("PQ-2026-0001 stage 2").text
    assert logbot.ok("PQ-2026-0001 responded letter sent").text == (
        "PQ-2026-0001 responded today, within its timescale.")
    logbot.ok("concern Acme Care: missed calls")
    assert "only complaints have stages" in logbot.refused("PQ-2026-0002 stage 2").text
    shares = logbot.ok("concerns timescales").text
    assert "Acme Care: 3 of 3 met (100%)" in shares and "complaint: 2 of 2 met (100%)" in shares


def test_due_views_show_confidential_actions_in_full_only_to_the_role_privately(logbot: TestBot) -> None:
    logbot.ok("safeguarding Acme Care: unexplained bruising on Mr Example", as_person="Jo Reid")
    logbot.ok("PQ-2026-0001 action strategy meeting @Jo Reid by Wednesday", as_person="Jo Reid")
    others = logbot.ok("concerns due this week", as_person="Sam Patel")
    assert "PQ-2026-0001/1 (confidential), due 2 Dec 2026" in others.text
    assert "strategy" not in others.text and "Acme" not in others.text and not others.private
    role = logbot.ok("concerns due this week", as_person="Jo Reid")
    assert "PQ-2026-0001/1 [Acme Care (proposed)] strategy meeting — Jo Reid, due 2 Dec 2026" in role.text
    assert role.private
    assert "Flagged for same-day triage" in logbot.ok("safeguarding Acme: neglect", as_person="Jo Reid").text


def test_due_views_list_monitoring_visits_and_meetings_too(logbot: TestBot) -> None:
    """Registered on 15 Oct 2026 with no activity recorded: the monthly call-monitoring review
    fell due on 15 Nov (overdue on 30 Nov); nothing else is due before 2027."""
    with logbot.runtime.new_uow() as uow:
        uow.providers.add(Provider("Acme Care", officer="Sam Patel", registered_on=date(2026, 10, 15)))
        uow.commit()
    overdue = logbot.ok("concerns overdue").text
    assert "Acme Care: call-monitoring review (Sam Patel) — overdue since 15 Nov 2026" in overdue
    assert "monitoring visit" not in overdue and "forum" not in overdue
    logbot.ok("provider Acme call monitoring done 30/11/2026 - 12 late calls reviewed")
    assert logbot.ok("concerns overdue").text == "Overdue in the log: none."
    with logbot.runtime.new_uow() as uow:  # a forum due this week shows under "due this week"
        uow.providers.add(Provider("Brook House", registered_on=date(2026, 9, 2)))
        uow.commit()
    week = logbot.ok("concerns due this week").text
    assert "Brook House: provider forum (no officer allocated) — due 2 Dec 2026" in week


def test_a_proposed_name_lists_its_entries_before_it_is_registered(logbot: TestBot) -> None:
    logbot.ok("concern Brightwell Homecare: missed calls")
    logbot.ok("concern Oakwood Care Home: staffing")
    listing = logbot.ok("concerns Brightwell").text
    assert "PQ-2026-0001 [alert] Brightwell Homecare (proposed): missed calls" in listing and "Oakwood" not in listing


def test_mine_shows_at_most_twenty_log_actions_and_says_how_many_more(logbot: TestBot) -> None:
    logbot.ok("concern Acme Care: missed calls")
    for n in range(25):
        logbot.ok(f"PQ-2026-0001 action step {n} @sam by Friday")
    text = logbot.ok("mine", as_person="Sam Patel").text
    assert "Log actions (25):" in text and "…and 5 more" in text
    assert sum(1 for line in text.splitlines() if line.startswith("PQ-2026-0001/")) == 20


def test_a_team_registered_for_reminders_is_a_known_owner(logbot: TestBot) -> None:
    with logbot.runtime.new_uow() as uow:
        uow.reminders.set_team("Brokerage Team")
        uow.commit()
    logbot.ok("concern Acme Care: missed calls")
    assert "action for Brokerage Team" in logbot.ok("PQ-2026-0001 action cover the rota @Brokerage Team by Friday").text
    assert "Did you mean Brokerage Team?" in logbot.refused("PQ-2026-0001/1 owner Brokerage").text
