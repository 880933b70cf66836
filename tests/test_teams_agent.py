"""The Teams agent through the Agents SDK's own testing tools (microsoft_agents.testing:
TestAdapter and TestFlow), in a Teams personal chat built from the recorded docs payload."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from microsoft_agents.activity import Activity, ChannelAccount, ConversationAccount, ConversationReference
from microsoft_agents.testing import TestAdapter, TestFlow

from bot.channels.teams.agent import ActionbotAgent
from bot.domain.model import Role
from tests.conftest import TestBot

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "teams"
MEGAN_AAD = "7faf8ab2-3d56-4244-b585-20c8a42ed2b8"


def personal_chat() -> tuple[ConversationReference, dict[str, Any]]:
    recorded = json.loads((FIXTURES / "teams_docs_personal_chat_inbound.json").read_text(encoding="utf-8"))
    reference = ConversationReference(
        channel_id="msteams",
        service_url=recorded["serviceUrl"],
        user=ChannelAccount(id=recorded["from"]["id"], name="Megan Bowen", aad_object_id=MEGAN_AAD),
        agent=ChannelAccount(id=recorded["recipient"]["id"], name=recorded["recipient"]["name"]),
        conversation=ConversationAccount(id=recorded["conversation"]["id"], conversation_type="personal",
                                         tenant_id=recorded["channelData"]["tenant"]["id"]),
    )
    return reference, recorded


def card_text(reply: Activity) -> str:
    (attachment,) = reply.attachments
    return str(attachment.content["fallbackText"])


def card_says(fragment: str):  # type: ignore[no-untyped-def]
    """A TestFlow validator (TestFlow ignores a validator's return value: it must raise)."""
    def validate(reply: Activity) -> None:
        assert fragment in card_text(reply), card_text(reply)
    return validate


def test_personal_chat_update_then_undo_button_via_test_flow(testbot: TestBot) -> None:
    testbot.add_person("Megan Bowen", Role.ADMIN, identities={"teams": MEGAN_AAD})
    remembered: list[tuple[str, ...]] = []
    agent = ActionbotAgent(testbot.runtime.dispatcher.handle,
                           lambda key, tenant, kind, url, ref: remembered.append((key, tenant or "", kind or "")))
    reference, recorded = personal_chat()
    adapter = TestAdapter(conversation=reference)
    seen: dict[str, Any] = {}

    def keep_batch(reply: Activity) -> None:
        assert "AP2.5.1: progress 25% → 60%" in card_text(reply)
        seen["data"] = reply.attachments[0].content["actions"][0]["data"]

    async def script() -> None:
        await TestFlow(adapter, agent.on_turn).send("AP2.5.1 60% - procurement agreed").assert_reply(
            keep_batch).start_test()
        press = Activity(type="message", from_property=reference.user, value=seen["data"])
        await TestFlow(adapter, agent.on_turn).send(press).assert_reply(card_says("Undone:")).send(
            "status AP2.5.1").assert_reply(card_says("25%")).start_test()

    asyncio.run(script())
    assert testbot.action("AP2.5.1").progress == 25
    assert remembered[0] == (recorded["conversation"]["id"], recorded["channelData"]["tenant"]["id"], "personal")


def test_installation_in_a_team_is_remembered_and_welcomed(testbot: TestBot) -> None:
    remembered: list[str] = []
    agent = ActionbotAgent(testbot.runtime.dispatcher.handle, lambda key, *rest: remembered.append(key))
    reference, _ = personal_chat()
    adapter = TestAdapter(conversation=reference)

    async def script() -> None:
        await TestFlow(adapter, agent.on_turn).send(Activity(type="installationUpdate", action="add")).assert_reply(
            "Hello, I'm actionbot: I keep the action plan. Mention me with an update such as "
            "`AP2.5.1 40% - six contracts signed`, or ask `summary 2.5`, `overdue` or `help`.").start_test()

    asyncio.run(script())
    assert remembered == [reference.conversation.id]
