"""The shared mailbox end to end: real corpus mail and built messages through the Maildir
backend, the ingestion pipeline and the same dispatcher as chat."""

from __future__ import annotations

import email
import logging
from email import policy
from pathlib import Path

import pytest

from bot.mail.classify import LOOP_HEADER
from bot.mail.ingest import Outcome
from bot.mail.mailbox import FILED, NEEDS_ATTENTION, PROCESSED
from tests.mail_samples import AUTH_FAIL, AUTH_PASS, COUNCIL, CORPUS, MailBot, make_mail, make_mailbot, mailbot  # noqa: F401

NEW, BOUNCE, AUTO, RECEIPT = Outcome.NEW_ENTRY, Outcome.BOUNCE, Outcome.AUTO_REPLY, Outcome.READ_RECEIPT

# Every .eml in tests/fixtures/emails and what it must become.
CORPUS_EXPECTED = {
    "cpython_msg15_same_boundary_nested.eml": NEW,
    "cpython_msg16_dsn_via_mailing_list.eml": BOUNCE,
    "flanker_bounce_office365_ndr.eml": BOUNCE,
    "flanker_bounce_plaintext_nondsn.eml": BOUNCE,
    "flanker_encoded_comma_display_name.eml": NEW,
    "flanker_false_multipart_empty.eml": NEW,
    "flanker_malformed_headers_bad_bytes.eml": NEW,
    "flanker_missing_final_boundary.eml": NEW,
    "flanker_no_content_type.eml": NEW,
    "flanker_read_receipt_mdn.eml": RECEIPT,
    "mailparser_boundary_mismatch_html_only.eml": NEW,
    "mailparser_comma_in_encoded_name_latin1.eml": NEW,
    "mailparser_dsn_mailbox_full_4.2.2.eml": BOUNCE,
    "mailparser_email_as_display_name.eml": NEW,
    "mailparser_gb2312_8bit_raw_utf8_header.eml": NEW,
    "mailparser_html_first_image_then_text.eml": NEW,
    "ours_html_only_umlaut.eml": NEW,
    "ours_latin1_raw_header_bytes.eml": NEW,
    "ours_outlook_forwarded_message_rfc822.eml": NEW,
    "ours_rfc2231_iso2022jp_filename.eml": NEW,
    "ours_russian_8bit_subject_no_ctype.eml": NEW,
    "sisimai_autorespons_multipart_bulk.eml": AUTO,
    "sisimai_office365_ndr_5.1.10.eml": BOUNCE,
    "sisimai_ooo_apple_vacation_no_autosubmitted.eml": AUTO,
    "sisimai_ooo_away_until_may5.eml": AUTO,
    "sisimai_ooo_exchange_win1252_qp.eml": AUTO,
}


def test_the_table_covers_every_corpus_file() -> None:
    assert sorted(p.name for p in CORPUS.glob("*.eml")) == sorted(CORPUS_EXPECTED)


@pytest.mark.parametrize("name", sorted(CORPUS_EXPECTED), ids=lambda n: n.removesuffix(".eml"))
def test_corpus_mail_is_classified_and_lands_in_its_folder(mailbot: MailBot, name: str) -> None:
    result = mailbot.receive((CORPUS / name).read_bytes(), name.removesuffix(".eml"))
    expected = CORPUS_EXPECTED[name]
    assert result.outcome is expected, f"{name}: {result.outcome} ({result.detail})"
    assert mailbot.mailbox.folder_keys(PROCESSED if expected is NEW else FILED) == [result.backend_id]
    entries = mailbot.entries()
    outbox = mailbot.outbox()
    if expected is NEW:
        assert len(entries) == 1 and entries[0].reference == result.reference
        assert len(outbox) == 1, "a new entry is acknowledged once"
    else:
        assert entries == [] and outbox == [], "bounces, auto-replies and receipts create nothing and get no reply"


@pytest.mark.parametrize("name, words", [
    ("ours_russian_8bit_subject_no_ctype.eml", "жалоба на опоздание сиделки"),  # raw KOI8-R, no charset anywhere
    ("mailparser_gb2312_8bit_raw_utf8_header.eml", "代开各地增值税发票"),
    ("ours_latin1_raw_header_bytes.eml", "rota-2023-10 missing weekend cover"),
])
def test_subjects_in_every_charset_are_read(mailbot: MailBot, name: str, words: str) -> None:
    result = mailbot.receive((CORPUS / name).read_bytes())
    assert words in mailbot.entry(result.reference).summary


