"""Digests by email through a `send_mail(OutgoingMail)` callable: the shared mailbox's `send`
(bot.mail), so a digest leaves the way every other mail of the bot does."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from bot.digest.delivery import DeliveryProgress, RenderedDigest
from bot.mail.mailbox import MailAttachment, OutgoingMail

log = logging.getLogger(__name__)

_ADDRESS = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")


def is_email_address(text: str) -> bool:
    return bool(_ADDRESS.match(text.strip()))


class EmailDigestDelivery:
    kind = "email"

    def __init__(self, send_mail: Callable[[OutgoingMail], None], from_address: str | None = None) -> None:
        self.send_mail = send_mail
        self.from_address = from_address  # what the mailbox sends From (for `digest list` and the warning)

    def deliver(self, rendered: RenderedDigest, destination: str, progress: DeliveryProgress) -> None:
        if progress.get("mailed"):
            return
        if not is_email_address(destination):  # recorded as a failed delivery, never sent
            raise ValueError(f"'{destination}' is not an email address")
        attachments = tuple(
            MailAttachment(a.filename, a.content_type, a.data,
                           content_id=a.title if a.content_type.startswith("image/") else None)
            for a in rendered.attachments
        )
        self.send_mail(OutgoingMail(to=(destination,), subject=rendered.subject, text=rendered.text,
                                    html=rendered.payload, headers={"Auto-Submitted": "auto-generated"},
                                    attachments=attachments))
        progress.record("mailed", True)


def email_delivery(runtime: Any) -> EmailDigestDelivery:
    """For the composition root: digests go out through the shared mailbox's `send` — Graph
    or EWS when `[mail] backend` chooses one, else the Maildir, which writes each message as
    an .eml file to `<maildrop>/outbox/`. From: the mailbox address (`[mail] address`)."""
    from bot.mail.service import open_mailbox
    from bot.mail.settings import MailSettings

    mailbox = open_mailbox(runtime, MailSettings.from_extra(runtime.settings.extra))
    config = getattr(mailbox, "config", None)
    sender = getattr(mailbox, "address", None) or getattr(config, "mailbox", None)
    return EmailDigestDelivery(mailbox.send, sender)


def unset_from_warning(extra: dict[str, Any], backend: str) -> str | None:
    """A sentence for `actionbot run` when email digests would go out From a placeholder:
    the Maildir backend sends From `[mail] address`, and that is not set. (Graph and EWS send
    as the shared mailbox they are given, which is always set.)"""
    section = extra.get("mail", {})
    if backend != "maildir" or (isinstance(section, dict) and section.get("address")):
        return None
    from bot.mail.settings import MailSettings

    return (f"[mail] address is not set, so email digests go out From {MailSettings.address}; "
            "set it to the shared mailbox's address (e.g. [mail] address = \"actions@council.gov.uk\").")
