"""Mail we send: acknowledgements and confirmations, stored in the outbox table as JSON until
the backend has sent them (bot.mail.outgoing_mime renders them as RFC 822)."""

from __future__ import annotations

import hashlib
from typing import Any

from bot.mail.classify import LOOP_HEADER
from bot.mail.mailbox import OutgoingMail


def reply_headers(address: str) -> dict[str, str]:
    """Headers on everything we send: RFC 3834 says we are automatic, Exchange should not
    auto-reply to us, and our own loop header lets us recognise our mail if it comes back."""
    return {"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All", LOOP_HEADER: address}


def message_id_for(kind: str, key: str, address: str) -> str:
    """A Message-ID derived from what the mail answers, so a resend is the same message."""
    domain = address.rsplit("@", 1)[-1] if "@" in address else "actionbot.local"
    return f"<{kind}.{hashlib.sha256(key.encode('utf-8', 'replace')).hexdigest()[:24]}@{domain}>"


def to_payload(mail: OutgoingMail) -> dict[str, Any]:
    return {"to": list(mail.to), "subject": mail.subject, "text": mail.text, "html": mail.html,
            "in_reply_to": mail.in_reply_to, "references": list(mail.references), "headers": dict(mail.headers)}


def from_payload(payload: dict[str, Any]) -> OutgoingMail:
    return OutgoingMail(to=tuple(payload["to"]), subject=payload["subject"], text=payload["text"],
                        html=payload.get("html"), in_reply_to=payload.get("in_reply_to"),
                        references=tuple(payload.get("references") or ()), headers=dict(payload.get("headers") or {}))
