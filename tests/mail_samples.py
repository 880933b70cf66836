"""Test mail: messages built like real clients build them, and a whole bot with a Maildir."""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

import pytest

from bot.domain.concerns import Provider
from bot.domain.model import Person, Role
from bot.mail.ingest import IngestResult, MailIngestor, TriageNotice
from bot.mail.maildir import MaildirMailbox
from bot.mail.service import build_ingestor
from tests.conftest import TestBot, make_testbot


# Real-world mail kept in the repository (origins and licences in tests/fixtures/SOURCES.md),
# so the tests read nothing beside the checkout.
CORPUS = Path(__file__).resolve().parent / "fixtures" / "emails"
COUNCIL = "council.example"
AUTH_PASS = f"mx.{COUNCIL}; spf=pass smtp.mailfrom={COUNCIL}; dkim=pass header.d={COUNCIL}; dmarc=pass header.from={COUNCIL}"
AUTH_FAIL = f"mx.{COUNCIL}; spf=fail smtp.mailfrom={COUNCIL}; dkim=none; dmarc=fail header.from={COUNCIL}"


def make_mail(sender: str, subject: str, body: str, *, message_id: str | None = None, to: str = "inbox@council.example",
              headers: dict[str, str] | None = None, attachments: list[tuple[str, bytes]] = (),  # type: ignore[assignment]
              html: str | None = None) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    if message_id:
        message["Message-ID"] = message_id
    for name, value in (headers or {}).items():
        message[name] = value
    if html is not None and not body:
        message.set_content(html, subtype="html")
    else:
        message.set_content(body)
    for filename, data in attachments:
        message.add_attachment(data, maintype="application", subtype="octet-stream", filename=filename)
    return bytes(message)


@dataclass
class MailBot:
    """A whole bot (example plan, SQLite) whose shared mailbox is a Maildir in tmp_path."""

    bot: TestBot
    maildrop: Path
    ingestor: MailIngestor
    notices: list[TriageNotice] = field(default_factory=list)

    @property
    def mailbox(self) -> MaildirMailbox:
        assert isinstance(self.ingestor.mailbox, MaildirMailbox)
        return self.ingestor.mailbox

    def drop(self, raw: bytes, name: str = "message") -> None:
        (self.maildrop / f"{name}.eml").write_bytes(raw)

    def receive(self, raw: bytes, name: str = "message") -> IngestResult:
        self.drop(raw, name)
        results = self.ingestor.poll_once()
        assert len(results) == 1, results
        return results[0]

    def outbox(self) -> list[bytes]:
        return [p.read_bytes() for p in sorted((self.maildrop / "outbox").glob("*.eml"))]

    def entry(self, reference: str):  # type: ignore[no-untyped-def]
        with self.bot.runtime.new_uow() as uow:
            return uow.concerns.get(reference)

    def events(self, reference: str):  # type: ignore[no-untyped-def]
        with self.bot.runtime.new_uow() as uow:
            return uow.concerns.events(uow.concerns.get(reference))

    def entries(self):  # type: ignore[no-untyped-def]
        with self.bot.runtime.new_uow() as uow:
            return uow.concerns.list(open_only=False, limit=10_000)


_TEMPLATES: dict[str, bytes] = {}  # one migrated, loaded database per test run, copied per test


def _template_database() -> bytes:
    if "db" not in _TEMPLATES:
        with tempfile.TemporaryDirectory() as folder:
            bot = make_testbot(Path(folder))
            try:
                _add_mail_people(bot)
            finally:
                bot.runtime.close()
            source, copy = sqlite3.connect(Path(folder) / "bot.db"), sqlite3.connect(Path(folder) / "copy.db")
            try:
                source.backup(copy)  # a consistent single file, WAL included
            finally:
                source.close()
                copy.close()
            _TEMPLATES["db"] = (Path(folder) / "copy.db").read_bytes()
    return _TEMPLATES["db"]


def _add_mail_people(bot: TestBot) -> None:
    with bot.runtime.new_uow() as uow:
        uow.people.add(Person(name="Sam Patel", role=Role.ADMIN, email=f"sam.patel@{COUNCIL}"),
                       {"email": f"sam.patel@{COUNCIL}"})
        uow.people.add(Person(name="Jo Reid", role=Role.UPDATER, email=f"jo.reid@{COUNCIL}",
                              roles_extra=("safeguarding",)), {"console": "Jo Reid"})
        uow.providers.add(Provider("Acme Care", ("Acme",), ("acmecare.example",)))
        uow.commit()


def make_mailbot(tmp_path: Path, mail: dict[str, object] | None = None, *, database_url: str | None = None) -> MailBot:
    """Sam Patel (admin, sam.patel@council.example), Jo Reid (safeguarding role) and the
    provider Acme Care (acmecare.example) on top of the example plan; on a copy of one SQLite
    template, or set up afresh in the empty database at `database_url` (e.g. PostgreSQL)."""
    maildrop = tmp_path / "maildrop"
    settings = {"address": "inbox@council.example", **(mail or {})}
    if database_url is None:
        (tmp_path / "bot.db").write_bytes(_template_database())
        bot = make_testbot(tmp_path, maildrop=maildrop, extra={"mail": settings})
    else:
        bot = make_testbot(tmp_path, maildrop=maildrop, extra={"mail": settings}, database_url=database_url)
        _add_mail_people(bot)
    notices: list[TriageNotice] = []
    ingestor = build_ingestor(bot.runtime, notify=notices.append)
    return MailBot(bot, maildrop, ingestor, notices)


@pytest.fixture
def mailbot(tmp_path: Path) -> Iterator[MailBot]:
    mb = make_mailbot(tmp_path)
    yield mb
    mb.ingestor.mailbox.close()
    mb.bot.runtime.close()
