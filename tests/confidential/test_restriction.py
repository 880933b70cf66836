"""Confidential by construction: an entry is restricted by any safeguarding signal, in its first
message or any later one; it leaves safeguarding only with two people; what was written while it
was confidential stays so; every view is recorded; a viewer learns only a total count."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.domain.concerns import Provider
from bot.domain.model import Person, Role
from tests.conftest import TestBot, make_testbot
from tests.mail_samples import MailBot, mailbot, make_mail  # noqa: F401

ROLE, SECOND, STAFF, VIEWER = "Jo Reid", "Kim Lee", "Sam Patel", "Val Viewer"


@pytest.fixture
def logbot(tmp_path: Path) -> Iterator[TestBot]:
    bot = make_testbot(tmp_path)
    with bot.runtime.new_uow() as uow:
        uow.people.add(Person(name=STAFF, role=Role.UPDATER), {"console": STAFF})
        uow.people.add(Person(name=ROLE, role=Role.UPDATER, roles_extra=("safeguarding",)), {"console": ROLE})
        uow.people.add(Person(name=SECOND, role=Role.UPDATER, roles_extra=("safeguarding",)), {"console": SECOND})
        uow.people.add(Person(name=VIEWER, role=Role.VIEWER), {"console": VIEWER})
        uow.providers.add(Provider("Rosewood House", ("Rosewood",), ("rosewood.example",)))
        uow.providers.add(Provider("Acme Care", ("Acme",), ("acmecare.example",)))
        uow.commit()
    yield bot
    bot.runtime.close()


def seen_by(bot: TestBot, person: str, text: str) -> str:
    reply = bot.say(text, as_person=person)
    assert reply is not None
    return reply.text


@pytest.mark.parametrize("wording", [
    "carer was abusing Mr Jones",
    "money missing from his wallet, possible financial harm",
    "night carer slapped a resident",
    "he told me the carer shouted at him and he is scared of her",  # weak: pending review
])
def test_staff_wording_is_confidential_from_the_first_message(logbot: TestBot, wording: str) -> None:
    logged = logbot.ok(f"concern Rosewood House: {wording}", as_person=STAFF)
    assert wording not in logged.text and "confidential" in logged.text
    for person in (STAFF, VIEWER):
        assert wording not in seen_by(logbot, person, "concerns open")
        assert wording not in seen_by(logbot, person, "PQ-2023-0001")
    assert wording in seen_by(logbot, ROLE, "PQ-2023-0001")


def test_a_later_note_restricts_an_ordinary_entry_and_never_the_reverse(logbot: TestBot) -> None:
    logbot.ok("concern Acme: missed calls on Tuesday", as_person=STAFF)
    assert "missed calls" in seen_by(logbot, VIEWER, "concerns open")
    noted = logbot.ok("PQ-2023-0001 note found bruising, suspect abuse", as_person=STAFF)
    assert "now confidential" in noted.text
    for text in ("concerns open", "PQ-2023-0001", "concerns Acme Care"):
        shown = seen_by(logbot, VIEWER, text)
        assert "bruising" not in shown and "missed calls" not in shown
    logbot.ok("PQ-2023-0001 note family happy with the new rota", as_person=ROLE)  # no signal: stays restricted
    assert "missed calls" not in seen_by(logbot, VIEWER, "concerns open")


def test_recategorising_out_of_safeguarding_takes_a_second_person(logbot: TestBot) -> None:
    logbot.ok("concern Acme: carer slapped a resident", as_person=STAFF)
    asked = logbot.ok("PQ-2023-0001 category query", as_person=ROLE)
    assert "second person" in asked.text
    assert "slapped" not in seen_by(logbot, VIEWER, "PQ-2023-0001")  # still confidential
    assert "You asked for this downgrade" in logbot.refused("PQ-2023-0001 confirm downgrade", as_person=ROLE).text
    assert "safeguarding role" in logbot.refused("PQ-2023-0001 confirm downgrade", as_person=STAFF).text
    assert "safeguarding role" in logbot.refused("PQ-2023-0001 unrestrict", as_person=STAFF).text
    done = logbot.ok("PQ-2023-0001 confirm downgrade", as_person=SECOND)
    assert "out of safeguarding (query)" in done.text
    # The entry is visible now; what was written while it was confidential is not.
    shown = seen_by(logbot, VIEWER, "PQ-2023-0001")
    assert "PQ-2023-0001 [query]" in shown and "slapped" not in shown
    assert "written while the entry was confidential" in shown
    logbot.ok("PQ-2023-0001 note liaison call booked", as_person=STAFF)
    assert "liaison call booked" in seen_by(logbot, VIEWER, "PQ-2023-0001")
    assert "slapped" in seen_by(logbot, ROLE, "PQ-2023-0001")


def test_a_pending_review_is_confirmed_by_one_and_released_by_two(logbot: TestBot) -> None:
    logbot.ok("concern Acme: police attended the property last night", as_person=STAFF)
    assert "pending safeguarding review" in seen_by(logbot, ROLE, "PQ-2023-0001")
    logbot.ok("PQ-2023-0001 unrestrict", as_person=ROLE)
    assert "police" not in seen_by(logbot, VIEWER, "PQ-2023-0001")
    logbot.ok("PQ-2023-0001 confirm downgrade", as_person=SECOND)
    assert "PQ-2023-0001 [" in seen_by(logbot, VIEWER, "PQ-2023-0001")
    logbot.ok("concern Acme: he says he is frightened of the new carer", as_person=STAFF)
    confirmed = logbot.ok("PQ-2023-0002 restrict", as_person=ROLE)
    assert "confirmed as confidential after review" in confirmed.text


def test_a_person_without_the_role_may_restrict_but_never_release(logbot: TestBot) -> None:
    logbot.ok("concern Acme: missed calls", as_person=STAFF)
    logbot.ok("PQ-2023-0001 restrict", as_person=STAFF)
    assert "missed calls" not in seen_by(logbot, VIEWER, "concerns open")
    assert "safeguarding role" in logbot.refused("PQ-2023-0001 category query", as_person=STAFF).text


def test_no_existence_leak_per_provider(logbot: TestBot) -> None:
    logbot.ok("concern Rosewood House: carer was abusing Mr Jones", as_person=STAFF)
    logbot.ok("concern Acme: missed calls", as_person=STAFF)
    for person in (STAFF, VIEWER):
        provider_listing = seen_by(logbot, person, "concerns Rosewood House")
        assert "confidential" not in provider_listing and "PQ-2023-0001" not in provider_listing
        assert provider_listing == "Entries for Rosewood House: none."
        whole_log = seen_by(logbot, person, "concerns open")
        assert "also 1 confidential entry" in whole_log
        assert "Rosewood" not in whole_log and "PQ-2023-0001" not in whole_log
    assert "carer was abusing" in seen_by(logbot, ROLE, "concerns Rosewood House")


def test_every_view_is_recorded_and_shown_to_the_role(logbot: TestBot) -> None:
    logbot.ok("concern Acme: carer slapped a resident", as_person=STAFF)
    logbot.say("PQ-2023-0001", as_person=ROLE, is_direct=True, is_private=False, conversation_id="C-TEAM")
    logbot.ok("PQ-2023-0001", as_person=VIEWER)  # refused, and recorded as refused
    logbot.ok("concerns open", as_person=SECOND)
    access = logbot.ok("PQ-2023-0001 access", as_person=SECOND)
    assert access.private
    lines = access.text.splitlines()
    assert any(f"{ROLE}, console in C-TEAM: show" in line for line in lines)
    assert any(f"{VIEWER}, console privately: show — refused" in line for line in lines)
    assert any(f"{SECOND}, console privately: list" in line for line in lines)
    refused = seen_by(logbot, STAFF, "PQ-2023-0001 access")
    assert "Only people with the safeguarding role" in refused and ROLE not in refused


def test_a_mail_reply_can_restrict_an_entry(mailbot: MailBot) -> None:
    first = mailbot.receive(make_mail("manager@acmecare.example", "Missed call", "The Tuesday call was missed.",
                                      message_id="<m1@acmecare.example>"), "m1")
    assert first.reference and first.mail_key == "<m1@acmecare.example>"
    reply = make_mail("manager@acmecare.example", f"Re: [{first.reference}] Missed call",
                      "Update: on the next visit we found bruising and suspect abuse.",
                      message_id="<m2@acmecare.example>", headers={"In-Reply-To": "<m1@acmecare.example>"})
    appended = mailbot.receive(reply, "m2")
    assert appended.reference == first.reference
    assert "<m2@acmecare.example>" not in appended.mail_key  # poll output never names it
    entry = mailbot.entry(first.reference)
    assert entry.is_confidential
    shown = mailbot.bot.say(first.reference, as_person="Sam Patel")
    assert shown is not None and "bruising" not in shown.text and "Tuesday call" not in shown.text


def test_a_confidential_mail_is_never_named_in_logs_or_poll_output(mailbot: MailBot,
                                                                    caplog: pytest.LogCaptureFixture) -> None:
    sender, message_id = "whistle.blower@acmecare.example", "<sg-77@acmecare.example>"
    raw = make_mail(sender, "Concern about a carer", "The carer was abusing Mrs P and took money from her purse.",
                    message_id=message_id, attachments=[("body_map_bruising.pdf", b"%PDF-1.4")])
    with caplog.at_level(logging.DEBUG):
        result = mailbot.receive(raw, "sg")
    assert result.reference and mailbot.entry(result.reference).is_confidential
    printed = f"{result.mail_key} {result.detail}"
    assert message_id not in printed and sender not in printed
    logs = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert message_id not in logs and sender not in logs and "abusing" not in logs
    notices = " ".join(n.text for n in mailbot.notices)
    assert sender not in notices and "abusing" not in notices
    # The acknowledgement goes to the sender alone and never quotes them.
    acks = [m for m in mailbot.outbox() if f"[{result.reference}]".encode() in m]
    assert acks and b"abusing" not in acks[0]


@pytest.mark.parametrize("command", [
    "PQ-2023-0001 action refer to adult protection team @Jo Reid by Friday",
    "PQ-2023-0001 close closed after section 42 enquiry",
])
def test_allocations_and_closing_notes_can_restrict_too(logbot: TestBot, command: str) -> None:
    logbot.ok("concern Acme: missed calls on Tuesday", as_person=STAFF)
    reply = logbot.ok(command, as_person=STAFF)
    assert "adult protection" not in reply.text or reply.private
    assert "missed calls" not in seen_by(logbot, VIEWER, "concerns all")
    assert "also 1 confidential entry" in seen_by(logbot, VIEWER, "concerns all")
