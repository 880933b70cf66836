"""The console channel: a person at a terminal, talking to the same dispatcher as Slack does.

Like every adapter it only translates: a typed line -> InboundMessage, a Reply -> text.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from typing import TextIO

from bot.messages import InboundMessage, Reply

Dispatch = Callable[[InboundMessage], Reply | None]


def console_message(text: str, sender: str, conversation: str | None = None) -> InboundMessage:
    return InboundMessage(
        text=text,
        channel="console",
        sender_id=sender,
        sender_name=sender,
        conversation_id=conversation,
        source_ref=f"console:{uuid.uuid4().hex[:12]}",
        is_direct=True,
        is_private=True,
    )


class ConsoleChannel:
    """Reads lines, prints replies; `quit`, `exit` or end of input stop it."""

    prompt = "actionbot> "

    def __init__(self, dispatch: Dispatch, sender: str, conversation: str | None = None) -> None:
        self.dispatch = dispatch
        self.sender = sender
        self.conversation = conversation

    def send(self, text: str) -> Reply | None:
        return self.dispatch(console_message(text, self.sender, self.conversation))

    def run(self, lines: Iterable[str], out: TextIO, interactive: bool = True) -> int:
        """Handle each line; returns the number of error replies."""
        errors = 0
        for raw in lines:
            text = raw.strip()
            if not text:
                continue
            if text.lower() in ("quit", "exit", ":q"):
                break
            reply = self.send(text)
            if reply is None:
                continue
            errors += reply.is_error
            out.write(reply.text + "\n")
            out.flush()
        return errors
