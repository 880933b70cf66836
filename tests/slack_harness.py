"""What the Slack tests share: corpus payloads, v0 request signing, and a running SlackService
(the real Bolt app) in HTTP mode against the fake Web API."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bot.channels.slack.service import SlackService
from bot.channels.slack.slack_settings import SlackSettings
from tests.fakes.slack_api import FakeSlackApi

# Recorded payloads, unchanged (origins and licences in tests/fixtures/SOURCES.md).
CORPUS = Path(__file__).resolve().parent / "fixtures" / "slack_payloads"
SIGNING_SECRET = "test-signing-secret-8f14e45f"


def corpus_json(name: str) -> dict[str, Any]:
    return json.loads((CORPUS / name).read_text(encoding="utf-8"))


def corpus_text(name: str) -> str:
    return (CORPUS / name).read_text(encoding="utf-8")


def sign(body: str, timestamp: int, secret: str = SIGNING_SECRET) -> str:
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass
class HttpAnswer:
    status: int
    body: str
    seconds: float


def http_settings(slack: FakeSlackApi) -> SlackSettings:
    return SlackSettings(bot_token="xoxb-test-token", mode="http", signing_secret=SIGNING_SECRET,
                         api_url=slack.api_url, http_host="127.0.0.1", http_port=0)


class SlackHttpClient:
    """Sends what Slack sends: signed JSON events and form-encoded commands and actions."""

    def __init__(self, service: SlackService) -> None:
        address = service.http_address
        assert address is not None
        self.host, self.port = address

    def post(self, body: str, content_type: str, timestamp: int | None = None, signature: str | None = None,
             headers: dict[str, str] | None = None) -> HttpAnswer:
        stamp = int(time.time()) if timestamp is None else timestamp
        sent = {"Content-Type": content_type, "X-Slack-Request-Timestamp": str(stamp), **(headers or {})}
        if signature != "":  # "" sends no signature at all
            sent["X-Slack-Signature"] = signature if signature is not None else sign(body, stamp)
        started = time.perf_counter()
        connection = http.client.HTTPConnection(self.host, self.port, timeout=10)
        try:
            connection.request("POST", "/slack/events", body=body.encode(), headers=sent)
            response = connection.getresponse()
            text = response.read().decode()
        finally:
            connection.close()
        return HttpAnswer(response.status, text, time.perf_counter() - started)

    def event(self, payload: dict[str, Any] | str, **kwargs: Any) -> HttpAnswer:
        body = payload if isinstance(payload, str) else json.dumps(payload)
        return self.post(body, "application/json", **kwargs)

    def form(self, fields: dict[str, str], **kwargs: Any) -> HttpAnswer:
        return self.post(urlencode(fields), "application/x-www-form-urlencoded", **kwargs)

    def interactive(self, payload: dict[str, Any], **kwargs: Any) -> HttpAnswer:
        return self.form({"payload": json.dumps(payload)}, **kwargs)
