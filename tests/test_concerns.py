"""The contract-monitoring log from chat: grammar, handlers, confidentiality, references."""

from __future__ import annotations

import logging
import threading
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.commands import ParseError
from bot.concern_commands import (
    AddConcernNote,
    AllocateConcernAction,
    CloseConcern,
    LinkConcern,
    ListConcerns,
    LogConcern,
    SetConcernCategory,
    ShowConcern,
)
from bot.domain.concerns import Category, Concern, Provider, Source, guess_category, provider_for_email
from bot.domain.model import Person, Role
from bot.grammar import parse
from storage import unit_of_work_factory
from tests.conftest import TestBot, testbot  # noqa: F401
from tests.storage_fixtures import database_url, engine, migrated_engine  # noqa: F401

TODAY = date(2023, 9, 27)  # a Wednesday

GRAMMAR = [
    ("concern Acme Care: missed calls on Tuesday", LogConcern("missed calls on Tuesday", "Acme Care")),
    ("Concern: staff shortage at weekends", LogConcern("staff shortage at weekends", None)),
    ("complaint Acme Care: family not told of visit change",
     LogConcern("family not told of visit change", "Acme Care", "complaint")),
    ("safeguarding Acme: unexplained bruising", LogConcern("unexplained bruising", "Acme", "safeguarding")),
    ("PQ-2026-0042 action chase rota @sam by Friday",
     AllocateConcernAction("PQ-2026-0042", "chase rota", "sam", date(2023, 9, 29), "Friday")),
    ("PQ-2026-0042 action call the manager @Sam Patel",
     AllocateConcernAction("PQ-2026-0042", "call the manager", "Sam Patel")),
    ("PQ-2026-0042 close resolved at liaison meeting", CloseConcern("PQ-2026-0042", "resolved at liaison meeting")),
    ("PQ-2026-0042 category complaint", SetConcernCategory("PQ-2026-0042", "complaint")),
    ("pq-2026-42 category social work", SetConcernCategory("PQ-2026-0042", "social work concern")),
    ("PQ-2026-0042 note spoke to the manager", AddConcernNote("PQ-2026-0042", "spoke to the manager")),
    ("PQ-2026-0042 link AP2.5.1", LinkConcern("PQ-2026-0042", "AP2.5.1")),
    ("PQ-2026-0042", ShowConcern("PQ-2026-0042")),
    ("PQ-2026-0042?", ShowConcern("PQ-2026-0042")),
    ("concerns open", ListConcerns(open_only=True)),
    ("concerns", ListConcerns(open_only=True)),
    ("concerns all", ListConcerns(open_only=False)),
    ("concerns Acme Care", ListConcerns(open_only=False, provider="Acme Care")),
]


@pytest.mark.parametrize("text, expected", GRAMMAR, ids=[t for t, _ in GRAMMAR])
def test_grammar(text: str, expected: object) -> None:
    assert parse(text, TODAY) == expected


@pytest.mark.parametrize("text, says", [
    ("concern", "concern PROVIDER: what happened"),
    ("PQ-2026-0042 action chase rota by Friday", "Name the owner with @"),
    ("PQ-2026-0042 action chase rota @sam by someday", "couldn't read the timescale 'someday'"),
    ("PQ-2026-0042 category gossip", "the categories are: query, alert"),
    ("PQ-2026-0042 frobnicate", "I couldn't read 'frobnicate' after PQ-2026-0042"),
])
def test_grammar_errors_say_what_to_type(text: str, says: str) -> None:
    found = parse(text, TODAY)
    assert isinstance(found, ParseError) and says in found.message


def test_action_updates_still_parse_as_before() -> None:
    assert type(parse("AP2.5.1 40%", TODAY)).__name__ == "UpdateBatch"


@pytest.mark.parametrize("text, category", [
    ("Two missed calls on Tuesday", Category.ALERT),
    ("Mrs B's daughter wishes to make a complaint", Category.COMPLAINT),
    ("Possible neglect: client left without food", Category.SAFEGUARDING),
    ("Care Inspectorate report attached", Category.INSPECTORATE),
    ("Social worker asked for a review", Category.SOCIAL_WORK),
    ("Please increase the hours of his care package", Category.PACKAGE_OF_CARE),
    ("When is the next provider forum?", Category.QUERY),
])
def test_category_is_guessed_from_the_words(text: str, category: Category) -> None:
    assert guess_category(text) is category


def test_a_sender_domain_maps_to_its_provider() -> None:
    acme = Provider("Acme Care", email_domains=("acmecare.example",))
    assert provider_for_email([acme], "rota@north.acmecare.example") is acme
    assert provider_for_email([acme], "x@notacmecare.example") is None


