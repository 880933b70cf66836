"""The Graph mailbox backend against a local fake Graph + identity server (HTTPS on an
ephemeral loopback port): real msal, real requests, documented JSON shapes. What every
backend must do is in test_mail_contract.py; this file is what is particular to Graph."""

from __future__ import annotations

import base64
import email
import email.policy
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.mail.backends import MemoryCursorStore
from bot.mail.graph_client import GraphError, retry_after_seconds
from bot.mail.mailbox import PROCESSED, OutgoingMail
from tests.fakes.graph_server import TENANT, FakeGraph
from tests.mail_backend_fixtures import SAMPLES, Sleeps, eml
from tests.mail_backend_fixtures import graph_mailbox as make_mailbox


@pytest.fixture()
def fake(tmp_path: Path) -> Iterator[FakeGraph]:
    with FakeGraph(tmp_path) as server:
        yield server


def test_delta_follows_nextlink_pages_stores_the_deltalink_and_moves_by_new_id(fake: FakeGraph) -> None:
    first, second, third = (fake.deliver(eml(name)) for name in SAMPLES[:3])
    cursors = MemoryCursorStore()
    mailbox = make_mailbox(fake, cursors)
    try:
        items = list(mailbox.fetch_new())
        assert [i.backend_id for i in items] == [first, second, third]
        delta = fake.calls("GET", "/messages/delta")
        assert len(delta) == 2, "3 messages at 2 a page: the @odata.nextLink was followed"
        assert delta[0].query == {"$select": ["id"]} and delta[0].headers["Prefer"] == "odata.maxpagesize=2"
        assert "$skiptoken" in delta[1].query
        assert "$deltatoken" in (cursors.get(mailbox.cursor_key) or ""), "the @odata.deltaLink is the cursor"
        for item in items:
            mailbox.move(item, PROCESSED)
        assert not {first, second, third} & set(fake.messages), "Graph gave every moved message a new id"
        assert len(fake.calls("POST", "/mailFolders")) == 1, "the folder was created once, then cached"
        assert json.loads(fake.calls("POST", "/move")[0].body) == {"destinationId": mailbox.folder_id(PROCESSED)}
        assert [i.raw for i in mailbox.fetch_new()] == []
        assert fake.calls("GET", "/messages/delta")[2].query == {"$deltatoken": ["3"]}, "the next round starts there"
    finally:
        mailbox.close()


def test_throttling_429_waits_retry_after_then_succeeds(fake: FakeGraph) -> None:
    fake.deliver(eml(SAMPLES[0]))
    sleeps = Sleeps()
    mailbox = make_mailbox(fake, sleeps=sleeps)
    try:
        fake.fail_next("GET", "/$value", 429, {"Retry-After": "7"})
        fake.fail_next("GET", "/$value", 503, {"Retry-After": "1"}, code="ServiceUnavailable")
        items = list(mailbox.fetch_new())
        assert [i.raw for i in items] == [eml(SAMPLES[0])]
        assert sleeps == [7.0, 1.0], "waited exactly what Retry-After said, then retried"
        assert len(fake.calls("GET", "/$value")) == 3
    finally:
        mailbox.close()


def test_throttling_that_does_not_stop_is_a_clear_error_after_bounded_retries(fake: FakeGraph) -> None:
    sleeps = Sleeps()
    mailbox = make_mailbox(fake, sleeps=sleeps, max_retries=2, max_retry_wait=30.0)
    try:
        for _ in range(3):
            fake.fail_next("GET", "/messages/delta", 429, {"Retry-After": "120"})
        with pytest.raises(GraphError, match=r"throttling .*HTTP 429, still after 2 retries"):
            list(mailbox.fetch_new())
        assert sleeps == [30.0, 30.0], "Retry-After is capped so a poll never hangs for minutes"
    finally:
        mailbox.close()


def test_a_401_gets_a_new_token_and_retries_once(fake: FakeGraph) -> None:
    fake.deliver(eml(SAMPLES[0]))
    mailbox = make_mailbox(fake)
    try:
        assert mailbox.inbox_count() == 1
        assert fake.tokens_issued == ["fake-token-1"]
        fake.revoke_tokens()  # e.g. the token was revoked before its expiry
        assert [i.raw for i in mailbox.fetch_new()] == [eml(SAMPLES[0])]
        assert fake.tokens_issued == ["fake-token-1", "fake-token-2"]
        assert fake.calls("GET", "/messages/delta")[-1].headers["Authorization"] == "Bearer fake-token-2"
    finally:
        mailbox.close()


