"""OutgoingMail as RFC 822 bytes, for backends that send MIME (Graph's MIME form, EWS
MimeContent) so In-Reply-To, References and Auto-Submitted reach the recipient intact.

Most of what we send (acknowledgements, confirmations) is one plain-text part in ASCII.
Building it with `email.message.EmailMessage` parses every header into a header object and
folds it back, about 1.6 ms a message (issue 18); `plain_text_mime` writes the same bytes
directly (tests/mail/test_outgoing_mime.py compares the two): simple short headers as they
are, any other header through the header registry as EmailMessage does, the body encoded as
`set_content` encodes it. Anything else (non-ASCII text, HTML, attachments, a header of the
caller's that EmailMessage treats specially) is built by EmailMessage as before.
"""

from __future__ import annotations

import binascii
import functools
import re
from email import policy, quoprimime
from email.headerregistry import UnstructuredHeader
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from bot.mail.header_policy import HEADERS
from bot.mail.mailbox import OutgoingMail

_MAX_LINE = 78  # policy.default's and policy.SMTP's max_line_length
# Printable ASCII words with single spaces between them: unstructured header text that the
# header registry keeps as it is (no encoded word, no folding whitespace to normalise).
_PLAIN_TEXT = re.compile(r"[!-~]+(?: [!-~]+)*")
_FIELD_NAME = re.compile(r"[!-9;-~]+")
# Headers the registry parses whose value it writes back unchanged when it is this simple.
_DOT_ATOM = r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*"
_DOMAIN = r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
_SIMPLE = {
    "from": re.compile(rf"{_DOT_ATOM}@{_DOMAIN}(?:, {_DOT_ATOM}@{_DOMAIN})*"),
    "to": re.compile(rf"{_DOT_ATOM}@{_DOMAIN}(?:, {_DOT_ATOM}@{_DOMAIN})*"),
    "message-id": re.compile(rf"<{_DOT_ATOM}@{_DOMAIN}>"),
}
# The header registry's classes by name (addresses, dates, MIME fields, unique headers);
# any other name is unstructured text.
_REGISTRY: dict[str, type] = dict(getattr(policy.default.header_factory, "registry", {}))
# Unstructured text, which the registry keeps as it is when it is plain and fits a line.
_UNSTRUCTURED = frozenset(name for name, cls in _REGISTRY.items() if issubclass(cls, UnstructuredHeader))
# A caller's header of one of these names goes through EmailMessage, which parses it, or
# refuses it when the mail has one already.
_PARSED = frozenset({*_REGISTRY, "bcc", "cc", "content-disposition", "content-transfer-encoding", "content-type",
                     "date", "from", "in-reply-to", "message-id", "mime-version", "references", "reply-to",
                     "sender", "subject", "to"})
_NEWLINE = re.compile(r"\r\n|\r|\n")


def outgoing_mime(mail: OutgoingMail, from_address: str) -> bytes:
    date = formatdate(localtime=False)
    message_id = None
    if not any(key.lower() == "message-id" for key in mail.headers):  # a caller's own id wins
        message_id = make_msgid(domain=from_address.rsplit("@", 1)[-1])
    fast = plain_text_mime(mail, from_address, date, message_id)
    return fast if fast is not None else email_message_mime(mail, from_address, date, message_id)


def email_message_mime(mail: OutgoingMail, from_address: str, date: str, message_id: str | None) -> bytes:
    """Any OutgoingMail, built with EmailMessage (`message_id`: ours when the caller gave none)."""
    message = EmailMessage()
    message["From"] = from_address
    message["To"] = ", ".join(mail.to)
    message["Subject"] = mail.subject
    message["Date"] = date
    if message_id is not None:
        message["Message-ID"] = message_id
    if mail.in_reply_to:
        message["In-Reply-To"] = mail.in_reply_to
    references = list(mail.references) or ([mail.in_reply_to] if mail.in_reply_to else [])
    if references:
        message["References"] = " ".join(references)
    for key, value in mail.headers.items():
        message[key] = value
    message.set_content(mail.text)
    if mail.html:
        message.add_alternative(mail.html, subtype="html")
        html_part = message.get_body(preferencelist=("html",))
        assert html_part is not None  # just added
        for item in (a for a in mail.attachments if a.content_id):  # images the HTML shows
            maintype, subtype = item.content_type.split("/", 1)
            html_part.add_related(item.data, maintype=maintype, subtype=subtype, cid=f"<{item.content_id}>",
                                  filename=item.filename)
    for item in (a for a in mail.attachments if not (a.content_id and mail.html)):
        maintype, subtype = item.content_type.split("/", 1)
        message.add_attachment(item.data, maintype=maintype, subtype=subtype, filename=item.filename)
    return message.as_bytes(policy=policy.SMTP)  # CRLF line ends, as on the wire


