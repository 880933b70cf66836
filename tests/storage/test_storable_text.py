"""Text PostgreSQL refuses (NUL, lone surrogates) is removed before storage, on both backends
and through both ways storage writes (ORM flushes and the prebuilt Core statements), and no
log line or exception holds what people wrote."""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert
from sqlalchemy.exc import IntegrityError

from bot.domain.model import FieldChange, HistoryEntry
from bot.mail.ingest import Outcome
from bot.mail.mailbox import PROCESSED
from storage.storable_text import dumps_storable, storable
from storage.tables import PlanRow
from tests.conftest import make_testbot
from tests.mail_samples import AUTH_PASS, CORPUS, COUNCIL, make_mail, make_mailbot
from tests.storage_fixtures import database_url, engine, migrated_engine  # noqa: F401

BODY = "Dear team,\n\nA carer slapped a resident\x00 bruising on her left arm was seen this morning.\n"
SAID = "carer slapped a resident"


@pytest.mark.parametrize(("text", "stored"), [
    ("plain", "plain"),
    ("a\x00b\x00", "ab"),
    ("caf\u00e9\x00", "caf\u00e9"),
    ("lone \ud800high and \udcfflow", "lone high and low"),
    ("a pair \ud83d\ude00 of lone halves", "a pair  of lone halves"),
    ("\U0001f600 a real emoji stays", "\U0001f600 a real emoji stays"),
], ids=["plain", "nul", "non-ascii-nul", "lone-surrogates", "surrogate-pair-halves", "emoji"])
def test_storable_removes_only_what_postgresql_refuses(text: str, stored: str) -> None:
    assert storable(text) == stored


def test_clean_text_is_passed_through_unchanged() -> None:
    text = "nothing to remove, caf\u00e9"
    assert storable(text) is text


def test_json_columns_lose_the_same_characters_at_any_depth() -> None:
    assert dumps_storable([["note", None, "a\x00b"], {"k\ud800": ["\x00"]}]) == '[["note", null, "ab"], {"k": [""]}]'


def _log_text(caplog: pytest.LogCaptureFixture) -> str:
    lines = []
    for record in caplog.records:
        lines.append(record.getMessage())
        lines.append(repr(vars(record)))
        if record.exc_info:
            lines.append(logging.Formatter().formatException(record.exc_info))
    return "\n".join(lines)


