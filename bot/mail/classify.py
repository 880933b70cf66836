"""Which mail must never create an entry or a reply, and whether a sender's mail authenticates.

Plain functions over a `ParsedMail`. Bounces, delivery reports, out-of-office and other
auto-replies, read receipts and our own mail are filed, never answered: answering them is
how mail loops start.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence

from bot.mail.parsing import ParsedMail

# Every message we send carries this header; mail that has it is our own coming back.
LOOP_HEADER = "X-Actionbot-Loop"


class MailKind(str, enum.Enum):
    ORDINARY = "ordinary"
    BOUNCE = "bounce"
    AUTO_REPLY = "auto-reply"
    READ_RECEIPT = "read-receipt"
    OWN_MAIL = "own-mail"


_BOUNCE_SENDERS = re.compile(r"^(mailer-daemon|postmaster|mail-daemon|mailerdaemon)@", re.IGNORECASE)
_BOUNCE_SUBJECTS = re.compile(
    r"^\s*(undeliver(able|ed)|delivery (status )?notification|delivery (has )?failed|delivery failure|"
    r"mail delivery (failed|failure|system)|returned mail|failure notice|non[- ]?delivery)",
    re.IGNORECASE,
)
_AUTO_SUBJECTS = re.compile(
    r"^\s*(automatic reply|auto[- ]?reply|autoreply|auto[- ]?respons\w*|out of (the )?office|"
    r"abwesenheitsnotiz|r[ée]ponse automatique|respuesta autom[áa]tica|on leave|away from the office)",
    re.IGNORECASE,
)
_AUTO_HEADERS = ("x-autoreply", "x-autorespond", "x-auto-response-suppress", "x-apple-action")


def classify(mail: ParsedMail, own_addresses: Sequence[str] = ()) -> tuple[MailKind, str]:
    """The kind of the message and, for anything but ordinary mail, why."""
    if mail.header(LOOP_HEADER) is not None:
        return MailKind.OWN_MAIL, f"it carries our {LOOP_HEADER} header"
    if mail.from_addr and mail.from_addr in {a.lower() for a in own_addresses}:
        return MailKind.OWN_MAIL, "it is from our own address"
    if mail.report_type == "disposition-notification" or "message/disposition-notification" in mail.part_types:
        return MailKind.READ_RECEIPT, "it is a read receipt (message disposition notification)"
    if mail.report_type == "delivery-status" or "message/delivery-status" in mail.part_types:
        return MailKind.BOUNCE, "it is a delivery status notification"
    return_path = (mail.header("return-path") or mail.header("x-envelope-from") or "").strip()
    bounce_sender = bool(mail.from_addr and _BOUNCE_SENDERS.match(mail.from_addr))
    if bounce_sender or (return_path == "<>" and _BOUNCE_SUBJECTS.match(mail.subject)):
        return MailKind.BOUNCE, "it is a bounce from a mail server"
    auto_submitted = (mail.header("auto-submitted") or "").strip().lower()
    if auto_submitted and not auto_submitted.startswith("no"):
        return MailKind.AUTO_REPLY, f"Auto-Submitted: {auto_submitted} (RFC 3834)"
    for name in _AUTO_HEADERS:
        if mail.header(name) is not None:
            return MailKind.AUTO_REPLY, f"it has an {name} header"
    precedence = (mail.header("precedence") or "").strip().lower()
    if precedence in ("bulk", "junk", "list", "auto_reply"):
        return MailKind.AUTO_REPLY, f"Precedence: {precedence}"
    if _AUTO_SUBJECTS.match(mail.subject):
        return MailKind.AUTO_REPLY, "its subject says it is an automatic reply"
    if _BOUNCE_SUBJECTS.match(mail.subject) and return_path in ("", "<>"):
        return MailKind.BOUNCE, "its subject says delivery failed"
    return MailKind.ORDINARY, ""


# --- Authentication-Results (RFC 8601) ------------------------------------------------------

_RESULT = re.compile(r"\b(spf|dkim|dmarc)\s*=\s*([a-z]+)", re.IGNORECASE)
_PROPERTY = re.compile(r"\b(header\.from|header\.d|header\.i|smtp\.mailfrom)\s*=\s*([^\s;()]+)", re.IGNORECASE)


def _aligned(domain: str | None, from_domain: str) -> bool:
    if not domain:
        return False
    domain = domain.strip("<>\"'").rsplit("@", 1)[-1].lower().rstrip(".")
    return domain == from_domain or from_domain.endswith("." + domain) or domain.endswith("." + from_domain)


def authentication_passes(mail: ParsedMail, trusted_authserv_ids: Sequence[str] = ()) -> bool:
    """True when a trusted Authentication-Results header says the From domain passed DMARC,
    or DKIM/SPF with a domain aligned to the From domain.

    Only headers our own server adds can be trusted (a sender can write any header). With
    `trusted_authserv_ids` set, headers whose authserv-id is one of them count; without it,
    only the topmost header counts, which is the one the receiving server prepended.
    """
    from_domain = mail.from_domain
    if not from_domain:
        return False
    headers = mail.headers.get("authentication-results", [])
    trusted = {t.lower() for t in trusted_authserv_ids}
    if trusted:
        headers = [h for h in headers if h.split(";", 1)[0].strip().split()[0:1] and
                   h.split(";", 1)[0].strip().split()[0].lower() in trusted]
    else:
        headers = headers[:1]
    for header in headers:
        for statement in header.split(";")[1:]:
            result = _RESULT.search(statement)
            if result is None or result.group(2).lower() != "pass":
                continue
            method = result.group(1).lower()
            props = {k.lower(): v for k, v in _PROPERTY.findall(statement)}
            if method == "dmarc" and _aligned(props.get("header.from", from_domain), from_domain):
                return True
            if method == "dkim" and _aligned(props.get("header.d") or props.get("header.i"), from_domain):
                return True
            if method == "spf" and _aligned(props.get("smtp.mailfrom"), from_domain):
                return True
    return False