def plain_text_mime(mail: OutgoingMail, from_address: str, date: str, message_id: str | None) -> bytes | None:
    """The bytes `email_message_mime` gives for the same arguments, written directly; None
    when the mail is not one plain-text part in ASCII, or a header of its own is one
    EmailMessage treats specially (an address, a date, a second Message-ID)."""
    if mail.html or mail.attachments or not mail.text.isascii():
        return None
    body = _plain_body(mail.text)
    if body is None:
        return None
    headers = [("From", from_address), ("To", ", ".join(mail.to)), ("Subject", mail.subject), ("Date", date)]
    if message_id is not None:
        headers.append(("Message-ID", message_id))
    if mail.in_reply_to:
        headers.append(("In-Reply-To", mail.in_reply_to))
    references = list(mail.references) or ([mail.in_reply_to] if mail.in_reply_to else [])
    if references:
        headers.append(("References", " ".join(references)))
    ids = 0 if message_id is None else 1
    for key, value in mail.headers.items():
        lowered = key.lower()
        if lowered == "message-id":
            ids += 1
        elif lowered in _PARSED or not _FIELD_NAME.fullmatch(key):
            return None
        headers.append((key, value))
    if ids != 1:
        return None  # EmailMessage refuses a second Message-ID
    try:
        lines = b"".join(_header_line(name, value) for name, value in headers)
    except Exception:  # a value the registry refuses: EmailMessage refuses it the same way
        return None
    encoding, text = body
    return (lines + b'Content-Type: text/plain; charset="utf-8"\r\nContent-Transfer-Encoding: '
            + f"{encoding}\r\nMIME-Version: 1.0\r\n\r\n{text}".encode("ascii"))


def _header_line(name: str, value: str) -> bytes:
    """`Name: value` as EmailMessage writes it with policy.SMTP. A short value kept as it is
    (printable ASCII words with single spaces in a header the registry does not parse; a
    plain address list or Message-ID) is written directly; anything else (a date, non-ASCII
    text, a value to fold, an unusual address) is parsed and folded by the header registry,
    as EmailMessage does with every header."""
    lowered = name.lower()
    simple = _SIMPLE.get(lowered)
    if len(name) + 2 + len(value) <= _MAX_LINE and (
            simple.fullmatch(value) if simple is not None else
            (lowered in _UNSTRUCTURED or lowered not in _REGISTRY) and "=?" not in value
            and _PLAIN_TEXT.fullmatch(value)):
        return f"{name}: {value}\r\n".encode("ascii")
    return _registry_line(name, value)


@functools.lru_cache(maxsize=8)  # the Date of mail sent in the same second, our own address
def _registry_line(name: str, value: str) -> bytes:
    _, header = HEADERS.header_store_parse(name, value)
    return policy.SMTP.fold_binary(name, header)


def _plain_body(text: str) -> tuple[str, str] | None:
    """The transfer encoding and CRLF body `EmailMessage.set_content` and the SMTP generator
    give an ASCII text: 7bit when no line is over 78 characters, else quoted-printable
    (None where they would choose base64: a text full of `=` and control characters)."""
    lines = text.encode("ascii").splitlines()  # as set_content splits it
    payload = b"\n".join(lines).decode("ascii") + "\n"
    if all(len(line) <= _MAX_LINE for line in lines):
        encoding = "7bit"
    else:
        sniff = b"\n".join(lines[:10]) + b"\n"  # set_content compares its first ten lines' sizes
        if len(quoprimime.body_encode(sniff.decode("latin-1"), _MAX_LINE)) > len(binascii.b2a_base64(sniff)):
            return None
        encoding, payload = "quoted-printable", quoprimime.body_encode(payload, _MAX_LINE)
    parts = _NEWLINE.split(payload)  # the generator's line ends become CRLF
    return encoding, "".join(f"{part}\r\n" for part in parts[:-1]) + parts[-1]
