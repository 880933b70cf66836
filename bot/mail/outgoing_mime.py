"""OutgoingMail as RFC 822 bytes, for backends that send MIME (Graph's MIME form, EWS
MimeContent) so In-Reply-To, References and Auto-Submitted reach the recipient intact.

Most of what we send (acknowledgements, confirmations) is one short plain-text part with
ASCII headers. Building it with `email.message.EmailMessage` parses every header into a
header object and folds it back, about 1 ms a message (issue 18); `plain_text_mime` writes
those bytes directly, and only when every header and line is of a shape whose output it
knows to be exactly what `EmailMessage` gives (tests/mail/test_outgoing_mime.py compares the
two). Anything else (non-ASCII, long or unusual headers or lines, HTML, attachments) is
built by `EmailMessage` as before.
"""

from __future__ import annotations

import binascii
import re
from email import policy, quoprimime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from bot.mail.mailbox import OutgoingMail

_MAX_LINE = 78  # policy.default's and policy.SMTP's max_line_length
# Printable ASCII words with single spaces between them: unstructured header text that the
# header registry keeps as it is (no encoded word, no folding whitespace to normalise).
_PLAIN_TEXT = re.compile(r"[!-~]+(?: [!-~]+)*")
_FIELD_NAME = re.compile(r"[!-9;-~]+")
_DOT_ATOM = r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*"
_DOMAIN = r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
_ADDRESS = re.compile(rf"{_DOT_ATOM}@{_DOMAIN}")
_MESSAGE_ID = re.compile(rf"<{_DOT_ATOM}@{_DOMAIN}>")
# Headers the registry parses (addresses, dates, MIME fields) or allows once: a caller's
# header of one of these names goes through EmailMessage, which parses it (or refuses it).
_PARSED = frozenset({
    "bcc", "cc", "content-disposition", "content-transfer-encoding", "content-type", "date", "from", "in-reply-to",
    "message-id", "mime-version", "orig-date", "references", "reply-to", "resent-bcc", "resent-cc", "resent-date",
    "resent-from", "resent-sender", "resent-to", "sender", "subject", "to",
    *getattr(policy.default.header_factory, "registry", ()),  # and any a later Python adds
})
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
    when the mail is not one short plain-text part with plain ASCII headers."""
    if mail.html or mail.attachments or not mail.text.isascii():
        return None
    encoded = _plain_body(mail.text)
    if encoded is None:
        return None
    encoding, body = encoded
    to = ", ".join(mail.to)
    if not _ADDRESS.fullmatch(from_address) or not all(_ADDRESS.fullmatch(a) for a in mail.to):
        return None
    headers = [("From", from_address, True), ("To", to, True), ("Subject", mail.subject, False),
               ("Date", date, True)]
    if message_id is not None:
        headers.append(("Message-ID", message_id, True))
    if mail.in_reply_to:
        headers.append(("In-Reply-To", mail.in_reply_to, False))
    references = list(mail.references) or ([mail.in_reply_to] if mail.in_reply_to else [])
    if references:
        headers.append(("References", " ".join(references), False))
    ids = [message_id] if message_id is not None else []
    for key, value in mail.headers.items():
        lowered = key.lower()
        if lowered == "message-id":
            ids.append(value)
        elif lowered in _PARSED or not _FIELD_NAME.fullmatch(key):
            return None
        headers.append((key, value, lowered == "message-id"))
    if len(ids) != 1 or not _MESSAGE_ID.fullmatch(ids[0]):
        return None  # EmailMessage refuses a second Message-ID; an unusual one is parsed
    written = []
    for name, value, structured in headers:
        line = _header_line(name, value, structured)
        if line is None:
            return None
        written.append(line)
    return (f"{''.join(written)}Content-Type: text/plain; charset=\"utf-8\"\r\n"
            f"Content-Transfer-Encoding: {encoding}\r\nMIME-Version: 1.0\r\n\r\n{body}").encode("ascii")


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


def _header_line(name: str, value: str, structured: bool) -> str | None:
    """`Name: value` folded as the header registry folds it (policy.SMTP): on one line when
    it fits. An unstructured value that does not is moved whole to the next line if it fits
    there, else broken before the words that do not fit (a word longer than a line would
    become an encoded word: None). A structured value (addresses, dates, ids) must fit."""
    if "=?" in value or not _PLAIN_TEXT.fullmatch(value) or len(name) + 2 > _MAX_LINE:
        return None  # an encoded word would be decoded and written again differently
    if len(name) + 2 + len(value) <= _MAX_LINE:
        return f"{name}: {value}\r\n"
    if structured:
        return None
    if len(value) + 1 <= _MAX_LINE:
        return f"{name}:\r\n {value}\r\n"
    lines = [f"{name}:"]
    for word in value.split(" "):
        if len(word) + 1 > _MAX_LINE:
            return None
        if len(lines[-1]) + 1 + len(word) <= _MAX_LINE:
            lines[-1] += f" {word}"
        else:
            lines.append(f" {word}")
    return "\r\n".join(lines) + "\r\n"
