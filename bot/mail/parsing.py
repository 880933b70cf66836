"""Raw RFC 822 bytes -> `ParsedMail`, robustly, with the standard library's `email` package.

Real mail is often broken: raw 8-bit headers in an unknown charset, a missing final boundary,
boundaries that do not match, parts with no Content-Type, charsets Python does not know.
`policy.default` gives decoded headers; when it cannot read a header the compat32 value is
decoded by hand. Nothing here raises for bad input except `UnreadableMail`, for bytes that
are not a message at all.
"""

from __future__ import annotations

import email
import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email import policy
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses, parseaddr, parsedate_to_datetime
from typing import Any

from bot.mail.bodies import html_to_text
from bot.mail.header_policy import HEADERS

MAX_PARTS = 200
MAX_DEPTH = 8
_MESSAGE_ID = re.compile(r"<[^<>\s]{1,480}>")
# The ten commonest Russian letters: text read in the right Cyrillic charset is full of them.
_COMMON_CYRILLIC = re.compile("[\u043e\u0435\u0430\u0438\u043d\u0442\u0441\u0440\u0432\u043b]", re.IGNORECASE)
_PART_HEADER = re.compile(r"^content-", re.IGNORECASE | re.MULTILINE)
# A byte the email package could not decode, kept as a surrogate escape (U+DC80-U+DCFF).
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


class UnreadableMail(ValueError):
    """The bytes could not be read as an email; the message says why."""


@dataclass(frozen=True)
class MailAttachment:
    filename: str
    content_type: str
    data: bytes


@dataclass
class ParsedMail:
    key: str  # Message-ID, or sha256 of the bytes when there is none: the exactly-once key
    message_id: str | None
    from_addr: str | None  # lower case
    from_name: str | None
    subject: str
    text: str  # the readable body: text/plain, else the HTML as text
    date: datetime | None = None
    in_reply_to: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    content_type: str = "text/plain"
    report_type: str | None = None  # multipart/report's report-type
    part_types: tuple[str, ...] = ()  # every content type seen, for classification
    headers: dict[str, list[str]] = field(default_factory=dict)  # lower-case name -> values
    attachments: list[MailAttachment] = field(default_factory=list)
    forwarded: ParsedMail | None = None  # a message/rfc822 part: the concern it carries
    defects: tuple[str, ...] = ()

    def header(self, name: str) -> str | None:
        values = self.headers.get(name.lower())
        return values[0] if values else None

    @property
    def from_domain(self) -> str | None:
        return self.from_addr.rsplit("@", 1)[1] if self.from_addr and "@" in self.from_addr else None


def content_key(raw: bytes) -> str:
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def parse_mail(raw: bytes) -> ParsedMail:
    if not raw or not raw.strip():
        raise UnreadableMail("the file is empty")
    try:
        # compat32: the structure (parts, content types, parameters, payloads) is read from
        # plain strings. policy.default would build a header object each time a part's
        # Content-Type is asked for — most of this parse's time (issue 18) — and the headers
        # read for their words are still decoded with policy.default (_header_values).
        message = email.message_from_bytes(raw, policy=policy.compat32)
    except Exception as exc:  # the parser is lenient; this is a last resort
        raise UnreadableMail(f"the email parser failed ({type(exc).__name__})") from None
    try:
        parsed = _from_message(message, raw, depth=0)
    except Exception as exc:  # a damaged message must be quarantined, never stop the poll (fuzzing found some)
        raise UnreadableMail(f"reading its parts failed ({type(exc).__name__})") from None
    if not parsed.headers or (parsed.from_addr is None and not parsed.subject and not parsed.text.strip()):
        raise UnreadableMail("no sender, subject or text could be read from it")
    return parsed


# --- headers ------------------------------------------------------------------------------


def decode_raw_bytes(data: bytes, declared: tuple[str, ...] = ()) -> str:
    """Text from bytes in an unknown charset: UTF-8, then the declared charsets, then a
    Cyrillic guess (KOI8-R / Windows-1251, by which reads as lower-case words), then
    Windows-1252, which never fails."""
    for charset in ("utf-8", *declared):
        try:
            return data.decode(charset)
        except (ValueError, LookupError):  # a bad byte, an unknown name, a NUL in the name (ValueError)
            continue
    high = sum(1 for b in data if b >= 0x80)
    mostly_utf8 = data.decode("utf-8", "replace")
    if mostly_utf8.count("\ufffd") <= high // 10:
        return mostly_utf8  # UTF-8 with a stray bad byte (a truncated header, say)
    if high >= 3:
        best = max(("koi8-r", "cp1251"), key=lambda cs: len(_COMMON_CYRILLIC.findall(data.decode(cs, "replace"))))
        text = data.decode(best, "replace")
        if len(_COMMON_CYRILLIC.findall(text)) >= 0.4 * high:
            return text
    return data.decode("cp1252", "replace")


