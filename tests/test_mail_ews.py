"""The EWS mailbox backend: real exchangelib against a local fake EWS endpoint that parses
exchangelib's actual SOAP requests and answers with the response envelopes in
tests/fixtures/ews/ (shapes from the EWS schema, as Exchange Server 2019 sends them). What
every backend must do is in test_mail_contract.py; this file is what is particular to EWS."""

from __future__ import annotations

import base64
import email
import email.policy
import socket
from collections.abc import Iterator

import pytest

from bot.mail.backends import MemoryCursorStore
from bot.mail.ews import EwsConfig, EwsError, EwsMailbox
from bot.mail.mailbox import PROCESSED, OutgoingMail
from tests.fakes.ews_server import PASSWORD, USERNAME, FakeEws, M, T
from tests.mail_backend_fixtures import SAMPLES, eml
from tests.mail_backend_fixtures import ews_mailbox as make_mailbox


@pytest.fixture()
def fake() -> Iterator[FakeEws]:
    with FakeEws() as server:
        yield server


def test_exchangelib_requests_sync_pages_then_getitem_mime_then_moveitem(fake: FakeEws) -> None:
    for name in SAMPLES[:3]:
        fake.deliver(eml(name))
    cursors = MemoryCursorStore()
    mailbox = make_mailbox(fake, cursors, page_size=2)
    try:
        for item in mailbox.fetch_new():
            mailbox.move(item, PROCESSED)
        assert cursors.get(mailbox.cursor_key) == "H4sIstate3"
        assert list(mailbox.fetch_new()) == []
    finally:
        mailbox.close()
    # what exchangelib sent: a version probe, the inbox, two SyncFolderItems pages, one GetItem per
    # message, the folder lookup and creation, one MoveItem per message, then the next sync (the
    # three Deletes the moves caused, in two pages)
    assert fake.operations() == ["ConvertId", "GetFolder", "GetFolder", "SyncFolderItems", "SyncFolderItems",
                                 "GetItem", "GetFolder", "FindFolder", "CreateFolder", "MoveItem",
                                 "GetItem", "MoveItem", "GetItem", "MoveItem", "SyncFolderItems", "SyncFolderItems"]
    first_sync, next_sync = fake.calls("SyncFolderItems")[0], fake.calls("SyncFolderItems")[2]
    folder = first_sync.body.find(f"{M}SyncFolderId/{T}DistinguishedFolderId")
    assert folder is not None and folder.get("Id") == "inbox"
    assert first_sync.body.findtext(f"{M}MaxChangesReturned") == "2"
    assert not first_sync.body.findtext(f"{M}SyncState") and next_sync.body.findtext(f"{M}SyncState") == "H4sIstate3"
    get_item = fake.calls("GetItem")[0].body
    assert get_item.find(f".//{T}FieldURI[@FieldURI='item:MimeContent']") is not None
    move = fake.calls("MoveItem")[0].body.find(f"{M}ToFolderId/{T}FolderId")
    assert move is not None and fake.folders[move.get("Id", "")][0] == PROCESSED


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
    mailbox = EwsMailbox(config, MemoryCursorStore())
    try:
        with pytest.raises(EwsError, match="connect to|reach Exchange"):
            list(mailbox.fetch_new())
    finally:
        mailbox.close()