def test_send_new_mail_as_json_with_x_headers(fake: FakeGraph) -> None:
    mailbox = make_mailbox(fake)
    try:
        mailbox.send(OutgoingMail(to=("sam@provider.example",), subject="Your concern PQ-2026-0042",
                                  text="We have logged it.", headers={"X-Actionbot-Ack": "PQ-2026-0042"}))
    finally:
        mailbox.close()
    (call,) = fake.sent
    assert call.headers["Content-Type"] == "application/json"
    assert json.loads(call.body) == {
        "message": {
            "subject": "Your concern PQ-2026-0042",
            "body": {"contentType": "Text", "content": "We have logged it."},
            "toRecipients": [{"emailAddress": {"address": "sam@provider.example"}}],
            "internetMessageHeaders": [{"name": "X-Actionbot-Ack", "value": "PQ-2026-0042"}],
        },
        "saveToSentItems": True,
    }


def test_a_reply_goes_as_mime_so_threading_and_auto_submitted_headers_survive(fake: FakeGraph) -> None:
    mailbox = make_mailbox(fake)
    try:
        mailbox.send(OutgoingMail(to=("sam@provider.example",), subject="Re: Missed calls",
                                  text="Logged as PQ-2026-0042.", html="<p>Logged as <b>PQ-2026-0042</b>.</p>",
                                  in_reply_to="<abc@provider.example>",
                                  references=("<root@provider.example>", "<abc@provider.example>"),
                                  headers={"Auto-Submitted": "auto-replied", "X-Actionbot-Ack": "PQ-2026-0042"}))
    finally:
        mailbox.close()
    (call,) = fake.sent
    assert call.headers["Content-Type"] == "text/plain"
    sent = email.message_from_bytes(base64.b64decode(call.body), policy=email.policy.default)
    assert sent["From"] == fake.mailbox and sent["To"] == "sam@provider.example"
    assert sent["In-Reply-To"] == "<abc@provider.example>"
    assert sent["References"] == "<root@provider.example> <abc@provider.example>"
    assert sent["Auto-Submitted"] == "auto-replied" and sent["X-Actionbot-Ack"] == "PQ-2026-0042"
    assert sent.get_body(("plain",)).get_content().strip() == "Logged as PQ-2026-0042."  # type: ignore[union-attr]
    assert "<b>PQ-2026-0042</b>" in sent.get_body(("html",)).get_content()  # type: ignore[union-attr]


def test_an_expired_delta_token_starts_a_full_round(fake: FakeGraph) -> None:
    fake.deliver(eml(SAMPLES[0]))
    cursors = MemoryCursorStore()
    mailbox = make_mailbox(fake, cursors)
    try:
        assert len(list(mailbox.fetch_new())) == 1  # left in the inbox (as after a crash)
        fake.fail_next("GET", "/messages/delta", 410, code="SyncStateNotFound")
        assert [i.raw for i in mailbox.fetch_new()] == [eml(SAMPLES[0])], "full resync lists the inbox again"
    finally:
        mailbox.close()


def test_wrong_secret_is_a_sentence_that_never_shows_the_secret(fake: FakeGraph) -> None:
    mailbox = make_mailbox(fake, secret="wrong-but-secret-value")
    try:
        with pytest.raises(GraphError) as caught:
            mailbox.inbox_count()
    finally:
        mailbox.close()
    text = str(caught.value)
    assert "invalid_client" in text and "ACTIONBOT_GRAPH_CLIENT_ID" in text
    assert "wrong-but-secret-value" not in text and "wrong-but-secret-value" not in repr(mailbox.config)


def test_retry_after_reads_seconds_and_http_dates() -> None:
    from datetime import datetime, timezone

    now = datetime(2026, 11, 23, 12, 0, 0, tzinfo=timezone.utc)
    assert retry_after_seconds("12", 1, now) == 12.0
    assert retry_after_seconds("Mon, 23 Nov 2026 12:00:30 GMT", 1, now) == 30.0
    assert retry_after_seconds(None, 3, now) == 8.0
    assert retry_after_seconds("soon", 1, now) == 2.0


def test_an_unreachable_sign_in_service_is_a_clear_error(fake: FakeGraph) -> None:
    import socket

    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mailbox = make_mailbox(fake, authority=f"https://127.0.0.1:{port}/{TENANT}")
    try:
        with pytest.raises(GraphError, match="Cannot reach the Microsoft sign-in service"):
            list(mailbox.fetch_new())
    finally:
        mailbox.close()


def test_access_denied_says_which_permissions_the_app_needs(fake: FakeGraph) -> None:
    mailbox = make_mailbox(fake)
    try:
        fake.fail_next("GET", "/messages/delta", 403, code="ErrorAccessDenied")
        with pytest.raises(GraphError, match="HTTP 403 ErrorAccessDenied.*Mail.ReadWrite and Mail.Send"):
            list(mailbox.fetch_new())
    finally:
        mailbox.close()
