"""Reading real mail: charsets, broken MIME, HTML, quotes and signatures, authentication."""

from __future__ import annotations

import pytest

from bot.mail.bodies import html_to_text, strip_reply
from bot.mail.classify import authentication_passes
from bot.mail.parsing import UnreadableMail, parse_mail
from tests.mail_samples import AUTH_PASS, CORPUS, make_mail

REPLIES = CORPUS / "reply_bodies"


@pytest.mark.parametrize("name, expected", [
    ("zapier_headers_no_delimiter_iphone.txt", "And another reply!"),
    ("zapier_outlook_bold_headers_reply.txt", "Outlook with a reply above headers using unusual format"),
])
def test_quotes_and_signatures_are_stripped_from_replies(name: str, expected: str) -> None:
    assert strip_reply((REPLIES / name).read_text(encoding="utf-8")) == expected


@pytest.mark.parametrize("text, expected", [
    ("Thanks, done.\n\nOn Tue, 3 Oct 2023 at 10:00, Inbox <inbox@council.example> wrote:\n> Logged as PQ-1",
     "Thanks, done."),
    ("Covered now.\n-----Original Message-----\nFrom: x", "Covered now."),
    ("Noted\n\nSent from my iPhone", "Noted"),
    ("> only a quote", "> only a quote"),  # nothing would be left: keep everything
])
def test_strip_reply_cases(text: str, expected: str) -> None:
    assert strip_reply(text) == expected


def test_html_to_text_keeps_words_and_blocks_and_drops_scripts() -> None:
    html = "<html><head><style>p{}</style></head><body><p>Two missed&nbsp;calls</p><script>x()</script>" \
           "<div>on <b>Tuesday</b></div></body></html>"
    assert html_to_text(html) == "Two missed calls\n\non Tuesday"


@pytest.mark.parametrize("name, subject, sender", [
    ("ours_russian_8bit_subject_no_ctype.eml", "жалоба на опоздание сиделки", "olga.petrova@zabota.example"),  # raw KOI8-R
    ("mailparser_gb2312_8bit_raw_utf8_header.eml", "代开各地增值税发票", "baoguan@hotmail.com"),
    ("ours_latin1_raw_header_bytes.eml", "Re: rota-2023-10 missing weekend cover", "havard.bjornstad@fjordcare.example"),
    ("flanker_malformed_headers_bad_bytes.eml", "´!", "headers@gmail.com"),
    ("mailparser_email_as_display_name.eml", "Test email with email address as display name", "bob@example.com"),
])
def test_headers_in_any_charset(name: str, subject: str, sender: str) -> None:
    mail = parse_mail((CORPUS / name).read_bytes())
    assert (mail.subject, mail.from_addr) == (subject, sender)


def test_latin1_display_name_from_raw_bytes() -> None:
    assert parse_mail((CORPUS / "ours_latin1_raw_header_bytes.eml").read_bytes()).from_name == "Bjørnstad Håvard"


def test_rfc2231_continued_iso2022jp_filename() -> None:
    mail = parse_mail((CORPUS / "ours_rfc2231_iso2022jp_filename.eml").read_bytes())
    assert [a.filename for a in mail.attachments] == ["訪問記録 一覧表.txt"]


def test_a_boundary_mismatch_still_finds_the_html_body() -> None:
    mail = parse_mail((CORPUS / "mailparser_boundary_mismatch_html_only.eml").read_bytes())
    assert mail.text and "<" not in mail.text[:200]


def test_text_part_preferred_over_html_and_images_are_attachments() -> None:
    mail = parse_mail((CORPUS / "mailparser_html_first_image_then_text.eml").read_bytes())
    assert mail.text == "Plaintext here." and [a.content_type for a in mail.attachments] == ["image/png"]


def test_no_message_id_falls_back_to_a_content_hash() -> None:
    first = parse_mail(make_mail("a@b.example", "x", "one"))
    assert first.key.startswith("sha256:") and first.key != parse_mail(make_mail("a@b.example", "x", "two")).key


@pytest.mark.parametrize("raw", [b"", b"   \n", b"\x00\x01"])
def test_bytes_that_are_not_mail_are_unreadable(raw: bytes) -> None:
    with pytest.raises(UnreadableMail):
        parse_mail(raw)


@pytest.mark.parametrize("header, passes", [
    (AUTH_PASS, True),
    ("mx.council.example; dmarc=pass header.from=evil.example", False),  # another domain passed
    ("mx.council.example; dkim=pass header.d=council.example; dmarc=fail", True),
    ("mx.council.example; spf=pass smtp.mailfrom=bounce@mailer.example", False),  # not aligned
    ("mx.council.example; spf=softfail smtp.mailfrom=council.example", False),
])
def test_authentication_results(header: str, passes: bool) -> None:
    mail = parse_mail(make_mail("sam@council.example", "x", "y", headers={"Authentication-Results": header}))
    assert authentication_passes(mail) is passes
