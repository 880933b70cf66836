"""The string-built MIME of a plain-text mail (acknowledgements, confirmations) is byte for
byte what `email.message.EmailMessage` gives, and it is what real acknowledgements use."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.concerns import Category, Concern, Restriction, Source
from bot.mail.entries import EntryWritten, acknowledgement, confirmation
from bot.mail.mailbox import MailAttachment, OutgoingMail
from bot.mail.outgoing import reply_headers
from bot.mail.outgoing_mime import email_message_mime, outgoing_mime, plain_text_mime
from bot.mail.parsing import UnreadableMail, parse_mail
from bot.mail.settings import DEFAULT_ACK_TEXT, MailSettings

CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "emails"
ADDRESS = "inbox@council.example"
DATE = "Mon, 30 Nov 2026 11:27:34 -0000"


def both(mail: OutgoingMail, message_id: str | None = None) -> tuple[bytes | None, bytes]:
    return plain_text_mime(mail, ADDRESS, DATE, message_id), email_message_mime(mail, ADDRESS, DATE, message_id)


def corpus_mail() -> list[tuple[str, object]]:
    found = []
    for path in sorted(CORPUS.glob("*.eml")):
        try:
            found.append((path.name, parse_mail(path.read_bytes())))
        except UnreadableMail:
            continue
    return found


def entry(confidential: bool) -> EntryWritten:
    concern = Concern(reference="PQ-2026-0042", category=Category.SAFEGUARDING if confidential else Category.QUERY,
                      summary="s", body="b", source=Source.EMAIL, reporter="r",
                      received_at=datetime(2026, 11, 30, tzinfo=timezone.utc),
                      restriction=Restriction.RESTRICTED if confidential else Restriction.NONE)
    return EntryWritten(concern, ())


@pytest.mark.parametrize("confidential", [False, True], ids=["ordinary", "confidential"])
def test_every_acknowledgement_of_the_corpus_is_string_built_and_the_same_bytes(confidential: bool) -> None:
    settings_ = MailSettings(address=ADDRESS)
    built = 0
    mails = [(name, mail) for name, mail in corpus_mail() if mail.from_addr]  # type: ignore[attr-defined]
    for name, mail in mails:
        for oversize in ((), ("scan.pdf: 12,000,000 bytes is over the 10,000,000-byte limit; the file was not kept",)):
            written = replace(entry(confidential), oversize=oversize)
            outgoing = acknowledgement(mail, written, settings_)  # type: ignore[arg-type]
            fast, slow = both(outgoing)
            if fast is not None:
                assert fast == slow, name
                built += 1
    assert built == 2 * len(mails), f"only {built} of {2 * len(mails)} acknowledgements were string-built"


def test_a_confirmation_of_an_update_is_the_same_bytes() -> None:
    mail = corpus_mail()[0][1]
    outgoing = confirmation(mail, "Updated 2.5 to 60%.\n\nType `undo` to take it back.",  # type: ignore[arg-type]
                            MailSettings(address=ADDRESS))
    fast, slow = both(outgoing)
    assert fast is not None and fast == slow


def test_the_default_acknowledgement_is_quoted_printable_and_reads_back() -> None:
    outgoing = OutgoingMail(to=("sender@provider.example",), subject="[PQ-2026-0042] Re: Missed visit",
                            text=DEFAULT_ACK_TEXT.format(reference="PQ-2026-0042"),
                            headers={**reply_headers(ADDRESS), "Message-ID": "<ack.1f2e@council.example>"})
    fast, slow = both(outgoing)
    assert fast == slow
    assert b"Content-Transfer-Encoding: quoted-printable\r\n" in slow
    read = message_from_bytes(slow, policy=policy.default)
    assert read.get_content().replace("\r\n", "\n") == outgoing.text + "\n"


@pytest.mark.parametrize("subject", ["word " * 20 + "end", "Re: " + "x" * 70, "a" * 66, "a" * 67, "a " * 38 + "b"])
def test_a_long_subject_is_folded_as_email_message_folds_it(subject: str) -> None:
    outgoing = OutgoingMail(to=("a@b.example",), subject=subject, text="x", headers={"Message-ID": "<a@b>"})
    fast, slow = both(outgoing)
    assert fast is not None and fast == slow


def test_our_own_message_id_is_used_when_the_caller_gives_none() -> None:
    outgoing = OutgoingMail(to=("a@b.example",), subject="Hello", text="Hi")
    fast, slow = both(outgoing, message_id="<1732966054.1234.5678@council.example>")
    assert fast is not None and fast == slow
    assert outgoing_mime(outgoing, ADDRESS).count(b"Message-ID: <") == 1


@pytest.mark.parametrize("outgoing", [
    OutgoingMail(to=("a@b.example",), subject="Café: the rota for Zoë", text="x"),
    OutgoingMail(to=("Ann Other <a@b.example>", "o'brien@c.example"), subject="Hi", text="x"),
    OutgoingMail(to=("a@b.example",), subject="=?utf-8?q?Hi?=", text="x"),
    OutgoingMail(to=("a@b.example",), subject="two  spaces, and a tab\there", text="x"),
    OutgoingMail(to=("a@b.example",), subject="Re: " + "x" * 80, text="x"),
    OutgoingMail(to=("a@b.example",), subject="Hi", text="x", in_reply_to="<2ab24bbc-78da-492a-9f68-438ddae558bb@"
                 "DB5PR06MB1800.eurprd06.prod.outlook.com>", references=("<20171013111011.20866@ninomail.com>",)),
], ids=["non-ascii subject", "display name and quote", "encoded word", "whitespace", "word over a line",
        "long references"])
def test_headers_the_registry_must_fold_are_folded_by_it(outgoing: OutgoingMail) -> None:
    fast, slow = both(outgoing, message_id="<x@council.example>")
    assert fast is not None and fast == slow


@pytest.mark.parametrize("outgoing", [
    OutgoingMail(to=("a@b.example",), subject="Hi", text="x", html="<p>x</p>"),
    OutgoingMail(to=("a@b.example",), subject="Hi", text="x", attachments=(MailAttachment("a.csv", "text/csv", b"1"),)),
    OutgoingMail(to=("a@b.example",), subject="Hi", text="naïve"),
    OutgoingMail(to=("a@b.example",), subject="Hi", text="x", headers={"To": "c@d.example"}),
    OutgoingMail(to=("a@b.example",), subject="Hi", text="x", headers={"Message-ID": "<a@b>", "message-id": "<c@d>"}),
    OutgoingMail(to=("a@b.example",), subject="Hi", text="=\x01" * 60),  # EmailMessage chooses base64
    OutgoingMail(to=("a@b.example",), subject="Hi\nBcc: x@y.example", text="x"),  # EmailMessage refuses it
], ids=["html", "attachment", "non-ascii text", "second To", "two message ids", "base64 body", "line break"])
def test_anything_else_is_left_to_email_message(outgoing: OutgoingMail) -> None:
    assert plain_text_mime(outgoing, ADDRESS, DATE, "<x@council.example>") is None


# What the string builder takes (printable ASCII words with single spaces, header lines
# around the 78-character fold, long text lines), and what it must refuse.
_PLAIN = st.one_of(
    st.lists(st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=12), min_size=1,
             max_size=7).map(" ".join),
    st.lists(st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=80), min_size=1,
             max_size=25).map(" ".join))
_GOOD_ADDRESSES = st.sampled_from(["a@b.example", "first.last@sub.council.example", "x+y@z-q.org", "A@B.EXAMPLE"])
_GOOD_IDS = st.sampled_from(["<x@y>", "<ack.0123456789abcdef01234567@council.example>", "<a_b-c+d@e.example>",
                             "<" + "l" * 60 + "@long.example>", "<" + "m" * 62 + "@long.example>",
                             "<1732966054.1234.5678@council.example>"])
_ASCII_TEXTS = st.lists(st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=120),
                        max_size=15).map("\n".join)
_NOISY = st.text(st.sampled_from("abcXYZ019 .,:;<>@[]()\"'\\=?_-!~\téñ€"), max_size=120)


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(to=st.lists(_GOOD_ADDRESSES, min_size=1, max_size=2), subject=_PLAIN, text=_ASCII_TEXTS,
       in_reply_to=st.none() | _GOOD_IDS, references=st.lists(_GOOD_IDS, max_size=6),
       headers=st.dictionaries(st.sampled_from(["X-Note", "x-note", "Keywords", "Auto-Submitted"]), _PLAIN, max_size=3),
       message_id=_GOOD_IDS)
def test_plain_mail_is_the_same_bytes(to: list[str], subject: str, text: str, in_reply_to: str | None,
                                      references: list[str], headers: dict[str, str], message_id: str) -> None:
    outgoing = OutgoingMail(to=tuple(to), subject=subject, text=text, in_reply_to=in_reply_to,
                            references=tuple(references), headers=headers)
    fast = plain_text_mime(outgoing, ADDRESS, DATE, message_id)
    if fast is not None:
        assert fast == email_message_mime(outgoing, ADDRESS, DATE, message_id)


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(to=st.lists(st.one_of(_GOOD_ADDRESSES, st.sampled_from(["o'brien@c.example", "bad@", "a b@c.d", "Ann <a@b.c>"])),
                   max_size=2),
       subject=st.one_of(_PLAIN, _NOISY), text=st.one_of(_ASCII_TEXTS, st.text(st.sampled_from("ab =.\r\n\x01\x7f\té"),
                                                                                  max_size=400)),
       in_reply_to=st.none() | _GOOD_IDS | st.sampled_from(["<a b@c>", "<=?x@y>", "<CAF=+ab@mail.example>"]),
       references=st.lists(st.one_of(_GOOD_IDS, _NOISY), max_size=3),
       headers=st.one_of(
           st.dictionaries(st.sampled_from(["X-Note", "Keywords", "X-Actionbot-Loop"]),
                           st.one_of(_PLAIN, _NOISY, _GOOD_IDS), max_size=3),
           st.dictionaries(st.sampled_from(["X-Note", "Message-ID", "message-id", "Bad Name", "Subject", "To"]),
                           st.one_of(_PLAIN, _NOISY, _GOOD_IDS), max_size=3)),
       message_id=st.none() | _GOOD_IDS)
def test_whenever_the_string_builder_answers_it_is_the_same_bytes(
        to: list[str], subject: str, text: str, in_reply_to: str | None, references: list[str],
        headers: dict[str, str], message_id: str | None) -> None:
    outgoing = OutgoingMail(to=tuple(to), subject=subject, text=text, in_reply_to=in_reply_to,
                            references=tuple(references), headers=headers)
    fast = plain_text_mime(outgoing, ADDRESS, DATE, message_id)
    if fast is not None:
        assert fast == email_message_mime(outgoing, ADDRESS, DATE, message_id)
