"""Reminders by email through the shared mailbox (Graph, EWS, or the Maildir's outbox), for
people without chat (NHSmail users).

Each reminder has a Message-ID derived from its (person, day), so a resend after a crash is
the same message, and a reply to it (In-Reply-To / References) is matched to the reminder by
the mail pipeline (bot.mail.ingest), which hands it to the dispatcher with the sender's
permissions after the usual staff-update checks (authenticated sender, quoted text stripped).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from bot.mail.mailbox import OutgoingMail
from bot.mail.outgoing import message_id_for
from bot.reminders.model import SendRecord

log = logging.getLogger(__name__)


def reminder_subject(record: SendRecord) -> str:
    count = len(record.items)
    what = f"{count} item{'s' if count != 1 else ''} need{'s' if count == 1 else ''} you" if count else \
        "overdue actions to chase"
    if count == 1:
        what = f"{record.items[0]['ref']} needs you"
    return f"Reminder {record.day:%a %d %b}: {what}"


class EmailReminderDelivery:
    kind = "email"

    def __init__(self, send_mail: Callable[[OutgoingMail], None], address: str) -> None:
        self.send_mail = send_mail
        self.address = address  # the shared mailbox: Message-IDs are in its domain

    def deliver(self, record: SendRecord, progress: Any) -> str | None:
        message_id = message_id_for("reminder", f"{record.person_id}:{record.day.isoformat()}", self.address)
        if not progress.get("mailed"):
            self.send_mail(OutgoingMail(
                to=(record.address,), subject=reminder_subject(record), text=record.text,
                headers={"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All",
                         "Message-ID": message_id}))
            progress.record("mailed", True)
        log.info("reminder mailed", extra={"reminder": record.id})
        return message_id

    def notify(self, address: str, text: str) -> None:
        self.send_mail(OutgoingMail(to=(address,), subject="actionbot: an action needs a new owner", text=text,
                                    headers={"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"}))


def email_reminders(runtime: Any) -> EmailReminderDelivery:
    from bot.mail.service import open_mailbox
    from bot.mail.settings import MailSettings

    settings = MailSettings.from_extra(runtime.settings.extra)
    mailbox = open_mailbox(runtime, settings)
    return EmailReminderDelivery(mailbox.send, settings.address)
