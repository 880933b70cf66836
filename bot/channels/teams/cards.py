"""Reply -> Adaptive Card (JSON), with the reply's plain text as the card's fallback.

Status changes show old -> new per field and an Undo button; section summaries show one fact
per section and the listed actions; errors show in the attention colour. The card is plain
JSON (Adaptive Cards 1.4, which Teams renders on desktop, web and mobile, and the first
version with `Action.Execute`), so this module needs no SDK import.

The Undo button is an `Action.Execute` (Universal Actions): pressing it sends the bot an
`adaptiveCard/action` invoke, and the card the bot answers with (`undone_card`) replaces the
pressed one, so the change's card itself says it was undone and loses its button. Its
`fallback` is the `Action.Submit` that cards posted before carried, for a client without
Universal Actions; the bot still reads that message-activity form (translate.py).

User text cannot become a link or a mention: a TextBlock or fact reads a subset of Markdown
(bold, italic, lists, `[label](url)`), and `card_text` breaks every `]` from what follows it;
a mention needs an entity in the card's `msteams.entities`, which no card here carries, so a
typed `<at>Name</at>` stays text.
"""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Any

from bot.domain.dates import day_text
from bot.messages import ActionLine, Reply

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
CARD_VERSION = "1.4"  # Action.Execute needs 1.4 or later
UNDO_VERB = "undo"  # the Undo button's Action.Execute verb
MAX_CARD_LINES = 25  # Teams refuses messages over about 28 KB, so long answers are cut
MAX_TEXT_CHARS = 8000  # per text block, and for the fallback text
SHORTENED = "\n…(shortened: ask about one section or action to see the rest)"
_FIELD_NAMES = {
    "progress": "Progress",
    "state": "State",
    "due_date": "Due",
    "original_due_date": "Original due",
    "responsibility": "Responsibility",
    "completed_on": "Completed",
    "latest_update": "Update",
    "due_text": "Due",
    "title": "Title",
}


def _value(field: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if field == "progress" and isinstance(value, int):
        return f"{value}%"
    if isinstance(value, date):
        return f"{value:%d %b %Y}"
    if isinstance(value, Enum):
        return str(value.value).replace("_", " ").capitalize()
    return str(value)


_WORD_JOINER = "\u2060"  # invisible, and no line break opportunity


def card_text(text: str) -> str:
    """Text that Adaptive Card Markdown shows as typed but never as a link: `[label](url)`,
    `[label][1]` and `[1]: url` all need a `]` right before `(`, `[` or `:`, so an invisible
    word joiner goes after every `]`. Backslash escapes are not used: renderers differ on them
    (microsoft/AdaptiveCards#5758, 2021)."""
    return text.replace("]", "]" + _WORD_JOINER)


def shorten(text: str, limit: int = MAX_TEXT_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - len(SHORTENED)].rstrip() + SHORTENED


def _text(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": shorten(card_text(text)), "wrap": True, **style}


def _facts(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    return {"type": "FactSet", "facts": [{"title": card_text(t), "value": card_text(v)} for t, v in pairs]}


def _tail(code: str) -> str:
    return code.split()[-1] if code.strip() else code


def _change_blocks(reply: Reply) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    for change in reply.changes:
        blocks.append(_text(_tail(change.action_code), weight="Bolder", spacing="Medium"))
        pairs = [
            (_FIELD_NAMES.get(c.field, c.field.replace("_", " ").capitalize()),
             " → ".join(day_text(v) if isinstance(v, date) else _value(c.field, v) for v in (c.old, c.new)))
            for c in change.changes
            if c.field not in ("latest_update", "original_due_date")
        ]
        if change.note:
            pairs.append(("Update", change.note))
        if pairs:
            blocks.append(_facts(pairs))
    return blocks


def _rollup_blocks(reply: Reply) -> list[dict[str, Any]]:
    pairs = []
    for rollup in reply.rollups:
        progress = "—" if rollup.progress is None else f"{rollup.progress}%"
        detail = f"{progress} · {rollup.action_count} action{'s' if rollup.action_count != 1 else ''}"
        if rollup.overdue:
            detail += f" · {rollup.overdue} overdue"
        if rollup.latest_due:
            detail += f" · latest due {rollup.latest_due:%d %b %Y}"
        pairs.append((f"{rollup.section_code} {rollup.section_title}", detail))
    return [_facts(pairs)] if pairs else []


def _line_block(line: ActionLine) -> dict[str, Any]:
    action = line.action
    progress = "" if action.progress is None else f" {action.progress}%"
    due = f", due {action.due_date:%d %b %Y}" if action.due_date else ""
    owner = f" — {action.responsibility}" if action.responsibility else ""
    overdue = f" ({line.overdue_days} days overdue)" if line.overdue_days else ""
    return _text(f"**{_tail(action.code)}**{progress} {line.status}{owner}{due}{overdue}: {action.title}",
                 spacing="Small")


def reply_card(reply: Reply) -> dict[str, Any]:
    """The Adaptive Card for a reply. `fallbackText` is the reply's full plain text."""
    body: list[dict[str, Any]] = []
    if reply.is_error:
        body.append(_text(reply.text, color="Attention"))
    else:
        if reply.title:
            body.append(_text(reply.title, size="Medium", weight="Bolder"))
        structured = _change_blocks(reply) + [_text(n, isSubtle=True) for n in reply.notes] + _rollup_blocks(reply)
        lines = reply.lines[:MAX_CARD_LINES]
        structured += [_line_block(line) for line in lines]
        more = reply.more + len(reply.lines) - len(lines)
        if more:
            structured.append(_text(f"…and {more} more.", isSubtle=True))
        body += structured or [_text(reply.text)]
        if reply.as_of and structured:
            body.append(_text(f"As of {reply.as_of:%d %b %Y}", isSubtle=True, size="Small"))
    card: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": CARD_VERSION,
        "fallbackText": shorten(reply.text),
        "body": body,
    }
    if reply.undo_batch and not reply.is_error:
        data = {"actionbot": "undo", "batch": reply.undo_batch}
        card["actions"] = [{
            "type": "Action.Execute",
            "title": "Undo",
            # The bot receives an invoke whose value.action.data is this data;
            # bot.channels.teams.translate turns it into `undo batch <id>`.
            "verb": UNDO_VERB,
            "data": data,
            # A client without Universal Actions sends this as a message activity instead.
            "fallback": {"type": "Action.Submit", "title": "Undo", "data": data},
        }]
    return card


def undone_card(reply: Reply, by: str | None) -> dict[str, Any]:
    """The card that replaces a change's card once its Undo button has worked: what was
    undone (the undo's own reply), who undid it, and no button."""
    card = reply_card(reply)
    card.pop("actions", None)
    if by:
        card["body"].append(_text(f"Undone by {by}.", isSubtle=True, size="Small"))
    return card


def summary_line(text: str, limit: int = 120) -> str:
    """A one-line summary for notifications (the first line, shortened)."""
    first = (text.strip().splitlines() or [""])[0]
    return first if len(first) <= limit else first[: limit - 1] + "…"
