"""When a private answer cannot be delivered privately, the shared place hears that it could
not, never the answer; the WARNING says what failed and holds no content. Edits follow the
same rule as new messages."""

from __future__ import annotations

import logging

import pytest

from bot.messages import PRIVATE_NOTICE, PRIVATE_UNDELIVERABLE
from tests.confidential.conftest import SECRET, TEAMS_SDK_WARNING
from tests.confidential.world import JO, SAM, World

pytestmark = TEAMS_SDK_WARNING


def _logged(caplog: pytest.LogCaptureFixture, level: int = logging.INFO) -> str:
    return "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records if r.levelno >= level)


def test_a_slack_dm_that_fails_leaves_a_sentence_in_the_thread_not_the_answer(
        world: World, caplog: pytest.LogCaptureFixture) -> None:
    world.slack.fail_next("conversations.open", status=200, error="cannot_dm_bot")
    with caplog.at_level(logging.INFO):
        delivered = world.ask("slack_channel_mention", JO, "PQ-2023-0001")
    assert delivered.private == []
    assert PRIVATE_UNDELIVERABLE in delivered.shared_text and PRIVATE_NOTICE not in delivered.shared_text
    assert SECRET not in delivered.shared_text
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and "slack private reply" in r.getMessage()]
    assert len(warnings) == 1 and getattr(warnings[0], "error") == "SlackApiError"
    assert SECRET not in _logged(caplog)


def test_a_teams_personal_chat_that_is_refused_leaves_a_sentence_in_the_channel_not_the_answer(
        world: World, caplog: pytest.LogCaptureFixture) -> None:
    world.microsoft.refuse_personal_chats = True
    try:
        with caplog.at_level(logging.INFO):
            delivered = world.ask("teams_channel_mention", JO, "concerns open")
    finally:
        world.microsoft.refuse_personal_chats = False
    assert delivered.private == []
    assert PRIVATE_UNDELIVERABLE in delivered.shared_text and PRIVATE_NOTICE not in delivered.shared_text
    assert SECRET[:20] not in delivered.shared_text
    assert any("teams private reply undeliverable" in r.getMessage() for r in caplog.records
               if r.levelno == logging.WARNING)
    assert SECRET[:20] not in _logged(caplog)


def test_the_personal_chat_is_the_askers_own(world: World) -> None:
    before = len(world.microsoft.created())
    world.ask("teams_group_chat", JO, "PQ-2023-0001")
    (created,) = world.microsoft.created()[before:]
    assert [m["id"] for m in created.body["members"]] == [JO.teams_id] and created.body["isGroup"] is False
    assert created.body["tenantId"] == created.body["channelData"]["tenant"]["id"]


def test_a_slack_message_edited_into_a_question_is_answered_privately(world: World) -> None:
    delivered = world.ask("slack_edit_in_channel", JO, "PQ-2023-0001")
    assert SECRET in delivered.private_text and SECRET not in delivered.shared_text
    assert PRIVATE_NOTICE in delivered.shared_text
    public = world.ask("slack_edit_in_channel", SAM, "PQ-2023-0001")
    assert SECRET not in public.shared_text + public.private_text
    assert "only people with the safeguarding role" in public.shared_text
