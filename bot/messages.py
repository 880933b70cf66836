"""The platform-neutral message types every channel adapter translates to and from.

An adapter turns its native event into an `InboundMessage` and renders a `Reply` back. It
never sees handlers or storage; the dispatcher never sees Slack, Teams or mail.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from bot.domain.model import Action, ActionChange, HistoryEntry, SectionRollup


@dataclass(frozen=True)
class InboundMessage:
    """One message as every channel delivers it to the dispatcher."""

    text: str
    channel: str  # "console", "slack", "teams", "email"
    sender_id: str  # the channel's own id for the sender (Slack user id, email address, …)
    conversation_id: str | None = None  # Slack channel id, Teams conversation id, …
    message_id: str | None = None  # de-duplication key (event_id, Message-ID, …)
    source_ref: str | None = None  # permalink or Message-ID recorded in the history
    is_direct: bool = False  # a DM, the console, or a message addressed to the bot
    # Only the sender and the bot can read the conversation: a Slack DM, a Teams personal chat,
    # the console, an email (answered to its sender alone). An @mention in a channel is direct
    # (it is addressed to the bot) but not private (everyone in the channel reads the answer).
    is_private: bool = False
    sender_name: str | None = None
    sender_email: str | None = None
    # An edited message: the source_ref of the message as first sent. Its updates are reverted
    # and the edited text applied instead, recorded as one change of kind "edit".
    amends: str | None = None
    # The message this one answers in a thread or by email (`slack:{channel}:{thread ts}`, a
    # Message-ID): when it is a reminder, the dispatcher reads the text as an answer to it.
    replying_to: str | None = None
    # Files that came with the message (an email's attachments): (filename, content type, bytes).
    # A command that keeps a document (a visit's report) stores them; others ignore them.
    attachments: tuple[tuple[str, str, bytes], ...] = ()


@dataclass(frozen=True)
class ActionLine:
    """One action as a reply lists it."""

    action: Action
    status: str
    overdue_days: int = 0


@dataclass
class Reply:
    """What the bot answers. `text` is the complete plain-text answer; the structured fields
    let rich channels (Block Kit, Adaptive Cards) render the same content natively."""

    text: str
    is_error: bool = False
    title: str | None = None
    changes: list[ActionChange] = field(default_factory=list)
    rollups: list[SectionRollup] = field(default_factory=list)
    lines: list[ActionLine] = field(default_factory=list)
    history: list[HistoryEntry] = field(default_factory=list)
    undo_batch: str | None = None  # set when the reply reports a change that `undo` reverts
    more: int = 0  # how many further items were left out of `lines`
    as_of: date | None = None
    # The reply carries restricted (safeguarding) content. The handler decides this, never the
    # adapter; the adapter delivers such a reply only to the asker, privately (ephemeral or DM
    # in Slack, the personal chat in Teams, the sender alone by email), and where the question
    # was asked in a shared place it posts `PRIVATE_NOTICE` there instead.
    private: bool = False
    # Sentences beside the changes, for every channel to show: an update that was already so
    # ("AP2.9.1a is already 55%"), how a date phrase with two readings was read.
    notes: list[str] = field(default_factory=list)

    @classmethod
    def error(cls, text: str) -> "Reply":
        return cls(text=text, is_error=True)

    def public_stand_in(self) -> "Reply":
        """What a shared conversation sees in place of a private reply."""
        return Reply(text=PRIVATE_NOTICE, as_of=self.as_of)


# Posted in a channel, group or thread when the answer itself went to the asker privately.
PRIVATE_NOTICE = "I've sent you the details privately."
# Said instead when the answer could not be delivered privately: nothing confidential is posted.
PRIVATE_UNDELIVERABLE = ("That answer holds confidential safeguarding content and I couldn't send it to you "
                         "privately. Ask me in a direct message.")