def test_html_only_mail_is_read_as_text(mailbot: MailBot) -> None:
    result = mailbot.receive((CORPUS / "ours_html_only_umlaut.eml").read_bytes())
    body = mailbot.entry(result.reference).body
    assert "zwei Besuche ausgelassen" in body and "Mit freundlichen Grüßen" in body and "<" not in body


def test_a_display_name_that_is_another_address_is_not_the_sender(mailbot: MailBot) -> None:
    result = mailbot.receive((CORPUS / "mailparser_email_as_display_name.eml").read_bytes())
    assert mailbot.entry(result.reference).reporter_email == "bob@example.com"


def test_a_forwarded_message_is_read_as_the_concern_it_carries(mailbot: MailBot) -> None:
    result = mailbot.receive((CORPUS / "ours_outlook_forwarded_message_rfc822.eml").read_bytes())
    entry = mailbot.entry(result.reference)
    assert entry.summary == "Changes to your visit times from 1 November"  # the inner message's subject
    assert "Forwarded message from Brightside Home Care <office@brightside-homecare.example>" in entry.body


def test_a_forwarded_provider_mail_names_the_provider(mailbot: MailBot) -> None:
    inner = email.message_from_bytes(make_mail("Manager <manager@acmecare.example>", "Rota gaps next week",
                                               "We cannot cover three double-up calls."), policy=policy.default)
    outer = email.message.EmailMessage()
    outer["From"] = "Jo Reid <jo.reid@council.example>"
    outer["To"] = "inbox@council.example"
    outer["Subject"] = "Fwd: Rota gaps next week"
    outer["Message-ID"] = "<fwd-1@council.example>"
    outer["Authentication-Results"] = AUTH_PASS
    outer.set_content("FYI, see below.")
    outer.add_attachment(inner)
    result = mailbot.receive(bytes(outer))
    entry = mailbot.entry(result.reference)
    assert (entry.provider, entry.summary, entry.reporter) == ("Acme Care", "Rota gaps next week", "Jo Reid")


def test_a_provider_mail_becomes_an_entry_with_category_ack_and_triage(mailbot: MailBot) -> None:
    raw = make_mail("Acme Manager <manager@acmecare.example>", "Complaint about missed calls",
                    "A family has complained that calls were missed on Tuesday.", message_id="<c1@acmecare.example>")
    result = mailbot.receive(raw)
    assert result.outcome is Outcome.NEW_ENTRY and result.reference == "PQ-2023-0001"
    entry = mailbot.entry("PQ-2023-0001")
    assert (entry.provider, entry.category.value, entry.source.value) == ("Acme Care", "complaint", "email")
    [ack] = [email.message_from_bytes(raw, policy=policy.default) for raw in mailbot.outbox()]
    assert ack["To"] == "manager@acmecare.example" and "[PQ-2023-0001]" in ack["Subject"]
    assert ack["In-Reply-To"] == "<c1@acmecare.example>" and ack["Auto-Submitted"] == "auto-replied"
    assert "PQ-2023-0001" in ack.get_content()
    assert [n.kind for n in mailbot.notices] == ["new entry"] and "PQ-2023-0001" in mailbot.notices[0].text


def test_acknowledgements_can_be_switched_off(tmp_path: Path) -> None:
    mb = make_mailbot(tmp_path, {"acknowledge": False})
    try:
        assert mb.receive(make_mail("a@acmecare.example", "Query", "When is the review?")).outcome is Outcome.NEW_ENTRY
        assert mb.outbox() == []
    finally:
        mb.ingestor.mailbox.close()
        mb.bot.runtime.close()


def test_our_own_acknowledgement_coming_back_is_filed_not_answered(mailbot: MailBot) -> None:
    mailbot.receive(make_mail("a@acmecare.example", "Query", "When is the review?", message_id="<q1@acmecare.example>"))
    [ack] = mailbot.outbox()
    assert LOOP_HEADER.encode() in ack
    again = mailbot.receive(ack.replace(b"Message-ID: <ack.", b"Message-ID: <bounced-ack."), "ack")
    assert again.outcome is Outcome.OWN_MAIL and len(mailbot.entries()) == 1 and len(mailbot.outbox()) == 1


