"""The real Bolt app in HTTP mode, on the example plan, against a local fake Slack Web API:
signed requests built from the recorded payloads in tests/fixtures/slack_payloads."""

from __future__ import annotations

import copy
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from bot.channels.slack.blocks import HOME_UPDATE_ACTION_ID, UNDO_ACTION_ID, UPDATE_MODAL_ID
from bot.channels.slack.service import SlackService
from bot.domain.model import Role
from tests.conftest import TestBot
from tests.fakes.slack_api import BOT_USER_ID, TEAM_URL, FakeSlackApi
from tests.slack_harness import SlackHttpClient, corpus_json, corpus_text, http_settings, sign

ALEX = "U111"  # an admin known by email only: linked on first message via users.info
WENDY = "W111"  # an updater of the Commissioning Team, linked with `people add --slack W111`
STRANGER = "U999"  # not a person the bot knows


@pytest.fixture
def slack() -> Iterator[FakeSlackApi]:
    with FakeSlackApi() as fake:
        fake.add_user(ALEX, "alex.admin@example.org", "Alex Admin")
        fake.add_user(STRANGER, "someone@elsewhere.example", "Sam Stranger")
        yield fake


@pytest.fixture
def service(testbot: TestBot, slack: FakeSlackApi) -> Iterator[SlackService]:
    testbot.add_person("Alex Admin", role=Role.ADMIN, email="alex.admin@example.org", identities={})
    testbot.add_person("Wendy Updater", role=Role.UPDATER, team="Commissioning Team", identities={"slack": WENDY})
    running = SlackService(http_settings(slack), testbot.runtime.dispatcher.handle)
    running.start()
    yield running
    running.stop()


@pytest.fixture
def client(service: SlackService) -> SlackHttpClient:
    return SlackHttpClient(service)


_counter = iter(range(1, 10_000))


def message_event(text: str, user: str = ALEX, channel: str = "C111", channel_type: str = "channel",
                  thread_ts: str | None = None) -> dict[str, Any]:
    """A channel message as the Events API delivers it (the corpus's Socket Mode payload)."""
    payload = copy.deepcopy(corpus_json("slack_socketmode_message_mention_retry.json")["payload"])
    n = next(_counter)
    event = payload["event"]
    event.pop("blocks", None)
    event.update(text=text, user=user, channel=channel, channel_type=channel_type,
                 ts=f"1700000000.{n:06d}", event_ts=f"1700000000.{n:06d}", client_msg_id=f"msg-{n}")
    if thread_ts:
        event["thread_ts"] = thread_ts
    payload["event_id"] = f"Ev{n:08d}"
    return payload


def permalink(channel: str, ts: str) -> str:
    return f"{TEAM_URL}archives/{channel}/p{ts.replace('.', '')}"


def block_texts(blocks: list[dict[str, Any]]) -> str:
    parts: list[str] = []
    for block in blocks:
        if "text" in block:
            parts.append(block["text"]["text"])
        parts += [f["text"] for f in block.get("fields", [])]
        parts += [e.get("text", "") if isinstance(e.get("text"), str) else e.get("text", {}).get("text", "")
                  for e in block.get("elements", [])]
    return "\n".join(parts)


def test_a_channel_update_is_applied_and_answered_in_its_thread(testbot: TestBot, slack: FakeSlackApi,
                                                                client: SlackHttpClient) -> None:
    payload = message_event("AP2.5.1 now 40% six priority contracts signed")
    answer = client.event(payload)
    assert answer.status == 200
    post = slack.wait_for("chat.postMessage")[0].args
    ts = payload["event"]["ts"]
    assert (post["channel"], post["thread_ts"]) == ("C111", ts)
    text = block_texts(post["blocks"])
    assert "*AP2.5.1*  progress 25% → *40%*" in text
    assert "six priority contracts signed" in text
    assert "Section 2.5 Sample Testing: *68%*" in text
    undo = [b for b in post["blocks"] if b["type"] == "actions"][0]["elements"][0]
    assert undo["action_id"] == UNDO_ACTION_ID and undo["text"]["text"] == "Undo"
    assert len(post["blocks"]) <= 50
    action = testbot.action("AP2.5.1")
    assert (action.progress, action.updated_by) == (40, "Alex Admin")  # linked through users.info's email
    entry = testbot.history("AP2.5.1")[0]
    assert (entry.channel, entry.source_ref) == ("slack", permalink("C111", ts))
    assert undo["value"] == entry.batch_id


