"""Text forms that buttons send, so a button press goes through the same parser, dispatcher,
identification and permission checks as typed text.

`undo batch 3f2a…` (a batch id of 32 hex digits) is what the Teams Undo button on a status
change card sends: it reverts exactly the change the card reports, and only if it is the
presser's own (handlers.progress.handle_undo checks that).
"""

from __future__ import annotations

import re

from bot.commands import ParseError, Undo
from bot.grammar.rules import ParseEnv, register_prefix_rule

BATCH_ID = re.compile(r"[0-9a-f]{32}")


def read_undo_batch(rest: str, env: ParseEnv) -> object:
    batch = rest.strip().lower()
    if BATCH_ID.fullmatch(batch):
        return Undo(batch=batch)
    return ParseError(
        "That Undo button names a change I cannot read. Type `undo` to revert your last change."
    )


def undo_batch_text(batch_id: str) -> str:
    """The text an Undo button sends for the change `batch_id`."""
    return f"undo batch {batch_id}"


register_prefix_rule(r"undo\s+batch\b", read_undo_batch)