def test_a_reply_in_the_thread_is_appended_to_its_entry(mailbot: MailBot) -> None:
    first = mailbot.receive(make_mail("a@acmecare.example", "Staffing", "Two carers off sick.",
                                      message_id="<s1@acmecare.example>"))
    ack_id = email.message_from_bytes(mailbot.outbox()[0], policy=policy.default)["Message-ID"]
    reply = make_mail("a@acmecare.example", f"Re: [{first.reference}] Staffing",
                      "Both back on Monday.\n\nOn Tue, 3 Oct 2023, inbox wrote:\n> Thank you", message_id="<s2@acmecare.example>",
                      headers={"In-Reply-To": ack_id, "References": f"<s1@acmecare.example> {ack_id}"})
    second = mailbot.receive(reply, "reply")
    assert (second.outcome, second.reference) == (Outcome.APPENDED, first.reference)
    assert len(mailbot.entries()) == 1
    assert mailbot.events(first.reference)[-1].note == "Both back on Monday."


def test_the_reference_in_the_subject_alone_threads_a_reply(mailbot: MailBot) -> None:
    first = mailbot.receive(make_mail("a@acmecare.example", "Staffing", "Two carers off sick."))
    second = mailbot.receive(make_mail("b@elsewhere.example", f"Update [{first.reference.lower()}]", "All covered."), "b")
    assert (second.outcome, second.reference) == (Outcome.APPENDED, first.reference)


def test_attachments_are_kept_and_oversize_ones_noted_and_the_sender_told(tmp_path: Path) -> None:
    mb = make_mailbot(tmp_path, {"max_attachment_bytes": 1000})
    try:
        result = mb.receive(make_mail("a@acmecare.example", "Rota", "Attached.",
                                      attachments=[("rota.csv", b"x" * 500), ("scan.pdf", b"y" * 5000)]))
        entry = mb.entry(result.reference)
        assert [(a.filename, a.size, a.stored) for a in entry.attachments] == [("rota.csv", 500, True), ("scan.pdf", 5000, False)]
        with mb.bot.runtime.new_uow() as uow:
            assert uow.concerns.attachment_data(entry.attachments[0].id) == b"x" * 500
            assert uow.concerns.attachment_data(entry.attachments[1].id) is None
        ack = email.message_from_bytes(mb.outbox()[0], policy=policy.default).get_content()
        assert "scan.pdf" in ack and "too large" in ack
    finally:
        mb.ingestor.mailbox.close()
        mb.bot.runtime.close()


def test_a_staff_update_by_mail_goes_through_the_dispatcher_and_is_confirmed(mailbot: MailBot) -> None:
    raw = make_mail(f"Sam Patel <sam.patel@{COUNCIL}>", "Re: AP2.5.1", "AP2.5.1 40% six contracts signed\n\n--\nSam",
                    message_id="<u1@council.example>", headers={"Authentication-Results": AUTH_PASS})
    result = mailbot.receive(raw)
    assert result.outcome is Outcome.UPDATE
    assert mailbot.bot.action("AP2.5.1").progress == 40
    [entry] = [h for h in mailbot.bot.history("AP2.5.1") if h.channel == "email"]
    assert (entry.actor, entry.source_ref) == ("Sam Patel", "<u1@council.example>")
    reply = email.message_from_bytes(mailbot.outbox()[0], policy=policy.default)
    assert reply["To"] == f"sam.patel@{COUNCIL}" and "25% → 40%" in reply.get_content()
    assert mailbot.entries() == []


def test_a_staff_update_in_the_subject_with_a_wrong_value_gets_the_chat_error(mailbot: MailBot) -> None:
    raw = make_mail(f"sam.patel@{COUNCIL}", "AP2.9.1a 140%", "", headers={"Authentication-Results": AUTH_PASS})
    result = mailbot.receive(raw)
    assert result.outcome is Outcome.UPDATE_REFUSED and mailbot.bot.action("AP2.9.1a").progress == 50
    assert "0–100%" in email.message_from_bytes(mailbot.outbox()[0], policy=policy.default).get_content()