def test_channel_chatter_gets_no_reply_and_no_lookups(slack: FakeSlackApi, client: SlackHttpClient) -> None:
    chatter = corpus_json("slack_event_thread_broadcast.json")  # "Hi there!" in a thread
    assert client.event(chatter).status == 200
    assert client.event(message_event("lunch at 1?")).status == 200
    time.sleep(0.3)
    assert not slack.calls_to("chat.postMessage") and not slack.calls_to("chat.postEphemeral")
    assert not slack.calls_to("users.info")


def test_a_thread_reply_is_read_and_answered_in_the_same_thread(testbot: TestBot, slack: FakeSlackApi,
                                                                client: SlackHttpClient) -> None:
    broadcast = corpus_json("slack_event_thread_broadcast.json")
    broadcast["event"].update(text="AP2.4.2a done - all maps reviewed", user=ALEX)
    assert client.event(broadcast).status == 200
    post = slack.wait_for("chat.postMessage")[0].args
    assert post["thread_ts"] == broadcast["event"]["thread_ts"]
    assert testbot.action("AP2.4.2a").progress == 100


def test_a_retried_event_is_applied_once(testbot: TestBot, slack: FakeSlackApi, client: SlackHttpClient) -> None:
    payload = message_event("AP2.5.1 40%")
    assert client.event(payload).status == 200
    slack.wait_for("chat.postMessage")
    retry = client.event(payload, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
    assert retry.status == 200
    time.sleep(0.3)
    assert len(slack.calls_to("chat.postMessage")) == 1
    assert [e.kind for e in testbot.history("AP2.5.1")].count("update") == 1


@pytest.mark.parametrize("forgery", ["wrong secret", "tampered body", "stale timestamp", "no signature"])
def test_forged_or_stale_requests_get_401_and_change_nothing(testbot: TestBot, slack: FakeSlackApi,
                                                             client: SlackHttpClient, forgery: str) -> None:
    body = json.dumps(message_event("AP2.5.1 90%"))
    now = int(time.time())
    if forgery == "wrong secret":
        answer = client.event(body, signature=sign(body, now, secret="not-the-secret"))
    elif forgery == "tampered body":
        answer = client.event(body.replace("90%", "99%"), signature=sign(body, now))
    elif forgery == "stale timestamp":
        old = now - 10 * 60
        answer = client.event(body, timestamp=old, signature=sign(body, old))
    else:
        answer = client.event(body, signature="")
    assert answer.status == 401
    time.sleep(0.2)
    assert testbot.action("AP2.5.1").progress == 25
    assert not slack.calls_to("chat.postMessage") and not slack.calls_to("users.info")


def test_the_docs_app_mention_that_is_not_json_gets_400_and_the_bot_carries_on(
        slack: FakeSlackApi, client: SlackHttpClient) -> None:
    raw = corpus_text("slack_docs_app_mention_RAW_invalid_trailing_comma.json.txt")
    with pytest.raises(ValueError):
        json.loads(raw)
    assert client.event(raw).status == 400
    good = message_event(f"<@{BOT_USER_ID}> status AP2.5.1")
    good["event"]["type"] = "app_mention"
    assert client.event(good).status == 200
    assert "HSCM COMM AP2.5.1" in slack.wait_for("chat.postMessage")[0].args["text"]


def test_a_mention_is_direct_and_summary_answers_with_a_card_and_action_lines(
        slack: FakeSlackApi, client: SlackHttpClient) -> None:
    mention = message_event(f"<@{BOT_USER_ID}> summary 2.5")
    mention["event"]["type"] = "app_mention"
    client.event(mention)
    # the same message also arrives as a message event: it must not be answered twice
    client.event(message_event(f"<@{BOT_USER_ID}> summary 2.5"))
    post = slack.wait_for("chat.postMessage")[0].args
    card = [b for b in post["blocks"] if b.get("fields")][0]
    assert card["text"]["text"] == "*2.5 Sample Testing*"
    assert "*Progress*\n65%" in [f["text"] for f in card["fields"]]
    text = block_texts(post["blocks"])
    for code in ("AP2.5.1", "AP2.5.2", "AP2.5.3", "AP2.5.4a", "AP2.5.4b"):
        assert f"*{code}*" in text
    time.sleep(0.3)
    assert len(slack.calls_to("chat.postMessage")) == 1


def test_errors_go_to_the_sender_only(testbot: TestBot, slack: FakeSlackApi, client: SlackHttpClient) -> None:
    payload = message_event("AP2.9.1a 140%")
    client.event(payload)
    ephemeral = slack.wait_for("chat.postEphemeral")[0].args
    assert ephemeral["user"] == ALEX and ephemeral["thread_ts"] == payload["event"]["ts"]
    assert "Progress must be 0–100%; AP2.9.1a is still 50%." in ephemeral["text"]
    assert not slack.calls_to("chat.postMessage")
    assert testbot.action("AP2.9.1a").progress == 50


def test_an_unknown_user_may_ask_but_not_update(testbot: TestBot, slack: FakeSlackApi,
                                                client: SlackHttpClient) -> None:
    client.event(message_event("AP2.5.1 90%", user=STRANGER))
    refused = slack.wait_for("chat.postEphemeral")[0].args
    assert refused["user"] == STRANGER and "don't know" in refused["text"].lower()
    assert testbot.action("AP2.5.1").progress == 25
    client.event(message_event("AP2.5.1?", user=STRANGER))
    assert "HSCM COMM AP2.5.1" in slack.wait_for("chat.postMessage")[0].args["text"]


def test_a_direct_message_of_chatter_gets_a_short_help(slack: FakeSlackApi, client: SlackHttpClient) -> None:
    client.event(message_event("hello there", channel="D111", channel_type="im"))
    assert "AP2.5.1 40%" in slack.wait_for("chat.postEphemeral")[0].args["text"]


def post_then_edit(client: SlackHttpClient, slack: FakeSlackApi, text: str, edited: str) -> tuple[dict, str]:
    """Post `text` in C111, wait for the bot's reply, and return the message_changed event that
    edits it into `edited` (from the recorded corpus payload), with the message's ts."""
    original = message_event(text)
    client.event(original)
    slack.wait_for("chat.postMessage")
    edit = corpus_json("slack_event_message_changed.json")
    ts = original["event"]["ts"]
    edit["event"].update(channel="C111", channel_type="channel")
    edit["event"]["message"].update(user=ALEX, ts=ts, text=edited)
    edit["event"]["previous_message"] = {"type": "message", "user": ALEX, "ts": ts, "text": text}
    return edit, ts


def test_an_edit_amends_the_update_it_came_from(testbot: TestBot, slack: FakeSlackApi,
                                                client: SlackHttpClient) -> None:
    edit, ts = post_then_edit(client, slack, "AP2.5.1 40% - six signed", "AP2.5.1 45% - seven signed")
    assert client.event(edit).status == 200
    post = slack.wait_for("chat.postMessage", 2)[1].args
    assert post["thread_ts"] == ts and "progress 40% → *45%*" in block_texts(post["blocks"])
    assert testbot.action("AP2.5.1").progress == 45
    entries = testbot.history("AP2.5.1")
    assert [e.kind for e in entries[:2]] == ["edit", "update"]
    assert entries[0].source_ref == entries[1].source_ref == permalink("C111", ts)
    client.event(edit)  # the same edit delivered again changes nothing more
    time.sleep(0.3)
    assert len(slack.calls_to("chat.postMessage")) == 2


def test_an_update_edited_into_chatter_is_answered_with_an_undo_button(testbot: TestBot, slack: FakeSlackApi,
                                                                      client: SlackHttpClient) -> None:
    edit, ts = post_then_edit(client, slack, "AP2.5.1 40% - six signed", "ignore me, wrong channel")
    assert client.event(edit).status == 200
    post = slack.wait_for("chat.postMessage", 2)[1].args
    assert post["thread_ts"] == ts and "no longer reads as an update" in block_texts(post["blocks"])
    assert any(e.get("text", {}).get("text") == "Undo" for b in post["blocks"] for e in b.get("elements", []))
    assert testbot.action("AP2.5.1").progress == 40


def test_a_deleted_message_leaves_its_change_and_a_note(testbot: TestBot, slack: FakeSlackApi,
                                                        client: SlackHttpClient) -> None:
    original = message_event("AP2.5.1 40%")
    client.event(original)
    slack.wait_for("chat.postMessage")
    ts = original["event"]["ts"]
    deleted = copy.deepcopy(original)
    deleted["event_id"] = "EvDeleted1"
    deleted["event"] = {"type": "message", "subtype": "message_deleted", "channel": "C111", "channel_type": "channel",
                        "hidden": True, "ts": "1700000999.000001", "deleted_ts": ts,
                        "previous_message": {"type": "message", "user": ALEX, "text": "AP2.5.1 40%", "ts": ts}}
    assert client.event(deleted).status == 200
    deadline = time.monotonic() + 5
    while testbot.history("AP2.5.1")[0].kind != "delete-note" and time.monotonic() < deadline:
        time.sleep(0.05)
    entries = testbot.history("AP2.5.1")
    assert [e.kind for e in entries[:2]] == ["delete-note", "update"]
    assert testbot.action("AP2.5.1").progress == 40


def test_the_slash_command_uses_the_same_grammar(testbot: TestBot, slack: FakeSlackApi,
                                                 client: SlackHttpClient) -> None:
    fields = dict(item.split("=", 1) for item in corpus_text("slack_slash_command_form_body.txt").strip().split("&"))
    from urllib.parse import unquote_plus
    form = {k: unquote_plus(v) for k, v in fields.items()}
    form.update(command="/actions", text="AP2.5.1 done - all signed",
                response_url=f"{slack.base}/commands/T111/111/xxxxx")
    answer = client.form(form)
    assert answer.status == 200 and answer.seconds < 3
    response = slack.wait_for("/commands/T111/111/xxxxx")[0].args
    assert response["response_type"] == "in_channel"
    assert "progress 25% → *100%*" in block_texts(response["blocks"])
    action = testbot.action("AP2.5.1")
    assert (action.progress, action.updated_by) == (100, "Wendy Updater")
    form.update(text="overdue 2.5", trigger_id="222.222.yyy")
    client.form(form)
    assert slack.wait_for("/commands/T111/111/xxxxx", 2)[1].args["response_type"] == "ephemeral"


def test_the_undo_button_reverts_exactly_that_change(testbot: TestBot, slack: FakeSlackApi,
                                                     client: SlackHttpClient) -> None:
    client.event(message_event("AP2.5.1 40%", user=WENDY))
    first_reply = slack.wait_for("chat.postMessage")[0].args
    undo = [b for b in first_reply["blocks"] if b["type"] == "actions"][0]
    client.event(message_event("AP2.2.2c 75%", user=WENDY))
    slack.wait_for("chat.postMessage", 2)
    click = corpus_json("slack_block_actions_button.json")
    click["actions"][0].update(action_id=UNDO_ACTION_ID, block_id="actionbot_undo",
                               value=undo["elements"][0]["value"])
    click["container"].update(is_ephemeral=False, thread_ts="1700000000.000001")
    click["message"] = {"type": "message", "ts": "111.222", "thread_ts": "1700000000.000001",
                        "text": first_reply["text"], "blocks": first_reply["blocks"]}
    assert client.interactive(click).status == 200
    posted = slack.wait_for("chat.postMessage", 3)[2].args
    assert posted["thread_ts"] == "1700000000.000001" and "Undone" in posted["text"]
    assert testbot.action("AP2.5.1").progress == 25
    assert testbot.action("AP2.2.2c").progress == 75
    updated = slack.wait_for("chat.update")[0].args  # the button is gone from the undone change
    assert updated["ts"] == "111.222" and not [b for b in updated["blocks"] if b["type"] == "actions"]
    assert f"Undone by <@{WENDY}>" in block_texts(updated["blocks"])
    click["actions"][0]["action_ts"] = "1596530399.000001"  # a second click
    client.interactive(click)
    assert "undone already" in slack.wait_for("chat.postEphemeral")[0].args["text"]


def test_app_home_lists_my_actions_and_the_modal_updates_one(testbot: TestBot, slack: FakeSlackApi,
                                                             client: SlackHttpClient) -> None:
    opened = message_event("")
    opened["event"] = {"type": "app_home_opened", "user": WENDY, "channel": "D111", "tab": "home",
                       "event_ts": "1700000000.000500"}
    client.event(opened)
    view = slack.wait_for("views.publish")[0].args
    assert view["user_id"] == WENDY
    sections = [b for b in view["view"]["blocks"] if b.get("accessory")]
    assert sections, view
    statuses = ["Overdue" in b["text"]["text"] for b in sections]
    assert statuses == sorted(statuses, reverse=True)  # overdue first
    button = sections[0]["accessory"]
    assert button["action_id"] == HOME_UPDATE_ACTION_ID
    code = button["value"]

    click = corpus_json("slack_block_actions_button.json")
    click["actions"][0].update(action_id=HOME_UPDATE_ACTION_ID, value=code)
    click["container"] = {"type": "view", "view_id": "V1"}
    client.interactive(click)
    modal = slack.wait_for("views.open")[0].args
    assert modal["trigger_id"] == click["trigger_id"] and modal["view"]["callback_id"] == UPDATE_MODAL_ID

    submission = {"type": "view_submission", "team": click["team"], "user": click["user"], "api_app_id": "A111",
                  "trigger_id": "333.333.zzz",
                  "view": {**modal["view"], "id": "V123", "hash": "h1", "state": {"values": {
                      "progress": {"value": {"type": "number_input", "value": "140"}},
                      "due": {"value": {"type": "datepicker", "selected_date": None}},
                      "note": {"value": {"type": "plain_text_input", "value": None}}}}}}
    refused = client.interactive(submission)
    assert refused.status == 200 and json.loads(refused.body)["response_action"] == "errors"
    assert "0 to 100" in json.loads(refused.body)["errors"]["progress"]

    submission["view"]["state"]["values"]["progress"]["value"]["value"] = "55"
    submission["view"]["state"]["values"]["due"]["value"]["selected_date"] = "2026-03-31"
    submission["view"]["state"]["values"]["note"]["value"]["value"] = "contracts\nwith legal"
    assert client.interactive(submission).status == 200
    dm = slack.wait_for("chat.postMessage")[0].args
    assert dm["channel"] == WENDY and "55%" in dm["text"]
    action = testbot.action(code)
    assert (action.progress, action.due_date.isoformat(), action.latest_update) == (55, "2026-03-31", "contracts with legal")
    slack.wait_for("views.publish", 2)  # the Home tab is redrawn


def test_app_home_for_an_unknown_user_says_how_to_get_linked(slack: FakeSlackApi, client: SlackHttpClient) -> None:
    opened = message_event("")
    opened["event"] = {"type": "app_home_opened", "user": STRANGER, "channel": "D999", "tab": "home"}
    client.event(opened)
    text = block_texts(slack.wait_for("views.publish")[0].args["view"]["blocks"])
    assert "don't know who you are" in text and f"--slack {STRANGER}" in text


def test_a_rate_limited_reply_is_retried_and_arrives(testbot: TestBot, slack: FakeSlackApi,
                                                     client: SlackHttpClient) -> None:
    slack.fail_next("chat.postMessage", 429, {"Retry-After": "1"})
    client.event(message_event("AP2.5.1 40%"))
    calls = slack.wait_for("chat.postMessage", 2, timeout=8)
    assert calls[1].at - calls[0].at >= 1.0  # waited for Retry-After
    assert calls[1].args["thread_ts"] == calls[0].args["thread_ts"]
    assert testbot.action("AP2.5.1").progress == 40


def test_the_ack_comes_after_the_commit_but_does_not_wait_for_the_web_api(
        testbot: TestBot, slack: FakeSlackApi, client: SlackHttpClient) -> None:
    # Slack's API is slow to take the reply (a 429: wait Retry-After 2 s); the ack is not.
    slack.fail_next("chat.postMessage", 429, {"Retry-After": "2"})
    answer = client.event(message_event("AP2.5.1 40%"))
    assert answer.status == 200 and answer.seconds < 1.0
    assert testbot.action("AP2.5.1").progress == 40  # committed before Slack was told "got it"
    assert len(slack.wait_for("chat.postMessage", 2, timeout=8)) == 2  # the reply, after Retry-After


def test_a_50000_character_message_gets_an_answer_not_a_crash(testbot: TestBot, slack: FakeSlackApi,
                                                               client: SlackHttpClient) -> None:
    answer = client.event(message_event("AP2.5.1 40% - " + "very long note " * 3400))
    assert answer.status == 200
    reply = slack.wait_for("chat.postEphemeral")[0].args
    assert reply["user"] == ALEX and len(reply["text"]) <= 3000
    assert testbot.action("AP2.5.1").progress == 25


def test_run_starts_slack_only_when_its_environment_is_set(testbot: TestBot, slack: FakeSlackApi) -> None:
    from dataclasses import replace

    from bot.app import configured_services

    runtime = testbot.runtime
    chat = lambda services: [s for s in services if s.is_chat]  # noqa: E731  (the mailbox always runs)
    assert [s.name for s in chat(configured_services(replace(runtime, environ={})))] == []
    env = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "secret", "ACTIONBOT_SLACK_API_URL": slack.api_url,
           "ACTIONBOT_SLACK_HOST": "127.0.0.1", "ACTIONBOT_SLACK_PORT": "0"}
    services = chat(configured_services(replace(runtime, environ=env)))
    assert [(s.name, s.is_chat) for s in services] == [("slack", True)]
    assert not slack.calls  # nothing connects before start()
    services[0].start()
    try:
        assert slack.calls_to("auth.test")[0].headers["authorization"] == "Bearer xoxb-test"
    finally:
        services[0].stop()


