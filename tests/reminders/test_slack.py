"""Reminders as Slack DMs (the real Bolt app in HTTP mode against the local fake Web API): the
buttons under each item, and replies in the reminder's thread."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import date, datetime, timezone
from typing import Any

import pytest

from bot.channels.slack.blocks import HOME_UPDATE_ACTION_ID, UPDATE_MODAL_ID
from bot.channels.slack.service import SlackService
from bot.digest.slack_delivery import slack_web_client
from bot.domain.model import Role, State
from bot.domain.reminders import ItemKind, ReminderItem
from bot.reminders.sender import ReminderSender
from bot.reminders.slack_delivery import DONE_ACTION_ID, NOT_MINE_ACTION_ID, SNOOZE_ACTION_ID, SlackReminderDelivery
from bot.reminders.sources import open_plan_actions
from tests.conftest import TestBot
from tests.fakes.slack_api import FakeSlackApi
from tests.slack_harness import SlackHttpClient, corpus_json, http_settings

WENDY = "W111"
GUS = "W222"  # has the safeguarding role
NINE_BST = datetime(2023, 9, 27, 8, 5, tzinfo=timezone.utc)  # 09:05 London, Wed 27 Sep 2023
DM = FakeSlackApi.dm_channel(WENDY)


@pytest.fixture
def slack() -> Iterator[FakeSlackApi]:
    with FakeSlackApi() as fake:
        yield fake


@pytest.fixture
def client(testbot: TestBot, slack: FakeSlackApi) -> Iterator[SlackHttpClient]:
    testbot.add_person("Wendy Updater", role=Role.UPDATER, team="Commissioning Team", identities={"slack": WENDY})
    for text in ("AP2.5.1 owner Wendy Updater", "AP2.5.1 due 28/09/2023", "AP2.9.1a owner Wendy Updater",
                 "AP2.9.1a due 06/10/2023"):
        testbot.ok(text)
    running = SlackService(http_settings(slack), testbot.runtime.dispatcher.handle)
    running.start()
    yield SlackHttpClient(running)
    running.stop()


def send(testbot: TestBot, slack: FakeSlackApi, sources: list[Any] | None = None) -> None:
    delivery = SlackReminderDelivery(slack_web_client("xoxb-test-token", slack.api_url))
    ReminderSender(testbot.runtime.new_uow, {"slack": delivery}, "test", testbot.runtime.settings,
                   sources=sources).send_due(NINE_BST)


def reminder(slack: FakeSlackApi, user: str = WENDY) -> dict[str, Any]:
    posted = [c.args for c in slack.calls_to("chat.postMessage") if c.args["channel"] == slack.dm_channel(user)]
    assert len(posted) == 1, posted
    return posted[0]


def posted_ts(slack: FakeSlackApi) -> str:
    return str(slack.messages[DM][0]["ts"])


def dm_reply(text: str, thread_ts: str, n: int) -> dict[str, Any]:
    payload = copy.deepcopy(corpus_json("slack_socketmode_message_mention_retry.json")["payload"])
    event = payload["event"]
    event.pop("blocks", None)
    event.update(text=text, user=WENDY, channel=DM, channel_type="im", ts=f"1700000900.{n:06d}",
                 event_ts=f"1700000900.{n:06d}", client_msg_id=f"dm-{n}", thread_ts=thread_ts)
    payload["event_id"] = f"EvDM{n:06d}"
    return payload


_clicks = iter(range(1, 1000))


def click(action_id: str, value: str, ts: str) -> dict[str, Any]:
    payload = corpus_json("slack_block_actions_button.json")
    payload["actions"][0].update(action_id=action_id, value=value, action_ts=f"1596530385.{next(_clicks):06d}")
    payload["container"] = {"type": "message", "message_ts": ts, "channel_id": DM, "is_ephemeral": False}
    payload["channel"] = {"id": DM, "name": "directmessage"}
    return payload


def test_the_reminder_is_a_dm_with_four_buttons_per_action(testbot: TestBot, slack: FakeSlackApi,
                                                           client: SlackHttpClient) -> None:
    send(testbot, slack)
    assert [c.args["users"] for c in slack.calls_to("conversations.open")] == [WENDY]
    message = reminder(slack)
    assert "AP2.5.1" in message["text"] and "due in 1 working day" in message["text"]
    rows = [b for b in message["blocks"] if b["type"] == "actions"]
    assert len(rows) == 2
    assert [e["text"]["text"] for e in rows[0]["elements"]] == ["Done", "Update…", "Snooze 1 week", "Not mine"]
    assert rows[0]["elements"][1]["action_id"] == HOME_UPDATE_ACTION_ID


def test_a_thread_reply_2_40_updates_the_second_listed(testbot: TestBot, slack: FakeSlackApi,
                                                      client: SlackHttpClient) -> None:
    send(testbot, slack)
    ts = posted_ts(slack)
    client.event(dm_reply("2 40% contracts signed", ts, 1))
    answer = slack.wait_for("chat.postMessage", 2)[1].args
    assert answer["thread_ts"] == ts and "40%" in answer["text"]
    assert testbot.action("AP2.9.1a").progress == 40
    assert testbot.action("AP2.9.1a").latest_update == "contracts signed"


def test_a_thread_reply_naming_an_action_not_listed_changes_nothing(testbot: TestBot, slack: FakeSlackApi,
                                                                   client: SlackHttpClient) -> None:
    send(testbot, slack)
    ts = posted_ts(slack)
    before = testbot.action("AP2.2.3b").progress
    client.event(dm_reply("AP2.2.3b 90%", ts, 2))
    answer = slack.wait_for("chat.postEphemeral")[0].args  # an error: to the sender alone
    assert answer["channel"] == DM and "did not name AP2.2.3b" in answer["text"]
    assert testbot.action("AP2.2.3b").progress == before


def test_the_done_snooze_and_not_mine_buttons(testbot: TestBot, slack: FakeSlackApi,
                                              client: SlackHttpClient) -> None:
    testbot.add_person("Ann Admin", role=Role.ADMIN)
    send(testbot, slack)
    message = reminder(slack)
    ts = posted_ts(slack)
    rows = [b for b in message["blocks"] if b["type"] == "actions"]
    first, second = rows[0]["elements"][0]["value"], rows[1]["elements"][0]["value"]
    assert client.interactive(click(DONE_ACTION_ID, first, ts)).status == 200
    slack.wait_for("chat.postMessage", 2)
    assert testbot.action("AP2.5.1").state is State.COMPLETED
    client.interactive(click(SNOOZE_ACTION_ID, second, ts))
    assert "Snoozed HSCM COMM AP2.9.1a" in slack.wait_for("chat.postMessage", 3)[2].args["text"]
    client.interactive(click(NOT_MINE_ACTION_ID, second, ts))
    assert "Ann Admin" in slack.wait_for("chat.postMessage", 4)[3].args["text"]
    with testbot.runtime.new_uow() as uow:
        assert sorted(n.person for n in uow.reminders.notices()) == ["Ann Admin", "Console Admin"]


def test_the_update_button_opens_the_app_home_modal(testbot: TestBot, slack: FakeSlackApi,
                                                    client: SlackHttpClient) -> None:
    send(testbot, slack)
    message = reminder(slack)
    update = [b for b in message["blocks"] if b["type"] == "actions"][0]["elements"][1]
    payload = click(HOME_UPDATE_ACTION_ID, update["value"], posted_ts(slack))
    client.interactive(payload)
    modal = slack.wait_for("views.open")[0].args
    assert modal["view"]["callback_id"] == UPDATE_MODAL_ID and "AP2.5.1" in modal["view"]["private_metadata"]


def test_someone_elses_button_press_changes_nothing(testbot: TestBot, slack: FakeSlackApi,
                                                    client: SlackHttpClient) -> None:
    testbot.add_person("Other Person", identities={"slack": "W333"})
    send(testbot, slack)
    value = [b for b in reminder(slack)["blocks"] if b["type"] == "actions"][0]["elements"][0]["value"]
    payload = click(DONE_ACTION_ID, value, posted_ts(slack))
    payload["user"]["id"] = "W333"
    client.interactive(payload)
    answer = slack.wait_for("chat.postMessage", 2)[1].args["text"]
    assert "That reminder was sent to Wendy Updater" in answer
    assert testbot.action("AP2.5.1").state is not State.COMPLETED


def test_safeguarding_items_appear_by_reference_only_except_to_the_safeguarding_role(
        testbot: TestBot, slack: FakeSlackApi, client: SlackHttpClient) -> None:
    with testbot.runtime.new_uow() as uow:
        from bot.domain.model import Person
        uow.people.add(Person(name="Gus Guard", roles_extra=("safeguarding",)), {"slack": GUS})
        uow.commit()

    def log_items(uow: Any, today: date) -> list[ReminderItem]:
        return [ReminderItem(ref=f"PQ-2023-00{n}/A1", title="Visit about the disclosure at Acme", due=date(2023, 9, 28),
                             last_update="police informed", last_update_on=date(2023, 9, 20), owner=owner,
                             restricted=True, kind=ItemKind.LOG_ACTION)
                for n, owner in ((1, "Wendy Updater"), (2, "Gus Guard"))]

    send(testbot, slack, sources=[open_plan_actions, log_items])
    wendy, gus = reminder(slack, WENDY), reminder(slack, GUS)
    for message, shown in ((wendy, False), (gus, True)):
        seen = message["text"] + str(message["blocks"])
        assert "PQ-2023-00" in seen
        assert ("disclosure" in seen) is shown and ("police informed" in seen) is shown
        assert message["channel"].startswith("D")  # a DM: private
    assert "Update…" not in str([b for b in wendy["blocks"] if "PQ-2023-001" in str(b)])
