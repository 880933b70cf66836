"""The real Bolt app in Socket Mode (slack_sdk's built-in client): apps.connections.open on the
fake Web API hands out the URL of a local websocket server, which sends the recorded
envelopes from tests/fixtures/slack_payloads and records the acks."""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass
from collections.abc import Iterator
from typing import Any

import pytest

from bot.channels.slack.blocks import UNDO_ACTION_ID
from bot.channels.slack.service import SlackService
from bot.channels.slack.slack_settings import SlackSettings
from bot.domain.model import Role
from tests.conftest import TestBot, make_testbot
from tests.fakes.slack_api import FakeSlackApi, SlackCall
from tests.fakes.slack_socket import FakeSocketModeServer
from tests.slack_harness import corpus_json, corpus_text


@dataclass
class SocketBot:
    testbot: TestBot
    slack: FakeSlackApi
    server: FakeSocketModeServer
    service: SlackService
    connections_opened: list[SlackCall]


# One connected app for the module: slack_sdk's built-in client takes a second or more to
# close, so each test uses its own actions and its own message ids instead of its own bot.
@pytest.fixture(scope="module")
def socket_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SocketBot]:
    testbot = make_testbot(tmp_path_factory.mktemp("socket-mode"))
    testbot.add_person("Alex Admin", role=Role.ADMIN, email="alex.admin@example.org", identities={})
    testbot.add_person("Wendy Updater", role=Role.UPDATER, team="Commissioning Team", identities={"slack": "W111"})
    with FakeSlackApi() as slack:
        slack.add_user("U111", "alex.admin@example.org", "Alex Admin")
        server = FakeSocketModeServer().start()
        slack.websocket_url = server.url
        settings = SlackSettings(bot_token="xoxb-test-token", mode="socket", app_token="xapp-test-token",
                                 api_url=slack.api_url)
        running = SlackService(settings, testbot.runtime.dispatcher.handle)
        try:
            running.start()
            server.wait_connected()
            yield SocketBot(testbot, slack, server, running, slack.calls_to("apps.connections.open"))
        finally:
            running.stop()
            server.close()
            testbot.runtime.close()


@pytest.fixture
def testbot(socket_bot: SocketBot) -> TestBot:
    return socket_bot.testbot


@pytest.fixture
def slack(socket_bot: SocketBot) -> FakeSlackApi:
    socket_bot.slack.calls.clear()
    return socket_bot.slack


@pytest.fixture
def socket_server(socket_bot: SocketBot) -> FakeSocketModeServer:
    return socket_bot.server


@pytest.fixture
def service(socket_bot: SocketBot) -> SlackService:
    return socket_bot.service


def envelope(text: str, envelope_id: str, message_key: str, retry_attempt: int = 0) -> dict[str, Any]:
    """The recorded envelope with this text; `message_key` is its event's identity (a retry
    repeats it, with a new envelope id)."""
    recorded = copy.deepcopy(corpus_json("slack_socketmode_message_mention_retry.json"))
    recorded["envelope_id"] = envelope_id
    recorded["retry_attempt"] = retry_attempt
    event = recorded["payload"]["event"]
    event.pop("blocks", None)
    event.update(text=text, client_msg_id=f"msg-{message_key}")
    recorded["payload"]["event_id"] = f"Ev-{message_key}"
    return recorded


def test_the_app_token_opens_the_connection(socket_bot: SocketBot) -> None:
    opened = socket_bot.connections_opened
    assert opened and opened[0].headers["authorization"] == "Bearer xapp-test-token"


def test_an_envelope_is_acked_applied_and_answered(testbot: TestBot, slack: FakeSlackApi,
                                                   socket_server: FakeSocketModeServer, service: SlackService) -> None:
    socket_server.send(envelope("AP2.5.1 now 40% six priority contracts signed", "env-1", "m1"))
    socket_server.wait_for_ack("env-1")
    post = slack.wait_for("chat.postMessage")[0].args
    assert post["thread_ts"] == "1610197986.000300" and "progress 25% → *40%*" in str(post["blocks"])
    assert testbot.action("AP2.5.1").progress == 40


def test_a_socket_mode_retry_is_acked_and_applied_once(testbot: TestBot, slack: FakeSlackApi,
                                                       socket_server: FakeSocketModeServer,
                                                       service: SlackService) -> None:
    socket_server.send(envelope("AP2.4.2a 60%", "env-2", "m2"))
    socket_server.wait_for_ack("env-2")
    slack.wait_for("chat.postMessage")
    socket_server.send(envelope("AP2.4.2a 60%", "env-3", "m2", retry_attempt=1))  # the recorded retry
    socket_server.wait_for_ack("env-3")
    time.sleep(0.3)
    assert len(slack.calls_to("chat.postMessage")) == 1
    assert [e.kind for e in testbot.history("AP2.4.2a")].count("update") == 1


def test_a_frame_that_is_not_json_is_ignored_and_the_connection_carries_on(
        slack: FakeSlackApi, socket_server: FakeSocketModeServer, service: SlackService) -> None:
    socket_server.send(corpus_text("slack_docs_app_mention_RAW_invalid_trailing_comma.json.txt"))
    socket_server.send(envelope("AP2.5.1?", "env-after", "m3"))
    socket_server.wait_for_ack("env-after")
    assert "HSCM COMM AP2.5.1" in slack.wait_for("chat.postMessage")[0].args["text"]


def test_slash_commands_and_buttons_arrive_over_the_socket_too(testbot: TestBot, slack: FakeSlackApi,
                                                               socket_server: FakeSocketModeServer,
                                                               service: SlackService) -> None:
    command = corpus_json("slack_slash_command_parsed.json")
    command.update(command="/actions", text="AP2.2.2c 75%", response_url=f"{slack.base}/commands/T111/111/xxxxx")
    socket_server.send({"envelope_id": "env-cmd", "type": "slash_commands", "payload": command,
                        "accepts_response_payload": True})
    socket_server.wait_for_ack("env-cmd")
    answer = slack.wait_for("/commands/T111/111/xxxxx")[0].args
    assert answer["response_type"] == "in_channel"
    assert testbot.action("AP2.2.2c").progress == 75
    undo = [b for b in answer["blocks"] if b["type"] == "actions"][0]["elements"][0]

    click = corpus_json("slack_block_actions_button.json")
    click["actions"][0].update(action_id=UNDO_ACTION_ID, value=undo["value"])
    socket_server.send({"envelope_id": "env-click", "type": "interactive", "payload": click,
                        "accepts_response_payload": False})
    socket_server.wait_for_ack("env-click")
    assert "Undone" in slack.wait_for("chat.postMessage")[0].args["text"]
    assert testbot.action("AP2.2.2c").progress == 50
