"""Forged, replayed and unauthenticated requests, one table across Slack and Teams: every one
is refused, every refusal is logged at WARNING (what an operator's log shows; never the body or
a token), and nothing changes. Replays inside Slack's five minutes pass the signature check
and are applied once. The per-channel detail is in test_slack_http.py and test_teams_http.py;
this adds the "all logged" and "the same everywhere" parts, reusing their harnesses."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import TestBot
from tests.fakes.slack_api import FakeSlackApi
from tests.slack_harness import SIGNING_SECRET, HttpAnswer, SlackHttpClient, sign
from tests.teams_fakes import mint_token, new_rsa_key, post_json
from tests.test_slack_http import client as slack_client  # noqa: F401 - fixtures reused as they are
from tests.test_slack_http import message_event, service, slack  # noqa: F401
from tests.test_teams_http import APP_ID, Teams, channel_mention, microsoft, rsa_key, teams  # noqa: F401

FIVE_MINUTES = 5 * 60


def _nothing_changed(bot: TestBot) -> None:
    assert bot.action("AP2.5.1").progress == 25
    assert [e for e in bot.history("AP2.5.1") if e.kind == "update"] == []


def _refusal_logged(caplog: pytest.LogCaptureFixture, logger: str, status: int, secrets: tuple[str, ...]) -> None:
    refusals = [r for r in caplog.records if r.name == logger and r.levelno >= logging.WARNING
                and getattr(r, "status", None) == status]
    assert refusals, f"no WARNING from {logger} for the refused request: {[r.getMessage() for r in caplog.records]}"
    shown = "\n".join(f"{r.getMessage()} {vars(r)}" for r in refusals)
    assert "AP2.5.1" not in shown, "the refusal log must not carry the message body"
    for secret in secrets:
        assert secret not in shown


def slack_forgeries() -> dict[str, Callable[[SlackHttpClient, str], HttpAnswer]]:
    def replayed_late(client: SlackHttpClient, body: str) -> HttpAnswer:
        # The same body and signature as a genuine request, arriving over five minutes later.
        then = int(time.time()) - FIVE_MINUTES - 5
        return client.event(body, timestamp=then, signature=sign(body, then))

    def future(client: SlackHttpClient, body: str) -> HttpAnswer:
        ahead = int(time.time()) + FIVE_MINUTES + 60
        return client.event(body, timestamp=ahead, signature=sign(body, ahead))

    return {
        "wrong-secret": lambda c, b: c.event(b, signature=sign(b, int(time.time()), secret="guessed-secret")),
        "tampered-body": lambda c, b: c.event(b.replace("90%", "99%"), signature=sign(b, int(time.time()))),
        "no-signature": lambda c, b: c.event(b, signature=""),
        "garbage-signature": lambda c, b: c.event(b, signature="v0=" + "0" * 64),
        "replayed-after-5-minutes": replayed_late,
        "timestamp-in-the-future": future,
        "signature-of-another-request": lambda c, b: c.event(b, signature=sign(b.replace("90%", "1%"), int(time.time()))),
    }


@pytest.mark.parametrize("forgery", list(slack_forgeries()))
def test_forged_slack_requests_are_refused_logged_and_change_nothing(
        testbot: TestBot, slack: FakeSlackApi, slack_client: SlackHttpClient, caplog: pytest.LogCaptureFixture,
        forgery: str) -> None:
    caplog.set_level(logging.INFO)
    body = json.dumps(message_event("AP2.5.1 90%"))
    answer = slack_forgeries()[forgery](slack_client, body)
    assert answer.status == 401
    time.sleep(0.2)
    _nothing_changed(testbot)
    assert not slack.calls_to("chat.postMessage") and not slack.calls_to("chat.postEphemeral")
    _refusal_logged(caplog, "bot.channels.slack.http_server", 401, (SIGNING_SECRET,))


def test_a_genuine_request_replayed_within_five_minutes_is_applied_once(
        testbot: TestBot, slack: FakeSlackApi, slack_client: SlackHttpClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    payload = message_event("AP2.5.1 40%")
    body, stamp = json.dumps(payload), int(time.time())
    signature = sign(body, stamp)
    for _ in range(3):  # byte-for-byte the same request: a valid signature, so it passes the check
        assert slack_client.event(body, timestamp=stamp, signature=signature).status == 200
    slack.reply_to(payload["event"]["ts"])
    time.sleep(0.3)
    assert testbot.action("AP2.5.1").progress == 40
    assert [e.kind for e in testbot.history("AP2.5.1")].count("update") == 1
    assert len(slack.calls_to("chat.postMessage")) == 1
    duplicates = [r for r in caplog.records if r.getMessage() == "duplicate delivery ignored"]
    assert len(duplicates) == 2 and {getattr(r, "channel") for r in duplicates} == {"slack"}


def test_the_same_event_id_with_a_fresh_signature_is_applied_once(
        testbot: TestBot, slack: FakeSlackApi, slack_client: SlackHttpClient) -> None:
    payload = message_event("AP2.5.1 40%")
    assert slack_client.event(payload).status == 200
    slack.reply_to(payload["event"]["ts"])
    time.sleep(1.1)  # a later second: a new timestamp and signature, the same event
    assert slack_client.event(payload, headers={"X-Slack-Retry-Num": "1"}).status == 200
    time.sleep(0.3)
    assert [e.kind for e in testbot.history("AP2.5.1")].count("update") == 1


def teams_forgeries(teams: Teams) -> dict[str, Callable[[dict[str, Any]], tuple[int, Any]]]:
    def with_token(token: str | None) -> Callable[[dict[str, Any]], tuple[int, Any]]:
        return lambda activity: teams.post(activity, token=token)

    def other_tenant(activity: dict[str, Any]) -> tuple[int, Any]:
        activity["conversation"]["tenantId"] = activity["channelData"]["tenant"]["id"] = "0a0a0a0a-0000-0000-0000-0a0a0a0a0a0a"
        return teams.post(activity)

    def other_service_url(activity: dict[str, Any]) -> tuple[int, Any]:
        token = mint_token(teams.key, APP_ID, activity["serviceUrl"])
        activity["serviceUrl"] = "https://attacker.example/"
        return teams.post(activity, token=token)

    def basic_auth(activity: dict[str, Any]) -> tuple[int, Any]:
        return post_json(teams.url, {**activity, "deliveryMode": "expectReplies"}, authorization="Basic dXNlcjpwYXNz")

    url = "https://smba.trafficmanager.net/amer/"
    return {
        "no-token": with_token(None),
        "token-from-another-key": with_token(mint_token(new_rsa_key(), APP_ID, url)),
        "token-for-another-bot": with_token(mint_token(teams.key, "another-bot", url)),
        "expired-token": with_token(mint_token(teams.key, APP_ID, url, lifetime_s=-3600)),
        "token-from-another-issuer": with_token(mint_token(teams.key, APP_ID, url, issuer="https://evil.example")),
        "not-a-jwt": with_token("abc.def.ghi"),
        "basic-auth": basic_auth,
        "unknown-tenant": other_tenant,
        "service-url-not-the-tokens": other_service_url,
    }


TEAMS_FORGERIES = ["no-token", "token-from-another-key", "token-for-another-bot", "expired-token",
                   "token-from-another-issuer", "not-a-jwt", "basic-auth", "unknown-tenant", "service-url-not-the-tokens"]


@pytest.mark.parametrize("forgery", TEAMS_FORGERIES)
def test_unauthenticated_teams_calls_are_refused_logged_and_change_nothing(
        teams: Teams, caplog: pytest.LogCaptureFixture, forgery: str) -> None:
    caplog.set_level(logging.INFO)
    activity = channel_mention("AP2.5.1 40%")
    status, _ = teams_forgeries(teams)[forgery](activity)
    expected = 403 if forgery == "unknown-tenant" else 401
    assert status == expected
    _nothing_changed(teams.bot)
    with teams.bot.runtime.new_uow() as uow:
        assert uow.teams_conversations.list() == []
    assert teams.microsoft.posted() == []
    _refusal_logged(caplog, "bot.channels.teams.service", expected, ("test-only-secret",))


def test_an_unknown_person_refused_in_every_channel_is_logged_with_the_channel(
        testbot: TestBot, slack: FakeSlackApi, slack_client: SlackHttpClient, teams: Teams,
        caplog: pytest.LogCaptureFixture) -> None:
    from tests.test_teams_http import personal

    caplog.set_level(logging.INFO)
    assert testbot.say("AP2.5.1 90%", as_person="Somebody Else").is_error  # type: ignore[union-attr]
    stranger = message_event("AP2.5.1 90%", user="U999")
    slack_client.event(stranger)
    assert slack.reply_to(stranger["event"]["ts"]).method == "chat.postEphemeral"
    teams.replies(personal("AP2.5.1 90%", activity_id="stranger-1"))
    _nothing_changed(testbot)
    refused = {getattr(r, "channel") for r in caplog.records
               if r.name == "bot.dispatcher" and r.getMessage() == "handled" and getattr(r, "error", False)}
    assert refused == {"console", "slack", "teams"}