@pytest.fixture
def logbot(testbot: TestBot) -> TestBot:  # noqa: F811
    with testbot.runtime.new_uow() as uow:
        uow.people.add(Person(name="Sam Patel", role=Role.UPDATER), {"console": "Sam Patel"})
        uow.people.add(Person(name="Jo Reid", role=Role.UPDATER, roles_extra=("safeguarding",)), {"console": "Jo Reid"})
        uow.people.add(Person(name="Val Viewer", role=Role.VIEWER), {"console": "Val Viewer"})
        uow.providers.add(Provider("Acme Care", ("Acme",), ("acmecare.example",)))
        uow.commit()
    return testbot


def test_log_allocate_close_with_history(logbot: TestBot) -> None:
    reply = logbot.ok("concern Acme: missed calls on Tuesday")
    assert reply.text.startswith("Logged PQ-2023-0001 [alert] Acme Care: missed calls on Tuesday")
    assert "now in progress" not in reply.text
    reply = logbot.ok("PQ-2023-0001 action chase rota @sam by Friday")
    assert reply.text.startswith("PQ-2023-0001/1: action for Sam Patel by 29 Sep 2023: chase rota. State: in progress.")
    logbot.ok("PQ-2023-0001 category complaint")
    assert logbot.ok("PQ-2023-0001 link ap2.5.1").text == "PQ-2023-0001 is linked to HSCM COMM AP2.5.1."
    asked = logbot.refused("PQ-2023-0001 close resolved at liaison meeting").text
    assert "has 1 open action (PQ-2023-0001/1)" in asked and "`PQ-2023-0001 close anyway" in asked
    logbot.ok("PQ-2023-0001/1 done rota sorted")
    logbot.ok("PQ-2023-0001 close resolved at liaison meeting")
    shown = logbot.ok("PQ-2023-0001").text
    assert "linked to HSCM COMM AP2.5.1" in shown
    assert "[complaint] closed" in shown and "PQ-2023-0001/1 chase rota — Sam Patel by 29 Sep 2023 — done" in shown
    assert [line.split(") ")[1].split(":")[0] for line in shown.splitlines() if "(console)" in line] == [
        "logged", "action", "category", "link", "action done", "close"]
    assert "PQ-2023-0001 is already closed." in logbot.refused("PQ-2023-0001 close again").text
    assert logbot.ok("concerns open").text == "Open entries: none."
    assert "PQ-2023-0001 [complaint] Acme Care" in logbot.ok("concerns Acme Care").text


def test_unknown_reference_and_unknown_people_are_refused_with_sentences(logbot: TestBot) -> None:
    assert "There is no entry PQ-2023-0099" in logbot.refused("PQ-2023-0099 close").text
    assert "I don't know who you are" in logbot.refused("concern Acme: x", as_person="Stranger").text
    logbot.ok("concern Acme: x")
    assert "viewer role" in logbot.refused("PQ-2023-0001 close", as_person="Val Viewer").text


def test_safeguarding_content_is_seen_only_with_the_role(logbot: TestBot, caplog: pytest.LogCaptureFixture) -> None:
    secret = "unexplained bruising on Mr Example"
    with caplog.at_level(logging.DEBUG):
        logged = logbot.ok(f"safeguarding Acme Care: {secret}", as_person="Sam Patel")
        logbot.ok("concern Acme: missed calls")
        listing = logbot.ok("concerns open", as_person="Sam Patel").text
        shown = logbot.ok("PQ-2023-0001", as_person="Console Admin").text
        refused = logbot.refused("PQ-2023-0001 close done", as_person="Console Admin").text
        role_listing = logbot.ok("concerns open", as_person="Jo Reid").text
        role_shown = logbot.ok("PQ-2023-0001", as_person="Jo Reid").text
        logbot.ok("PQ-2023-0001 action visit today @Jo Reid by Friday", as_person="Jo Reid")
    assert secret not in logged.text and "confidential" in logged.text
    assert secret not in listing and "also 1 confidential entry in the log" in listing
    assert "PQ-2023-0001" not in listing  # a total count only, never which entry
    assert "PQ-2023-0002 [alert] Acme Care: missed calls" in listing
    assert secret not in shown and "only people with the safeguarding role" in shown  # not even an admin
    assert secret not in refused
    assert secret in role_listing and secret in role_shown
    logs = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert secret not in logs and "bruising" not in logs


def test_recategorising_to_safeguarding_hides_it_at_once(logbot: TestBot) -> None:
    logbot.ok("concern Acme: family worried about Mr Example's weight loss")
    logbot.ok("PQ-2023-0001 category safeguarding")
    assert "weight loss" not in logbot.ok("concerns open", as_person="Sam Patel").text


def _new(reference: str) -> Concern:
    return Concern(reference=reference, category=Category.QUERY, summary="s", body="b", source=Source.CHAT,
                   reporter="r", received_at=datetime(2026, 1, 1, tzinfo=timezone.utc))


