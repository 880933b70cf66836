"""Configured secrets never appear in logs or in what the bot says, even when things go wrong.

The Slack, Teams and Graph paths run with distinctive token values, errors are provoked (a
token Slack refuses at auth.test, 401s from the Web API and the token endpoints, a handler that
crashes because its table is gone), and every log record — captured raw at DEBUG from every
logger, libraries included, before any redaction — every reply and the CLI's stderr and stdout
(`actionbot -v`, a subprocess) are scanned for the token values.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.channels.slack.service import SlackService
from bot.domain.model import Role
from bot.logs import StructuredFormatter
from bot.mail.graph_client import GraphError
from tests.conftest import REPO, TestBot
from tests.fakes.graph_server import TENANT, FakeGraph
from tests.fakes.slack_api import FakeSlackApi
from tests.mail_backend_fixtures import graph_mailbox
from tests.slack_harness import SlackHttpClient, http_settings, sign
from tests.teams_fakes import post_json
from tests.test_slack_http import message_event
from tests.test_teams_http import APP_ID, CHANNEL_ID, CHANNEL_TENANT, Teams, channel_mention, microsoft, rsa_key  # noqa: F401

SLACK_BOT_TOKEN = "xoxb-1111-2222-DistinctBotTokenValue"
SLACK_SIGNING_SECRET = "signing-DistinctSecretValue-9f8e7d"
SLACK_APP_TOKEN = "xapp-1-DistinctAppTokenValue-5c4b"
TEAMS_SECRET = "teams-DistinctClientSecret~7a6b5c"
GRAPH_SECRET = "s3cret-value"  # the one the fake Graph accepts
GRAPH_WRONG_SECRET = "graph-DistinctWrongSecret-3d2c1b"


def everything_logged(records: Iterable[logging.LogRecord]) -> str:
    formatter = StructuredFormatter("%(levelname)s %(name)s %(message)s")
    lines = []
    for record in records:
        lines.append(formatter.format(record))
        if record.exc_info and record.exc_info[1] is not None:
            lines.append(repr(record.exc_info[1]))
    return "\n".join(lines)


def assert_no_secret(where: str, shown: str, *secrets: str) -> None:
    for secret in secrets:
        assert secret not in shown, f"{where} shows a configured secret ({secret[:6]}…)"


def test_slack_errors_show_no_token_in_logs_or_replies(testbot: TestBot, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    testbot.add_person("Alex Admin", identities={"slack": "U111"}, role=Role.ADMIN)
    with FakeSlackApi() as slack:
        settings = dataclasses.replace(http_settings(slack), bot_token=SLACK_BOT_TOKEN,
                                       signing_secret=SLACK_SIGNING_SECRET)
        service = SlackService(settings, testbot.runtime.dispatcher.handle)
        service.start()
        try:
            client = SlackHttpClient(service)

            def post(text_: str) -> str:
                payload = message_event(text_)
                body, now = json.dumps(payload), int(time.time())
                assert client.event(body, timestamp=now, signature=sign(body, now, SLACK_SIGNING_SECRET)).status == 200
                return str(payload["event"]["ts"])

            slack.reply_to(post("AP2.5.1 40%"))  # works
            slack.fail_next("chat.postMessage", 401, {}, error="invalid_auth")  # the token is revoked mid-run
            post("AP2.5.2 note revoked")
            slack.wait_for("chat.postMessage", 2)
            body = json.dumps(message_event("AP2.5.1 90%"))  # forged: signed with the wrong secret
            assert client.event(body, signature=sign(body, int(time.time()), "not-it")).status == 401
            with testbot.runtime.engine.begin() as conn:  # the handler crashes: its table is gone
                conn.execute(text("ALTER TABLE history RENAME TO history_gone"))
            try:
                crashed = slack.reply_to(post("AP2.5.1 50%"))
            finally:
                with testbot.runtime.engine.begin() as conn:
                    conn.execute(text("ALTER TABLE history_gone RENAME TO history"))
            assert "incident" in crashed.args["text"]
        finally:
            service.stop()
        replies = json.dumps([c.args for c in slack.calls])
        sent_headers = [c.headers.get("authorization") for c in slack.calls]
    assert f"Bearer {SLACK_BOT_TOKEN}" in sent_headers  # the token was really in use
    assert any(r.getMessage() == "handler failed" for r in caplog.records)
    assert_no_secret("the Slack log", everything_logged(caplog.records), SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET)
    assert_no_secret("what the bot posted to Slack", replies, SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET)


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("ACTIONBOT_", "SLACK_"))}
    return {**base, "PYTHONPATH": str(REPO), "ACTIONBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
            "ACTIONBOT_TODAY": "2023-09-27", "ACTIONBOT_MAILDROP": str(tmp_path / "maildrop"),
            "ACTIONBOT_HTTP_PORT": "0", **extra}  # `run` serves HTTP: on a free port, never a fixed one


def test_the_cli_never_prints_a_slack_token_it_was_refused(tmp_path: Path) -> None:
    with FakeSlackApi() as slack:
        slack.fail_next("auth.test", 200, {}, error="invalid_auth")
        refused = subprocess.run([sys.executable, "-m", "bot.cli", "-v", "run"], cwd=tmp_path, capture_output=True,
                                 text=True, timeout=60, stdin=subprocess.DEVNULL,
                                 env=_env(tmp_path, SLACK_BOT_TOKEN=SLACK_BOT_TOKEN, SLACK_APP_TOKEN=SLACK_APP_TOKEN,
                                          ACTIONBOT_SLACK_API_URL=slack.api_url))
    assert refused.returncode == 2 and "Slack refused the bot token (invalid_auth)" in refused.stderr
    assert_no_secret("`actionbot -v run` output", refused.stderr + refused.stdout, SLACK_BOT_TOKEN, SLACK_APP_TOKEN)


def test_teams_errors_show_no_secret_in_logs_replies_or_the_cli(
        testbot: TestBot, microsoft, rsa_key, caplog: pytest.LogCaptureFixture,  # type: ignore[no-untyped-def]  # noqa: F811
        tmp_path: Path) -> None:
    from bot.channels.teams.proactive import ProactiveSendFailed
    from tests.test_teams_http import start_teams

    caplog.set_level(logging.DEBUG)
    # The Entra token endpoint refuses this secret (the fake knows another): each turn needs a
    # token (the SDK builds its user-token client first), so messages fail with a 500, and so
    # do proactive sends.
    working = start_teams(testbot, microsoft, ACTIONBOT_TEAMS_SERVICE_URL=f"{microsoft.url}/")
    try:  # first, with the right secret, the bot is addressed in a channel: it can post there later
        assert Teams(testbot, microsoft, working, rsa_key).replies(channel_mention("overdue", activity_id="0"))
    finally:
        working.stop()
    service = start_teams(testbot, microsoft, ACTIONBOT_TEAMS_APP_SECRET=TEAMS_SECRET,
                          ACTIONBOT_TEAMS_SERVICE_URL=f"{microsoft.url}/")
    try:
        teams = Teams(testbot, microsoft, service, rsa_key)
        failed_turn = teams.post(channel_mention("overdue", activity_id="1"))
        assert failed_turn[0] == 500
        refused = teams.post(channel_mention("AP2.5.1 40%", activity_id="2"), token=None)
        assert refused[0] == 401
        with pytest.raises(ProactiveSendFailed) as failed:
            service.sender.send(CHANNEL_ID, None, "digest")
    finally:
        service.stop()
    replies = [failed_turn, refused]
    assert microsoft.token_requests(), "the secret was really sent to the token endpoint"
    assert_no_secret("the Teams log", everything_logged(caplog.records), TEAMS_SECRET)
    assert_no_secret("the Teams replies and errors", json.dumps([replies, refused]) + str(failed.value), TEAMS_SECRET)

    env = _env(tmp_path, ACTIONBOT_TEAMS_APP_ID=APP_ID, ACTIONBOT_TEAMS_APP_SECRET=TEAMS_SECRET,
               ACTIONBOT_TEAMS_TENANT_ID=CHANNEL_TENANT, ACTIONBOT_TEAMS_PORT="0")
    process = subprocess.Popen([sys.executable, "-m", "bot.cli", "-v", "run"], cwd=tmp_path, env=env,
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stderr is not None
        seen = []
        for _ in range(200):
            line = process.stderr.readline()
            seen.append(line)
            if "Started Teams" in line or not line:
                break
        port = line.split("127.0.0.1:")[1].split("/")[0]
        status, _ = post_json(f"http://127.0.0.1:{port}/api/messages", channel_mention("AP2.5.1 40%"),
                              "not-a-real-token")
        assert status == 401
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    shown = "".join(seen) + out + err
    assert "teams request refused" in shown  # the refusal is in the operator's log …
    assert_no_secret("`actionbot -v run` with Teams", shown, TEAMS_SECRET)  # … and the secret is not


def test_graph_errors_show_no_secret_or_access_token(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with FakeGraph(tmp_path) as fake:
        wrong = graph_mailbox(fake, secret=GRAPH_WRONG_SECRET)
        try:
            with pytest.raises(GraphError) as refused:
                wrong.inbox_count()
        finally:
            wrong.close()
        right = graph_mailbox(fake)
        try:
            right.inbox_count()
            fake.revoke_tokens()  # every later call: 401, then a new token
            fake.fail_next("GET", "mailFolders", 403, code="ErrorAccessDenied")
            with pytest.raises(GraphError) as denied:
                right.inbox_count()
        finally:
            right.close()
        tokens = list(fake.tokens_issued)
        graph_env = {"ACTIONBOT_MAIL_BACKEND": "graph", "ACTIONBOT_GRAPH_TENANT_ID": TENANT,
                     "ACTIONBOT_GRAPH_CLIENT_ID": "app-id", "ACTIONBOT_GRAPH_CLIENT_SECRET": GRAPH_WRONG_SECRET,
                     "ACTIONBOT_GRAPH_MAILBOX": fake.mailbox, "ACTIONBOT_GRAPH_URL": fake.base_url,
                     "ACTIONBOT_GRAPH_AUTHORITY": fake.authority, "REQUESTS_CA_BUNDLE": str(fake.cert_path)}
        check = subprocess.run([sys.executable, "-m", "bot.cli", "-v", "mail", "check"], cwd=tmp_path,
                               env=_env(tmp_path, **graph_env), capture_output=True, text=True, timeout=60)
    assert tokens, "the fake issued access tokens"
    assert check.returncode == 1 and "client credentials" in check.stderr
    secrets = (GRAPH_SECRET, GRAPH_WRONG_SECRET, *tokens)
    assert_no_secret("the Graph log", everything_logged(caplog.records), *secrets)
    assert_no_secret("the Graph errors", f"{refused.value} {denied.value}", *secrets)
    assert_no_secret("`actionbot -v mail check`", check.stderr + check.stdout, *secrets)
