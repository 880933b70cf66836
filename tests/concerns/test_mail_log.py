"""The log through the shared mailbox (a Maildir, the whole pipeline): the provider of a new
entry with nothing set up, its received time from the mail's own Date, the automatic
acknowledgement meeting the timescale, earlier entries linked when a provider is registered,
and a monitoring visit recorded by email with its report attached."""

from __future__ import annotations

import email
from datetime import timedelta
from email import policy
from email.utils import format_datetime

import pytest

from bot.providers_cli import register_provider
from tests.mail_samples import AUTH_PASS, COUNCIL, MailBot, make_mail, mailbot  # noqa: F401

SIGNATURE = "Kind regards\n\nJane Smith\nCare Coordinator\nBrightwell Homecare Ltd\nTel 01234 567890\n"


def _last_reply(mb: MailBot) -> str:
    message = email.message_from_bytes(mb.outbox()[-1], policy=policy.default)
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def _date(mb: MailBot, **delta: float) -> str:
    return format_datetime(mb.ingestor.clock.now() - timedelta(**delta))


def test_a_provider_mail_with_nothing_set_up_names_a_proposed_provider(mailbot: MailBot) -> None:  # noqa: F811
    result = mailbot.receive(make_mail("Brightwell Homecare <rota@brightwell-homecare.example>", "Missed calls",
                                       "Two calls were missed on Tuesday.", message_id="<b1@brightwell.example>"))
    entry = mailbot.entry(result.reference)
    assert (entry.provider, entry.provider_proposed) == ("Brightwell Homecare", True)
    assert "(Brightwell Homecare (proposed))" in mailbot.notices[-1].text
    assert entry.acknowledged_at is not None, "the automatic acknowledgement counts"
    signed = mailbot.receive(make_mail("Jane Smith <jane.smith@gmail.com>", "Rota", "Rota gaps this weekend.\n\n"
                                       + SIGNATURE, message_id="<b2@gmail.example>"), "second")
    assert mailbot.entry(signed.reference).provider == "Brightwell Homecare Ltd"
    with mailbot.bot.runtime.new_uow() as uow:
        _, verb, linked = register_provider(uow, "Brightwell Homecare", ("Brightwell",), ("brightwell-homecare.example",),
                                            None, None, mailbot.ingestor.clock.today())
        uow.commit()
    assert (verb, linked) == ("Added", 2)
    listing = mailbot.bot.ok("concerns Brightwell").text
    assert "Entries for Brightwell Homecare (2)" in listing and "proposed" not in listing
    later = mailbot.receive(make_mail("Office <office@brightwell-homecare.example>", "Another", "Hello",
                                      message_id="<b3@brightwell.example>"), "third")
    assert (mailbot.entry(later.reference).provider, mailbot.entry(later.reference).provider_proposed) == (
        "Brightwell Homecare", False)


def test_a_staff_members_own_signature_proposes_nothing(mailbot: MailBot) -> None:  # noqa: F811
    raw = make_mail(f"Jo Reid <jo.reid@{COUNCIL}>", "A call from a family", "The daughter phoned about visits.\n\n"
                    "Regards\nJo Reid\nCommissioning Officer\nHealth and Social Care Moray\nMoray Care Services",
                    headers={"Authentication-Results": AUTH_PASS})
    entry = mailbot.entry(mailbot.receive(raw).reference)
    assert entry.provider is None


@pytest.mark.parametrize("sent, kept", [
    ({"days": 7}, True),  # the poll ran a week late: the mail's own time
    ({"days": -2}, False),  # a sender's clock two days fast: when the mailbox got it
    ({"days": 400}, False),  # more than a month before: when the mailbox got it
], ids=["a week ago", "in the future", "over a year ago"])
def test_the_received_time_is_the_mails_date_bounded(mailbot: MailBot, sent: dict[str, float],  # noqa: F811
                                                     kept: bool) -> None:
    date_header = _date(mailbot, **sent)
    result = mailbot.receive(make_mail("Acme Rota <rota@acmecare.example>", "Missed calls", "Two missed.",
                                       headers={"Date": date_header}))
    entry = mailbot.entry(result.reference)
    sent_at = mailbot.ingestor.clock.now() - timedelta(**sent)
    assert abs((entry.logged_at - mailbot.ingestor.clock.now()).total_seconds()) < 120
    if kept:
        assert abs((entry.received_at - sent_at).total_seconds()) < 2
    else:
        assert entry.received_at == entry.logged_at


