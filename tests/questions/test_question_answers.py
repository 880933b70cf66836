"""Questions answered end to end by the whole bot with the example plan (Moray, 27 Sep 2023):
each form gives the same answer as its keyword command."""

from __future__ import annotations

from collections.abc import Iterator
import pytest

from bot.domain.model import Role
from tests.conftest import TestBot, make_testbot


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestBot]:
    testbot = make_testbot(tmp_path_factory.mktemp("questions"))
    testbot.add_person("Ann Accounts", Role.UPDATER, team="Accountancy")
    testbot.ok("AP2.5.1 40% - six priority contracts signed")
    yield testbot
    testbot.runtime.close()


@pytest.mark.parametrize("question", [
    "who is the lead on 2.2.3b", "who owns AP2.2.3b?", "who's responsible for 2.2.3b?",
    "can you tell me who is the lead for HSCM COMM AP2.2.3b, please", "whose is 2.2.3b",
])
def test_who_owns_names_the_responsibility(bot: TestBot, question: str) -> None:
    text = bot.ok(question).text
    assert text.startswith("HSCM COMM AP2.2.3b (") and ": Commissioning Team." in text


@pytest.mark.parametrize("question", ["who owns 2.4.3?", "who is the lead on AP2.4.3"])
def test_who_owns_another_action(bot: TestBot, question: str) -> None:
    assert ": Accountancy." in bot.ok(question).text


def test_who_owns_an_unknown_code_says_so(bot: TestBot) -> None:
    assert "I can't find an action with the code '9.9.9'" in bot.refused("who owns 9.9.9?").text


@pytest.mark.parametrize("question", [
    "anything overdue for Accountancy?", "what's overdue for Accountancy", "are there any overdue actions for Accountancy?",
])
def test_overdue_for_a_team_is_the_overdue_command(bot: TestBot, question: str) -> None:
    assert bot.ok(question).text == bot.ok("overdue Accountancy").text


@pytest.mark.parametrize("question", ["what's overdue?", "anything overdue?", "which actions are overdue?"])
def test_overdue_is_the_overdue_command(bot: TestBot, question: str) -> None:
    assert bot.ok(question).text == bot.ok("overdue").text


@pytest.mark.parametrize("question", ["how is 2.4 doing", "how's section 2.4 going?", "show me 2.4 please",
                                      "how are we doing on 2.4?"])
def test_how_is_a_section_doing_is_its_summary(bot: TestBot, question: str) -> None:
    assert bot.ok(question).text == bot.ok("summary 2.4").text


@pytest.mark.parametrize("question", ["status of AP2.5.1 please", "what's the status of 2.5.1?", "any news on AP2.5.1?",
                                      "when is AP2.5.1 due?"])
def test_status_questions_are_the_status_command(bot: TestBot, question: str) -> None:
    assert bot.ok(question).text == bot.ok("status AP2.5.1").text


@pytest.mark.parametrize("question", ["what's changed since Monday", "what changed today?", "any changes this week?",
                                      "changes since yesterday"])
def test_what_changed_lists_changes_across_the_plan(bot: TestBot, question: str) -> None:
    lines = bot.ok(question).text.splitlines()
    assert lines[0].startswith("Changes since ") and "newest first" in lines[0]
    assert "[AP2.5.1] Console Admin via console: progress 25% → 40% — six priority contracts signed" in lines[1]
    assert any("imported 34 actions of Moray Commissioning Team Improvement Plan 2023" in line for line in lines)


@pytest.mark.parametrize(("question", "command"), [
    ("what has changed since 1 September?", "changes since 1 Sep 2023"),
    ("anything new since last Friday?", "changes since 22/09/2023"),
])
def test_what_changed_since_a_day_is_the_changes_command(bot: TestBot, question: str, command: str) -> None:
    assert bot.ok(question).text == bot.ok(command).text
    assert bot.ok(question).title.endswith(("Friday 1 Sep 2023", "Friday 22 Sep 2023"))


@pytest.mark.parametrize("question", ["what have I got due?", "anything for me?", "what's on my plate?",
                                      "anything overdue for me?"])
def test_my_questions_are_mine(bot: TestBot, question: str) -> None:
    assert bot.ok(question, as_person="Ann Accounts").text == bot.ok("mine", as_person="Ann Accounts").text


@pytest.mark.parametrize("question", ["what have I got due this month?", "what's due for me this month?"])
def test_whats_due_for_me_lists_only_mine(bot: TestBot, question: str) -> None:
    text = bot.ok(question, as_person="Ann Accounts").text
    assert text == "Nothing open is due this month for Ann Accounts."


def test_whats_due_lists_the_period(bot: TestBot) -> None:
    assert bot.ok("what's due next month?").text == bot.ok("due next month").text


def test_an_unread_question_about_a_code_gets_a_hint_in_a_direct_message(bot: TestBot) -> None:
    reply = bot.refused("who signed off 2.2.3b?")
    assert reply.text.startswith("Did you mean `status 2.2.3b`?")


def test_questions_in_a_channel_are_answered_and_chatter_is_not(bot: TestBot) -> None:
    reply = bot.say("who owns 2.2.3b?", is_direct=False)
    assert reply is not None and "Commissioning Team" in reply.text
    assert bot.say("who signed off 2.2.3b?", is_direct=False) is None
    assert bot.say("is anyone free for lunch?", is_direct=False) is None