def _unescape(value: str, declared: tuple[str, ...]) -> str:
    """policy.default keeps undecodable header bytes as surrogate escapes; decode them."""
    if _ESCAPED_BYTE.search(value) is None:
        return value
    return decode_raw_bytes(value.encode("utf-8", "surrogateescape"), declared)


# Headers read for their words (decoded with policy.default); the rest are only matched
# against patterns (Auto-Submitted, Precedence, Authentication-Results, …), so their raw
# unfolded text is enough and far cheaper than building header objects for all of them.
_DECODED_HEADERS = frozenset({"subject", "to", "cc"})


def _header_values(message: Message, declared: tuple[str, ...]) -> dict[str, list[str]]:
    headers: dict[str, list[str]] = {}
    for name, raw_value in message.raw_items() if hasattr(message, "raw_items") else message.items():
        raw_text = str(raw_value)
        lowered = name.lower()
        if lowered in _ADDRESS_HEADERS or (not raw_text.isascii() and _ESCAPED_BYTE.search(raw_text)):
            # Address headers are decoded but not re-parsed: policy.default reads
            # `a@x.org <b@y.org>` as a@x.org, and the address in angle brackets is the one the
            # mail really comes from. Raw 8-bit bytes would become U+FFFD; decode them here.
            value = _compat_decode(_unescape(raw_text, declared), declared)
        elif lowered in _DECODED_HEADERS:
            try:
                value = str(HEADERS.header_fetch_parse(name, raw_value))
            except Exception:
                value = _compat_decode(raw_text, declared)
        else:
            value = raw_text
        headers.setdefault(lowered, []).append(" ".join(value.split()))
    return headers


def _compat_decode(value: str, declared: tuple[str, ...]) -> str:
    try:
        return str(make_header(decode_header(value)))
    except Exception:
        return _unescape(value, declared)


_ADDRESS_HEADERS = ("from", "sender", "reply-to")
_ANGLE_ADDRESS = re.compile(r"^(.*?)<\s*([^<>\s@]+@[^<>\s@]+)\s*>\s*$", re.DOTALL)


def _address(headers: dict[str, list[str]]) -> tuple[str | None, str | None]:
    for name in _ADDRESS_HEADERS:
        for value in headers.get(name, []):
            angle = _ANGLE_ADDRESS.match(value)
            if angle and "," not in angle.group(2):
                display = angle.group(1).strip().strip('"').strip()
                return angle.group(2).lower(), display or None
            try:
                pairs = getaddresses([value])
            except Exception:
                pairs = [parseaddr(value)]
            for display, address in pairs:
                address = address.strip().strip("<>").lower()
                if "@" in address and " " not in address:
                    return address, (display.strip() or None)
    return None, None


def _message_ids(value: str | None) -> tuple[str, ...]:
    return tuple(_MESSAGE_ID.findall(value or ""))


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except Exception:
        return None
    if parsed is None:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


# --- bodies -------------------------------------------------------------------------------


def _charsets(message: Message) -> tuple[str, ...]:
    found: list[str] = []
    for part in message.walk():
        try:
            charset = part.get_content_charset()
        except Exception:
            charset = None
        if charset and charset not in found:
            found.append(charset)
        if len(found) >= 5:
            break
    return tuple(found)


