"""A mail's routing read and its write share one unit of work (issue 18): a failure or a
crash between them loses nothing and doubles nothing, and a command still reaches the
dispatcher with no unit of work of the pipeline open."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bot.mail import ingest
from bot.mail.ingest import Outcome
from bot.mail.mailbox import NEEDS_ATTENTION, PROCESSED
from tests.mail_samples import AUTH_PASS, COUNCIL, CORPUS, MailBot, make_mail, mailbot  # noqa: F401

PROVIDER_MAIL = make_mail("carer@acmecare.example", "Rota query", "When is the visit on Friday?",
                          message_id="<rota-1@acmecare.example>")


class Counted:
    """The ingestor's unit-of-work factory, counting the units opened and those open now."""

    def __init__(self, mailbot: MailBot) -> None:
        self.real = mailbot.ingestor.new_uow
        self.opened = 0
        self.open_now = 0
        mailbot.ingestor.new_uow = self  # type: ignore[method-assign]

    def __call__(self) -> Any:
        counter, uow = self, self.real()

        class Tracked:
            def __enter__(self) -> Any:
                counter.opened += 1
                counter.open_now += 1
                return uow.__enter__()

            def __exit__(self, *exc: Any) -> None:
                counter.open_now -= 1
                uow.__exit__(*exc)

        return Tracked()


def ingest_one(mailbot: MailBot, raw: bytes) -> ingest.IngestResult:
    mailbot.drop(raw)
    [item] = list(mailbot.mailbox.fetch_new())
    return mailbot.ingestor.ingest(item)


def logged(mailbot: MailBot, key: str) -> Any:
    with mailbot.bot.runtime.new_uow() as uow:
        return uow.mail.get(key)


@pytest.mark.parametrize("raw, outcome", [
    (PROVIDER_MAIL, Outcome.NEW_ENTRY),
    ((CORPUS / "sisimai_office365_ndr_5.1.10.eml").read_bytes(), Outcome.BOUNCE),
    (make_mail(f"sam.patel@{COUNCIL}", "Visit notes", "The manager described the rota.",
               headers={"Authentication-Results": "mx.council.example; spf=fail"}), Outcome.SPOOFED),
], ids=["new entry", "bounce", "spoofed"])
def test_the_routing_read_and_the_write_are_one_unit_of_work(mailbot: MailBot, raw: bytes, outcome: Outcome) -> None:
    counted = Counted(mailbot)
    assert ingest_one(mailbot, raw).outcome is outcome
    assert counted.opened == 1


def test_a_reply_in_a_thread_is_appended_in_the_same_one_unit(mailbot: MailBot) -> None:
    first = mailbot.receive(PROVIDER_MAIL, "first")
    counted = Counted(mailbot)
    reply = make_mail("carer@acmecare.example", f"Re: [{first.reference}] Rota query", "Friday at ten, thank you.",
                      message_id="<rota-2@acmecare.example>", headers={"In-Reply-To": "<rota-1@acmecare.example>"})
    assert ingest_one(mailbot, reply).outcome is Outcome.APPENDED
    assert counted.opened == 1 and [e.kind for e in mailbot.events(first.reference)] == ["logged", "reply"]


def test_a_command_is_dispatched_once_the_routing_unit_has_closed(mailbot: MailBot) -> None:
    counted = Counted(mailbot)
    real_dispatch = mailbot.ingestor.dispatch
    open_at_dispatch = []

    def dispatch(message: Any) -> Any:
        open_at_dispatch.append(counted.open_now)
        return real_dispatch(message)

    mailbot.ingestor.dispatch = dispatch
    raw = make_mail(f"sam.patel@{COUNCIL}", "update", "AP2.5.1 40% six contracts signed",
                    message_id=f"<cmd-1@{COUNCIL}>", headers={"Authentication-Results": AUTH_PASS})
    assert ingest_one(mailbot, raw).outcome is Outcome.UPDATE
    assert open_at_dispatch == [0] and counted.opened == 2  # routing, then the mail-log record and the reply
    assert mailbot.bot.action("AP2.5.1").progress == 40


def test_a_failure_after_the_entry_was_written_rolls_back_everything_and_quarantines(
        mailbot: MailBot, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the outbox is unavailable")

    monkeypatch.setattr(ingest, "queue_acknowledgement", fail)  # after new_entry wrote the entry
    result = mailbot.receive(PROVIDER_MAIL)
    assert result.outcome is Outcome.UNREADABLE and result.folder == NEEDS_ATTENTION
    assert "handling it failed (RuntimeError" in result.detail
    assert mailbot.entries() == [] and mailbot.outbox() == []  # the entry, its history and thread: gone
    assert logged(mailbot, "<rota-1@acmecare.example>").outcome == Outcome.UNREADABLE.value
    assert mailbot.notices[-1].kind == "unreadable"

    monkeypatch.undo()
    again = mailbot.receive(make_mail("carer@acmecare.example", "Rota query", "And Saturday?",
                                      message_id="<rota-3@acmecare.example>"), "next")
    assert again.outcome is Outcome.NEW_ENTRY and again.reference.endswith("-0001")  # the number was given back


@pytest.fixture
def crash_in_new_entry(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    def crash(*args: Any, **kwargs: Any) -> None:
        raise SystemExit("killed between the routing read and the write")

    monkeypatch.setattr(ingest, "new_entry", crash)
    yield monkeypatch


def test_a_crash_between_the_routing_read_and_the_write_loses_nothing(
        mailbot: MailBot, crash_in_new_entry: pytest.MonkeyPatch) -> None:
    mailbot.drop(PROVIDER_MAIL)
    with pytest.raises(SystemExit):
        mailbot.ingestor.poll_once()
    assert len(list(mailbot.mailbox.fetch_new())) == 1  # still in the inbox
    assert logged(mailbot, "<rota-1@acmecare.example>") is None and mailbot.entries() == []

    crash_in_new_entry.undo()  # restarted
    [result] = mailbot.ingestor.poll_once()
    assert result.outcome is Outcome.NEW_ENTRY and result.folder == PROCESSED
    assert len(mailbot.entries()) == 1 and len(mailbot.outbox()) == 1
    assert mailbot.ingestor.poll_once() == []
