"""The one mailbox interface every backend implements (Maildir, Microsoft Graph, EWS).

The ingestion pipeline only ever sees raw RFC 822 bytes and a backend id; it moves a message
to "Processed" only after the database commit, so a crash anywhere redelivers it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

PROCESSED = "Processed"
NEEDS_ATTENTION = "Needs attention"
FILED = "Filed"  # bounces, auto-replies, read receipts: recorded, not acted on


@dataclass(frozen=True)
class MailItem:
    """One message as a backend hands it over."""

    backend_id: str  # Maildir key, Graph message id, EWS item id
    raw: bytes  # the full RFC 822 message
    folder: str = "Inbox"


@dataclass(frozen=True)
class MailAttachment:
    """A file sent with an OutgoingMail; with `content_id` it is an inline part (an image the
    HTML shows as `cid:...`)."""

    filename: str
    content_type: str  # e.g. "text/csv", "image/png"
    data: bytes
    content_id: str | None = None


@dataclass(frozen=True)
class OutgoingMail:
    to: tuple[str, ...]
    subject: str
    text: str
    html: str | None = None
    in_reply_to: str | None = None  # Message-ID being answered
    references: tuple[str, ...] = ()
    headers: dict[str, str] = field(default_factory=dict)  # e.g. Auto-Submitted, X-Actionbot-Ack
    attachments: tuple[MailAttachment, ...] = ()  # files; inline images when content_id is set


@dataclass(frozen=True)
class MailRecord:
    """What became of one delivered message, kept in the mail log under its exactly-once key."""

    mail_key: str  # Message-ID, or "sha256:…" of the bytes when there is none
    received_at: datetime
    sender: str | None
    outcome: str
    folder: str
    reference: str | None = None
    reason: str | None = None


class CursorStore(Protocol):
    """Where a backend keeps its sync state (Graph deltaLink, EWS SyncState) between polls."""

    def get(self, key: str) -> str | None: ...

    def set(self, key: str, value: str) -> None: ...


class Mailbox(Protocol):
    name: str

    def fetch_new(self) -> Iterator[MailItem]:
        """Messages in the inbox not yet moved out of it (including ones a crash left)."""
        ...

    def move(self, item: MailItem, folder: str) -> None:
        """Move to PROCESSED, NEEDS_ATTENTION or FILED (created if missing). Idempotent: moving
        a message that is already gone is not an error."""
        ...

    def send(self, mail: OutgoingMail) -> None: ...

    def close(self) -> None: ...