def _payload_bytes(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if isinstance(data, bytes):
        return data
    payload = part.get_payload()
    return payload.encode("utf-8", "surrogateescape") if isinstance(payload, str) else b""


def _part_text(part: Message) -> str:
    try:
        charset = part.get_content_charset()
    except Exception:
        charset = None
    return decode_raw_bytes(_payload_bytes(part), (charset,) if charset else ())


def _filename(part: Message, declared: tuple[str, ...]) -> str | None:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    if name is None:
        try:
            name = part.get_param("name")  # type: ignore[assignment]
        except Exception:
            name = None
        if isinstance(name, tuple):
            name = email.utils.collapse_rfc2231_value(name)
    if not name:
        return None
    return _compat_decode(_unescape(str(name), declared), declared).replace("/", "_").replace("\\", "_")[:200]


@dataclass
class _Walk:
    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    attachments: list[MailAttachment] = field(default_factory=list)
    part_types: list[str] = field(default_factory=list)
    forwarded: ParsedMail | None = None
    parts: int = 0


def _walk(part: Message, walk: _Walk, depth: int, declared: tuple[str, ...]) -> None:
    walk.parts += 1
    if walk.parts > MAX_PARTS or depth > MAX_DEPTH:
        return
    ctype = part.get_content_type()
    walk.part_types.append(ctype)
    if ctype == "message/rfc822":
        inner = part.get_payload()
        inner_message = inner[0] if isinstance(inner, list) and inner else None
        if isinstance(inner_message, Message) and walk.forwarded is None:
            walk.forwarded = _from_message(inner_message, None, depth + 1)
        return
    if part.is_multipart():
        payload = part.get_payload()
        if isinstance(payload, list):
            for sub in payload:
                if isinstance(sub, Message):
                    _walk(sub, walk, depth + 1, declared)
        return
    if ctype.startswith("multipart/"):
        _walk_unsplit(part, walk, depth, declared)
        return
    if ctype.startswith("message/") or ctype == "text/rfc822-headers":
        return  # delivery-status, disposition-notification: read by the classifier
    filename = _filename(part, declared)
    try:
        disposition = part.get_content_disposition()
    except Exception:
        disposition = None
    if filename or disposition == "attachment" or not ctype.startswith("text/"):
        walk.attachments.append(MailAttachment(filename or f"part-{walk.parts}", ctype, _payload_bytes(part)))
    elif ctype == "text/html":
        walk.html.append(_part_text(part))
    else:
        walk.plain.append(_part_text(part))


def _walk_unsplit(part: Message, walk: _Walk, depth: int, declared: tuple[str, ...]) -> None:
    """A multipart whose boundary never matched: the parts are one string. Read it from the
    first part header on as a message of its own, so an HTML-only body is still found."""
    payload = part.get_payload()
    text = payload if isinstance(payload, str) else ""
    start = _PART_HEADER.search(text)
    if start is None:
        if text.strip():
            walk.plain.append(text)
        return
    inner = email.message_from_bytes(text[start.start() :].encode("utf-8", "surrogateescape"), policy=policy.compat32)
    _walk(inner, walk, depth + 1, declared)


def _from_message(message: Message, raw: bytes | None, depth: int) -> ParsedMail:
    declared = _charsets(message)
    headers = _header_values(message, declared)
    walk = _Walk()
    _walk(message, walk, depth, declared)
    text = "\n\n".join(t.strip() for t in walk.plain if t.strip())
    if not text and walk.html:
        text = "\n\n".join(html_to_text(h) for h in walk.html)
    def first(name: str) -> str | None:
        values = headers.get(name)
        return values[0] if values else None

    ids = _message_ids(first("message-id"))
    message_id = ids[0] if ids else None
    from_addr, from_name = _address(headers)
    report_type: str | None = None
    try:
        if message.get_content_type() == "multipart/report":
            found = message.get_param("report-type")
            report_type = str(found).lower() if isinstance(found, str) and found else None
    except Exception:
        report_type = None
    key = message_id or (content_key(raw) if raw is not None else content_key(text.encode("utf-8", "replace")))
    return ParsedMail(
        key=key[:500],
        message_id=message_id,
        from_addr=from_addr,
        from_name=from_name,
        subject=" ".join((first("subject") or "").split()),
        text=text,
        date=_date(first("date")),
        in_reply_to=_message_ids(first("in-reply-to")),
        references=_message_ids(" ".join(headers.get("references", []))),
        content_type=message.get_content_type(),
        report_type=report_type,
        part_types=tuple(walk.part_types),
        headers=headers,
        attachments=walk.attachments,
        forwarded=walk.forwarded,
        defects=tuple(type(d).__name__ for d in getattr(message, "defects", [])),
    )


def describe(parsed: ParsedMail) -> dict[str, Any]:
    """Fields safe to log: no subject, no body, no names."""
    return {"mail_key": parsed.key, "parts": len(parsed.part_types), "attachments": len(parsed.attachments)}