def test_references_are_unique_under_concurrent_writers(migrated_engine: Engine) -> None:  # noqa: F811
    new_uow = unit_of_work_factory(migrated_engine)
    references: list[str] = []
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            for _ in range(10):
                with new_uow() as uow:
                    reference, _ = uow.concerns.allocate_reference(2026)
                    uow.concerns.add(_new(reference))
                    uow.commit()
                references.append(reference)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(references) == [f"PQ-2026-{n:04d}" for n in range(1, 61)]


def test_a_rolled_back_entry_gives_its_number_back(tmp_path: Path, testbot: TestBot) -> None:  # noqa: F811
    with testbot.runtime.new_uow() as uow:
        assert uow.concerns.allocate_reference(2026)[0] == "PQ-2026-0001"
    with testbot.runtime.new_uow() as uow:
        assert uow.concerns.allocate_reference(2026)[0] == "PQ-2026-0001"
        assert uow.concerns.allocate_reference(2027)[0] == "PQ-2027-0001"


def test_confidential_answers_are_marked_private_for_the_adapter_to_route(logbot: TestBot) -> None:
    """The handler marks the answer; each adapter delivers a private answer to the asker alone
    (the channel matrix in tests/confidential proves each place)."""
    logbot.ok("safeguarding Acme: unexplained bruising", as_person="Jo Reid")
    in_channel = logbot.say("concerns open", as_person="Jo Reid", is_direct=False, conversation_id="C1")
    assert in_channel is not None and in_channel.private and "bruising" in in_channel.text
    shown = logbot.say("PQ-2023-0001", as_person="Jo Reid", is_direct=False)
    assert shown is not None and shown.private and "bruising" in shown.text
    public = logbot.say("concerns open", as_person="Val Viewer", is_direct=False, conversation_id="C1")
    assert public is not None and not public.private and "bruising" not in public.text


def test_log_and_mail_repositories_contract(migrated_engine: Engine) -> None:  # noqa: F811
    """The same calls on SQLite and PostgreSQL (the upserts differ by dialect)."""
    from bot.domain.concerns import AttachmentInfo, ConcernEvent
    from bot.mail.mailbox import MailRecord

    new_uow = unit_of_work_factory(migrated_engine)
    at = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
    with new_uow() as uow:
        acme = uow.providers.add(Provider("Acme Care", ("Acme",), ("@AcmeCare.example",)))
        assert uow.providers.list() == [acme] and acme.email_domains == ("acmecare.example",)
        reference, _ = uow.concerns.allocate_reference(2026)
        concern = uow.concerns.add(_new(reference), provider_id=acme.id)
        uow.concerns.link_message(concern, "<m1@x>")
        uow.concerns.link_message(concern, "<m1@x>")  # a no-op the second time
        uow.concerns.add_attachment(concern, AttachmentInfo("a.pdf", "application/pdf", 3, True), b"abc")
        uow.concerns.append_event(concern, ConcernEvent(reference, at, "Sam", "email", "reply", note="n"))
        record = MailRecord("<m1@x>", at, "a@acmecare.example", "new entry", "Processed", reference)
        assert uow.mail.claim(record) and not uow.mail.claim(record)
        uow.mail.queue("<ack@x>", {"to": ["a@acmecare.example"]}, at)
        uow.mail.queue("<ack@x>", {"to": ["someone else"]}, at)
        uow.mail.set_state("graph:delta", "1")
        uow.mail.set_state("graph:delta", "2")
        uow.commit()
    with new_uow() as uow:
        found = uow.concerns.find_by_messages(["<other@x>", "<m1@x>"])
        assert found is not None and found.reference == "PQ-2026-0001" and found.provider == "Acme Care"
        assert [a.filename for a in found.attachments] == ["a.pdf"]
        assert [e.note for e in uow.concerns.events(found)] == ["n"]
        assert uow.concerns.list(provider=acme)[0].reference == "PQ-2026-0001"
        assert uow.mail.recent_from("A@acmecare.example", at) == 1
        # The routing read: the record and the sender's recent count in one statement.
        assert uow.mail.get_with_recent("<m1@x>", "A@acmecare.example", at) == (record, 1)
        assert uow.mail.get_with_recent("<none@x>", "a@acmecare.example", at) == (None, 1)
        assert uow.mail.get_with_recent("<m1@x>", None, at) == (record, 0)
        assert uow.mail.get_with_recent("<m1@x>", "a@acmecare.example", at + timedelta(seconds=1)) == (record, 0)
        assert uow.mail.unsent() == [("<ack@x>", {"to": ["a@acmecare.example"]})]
        uow.mail.mark_sent("<ack@x>", at)
        assert uow.mail.get_state("graph:delta") == "2"
        uow.commit()
    with new_uow() as uow:
        assert uow.mail.unsent() == []