def _log_everything(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("sqlalchemy.engine", "sqlalchemy.engine.Engine", "sqlalchemy.pool", "sqlalchemy.orm"):
        caplog.set_level(logging.DEBUG, logger=name)


def test_a_mail_with_a_nul_in_its_body_becomes_an_entry_without_it(
        tmp_path: Path, database_url: str, caplog: pytest.LogCaptureFixture) -> None:  # noqa: F811
    mailbot = make_mailbot(tmp_path, database_url=database_url)
    try:
        _log_everything(caplog)
        raw = make_mail(f"sam.patel@{COUNCIL}", "Acme Care: safeguarding concern", BODY,
                        message_id="<nul-1@council.example>", headers={"Authentication-Results": AUTH_PASS})
        assert b"\x00" in raw
        result = mailbot.receive(raw, "nul")
        assert result.outcome is Outcome.NEW_ENTRY, result.detail
        assert mailbot.mailbox.folder_keys(PROCESSED) == [result.backend_id]
        assert result.reference is not None
        logged = _log_text(caplog)
        assert caplog.records, "nothing was logged: the check below would prove nothing"
        assert "INSERT INTO concerns" in logged  # the engine's own lines were captured
        assert SAID not in logged and "bruising" not in logged

        entry = mailbot.entry(result.reference)
        assert "\x00" not in entry.body
        assert "carer slapped a resident bruising on her left arm" in entry.body
        assert all("\x00" not in (event.note or "") for event in mailbot.events(result.reference))
    finally:
        mailbot.ingestor.mailbox.close()
        mailbot.bot.runtime.close()


@pytest.mark.parametrize("corpus_file", ["flanker_no_content_type.eml", "ours_latin1_raw_header_bytes.eml"])
def test_a_corpus_mail_with_a_nul_and_safeguarding_text_is_filed_confidentially(
        tmp_path: Path, database_url: str, caplog: pytest.LogCaptureFixture, corpus_file: str) -> None:  # noqa: F811
    """Real mail from the corpus, with a NUL and a safeguarding sentence put in its body."""
    raw = (CORPUS / corpus_file).read_bytes()
    split = raw.index(b"\n\n") + 2 if b"\r\n\r\n" not in raw else raw.index(b"\r\n\r\n") + 4
    raw = raw[:split] + b"Night carer slapped a resident\x00 and took money from her purse.\n\n" + raw[split:]
    mailbot = make_mailbot(tmp_path, database_url=database_url)
    try:
        _log_everything(caplog)
        result = mailbot.receive(raw, "corpus-nul")
        assert result.outcome is Outcome.NEW_ENTRY, result.detail
        assert result.reference is not None
        entry = mailbot.entry(result.reference)
        assert entry.is_confidential and "\x00" not in entry.body and "slapped a resident and took" in entry.body
        logged = _log_text(caplog)
        assert "slapped" not in logged and "purse" not in logged
    finally:
        mailbot.ingestor.mailbox.close()
        mailbot.bot.runtime.close()


def test_a_chat_update_with_a_lone_surrogate_is_saved_without_it(
        tmp_path: Path, database_url: str, caplog: pytest.LogCaptureFixture) -> None:  # noqa: F811
    # The grammar turns control characters (NUL among them) into spaces; a lone surrogate
    # passes it and reaches storage.
    bot = make_testbot(tmp_path, database_url=database_url)
    try:
        _log_everything(caplog)
        bot.ok("AP2.5.1 40% - carer slapped a resident \udcffbruising noted")
        assert SAID not in _log_text(caplog)
        action = bot.action("AP2.5.1")
        assert (action.progress, action.latest_update) == (40, "carer slapped a resident bruising noted")
        notes = [entry.note for entry in bot.history("AP2.5.1") if entry.note]
        assert notes[0] == "carer slapped a resident bruising noted"
    finally:
        bot.runtime.close()


def test_the_prebuilt_core_statements_store_text_without_nul(tmp_path: Path, database_url: str) -> None:  # noqa: F811
    # ActionRepository.save and HistoryRepository.append run prebuilt Core statements
    # (storage.repositories.core), not ORM flushes; the changes list is a JSON column.
    bot = make_testbot(tmp_path, database_url=database_url)
    try:
        with bot.runtime.new_uow() as uow:
            (action,) = uow.actions.find("AP2.5.1")
            action.latest_update = "carer slapped\x00 a resident"
            uow.actions.save(action)
            uow.history.append(HistoryEntry(
                action_code=action.code, action_id=action.id, at=datetime.now(timezone.utc), actor="Sam\x00",
                channel="console", kind="update", note="bruising\x00 seen \ud800today",
                changes=(FieldChange("latest_update", None, "carer slapped\x00 a resident"),)))
            uow.commit()
        assert bot.action("AP2.5.1").latest_update == "carer slapped a resident"
        newest = bot.history("AP2.5.1")[0]
        assert (newest.actor, newest.note) == ("Sam", "bruising seen today")
        assert [tuple(vars(c).values()) for c in newest.changes] == [("latest_update", None, "carer slapped a resident")]
    finally:
        bot.runtime.close()


def test_a_failed_statement_says_nothing_of_its_parameters(migrated_engine: Engine) -> None:  # noqa: F811
    with migrated_engine.begin() as connection:
        connection.execute(insert(PlanRow).values(name="secret plan", title="carer slapped a resident"))
    with pytest.raises(IntegrityError) as raised:
        with migrated_engine.begin() as connection:
            connection.execute(insert(PlanRow).values(name="secret plan", title="carer slapped a resident"))
    message = str(raised.value)
    assert "[SQL parameters hidden due to hide_parameters=True]" in message
    # PostgreSQL's own DETAIL names the duplicated key ("Key (name)=(secret plan) already
    # exists"); every other value stays out.
    assert SAID not in message
