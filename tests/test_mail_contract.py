"""What the ingestion pipeline relies on from every cloud Mailbox, run against both the Graph
and the EWS backend (each a real client talking to its local fake server)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.mail.backends import MemoryCursorStore
from bot.mail.mailbox import FILED, NEEDS_ATTENTION, PROCESSED
from tests.fakes.ews_server import FakeEws
from tests.fakes.graph_server import FakeGraph
from tests.mail_backend_fixtures import SAMPLES, eml, ews_mailbox, graph_mailbox


@dataclass
class Backend:
    fake: Any  # FakeGraph | FakeEws: deliver(raw), in_folder(name), folder_count(name)
    mailbox: Callable[..., Any]


@pytest.fixture(params=["graph", "ews"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if request.param == "graph":
        with FakeGraph(tmp_path) as graph:
            yield Backend(graph, lambda cursors=None: graph_mailbox(graph, cursors))
    else:
        with FakeEws() as ews:
            yield Backend(ews, lambda cursors=None: ews_mailbox(ews, cursors))


def test_a_poll_hands_over_every_message_byte_for_byte_then_only_new_ones(backend: Backend) -> None:
    for name in SAMPLES[:3]:
        backend.fake.deliver(eml(name))
    cursors = MemoryCursorStore()
    mailbox = backend.mailbox(cursors)
    try:
        first = []
        for item in mailbox.fetch_new():
            first.append(item.raw)
            mailbox.move(item, PROCESSED)
        assert first == [eml(name) for name in SAMPLES[:3]], "raw RFC 822 bytes, in arrival order, across pages"
        assert cursors.get(mailbox.cursor_key), "the sync cursor is stored once the round is done"
        assert len(backend.fake.in_folder(PROCESSED)) == 3 and not backend.fake.in_folder("Inbox")

        backend.fake.deliver(eml(SAMPLES[3]))
        assert [i.raw for i in mailbox.fetch_new()] == [eml(SAMPLES[3])], "moved messages are not handed over again"
        assert list(mailbox.fetch_new()) == []
    finally:
        mailbox.close()


def test_moving_files_the_message_and_moving_it_again_is_not_an_error(backend: Backend) -> None:
    backend.fake.deliver(eml(SAMPLES[0]))
    backend.fake.deliver(eml(SAMPLES[1]))
    mailbox = backend.mailbox()
    try:
        items = list(mailbox.fetch_new())
        for item in items:
            mailbox.move(item, NEEDS_ATTENTION)
        mailbox.move(items[0], NEEDS_ATTENTION)  # its old id died with the first move
        assert backend.fake.in_folder(NEEDS_ATTENTION) == [eml(SAMPLES[0]), eml(SAMPLES[1])]
    finally:
        mailbox.close()
    again = backend.mailbox()  # a new process finds the folder instead of creating a second one
    try:
        backend.fake.deliver(eml(SAMPLES[2]))
        for item in again.fetch_new():
            again.move(item, NEEDS_ATTENTION)
        assert len(backend.fake.in_folder(NEEDS_ATTENTION)) == 3
        assert backend.fake.folder_count(NEEDS_ATTENTION) == 1
        assert NEEDS_ATTENTION in again.folder_names() and again.inbox_count() == 0
    finally:
        again.close()


def test_a_crash_mid_round_hands_the_unmoved_messages_over_again(backend: Backend) -> None:
    for name in SAMPLES[:3]:
        backend.fake.deliver(eml(name))
    cursors = MemoryCursorStore()
    mailbox = backend.mailbox(cursors)
    try:
        rounds = mailbox.fetch_new()
        mailbox.move(next(rounds), FILED)
        rounds.close()  # the process dies before the round ends
        assert cursors.get(mailbox.cursor_key) is None, "no cursor saved for an unfinished round"
        assert [i.raw for i in mailbox.fetch_new()] == [eml(SAMPLES[1]), eml(SAMPLES[2])]
    finally:
        mailbox.close()
