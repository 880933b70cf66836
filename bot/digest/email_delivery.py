"""Digests by email through a `send_mail(OutgoingMail)` callable (the mailbox's `send`).

Until the mailbox (issue 6) is wired in, the composition root uses `MaildropOutbox`: each
digest becomes an .eml file in `<maildrop>/outbox/`, for a mail relay or a person to pick up.
"""

from __future__ import annotations

import logging
import os
import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.digest.delivery import DeliveryProgress, RenderedDigest
from bot.mail.mailbox import MailAttachment, OutgoingMail
from bot.mail.outgoing_mime import outgoing_mime

log = logging.getLogger(__name__)

DEFAULT_FROM = "actionbot@localhost"
_ADDRESS = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")


def is_email_address(text: str) -> bool:
    return bool(_ADDRESS.match(text.strip()))


class EmailDigestDelivery:
    kind = "email"

    def __init__(self, send_mail: Callable[[OutgoingMail], None]) -> None:
        self.send_mail = send_mail

    def deliver(self, rendered: RenderedDigest, destination: str, progress: DeliveryProgress) -> None:
        if progress.get("mailed"):
            return
        attachments = tuple(
            MailAttachment(a.filename, a.content_type, a.data,
                           content_id=a.title if a.content_type.startswith("image/") else None)
            for a in rendered.attachments
        )
        self.send_mail(OutgoingMail(to=(destination,), subject=rendered.subject, text=rendered.text,
                                    html=rendered.payload, headers={"Auto-Submitted": "auto-generated"},
                                    attachments=attachments))
        progress.record("mailed", True)


class MaildropOutbox:
    """send_mail that writes each message as an .eml file (atomically: a temp name, then rename)."""

    def __init__(self, folder: Path, sender: str = DEFAULT_FROM) -> None:
        self.folder = folder
        self.sender = sender

    def __call__(self, mail: OutgoingMail) -> None:
        for address in mail.to:
            if not is_email_address(address):
                raise ValueError(f"'{address}' is not an email address")
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"digest-{uuid.uuid4().hex}.eml"
        temporary = self.folder / f".{name}.tmp"
        temporary.write_bytes(outgoing_mime(mail, self.sender))
        os.replace(temporary, self.folder / name)
        log.info("digest written to the maildrop outbox", extra={"file": name})


def email_delivery(runtime: Any) -> EmailDigestDelivery:
    """For the composition root: the maildrop outbox until a mailbox's send is wired in."""
    section = runtime.settings.extra.get("digest", {})
    sender = str(section.get("from_address", DEFAULT_FROM))
    return EmailDigestDelivery(MaildropOutbox(Path(runtime.settings.maildrop) / "outbox", sender))