@pytest.mark.parametrize("auth", [AUTH_FAIL, None], ids=["auth-fails", "no-auth-header"])
def test_a_spoofed_staff_address_is_logged_as_a_concern_never_applied(mailbot: MailBot, auth: str | None) -> None:
    raw = make_mail(f"Sam Patel <sam.patel@{COUNCIL}>", "update", "AP2.5.1 100%",
                    headers={"Authentication-Results": auth} if auth else {})
    result = mailbot.receive(raw)
    assert result.outcome is Outcome.SPOOFED
    assert mailbot.bot.action("AP2.5.1").progress == 25
    entry = mailbot.entry(result.reference)
    assert entry.category.value == "alert" and entry.summary.startswith("Unauthenticated mail")
    assert mailbot.outbox() == [] and mailbot.notices[0].kind == "spoofed"


def test_an_auth_header_added_by_the_sender_below_ours_is_not_trusted(mailbot: MailBot) -> None:
    message = email.message_from_bytes(make_mail(f"sam.patel@{COUNCIL}", "x", "AP2.5.1 100%"), policy=policy.default)
    message["Authentication-Results"] = AUTH_FAIL  # ours (topmost)…
    message["Authentication-Results"] = AUTH_PASS  # …and a forged one below it
    assert mailbot.receive(bytes(message)).outcome is Outcome.SPOOFED


def test_a_trusted_authserv_id_is_configurable(tmp_path: Path) -> None:
    mb = make_mailbot(tmp_path, {"trusted_authserv_ids": ["mx.other.example"]})
    try:
        raw = make_mail(f"sam.patel@{COUNCIL}", "x", "AP2.5.1 60%", headers={"Authentication-Results": AUTH_PASS})
        assert mb.receive(raw).outcome is Outcome.SPOOFED  # mx.council.example is not trusted here
        trusted = AUTH_PASS.replace(f"mx.{COUNCIL}", "mx.other.example")
        raw = make_mail(f"sam.patel@{COUNCIL}", "x", "AP2.5.1 60%", headers={"Authentication-Results": trusted})
        assert mb.receive(raw, "2").outcome is Outcome.UPDATE
    finally:
        mb.ingestor.mailbox.close()
        mb.bot.runtime.close()


def test_a_staff_mail_without_a_command_is_logged_as_an_entry_they_reported(mailbot: MailBot) -> None:
    raw = make_mail(f"sam.patel@{COUNCIL}", "Visit to Acme", "The home manager raised a staffing query.",
                    headers={"Authentication-Results": AUTH_PASS})
    result = mailbot.receive(raw)
    assert result.outcome is Outcome.NEW_ENTRY and mailbot.entry(result.reference).reporter == "Sam Patel"


def test_more_than_n_messages_from_one_sender_are_filed(tmp_path: Path) -> None:
    mb = make_mailbot(tmp_path, {"rate_limit_messages": 3, "rate_limit_minutes": 10})
    try:
        outcomes = [mb.receive(make_mail("loop@acmecare.example", f"Q{i}", "hello"), f"m{i}").outcome for i in range(5)]
        assert outcomes == [NEW, NEW, NEW, Outcome.RATE_LIMITED, Outcome.RATE_LIMITED]
        assert len(mb.entries()) == 3 and len(mb.mailbox.folder_keys(FILED)) == 2
        assert [n.kind for n in mb.notices].count("rate limited") == 1
    finally:
        mb.ingestor.mailbox.close()
        mb.bot.runtime.close()


@pytest.mark.parametrize("raw", [b"", b"\x00\x01\x02 not mail \xff" * 10, b"\n\n\n"], ids=["empty", "binary", "blank"])
def test_unreadable_bytes_go_to_needs_attention_with_a_triage_notice(mailbot: MailBot, raw: bytes) -> None:
    result = mailbot.receive(raw)
    assert result.outcome is Outcome.UNREADABLE and result.folder == NEEDS_ATTENTION
    assert mailbot.mailbox.folder_keys(NEEDS_ATTENTION) == [result.backend_id]
    assert mailbot.notices[0].kind == "unreadable" and "Needs attention" in mailbot.notices[0].text


