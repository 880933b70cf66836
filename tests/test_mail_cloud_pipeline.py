"""The ingestion pipeline over the real Graph and EWS backends (each talking to its local fake
server): the same outcomes as on the Maildir, folders on the server, acknowledgements sent."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.mail.ingest import Outcome
from bot.mail.mailbox import FILED, PROCESSED
from bot.mail.service import build_ingestor
from storage.repositories.mail import SqlCursorStore
from tests.fakes.ews_server import FakeEws
from tests.fakes.graph_server import FakeGraph
from tests.mail_backend_fixtures import ews_mailbox, graph_mailbox
from tests.mail_samples import CORPUS, MailBot, make_mail, make_mailbot


@pytest.fixture(params=["graph", "ews"])
def cloud(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Any, MailBot]]:
    mb = make_mailbot(tmp_path)
    cursors = SqlCursorStore(mb.bot.runtime.new_uow)
    try:
        if request.param == "graph":
            with FakeGraph(tmp_path) as fake:
                mb.ingestor = build_ingestor(mb.bot.runtime, graph_mailbox(fake, cursors), notify=mb.notices.append)  # type: ignore[arg-type]
                yield "graph", fake, mb
        else:
            with FakeEws() as fake:
                mb.ingestor = build_ingestor(mb.bot.runtime, ews_mailbox(fake, cursors), notify=mb.notices.append)  # type: ignore[arg-type]
                yield "ews", fake, mb
    finally:
        mb.ingestor.mailbox.close()
        mb.bot.runtime.close()


def test_cloud_mail_lands_once_in_the_right_folders_and_is_acknowledged(cloud: tuple[str, Any, MailBot]) -> None:
    name, fake, mb = cloud
    fake.deliver(make_mail("Manager <m@acmecare.example>", "Complaint about late visits", "Visits were late.",
                           message_id="<late-1@acmecare.example>"))
    fake.deliver((CORPUS / "sisimai_ooo_exchange_win1252_qp.eml").read_bytes())
    results = mb.ingestor.poll_once()
    assert [r.outcome for r in results] == [Outcome.NEW_ENTRY, Outcome.AUTO_REPLY]
    assert fake.folder_count(PROCESSED) == 1 and fake.folder_count(FILED) == 1
    assert mb.entry(results[0].reference).provider == "Acme Care"
    assert mb.ingestor.poll_once() == [], "the stored sync cursor hands nothing over twice"
    if name == "graph":
        [sent] = fake.sent
        mime = base64.b64decode(sent.body)
        assert b"[PQ-2023-0001]" in mime and b"In-Reply-To: <late-1@acmecare.example>" in mime
    else:
        assert len(fake.calls("CreateItem")) == 1  # the acknowledgement, sent as MIME content
    with mb.bot.runtime.new_uow() as uow:
        assert uow.mail.unsent() == [], "the acknowledgement was handed to the server and marked sent"