def test_run_says_what_is_wrong_with_the_slack_setup(tmp_path: Any, slack: FakeSlackApi) -> None:
    import os
    import subprocess
    import sys

    base = {**os.environ, "ACTIONBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "ACTIONBOT_TODAY": "2023-09-27",
            "ACTIONBOT_SLACK_API_URL": slack.api_url}

    def run(**env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "bot.cli", "run"], env={**base, **env}, capture_output=True,
                              text=True, timeout=60, stdin=subprocess.DEVNULL)

    missing = run(SLACK_BOT_TOKEN="xoxb-secret-1")
    assert missing.returncode == 2 and "needs SLACK_APP_TOKEN" in missing.stderr
    slack.fail_next("auth.test", 200, {}, error="invalid_auth")
    refused = run(SLACK_BOT_TOKEN="xoxb-secret-2", SLACK_APP_TOKEN="xapp-secret-3")
    assert refused.returncode == 2 and "Slack refused the bot token (invalid_auth)" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert not any(secret in missing.stderr + refused.stderr for secret in ("xoxb-secret", "xapp-secret"))


def test_duplicate_deliveries_at_the_same_moment_apply_once(testbot: TestBot, slack: FakeSlackApi,
                                                           client: SlackHttpClient) -> None:
    payload = message_event("AP2.2.2c 75% - presentation drafted")
    statuses: list[int] = []
    senders = [threading.Thread(target=lambda n=n: statuses.append(
        client.event(payload, headers={"X-Slack-Retry-Num": str(n)} if n else None).status)) for n in range(4)]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join(10)
    assert statuses == [200] * 4
    slack.wait_for("chat.postMessage")
    time.sleep(0.5)
    assert len(slack.calls_to("chat.postMessage")) == 1 and not slack.calls_to("chat.postEphemeral")
    assert [e.kind for e in testbot.history("AP2.2.2c")].count("update") == 1


def test_slack_url_verification_is_answered(client: SlackHttpClient) -> None:
    answer = client.event({"token": "x", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
                           "type": "url_verification"})
    assert answer.status == 200 and "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" in answer.body
