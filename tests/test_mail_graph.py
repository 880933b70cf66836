"""The Graph mailbox backend against a local fake Graph + identity server (HTTPS on an
ephemeral loopback port): real msal, real requests, documented JSON shapes."""

from __future__ import annotations

import base64
import email
import email.policy
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.mail.graph import GraphMailbox
from bot.mail.graph_client import GraphClient, GraphConfig, GraphError, retry_after_seconds
from bot.mail.mailbox import FILED, NEEDS_ATTENTION, PROCESSED, OutgoingMail
from tests.fakes.graph_server import TENANT, FakeGraph

EMAILS = Path(__file__).resolve().parent / "fixtures" / "mail_backends"  # copied from shared/corpora/emails
SAMPLES = ["sisimai_ooo_away_until_may5.eml", "rt_html_only_umlaut.eml",
           "rt_outlook_forwarded_message_rfc822.eml", "flanker_bounce_office365_ndr.eml"]


class DictCursors:
    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def get(self, key: str) -> str | None:
        return self.values.get(key)

    def set(self, key: str, value: str) -> None:
        self.values[key] = value


@pytest.fixture()
def fake(tmp_path: Path) -> Iterator[FakeGraph]:
    with FakeGraph(tmp_path) as server:
        yield server


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def make_mailbox(fake: FakeGraph, cursors: DictCursors | None = None, sleeps: Sleeps | None = None,
                 secret: str = "s3cret-value", **overrides: object) -> GraphMailbox:
    config = GraphConfig(tenant_id=TENANT, client_id="app-id", client_secret=secret, mailbox=fake.mailbox,
                         base_url=fake.base_url, authority=fake.authority, timeout=3.0, page_size=2,
                         verify=str(fake.cert_path), **overrides)  # type: ignore[arg-type]
    return GraphMailbox(config, cursors or DictCursors(), GraphClient(config, sleep=sleeps if sleeps is not None else Sleeps()))


def eml(name: str) -> bytes:
    return (EMAILS / name).read_bytes()


def test_delta_pages_then_a_second_poll_returns_only_new_mail(fake: FakeGraph) -> None:
    for name in SAMPLES[:3]:
        fake.deliver(eml(name))
    cursors = DictCursors()
    mailbox = make_mailbox(fake, cursors)
    try:
        first = []
        for item in mailbox.fetch_new():
            first.append(item.raw)
            mailbox.move(item, PROCESSED)
        assert first == [eml(name) for name in SAMPLES[:3]], "raw MIME ($value) handed over byte for byte, in order"
        assert len(fake.calls("GET", "/messages/delta")) == 2, "3 messages at 2 a page: the nextLink was followed"
        assert "$deltatoken" in cursors.values[mailbox.cursor_key]
        assert len(fake.in_folder(PROCESSED)) == 3 and not fake.in_folder("Inbox")

        fake.deliver(eml(SAMPLES[3]))
        second = [item.raw for item in mailbox.fetch_new()]
        assert second == [eml(SAMPLES[3])], "only the new message; the moved ones come back as @removed and are skipped"
        assert list(mailbox.fetch_new()) == [], "nothing new, nothing handed over"
    finally:
        mailbox.close()


def test_move_uses_a_new_id_creates_folders_once_and_is_idempotent(fake: FakeGraph) -> None:
    first, second = fake.deliver(eml(SAMPLES[0])), fake.deliver(eml(SAMPLES[1]))
    mailbox = make_mailbox(fake)
    try:
        items = list(mailbox.fetch_new())
        assert [i.backend_id for i in items] == [first, second]
        mailbox.move(items[0], NEEDS_ATTENTION)
        mailbox.move(items[1], NEEDS_ATTENTION)
        mailbox.move(items[0], NEEDS_ATTENTION)  # already gone (its id changed): not an error
        assert first not in fake.messages and second not in fake.messages, "Graph gave the moved messages new ids"
        assert fake.in_folder(NEEDS_ATTENTION) == [eml(SAMPLES[0]), eml(SAMPLES[1])]
        assert len(fake.calls("POST", "/mailFolders")) == 1, "the folder was created once, then found in the cache"
        move_body = json.loads(fake.calls("POST", "/move")[0].body)
        assert move_body == {"destinationId": mailbox.folder_id(NEEDS_ATTENTION)}
    finally:
        mailbox.close()
    # a fresh process finds the existing folder by displayName instead of creating another
    again = make_mailbox(fake)
    try:
        fake.deliver(eml(SAMPLES[2]))
        for item in again.fetch_new():
            again.move(item, NEEDS_ATTENTION)
        assert len(fake.calls("POST", "/mailFolders")) == 1
        assert list(fake.folders.values()).count(NEEDS_ATTENTION) == 1
    finally:
        again.close()


def test_a_crash_mid_round_hands_the_unmoved_messages_over_again(fake: FakeGraph) -> None:
    for name in SAMPLES[:3]:
        fake.deliver(eml(name))
    cursors = DictCursors()
    mailbox = make_mailbox(fake, cursors)
    try:
        rounds = mailbox.fetch_new()
        item = next(rounds)
        mailbox.move(item, FILED)
        rounds.close()  # the process dies before the round ends
        assert mailbox.cursor_key not in cursors.values, "no deltaLink saved for an unfinished round"
        replay = [i.raw for i in mailbox.fetch_new()]
        assert replay == [eml(SAMPLES[1]), eml(SAMPLES[2])], "the unmoved two again, the moved one not"
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
    cursors = DictCursors()
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