def test_the_received_header_of_our_server_bounds_the_date(mailbot: MailBot) -> None:  # noqa: F811
    got = mailbot.ingestor.clock.now() - timedelta(days=3)
    raw = make_mail("Acme Rota <rota@acmecare.example>", "Missed calls", "Two missed.", headers={
        "Received": f"from mx.acmecare.example by mx.{COUNCIL}; {format_datetime(got)}",
        "Date": format_datetime(got + timedelta(days=1))})  # a day after it arrived: impossible
    entry = mailbot.entry(mailbot.receive(raw).reference)
    assert abs((entry.received_at - got).total_seconds()) < 2


def test_a_visit_recorded_by_email_keeps_the_report(mailbot: MailBot) -> None:  # noqa: F811
    mailbot.bot.ok("provider Acme officer Sam Patel")
    raw = make_mail(f"Sam Patel <sam.patel@{COUNCIL}>", "provider Acme visit done 20/09/2023 - report filed", "",
                    headers={"Authentication-Results": AUTH_PASS}, attachments=[("acme-visit.pdf", b"%PDF-1.4 ...")])
    result = mailbot.receive(raw)
    assert result.outcome.value == "update"
    with mailbot.bot.runtime.new_uow() as uow:
        [record] = uow.monitoring.records()
    assert (record.provider, record.activity.value, record.done_on.isoformat(), record.report_filename) == (
        "Acme Care", "monitoring visit", "2023-09-20", "acme-visit.pdf")
    reply = _last_reply(mailbot)
    assert "Next monitoring visit due 20 Sep 2024" in reply and "Report kept: acme-visit.pdf" in reply
    page = mailbot.bot.ok("provider Acme").text
    assert "20 Sep 2023 monitoring visit (Sam Patel): report filed [report: acme-visit.pdf]" in page


def test_a_future_visit_by_email_is_refused_and_changes_nothing(mailbot: MailBot) -> None:  # noqa: F811
    raw = make_mail(f"Sam Patel <sam.patel@{COUNCIL}>", "provider Acme visit done 20/12/2023", "",
                    headers={"Authentication-Results": AUTH_PASS})
    assert mailbot.receive(raw).outcome.value == "update refused"
    assert "is in the future" in _last_reply(mailbot)
    with mailbot.bot.runtime.new_uow() as uow:
        assert uow.monitoring.records() == []


def test_allocated_actions_by_email_and_both_times_on_the_entry(mailbot: MailBot) -> None:  # noqa: F811
    result = mailbot.receive(make_mail("Acme Rota <rota@acmecare.example>", "Missed calls", "Two missed.",
                                       headers={"Date": _date(mailbot, days=7)}))
    reference = result.reference
    shown = mailbot.bot.ok(reference).text
    assert "(logged " in shown, shown
    mailbot.bot.ok(f"{reference} action chase rota @Sam Patel by Friday")
    raw = make_mail(f"Sam Patel <sam.patel@{COUNCIL}>", f"Re: [{reference}] Missed calls", f"{reference}/1 done "
                    "rota fixed\n\nSam", headers={"Authentication-Results": AUTH_PASS}, message_id="<done1@council>")
    assert mailbot.receive(raw, "done").outcome.value == "update"
    assert _last_reply(mailbot).startswith(f"{reference}/1 done: chase rota.")
    assert mailbot.entry(reference).actions[0].done_note == "rota fixed"


@pytest.mark.parametrize("header", [
    "From: Jane Smith <jane.smith@gmail.com>",
    "From: Jane Smith [mailto:jane.smith@gmail.com]",
    "*From:* Brightwell Homecare <rota@brightwell-homecare.example>",
], ids=["gmail", "outlook", "bold"])
def test_a_provider_mail_forwarded_inline_by_staff_names_its_provider(mailbot: MailBot, header: str) -> None:  # noqa: F811
    body = (f"Jo, can you log this please.\n\nThanks\nSam\n\n-----Original Message-----\n{header}\n"
            "Sent: 20 November 2026 09:12\nSubject: Missed calls\n\nTwo calls were missed on Tuesday.\n\n"
            "Kind regards\nJane Smith\nCare Coordinator\nBrightwell Homecare Ltd\n")
    raw = make_mail(f"Sam Patel <sam.patel@{COUNCIL}>", "FW: Missed calls", body,
                    headers={"Authentication-Results": AUTH_PASS})
    entry = mailbot.entry(mailbot.receive(raw).reference)
    assert entry.provider in ("Brightwell Homecare Ltd", "Brightwell Homecare") and entry.provider_proposed
