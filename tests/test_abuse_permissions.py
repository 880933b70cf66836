"""The permission matrix: every update and query command, by every role, through every channel
— the console (the dispatcher), Slack (signed HTTP to the real Bolt app, fake Web API) and
Teams (/api/messages with a Bot Framework JWT the SDK validates) — table-driven.

A refused change says why, changes nothing (the action and its history are as before) and is
logged (the dispatcher's `handled` record with error=True, channel and message id). One bot
and one Slack and Teams service serve the whole module; each case puts the actions it may
have changed back as they were, so every case starts from the example plan.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.channels.console import console_message
from bot.channels.slack.service import SlackService
from bot.domain.model import Role
from tests.conftest import TestBot, make_testbot
from tests.fakes.slack_api import FakeSlackApi
from tests.slack_harness import SlackHttpClient, http_settings
from tests.teams_fakes import BOT_FRAMEWORK_ISSUER, FakeMicrosoft, mint_token, new_rsa_key, post_json
from tests.test_teams_http import APP_ID, APP_SECRET, PERSONAL_TENANT, personal, start_teams

# The Teams service (started once for the module) filters the SDK's aiohttp NotAppKeyWarning
# when it starts (bot/channels/teams/service.py); pytest resets warning filters per test.
pytestmark = pytest.mark.filterwarnings("ignore::aiohttp.web_exceptions.NotAppKeyWarning")

OWN = "AP2.5.1"  # Commissioning Team, 25%: the updater's own action
OTHER = "AP2.5.4b"  # Service Manager, 0%: someone else's


@dataclass(frozen=True)
class Who:
    role: str
    name: str | None  # None: someone the bot does not know
    slack: str
    teams: str


PEOPLE = {
    "unknown": Who("unknown", None, "U999", "00000000-0000-0000-0000-00000000dead"),
    "viewer": Who("viewer", "Vera Viewer", "V111", "11111111-1111-1111-1111-111111111111"),
    "updater": Who("updater", "Wendy Updater", "W111", "22222222-2222-2222-2222-222222222222"),
    "admin": Who("admin", "Alex Admin", "A111", "33333333-3333-3333-3333-333333333333"),
}

UPDATES = {
    "progress": "{code} 40% - matrix {n}",
    "done": "{code} done - matrix {n}",
    "started": "{code} started - matrix {n}",
    "cancel": "{code} cancelled because matrix {n}",
    "due": "{code} due 31/03/2027",
    "owner": "{code} owner Finance Team",
    "note": "{code} note matrix {n}",
    "batch": "{code} 45%; AP2.2.2c 60%",  # all or nothing: AP2.2.2c is the updater's own
}
QUERIES = ["summary", "summary 2.5", "status AP2.5.1", "AP2.5.4b?", "history AP2.5.1", "overdue", "due this week",
           "mine", "help"]

# (who, permission mode, action) -> may change it?
GRANTS = {
    ("unknown", "strict", OWN): False, ("unknown", "strict", OTHER): False,
    ("viewer", "strict", OWN): False, ("viewer", "strict", OTHER): False,
    ("updater", "strict", OWN): True, ("updater", "strict", OTHER): False,
    ("updater", "open", OWN): True, ("updater", "open", OTHER): True,
    ("admin", "strict", OWN): True, ("admin", "strict", OTHER): True,
}
REASONS = {"unknown": "don't know who you are", "viewer": "viewer role", "updater": "responsibility of"}
CHANNELS = ["console", "slack", "teams"]
_numbers = itertools.count(1)


@dataclass
class Answer:
    text: str
    is_error: bool


class Matrix:
    def __init__(self, bot: TestBot, slack: FakeSlackApi, slack_client: SlackHttpClient, teams_url: str,
                 key: Any) -> None:
        self.bot, self.slack, self.slack_client, self.teams_url, self.key = bot, slack, slack_client, teams_url, key

    def send(self, channel: str, who: Who, text: str) -> tuple[Answer | None, str]:
        """The reply (None: silence) and the message id the channel gave the message."""
        n = next(_numbers)
        if channel == "console":
            message = console_message(text, who.name or "Nobody Known")
            message = dataclasses.replace(message, message_id=f"matrix-{n}")
            reply = self.bot.runtime.dispatcher.handle(message)
            return (None if reply is None else Answer(reply.text, reply.is_error)), f"matrix-{n}"
        if channel == "slack":
            ts = f"1710000000.{n:06d}"
            payload = {"token": "x", "team_id": "T111", "api_app_id": "A111", "type": "event_callback",
                       "event_id": f"EvMatrix{n:06d}", "event_time": 1710000000,
                       "event": {"type": "message", "channel": "D111", "channel_type": "im", "user": who.slack,
                                 "text": text, "ts": ts, "event_ts": ts, "client_msg_id": f"matrix-{n}"}}
            assert self.slack_client.event(payload).status == 200
            call = self.slack.reply_to(ts, timeout=10)
            return Answer(call.args.get("text", ""), call.method == "chat.postEphemeral"), f"matrix-{n}"
        activity = personal(text, activity_id=f"matrix{n}")
        activity["from"] = {**activity["from"], "aadObjectId": who.teams, "name": who.name or "Stranger"}
        activity["deliveryMode"] = "expectReplies"
        status, body = post_json(self.teams_url, activity, mint_token(self.key, APP_ID, activity["serviceUrl"]))
        assert status == 200, (status, body)
        if not body["activities"]:
            return None, ""
        (reply,) = body["activities"]
        card = reply["attachments"][0]["content"]
        is_error = card["body"][0].get("color") == "Attention"
        return Answer(card["fallbackText"], is_error), f"/matrix{n}"

    def snapshot(self) -> dict[str, Any]:
        state: dict[str, Any] = {}
        for code in (OWN, OTHER, "AP2.2.2c"):
            action = self.bot.action(code)
            newest = self.bot.history(code)[:1]
            state[code] = (action, newest[0].id if newest else None)
        return state

    def restore(self, before: dict[str, Any]) -> None:
        with self.bot.runtime.new_uow() as uow:
            for action, _ in before.values():
                uow.actions.save(action)
            uow.commit()


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Matrix]:
    from microsoft_agents.hosting.core.authorization import _entra_issuers

    bot = make_testbot(Path(tmp_path_factory.mktemp("matrix")))
    for who in PEOPLE.values():
        if who.name:
            bot.add_person(who.name, Role(who.role), team="Commissioning Team" if who.role == "updater" else None,
                           identities={"console": who.name, "slack": who.slack, "teams": who.teams})
    key = new_rsa_key()
    microsoft = FakeMicrosoft(key, APP_ID, APP_SECRET)
    microsoft.start()
    saved_jwks = _entra_issuers.BOTFRAMEWORK_JWKS_URIS.get(BOT_FRAMEWORK_ISSUER)
    _entra_issuers.BOTFRAMEWORK_JWKS_URIS[BOT_FRAMEWORK_ISSUER] = microsoft.jwks_url
    with FakeSlackApi() as slack:
        slack_service = SlackService(http_settings(slack), bot.runtime.dispatcher.handle)
        slack_service.start()
        teams = start_teams(bot, microsoft, ACTIONBOT_TEAMS_SERVICE_URL=f"{microsoft.url}/")
        try:
            yield Matrix(bot, slack, SlackHttpClient(slack_service), f"http://127.0.0.1:{teams.port}/api/messages", key)
        finally:
            teams.stop()
            slack_service.stop()
            microsoft.stop()
            if saved_jwks is not None:
                _entra_issuers.BOTFRAMEWORK_JWKS_URIS[BOT_FRAMEWORK_ISSUER] = saved_jwks
            bot.runtime.close()


@pytest.fixture
def mode(matrix: Matrix, request: pytest.FixtureRequest) -> Iterator[str]:
    dispatcher = matrix.bot.runtime.dispatcher
    saved = dispatcher.settings
    chosen: str = request.param
    dispatcher.settings = dataclasses.replace(saved, permission_mode=chosen)
    yield chosen
    dispatcher.settings = saved


def handled_records(caplog: pytest.LogCaptureFixture, message_id: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "bot.dispatcher" and r.getMessage() == "handled"
            and str(getattr(r, "message_id", "")).endswith(message_id)]


def update_cases() -> Iterator[Any]:
    for (who, mode_name, code), allowed in GRANTS.items():
        for command in UPDATES:
            for channel in CHANNELS:
                outcome = "applied" if allowed else "refused"
                yield pytest.param(mode_name, channel, who, code, command, allowed,
                                   id=f"{channel}-{who}-{mode_name}-{command}-{'own' if code == OWN else 'other'}-{outcome}")


@pytest.mark.parametrize("mode, channel, who, code, command, allowed", list(update_cases()), indirect=["mode"])
def test_every_update_by_every_role_through_every_channel(matrix: Matrix, mode: str, caplog: pytest.LogCaptureFixture,
                                                          channel: str, who: str, code: str, command: str,
                                                          allowed: bool) -> None:
    check_update(matrix, caplog, channel, who, code, command, allowed)


def check_update(matrix: Matrix, caplog: pytest.LogCaptureFixture, channel: str, who: str, code: str,
                 command: str, allowed: bool) -> None:
    caplog.set_level(logging.INFO, logger="bot.dispatcher")
    before = matrix.snapshot()
    text = UPDATES[command].format(code=code, n=next(_numbers))
    try:
        answer, message_id = matrix.send(channel, PEOPLE[who], text)
        after = matrix.snapshot()
    finally:
        matrix.restore(before)
    assert answer is not None, f"{text!r} from {who} on {channel} got no reply"
    if allowed:
        assert not answer.is_error, f"{who} on {channel} was refused {text!r}: {answer.text}"
        assert after[code][1] != before[code][1], "an applied change must be in the history"
    else:
        assert answer.is_error, f"{who} on {channel} was allowed {text!r}: {answer.text}"
        assert REASONS[who] in answer.text, f"the refusal must say why: {answer.text!r}"
        for changed_code in before:
            assert after[changed_code] == before[changed_code], f"a refused {text!r} changed {changed_code}"
        (record,) = handled_records(caplog, message_id)
        assert record.error is True and record.channel == channel  # type: ignore[attr-defined]


@pytest.mark.parametrize("mode", ["strict"], indirect=True)
@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("who", list(PEOPLE))
@pytest.mark.parametrize("query", QUERIES)
def test_every_role_may_ask_and_asking_changes_nothing(matrix: Matrix, mode: str, channel: str, who: str,
                                                       query: str) -> None:
    before = matrix.snapshot()
    answer, _ = matrix.send(channel, PEOPLE[who], query)
    assert answer is not None and answer.text.strip(), f"{query!r} from {who} on {channel} got no answer"
    if query == "mine" and who == "unknown":
        assert answer.is_error and "know" in answer.text  # who "mine" is cannot be known: said so
    else:
        assert not answer.is_error, f"{query!r} from {who} on {channel}: {answer.text}"
    assert matrix.snapshot() == before