def test_a_redelivered_message_changes_nothing(mailbot: MailBot) -> None:
    raw = make_mail("a@acmecare.example", "Query", "When?", message_id="<dup@acmecare.example>")
    first = mailbot.receive(raw, "one")
    second = mailbot.receive(raw, "two")
    assert second.outcome is Outcome.ALREADY_HANDLED and second.reference == first.reference
    assert len(mailbot.entries()) == 1 and len(mailbot.outbox()) == 1
    assert len(mailbot.mailbox.folder_keys(PROCESSED)) == 2


def test_a_safeguarding_mail_is_confidential_in_triage_ack_and_logs(mailbot: MailBot, caplog: pytest.LogCaptureFixture) -> None:
    secret = "bruising on Mrs Example's arms"
    raw = make_mail("nurse@acmecare.example", "Safeguarding concern", f"We noticed {secret} this morning.")
    with caplog.at_level(logging.DEBUG):
        result = mailbot.receive(raw)
    entry = mailbot.entry(result.reference)
    assert entry.category.value == "safeguarding" and entry.is_confidential
    assert secret not in mailbot.notices[0].text and result.reference in mailbot.notices[0].text
    ack = email.message_from_bytes(mailbot.outbox()[0], policy=policy.default)
    assert "Safeguarding" not in ack["Subject"] and secret not in ack.get_content()
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert secret not in logged and "Safeguarding concern" not in logged


def test_a_long_staff_letter_is_logged_not_refused_as_a_command(mailbot: MailBot) -> None:
    letter = "Notes from the provider visit.\n\n" + ("The manager described the rota in detail. " * 150)
    raw = make_mail(f"sam.patel@{COUNCIL}", "Visit notes", letter, headers={"Authentication-Results": AUTH_PASS})
    result = mailbot.receive(raw)
    assert result.outcome is Outcome.NEW_ENTRY and len(mailbot.entry(result.reference).body) > 4000


def test_an_inline_forward_keeps_the_forwarded_text_in_the_new_entry(mailbot: MailBot) -> None:
    body = ("Please log this.\n\n---------- Forwarded message ---------\nFrom: Manager <m@acmecare.example>\n"
            "Subject: Night cover\n\nWe have no night cover on Saturday.")
    result = mailbot.receive(make_mail("someone@elsewhere.example", "Fwd: Night cover", body))
    assert "no night cover on Saturday" in mailbot.entry(result.reference).body


def test_a_staff_update_applied_just_before_a_crash_is_still_confirmed_once(mailbot: MailBot) -> None:
    # The poller dies the moment the dispatcher has committed the update: the mail was neither
    # recorded nor moved, and its confirmation not yet queued.
    real_dispatch = mailbot.ingestor.dispatch

    def dispatch_then_die(message):  # type: ignore[no-untyped-def]
        real_dispatch(message)
        raise SystemExit("killed between the update's commit and the mail log's")

    raw = make_mail(f"Sam Patel <sam.patel@{COUNCIL}>", "Re: AP2.5.1", "AP2.5.1 40% six contracts signed",
                    message_id="<crash1@council.example>", headers={"Authentication-Results": AUTH_PASS})
    mailbot.drop(raw)
    mailbot.ingestor.dispatch = dispatch_then_die
    with pytest.raises(SystemExit):
        mailbot.ingestor.poll_once()
    assert mailbot.outbox() == [] and mailbot.bot.action("AP2.5.1").progress == 40

    mailbot.ingestor.dispatch = real_dispatch  # restarted
    [result] = mailbot.ingestor.poll_once()
    assert result.outcome is Outcome.UPDATE and "confirmation sent now" in result.detail
    assert len([h for h in mailbot.bot.history("AP2.5.1") if h.channel == "email"]) == 1  # applied once
    [sent] = mailbot.outbox()  # and confirmed once, with what the update did
    assert "25% → 40%" in email.message_from_bytes(sent, policy=policy.default).get_content()
    mailbot.drop(raw, "again")  # a third delivery of the same mail changes and sends nothing
    assert mailbot.ingestor.poll_once()[0].outcome is Outcome.ALREADY_HANDLED
    assert len(mailbot.outbox()) == 1
