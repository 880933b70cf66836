"""`help` lists topics; each `help TOPIC` lists its commands by their docstrings, so help
cannot drift from the commands; `help` is answered in a channel when the bot is addressed."""

from __future__ import annotations

import inspect

import pytest

from bot.commands import Help
from bot.grammar import parse
from handlers.help import TOPICS, find_topic
from tests.conftest import TestBot

TOPIC_NAMES = ["updates", "questions", "dates", "concerns", "providers", "digest", "reminders", "import"]


def _first_paragraph(command: type) -> str:
    return " ".join((inspect.getdoc(command) or "").split("\n\n")[0].split())


def test_help_lists_every_topic(testbot: TestBot) -> None:
    text = testbot.ok("help").text
    for name in TOPIC_NAMES:
        assert f"help {name}" in text
    assert [t.name for t in TOPICS] == TOPIC_NAMES


@pytest.mark.parametrize("topic", [t for t in TOPICS if t.commands], ids=lambda t: t.name)
def test_each_topic_lists_its_commands_by_their_docstrings(testbot: TestBot, topic: object) -> None:
    text = testbot.ok(f"help {topic.name}").text  # type: ignore[attr-defined]
    for command in topic.commands:  # type: ignore[attr-defined]
        assert f"• {_first_paragraph(command)}" in text, command.__name__


@pytest.mark.parametrize(("typed", "topic", "shows"), [
    ("help concerns", "concerns", "`concerns open`"),
    ("help concern", "concerns", "`PQ-2026-0042 close"),
    ("Help complaints?", "concerns", "`complaint …`"),
    ("help digest", "digest", "`subscribe this channel to weekly digest`"),
    ("help weekly digest", "digest", "`digest preview`"),
    ("help updates", "updates", "`AP2.5.1 40%`"),
    ("help questions", "questions", "`who is the lead on 2.2.3b?`"),
    ("help dates", "dates", "`due end of March`"),
    ("help due", "dates", "`due this week`"),
    ("help import", "import", "`actionbot import FILE`"),
    ("help reminders", "reminders", "`I'm on leave until 12 December`"),
    ("help snooze", "reminders", "`AP2.5.1 snooze 2 weeks`"),
])
def test_help_by_topic(testbot: TestBot, typed: str, topic: str, shows: str) -> None:
    reply = testbot.ok(typed)
    assert reply.title == f"Help: {topic}" and shows in reply.text


def test_the_plan_only_text_is_not_every_answer(testbot: TestBot) -> None:
    texts = {testbot.ok(f"help {name}").text for name in TOPIC_NAMES} | {testbot.ok("help").text}
    assert len(texts) == len(TOPIC_NAMES) + 1


def test_an_unknown_topic_names_the_topics(testbot: TestBot) -> None:
    text = testbot.ok("help gardening").text
    assert text.startswith("I have no help on 'gardening'.") and "`help concerns`" in text


def test_import_help_is_the_terminal_commands_own_docstring(testbot: TestBot) -> None:
    from bot.cli import import_command

    first = _first_paragraph(import_command)
    assert first in testbot.ok("help import").text


@pytest.mark.parametrize("text", ["help", "help concerns", "help digest", "HELP Dates?"])
def test_help_parses_as_help_so_it_is_answered_when_addressed_in_a_channel(testbot: TestBot, text: str) -> None:
    assert isinstance(parse(text, testbot.runtime.clock.today()), Help)
    reply = testbot.say(text, is_direct=False)
    assert reply is not None and reply.title is not None and reply.title.startswith("Help")


def test_topics_are_found_by_alias() -> None:
    assert find_topic("complaint") is find_topic("concerns")
    assert find_topic("nothing like it") is None
