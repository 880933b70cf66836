"""The whole bot, driven by text as a person would type it, on the example plan (seed 000)
as of 27 September 2023, the day the Actions Report was generated."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.model import Role, State
from tests.conftest import TestBot


def test_progress_update_changes_the_action_and_reports_the_section_rollup(testbot: TestBot) -> None:
    reply = testbot.ok("AP2.5.1 now 40% six priority contracts signed")
    assert "AP2.5.1: progress 25% → 40%" in reply.text
    assert "Update: six priority contracts signed" in reply.text
    # 2.5 was (25+100+100+100+0)/5 = 65%; now (40+...)/5 = 68%
    assert "Section 2.5 Sample Testing: 68%" in reply.text
    action = testbot.action("AP2.5.1")
    assert action.progress == 40
    assert action.state is State.IN_PROGRESS
    assert action.latest_update == "six priority contracts signed"
    assert action.updated_by == "Console Admin"


def test_history_is_appended_never_overwritten(testbot: TestBot) -> None:
    testbot.ok("AP2.5.1 40% - first")
    testbot.ok("AP2.5.1 45% - second")
    entries = testbot.history("AP2.5.1")
    assert [e.note for e in entries[:2]] == ["second", "first"]
    assert entries[-1].kind == "import"
    newest = entries[0]
    assert newest.actor == "Console Admin" and newest.channel == "console"
    assert newest.source_ref and newest.source_ref.startswith("console:")
    assert ("progress", 40, 45) in [(c.field, c.old, c.new) for c in newest.changes]


def test_done_records_completion_date_and_lowering_reopens(testbot: TestBot) -> None:
    testbot.ok("AP2.4.2a done")
    action = testbot.action("AP2.4.2a")
    assert (action.progress, action.state, action.completed_on) == (100, State.COMPLETED, date(2023, 9, 27))
    reply = testbot.ok("AP2.4.2a 90% - one map still to review")
    action = testbot.action("AP2.4.2a")
    assert (action.progress, action.state, action.completed_on) == (90, State.IN_PROGRESS, None)
    assert "state completed → in progress" in reply.text


def test_out_of_range_progress_is_refused_with_the_current_value(testbot: TestBot) -> None:
    reply = testbot.refused("AP2.9.1a 140%")
    assert reply.text == "Progress must be 0–100%; AP2.9.1a is still 50%."
    assert testbot.action("AP2.9.1a").progress == 50


def test_several_updates_apply_all_or_nothing(testbot: TestBot) -> None:
    testbot.ok("AP2.2.2c 75%, AP2.4.2a 100%")
    assert testbot.action("AP2.2.2c").progress == 75
    assert testbot.action("AP2.4.2a").state is State.COMPLETED

    reply = testbot.refused("AP2.2.2c 80%; AP2.9.9 50%")
    assert "Nothing was changed" in reply.text and "AP2.9.9" in reply.text
    assert testbot.action("AP2.2.2c").progress == 75


def test_revised_due_date_keeps_the_original(testbot: TestBot) -> None:
    testbot.ok("AP2.5.4b due end of March")
    action = testbot.action("AP2.5.4b")
    assert action.due_date == date(2024, 3, 31)
    assert action.original_due_date == date(2025, 2, 28)
    testbot.ok("AP2.5.4b due 30/06/2025")
    action = testbot.action("AP2.5.4b")
    assert action.due_date == date(2025, 6, 30)
    assert action.original_due_date == date(2025, 2, 28)


@pytest.mark.parametrize(
    "text, field, expected",
    [
        ("AP2.5.1 owner Finance Team", "responsibility", "Finance Team"),
        ("AP2.5.4b started", "state", State.IN_PROGRESS),
        ("AP2.5.1 cancelled because superseded by the new framework", "state", State.CANCELLED),
        ("AP2.5.1 note waiting for Procurement", "latest_update", "waiting for Procurement"),
    ],
    ids=["owner", "started", "cancelled", "note"],
)
def test_other_update_forms(testbot: TestBot, text: str, field: str, expected: object) -> None:
    testbot.ok(text)
    assert getattr(testbot.action(text.split()[0]), field) == expected


def test_cancelled_actions_leave_the_rollup(testbot: TestBot) -> None:
    reply = testbot.ok("AP2.5.4b cancelled because merged into AP2.5.4a")
    # (25 + 100 + 100 + 100) / 4 = 81.25 -> 81
    assert "Section 2.5 Sample Testing: 81%" in reply.text


@pytest.mark.parametrize(
    "typed, expected",
    [("HSCM COMM AP2.5.1", "HSCM COMM AP2.5.1"), ("ap2.5.1", "HSCM COMM AP2.5.1"),
     ("2.5.1", "HSCM COMM AP2.5.1"), ("AP2.1.1a", "HSCM COMM AP2.1.1a"), ("AP2.10.1b", "HSCM COMM AP2.10.1b")],
    ids=["full", "tail-lower", "number", "letter-suffix", "two-digit-section"],
)
def test_codes_as_people_type_them(testbot: TestBot, typed: str, expected: str) -> None:
    reply = testbot.ok(f"status {typed}")
    assert reply.text.startswith(expected + " — ")


def test_unknown_code_says_so_and_suggests(testbot: TestBot) -> None:
    reply = testbot.refused("AP2.5.9 50%")
    assert "can't find an action with the code 'AP2.5.9'" in reply.text
    assert "AP2.5.1" in reply.text


def test_a_code_never_matches_a_longer_one(testbot: TestBot) -> None:
    # AP2.1 is a section, not an action: it must not resolve to AP2.1.1a or AP2.10.x
    section = testbot.refused("AP2.1 50%").text
    assert "AP2.1 is a section" in section and "AP2.1.1a" in section and "summary 2.1" in section
    assert "AP2.10" not in section
    # only AP2.1.1a and AP2.1.1b exist
    assert "Did you mean AP2.1.1a, AP2.1.1b?" in testbot.refused("AP2.1.1 50%").text


def test_summary_of_a_section_and_of_all(testbot: TestBot) -> None:
    reply = testbot.ok("summary 2.5")
    assert reply.text.splitlines()[0].startswith("2.5 Sample Testing: 65% (5 actions")
    assert len(reply.lines) == 5
    for form in ("summary AP2.5", "2.5 summary"):
        assert testbot.ok(form).text == reply.text
    everything = testbot.ok("summary")
    assert len(everything.rollups) == 11
    assert "2.10 Contract Review: 100%" in everything.text


def test_overdue_due_and_mine(testbot: TestBot) -> None:
    overdue = testbot.ok("overdue")
    assert [line.action.code.split()[-1] for line in overdue.lines] == ["AP2.2.2c", "AP2.4.2a", "AP2.4.3"]
    assert "27 days overdue" in overdue.text
    assert [l.action.code for l in testbot.ok("overdue Accountancy").lines] == ["HSCM COMM AP2.4.3"]
    assert len(testbot.ok("overdue 2.4").lines) == 2
    testbot.add_person("Ann Cole", team="Service Manager")
    mine = testbot.ok("mine", as_person="Ann Cole")
    assert {l.action.code.split()[-1] for l in mine.lines} == {"AP2.5.4b"}


def test_due_this_month(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import make_testbot

    bot = make_testbot(tmp_path, today=date(2024, 2, 5))
    try:
        reply = bot.ok("due this month")
        codes = {l.action.code.split()[-1] for l in reply.lines}
        assert "AP2.2.3b" in codes and "AP2.2.3a" not in codes  # 2.2.3a is complete
    finally:
        bot.runtime.close()


def test_status_and_history_queries(testbot: TestBot) -> None:
    testbot.ok("AP2.5.1 30% - contracts one and two signed")
    for form in ("status AP2.5.1", "AP2.5.1?"):
        text = testbot.ok(form).text
        assert "progress 30%" in text and "contracts one and two signed" in text
    history = testbot.ok("history AP2.5.1")
    assert "25% → 30%" in history.text


def test_strict_mode_permissions(testbot: TestBot) -> None:
    testbot.add_person("Fin Lee", team="Community Care Finance Team")
    testbot.add_person("Val Viewer", role=Role.VIEWER)
    testbot.ok("AP2.5.2 90%", as_person="Fin Lee")  # their team's action
    refused = testbot.refused("AP2.5.1 90%", as_person="Fin Lee")
    assert "responsibility of Commissioning Team" in refused.text
    assert "viewer role" in testbot.refused("AP2.5.1 90%", as_person="Val Viewer").text
    unknown = testbot.refused("AP2.5.1 90%", as_person="Somebody New")
    assert "can answer questions but not record changes" in unknown.text
    testbot.ok("summary 2.5", as_person="Somebody New")  # unknown people may still ask
    assert testbot.action("AP2.5.1").progress == 25


def test_open_mode_lets_any_updater_change_any_action(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import make_testbot

    bot = make_testbot(tmp_path, permission_mode="open")
    try:
        bot.add_person("Fin Lee", team="Community Care Finance Team")
        bot.ok("AP2.5.1 90%", as_person="Fin Lee")
        assert bot.action("AP2.5.1").progress == 90
    finally:
        bot.runtime.close()


def test_undo_reverts_own_last_change_as_new_history(testbot: TestBot) -> None:
    testbot.ok("AP2.5.1 40% - signed")
    testbot.ok("AP2.2.2c 75%, AP2.4.2a 100%")
    reply = testbot.ok("undo")
    assert "Undone" in reply.text
    assert testbot.action("AP2.2.2c").progress == 50
    assert testbot.action("AP2.4.2a").progress == 50
    assert testbot.action("AP2.4.2a").state is State.IN_PROGRESS
    testbot.ok("undo")
    action = testbot.action("AP2.5.1")
    assert action.progress == 25
    assert action.latest_update and action.latest_update.startswith("Six priority contracts")
    assert [e.kind for e in testbot.history("AP2.5.1")[:2]] == ["undo", "update"]
    assert "no change of your own" in testbot.refused("undo").text


def test_undo_refuses_to_overwrite_someone_elses_later_change(testbot: TestBot) -> None:
    testbot.add_person("Sam Patel", team="Commissioning Team")
    testbot.ok("AP2.5.1 40%", as_person="Sam Patel")
    testbot.ok("AP2.5.1 60%")
    reply = testbot.refused("undo", as_person="Sam Patel")
    assert "has changed since your update" in reply.text
    assert testbot.action("AP2.5.1").progress == 60


def test_chatter_is_silent_in_a_channel_and_helped_in_a_dm(testbot: TestBot) -> None:
    assert testbot.say("morning all, coffee?", is_direct=False) is None
    helped = testbot.say("morning all, coffee?")
    assert helped is not None and "AP2.5.1 40%" in helped.text


def test_a_redelivered_message_applies_once(testbot: TestBot) -> None:
    first = testbot.say("AP2.5.1 40%", message_id="Ev123")
    second = testbot.say("AP2.5.1 40%", message_id="Ev123")
    assert first is not None and not first.is_error and second is None
    assert len([e for e in testbot.history("AP2.5.1") if e.kind == "update"]) == 1


def test_a_huge_message_gets_a_clear_answer_and_changes_nothing(testbot: TestBot) -> None:
    reply = testbot.refused("AP2.5.1 40% " + "x" * 50_000)
    assert "50,012 characters" in reply.text
    assert testbot.action("AP2.5.1").progress == 25
    assert testbot.say("lorem ipsum " * 5000, is_direct=False) is None


def test_help_lists_the_grammar(testbot: TestBot) -> None:
    text = testbot.ok("help").text
    for example in ("AP2.5.1 40%", "summary 2.5", "overdue", "undo"):
        assert example in text


def test_undo_button_reverts_the_change_it_was_shown_under(testbot: TestBot) -> None:
    from bot.channels.console import console_message
    from bot.commands import Undo
    from bot.context import HandlerContext
    from handlers.progress import handle_undo

    first = testbot.ok("AP2.5.1 40%")
    testbot.ok("AP2.2.2c 75%")
    assert first.undo_batch
    runtime = testbot.runtime
    with runtime.new_uow() as uow:
        person = uow.people.get("Console Admin")
        ctx = HandlerContext(uow=uow, person=person, message=console_message("undo", "Console Admin"),
                             today=runtime.clock.today(), now=runtime.clock.now(), batch_id="b-undo")
        reply = handle_undo(Undo(batch=first.undo_batch), ctx)
        uow.commit()
    assert "progress 40% → 25%" in reply.text
    assert testbot.action("AP2.5.1").progress == 25
    assert testbot.action("AP2.2.2c").progress == 75  # the later change is untouched
    with runtime.new_uow() as uow:
        ctx.uow = uow
        with pytest.raises(Exception, match="undone already"):
            handle_undo(Undo(batch=first.undo_batch), ctx)
