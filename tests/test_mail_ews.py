"""The EWS mailbox backend: real exchangelib against a local fake EWS endpoint that parses
exchangelib's actual SOAP requests and answers with the response envelopes in
tests/fixtures/ews/ (shapes from the EWS schema, as Exchange Server 2019 sends them)."""

from __future__ import annotations

import base64
import email
import email.policy
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.mail.ews import EwsConfig, EwsError, EwsMailbox
from bot.mail.mailbox import FILED, NEEDS_ATTENTION, PROCESSED, OutgoingMail
from tests.fakes.ews_server import PASSWORD, USERNAME, FakeEws, M, T
from tests.test_mail_graph import SAMPLES, DictCursors, eml


@pytest.fixture()
def fake() -> Iterator[FakeEws]:
    with FakeEws() as server:
        yield server


def make_mailbox(fake: FakeEws, cursors: DictCursors | None = None, password: str = PASSWORD,
                 page_size: int = 100) -> EwsMailbox:
    config = EwsConfig(url=fake.url, mailbox=fake.mailbox, auth="basic", username=USERNAME, password=password)
    return EwsMailbox(config, cursors or DictCursors(), page_size=page_size)


def test_sync_hands_over_raw_mime_then_a_second_poll_returns_only_new_mail(fake: FakeEws) -> None:
    for name in SAMPLES[:3]:
        fake.deliver(eml(name))
    cursors = DictCursors()
    mailbox = make_mailbox(fake, cursors, page_size=2)
    try:
        first = []
        for item in mailbox.fetch_new():
            first.append(item.raw)
            mailbox.move(item, PROCESSED)
        assert first == [eml(name) for name in SAMPLES[:3]], "MimeContent decoded byte for byte, in order"
        assert len(fake.calls("SyncFolderItems")) == 2, "3 changes at 2 a page: synced until IncludesLastItemInRange"
        assert cursors.values[mailbox.cursor_key] == "H4sIstate3"
        assert len(fake.in_folder(PROCESSED)) == 3 and not fake.in_folder("Inbox")

        fake.deliver(eml(SAMPLES[3]))
        assert [i.raw for i in mailbox.fetch_new()] == [eml(SAMPLES[3])], "only the new one; moved ones are Deletes"
        assert list(mailbox.fetch_new()) == []
    finally:
        mailbox.close()
    sync = fake.calls("SyncFolderItems")[-1].body
    folder = sync.find(f"{M}SyncFolderId/{T}DistinguishedFolderId")
    assert folder is not None and folder.get("Id") == "inbox"
    assert sync.findtext(f"{M}SyncState"), "later polls send the stored SyncState"
    get_item = fake.calls("GetItem")[0].body
    assert get_item.find(f".//{T}FieldURI[@FieldURI='item:MimeContent']") is not None


def test_move_creates_the_folder_once_and_is_idempotent(fake: FakeEws) -> None:
    fake.deliver(eml(SAMPLES[0]))
    fake.deliver(eml(SAMPLES[1]))
    mailbox = make_mailbox(fake)
    try:
        items = list(mailbox.fetch_new())
        for item in items:
            mailbox.move(item, NEEDS_ATTENTION)
        mailbox.move(items[0], NEEDS_ATTENTION)  # its id is dead after the move: not an error
        assert fake.in_folder(NEEDS_ATTENTION) == [eml(SAMPLES[0]), eml(SAMPLES[1])]
        assert len(fake.calls("CreateFolder")) == 1
    finally:
        mailbox.close()
    again = make_mailbox(fake)  # a new process finds the folder instead of creating another
    try:
        fake.deliver(eml(SAMPLES[2]))
        for item in again.fetch_new():
            again.move(item, NEEDS_ATTENTION)
        assert len(fake.calls("CreateFolder")) == 1
        assert [n for n, _, _ in fake.folders.values()].count(NEEDS_ATTENTION) == 1
        assert sorted(again.folder_names()) == ["Inbox", NEEDS_ATTENTION, "Sent Items"]
        assert again.inbox_count() == 0
    finally:
        again.close()


def test_a_crash_mid_round_hands_the_unmoved_messages_over_again(fake: FakeEws) -> None:
    for name in SAMPLES[:3]:
        fake.deliver(eml(name))
    cursors = DictCursors()
    mailbox = make_mailbox(fake, cursors)
    try:
        rounds = mailbox.fetch_new()
        mailbox.move(next(rounds), FILED)
        rounds.close()  # the process dies before the round ends
        assert mailbox.cursor_key not in cursors.values
        assert [i.raw for i in mailbox.fetch_new()] == [eml(SAMPLES[1]), eml(SAMPLES[2])]
    finally:
        mailbox.close()


def test_send_is_createitem_with_the_whole_mime_so_threading_headers_survive(fake: FakeEws) -> None:
    mailbox = make_mailbox(fake)
    try:
        mailbox.send(OutgoingMail(to=("sam@provider.example",), subject="Re: Missed calls",
                                  text="Logged as PQ-2026-0042.", in_reply_to="<abc@provider.example>",
                                  references=("<root@provider.example>", "<abc@provider.example>"),
                                  headers={"Auto-Submitted": "auto-replied"}))
    finally:
        mailbox.close()
    (call,) = fake.calls("CreateItem")
    assert call.body.get("MessageDisposition") == "SendAndSaveCopy"
    saved = call.body.find(f"{M}SavedItemFolderId/{T}DistinguishedFolderId")
    assert saved is not None and saved.get("Id") == "sentitems"
    mime = call.body.findtext(f".//{T}Message/{T}MimeContent")
    sent = email.message_from_bytes(base64.b64decode(mime or ""), policy=email.policy.default)
    assert sent["From"] == fake.mailbox and sent["To"] == "sam@provider.example"
    assert sent["In-Reply-To"] == "<abc@provider.example>"
    assert sent["References"] == "<root@provider.example> <abc@provider.example>"
    assert sent["Auto-Submitted"] == "auto-replied"
    assert [e.text for e in call.body.iter(f"{T}EmailAddress")][-1] == "sam@provider.example"


def test_wrong_password_is_a_sentence_that_never_shows_the_password(fake: FakeEws) -> None:
    mailbox = make_mailbox(fake, password="not-the-password-xyz")
    try:
        with pytest.raises(EwsError) as caught:
            list(mailbox.fetch_new())
    finally:
        mailbox.close()
    assert "ACTIONBOT_EWS_PASSWORD" in str(caught.value)
    assert "not-the-password-xyz" not in str(caught.value) + repr(mailbox.config)


def test_an_unreachable_endpoint_is_a_clear_error_not_a_hang() -> None:
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = EwsConfig(url=f"http://127.0.0.1:{port}/EWS/Exchange.asmx", mailbox="contracts@council.example",
                       auth="basic", username=USERNAME, password=PASSWORD)
    mailbox = EwsMailbox(config, DictCursors())
    try:
        with pytest.raises(EwsError, match="connect to|reach Exchange"):
            list(mailbox.fetch_new())
    finally:
        mailbox.close()
