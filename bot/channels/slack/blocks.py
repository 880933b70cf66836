"""A `Reply` rendered as Block Kit: what changed (old -> new), the section's new rollup and an
Undo button; summaries as a compact card plus per-action lines; the App Home tab and the
update modal.

Block Kit limits (Slack reference, 2026): 50 blocks in a message, 100 in a Home tab or modal,
3,000 characters in a section's text, 150 in a header, 24 in a modal title, 75 in a button.
A long answer is cut to fit and says how many more items it left out.
"""

from __future__ import annotations

import enum
import functools
from datetime import date
from typing import Any

from bot.domain.dates import day_text
from bot.domain.model import STATUS_ORDER, ActionChange, FieldChange, SectionRollup, Status
from bot.messages import ActionLine, Reply

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION_CHARS = 3000
MAX_HEADER_CHARS = 150
MAX_FALLBACK_CHARS = 3000

UNDO_ACTION_ID = "actionbot_undo"
UNDO_BLOCK_ID = "actionbot_undo"
HOME_UPDATE_ACTION_ID = "actionbot_home_update"
UPDATE_MODAL_ID = "actionbot_update_modal"

Block = dict[str, Any]

_LABELS = {"progress": "progress", "state": "state", "due_date": "due", "responsibility": "owner",
           "latest_update": "update"}
_HIDDEN_FIELDS = ("completed_on", "original_due_date", "latest_update")


def escape(text: str) -> str:
    """Text safe inside mrkdwn: Slack reads &, < and > as markup, so `<!channel>`, `<@U123>` or
    `<https://x|y>` typed by a person would otherwise become a broadcast, a mention or a link.
    Markup the bot composes itself (`Undone by <@U…>`) is added after escaping, never through it."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escaped_clip(text: str, limit: int) -> str:
    """`escape(text)` cut to `limit` characters without cutting an entity (`&am…`) in two."""
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    cut = escaped[: limit - 1]
    amp = cut.rfind("&", max(0, len(cut) - 4))
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut + "…"


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def tail(code: str) -> str:
    return code.rsplit(" ", 1)[-1]


@functools.lru_cache(maxsize=4096)
def _date(value: date) -> str:
    return value.strftime("%d %b %Y").lstrip("0")


def _value(field: str, value: Any) -> str:
    if value is None:
        return "none"
    if field == "progress":
        return f"{value}%"
    if isinstance(value, enum.Enum):
        return str(value.value).replace("_", " ")
    if isinstance(value, date):
        return _date(value)
    return str(value)


def _field_change(change: FieldChange) -> str:
    """A changed date shows its weekday (`due Fri 28 Feb 2025 → *Wed 31 Mar 2027*`)."""
    label = _LABELS.get(change.field, change.field.replace("_", " "))
    old, new = (day_text(v) if isinstance(v, date) else _value(change.field, v) for v in (change.old, change.new))
    return f"{label} {escape(old)} → *{escape(new)}*"


def section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, MAX_SECTION_CHARS)}}


def context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(text, 2000)}]}


def header(text: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": clip(text, MAX_HEADER_CHARS)}}


def packed_sections(lines: list[str]) -> list[Block]:
    """Lines packed into as few sections as fit 3,000 characters each."""
    blocks: list[Block] = []
    current: list[str] = []
    size = 0
    for line in lines:
        line = clip(line, MAX_SECTION_CHARS)
        if current and size + 1 + len(line) > MAX_SECTION_CHARS:
            blocks.append(section("\n".join(current)))
            current, size = [], 0
        current.append(line)
        size += len(line) + 1
    if current:
        blocks.append(section("\n".join(current)))
    return blocks


def change_line(change: ActionChange) -> str:
    shown = [_field_change(c) for c in change.changes if c.field not in _HIDDEN_FIELDS]
    text = f"*{escape(tail(change.action_code))}*  " + (", ".join(shown) if shown else "note added")
    if change.note:
        text += f"\n>{escape(clip(change.note, 2500))}"
    return text


def rollup_line(rollup: SectionRollup) -> str:
    progress = f"*{rollup.progress}%*" if rollup.progress is not None else "no progress (all cancelled)"
    counts = ", ".join(
        f"{n} {status.value.lower()}"
        for status, n in sorted(rollup.counts.items(), key=lambda kv: STATUS_ORDER[kv[0]])
    )
    due = f" · latest due {_date(rollup.latest_due)}" if rollup.latest_due else ""
    title = f"{escape(rollup.section_code)} {escape(rollup.section_title)}"
    return f"{title}: {progress} ({rollup.action_count} actions: {counts}){due}"


def rollup_card(rollup: SectionRollup) -> Block:
    progress = f"{rollup.progress}%" if rollup.progress is not None else "–"
    counts = ", ".join(f"{n} {s.value.lower()}" for s, n in rollup.counts.items()) or "none"
    fields = [
        f"*Progress*\n{progress}",
        f"*Actions*\n{rollup.action_count}: {counts}",
        f"*Overdue*\n{rollup.overdue}",
        f"*Latest due*\n{_date(rollup.latest_due) if rollup.latest_due else '–'}",
    ]
    return {
        "type": "section",
        "text": {"type": "mrkdwn", "text": clip(f"*{escape(rollup.section_code)} {escape(rollup.section_title)}*",
                                                MAX_SECTION_CHARS)},
        "fields": [{"type": "mrkdwn", "text": clip(f, 2000)} for f in fields],
    }


def action_line(line: ActionLine) -> str:
    action = line.action
    progress = f"{action.progress}%" if action.progress is not None else "–"
    due = _date(action.due_date) if action.due_date else escape(action.due_text or "no due date")
    late = f", {line.overdue_days} days overdue" if line.status == Status.OVERDUE.value else ""
    mark = ":red_circle: " if late else ""
    owner = action.responsibility or "unassigned"
    return (f"{mark}*{escape(tail(action.code))}* {progress} {escape(line.status)} · {escape(owner)} · "
            f"due {due}{late}\n{escape(clip(action.title, 300))}")


def undo_button(batch: str) -> Block:
    return {
        "type": "actions",
        "block_id": UNDO_BLOCK_ID,
        "elements": [{
            "type": "button", "action_id": UNDO_ACTION_ID, "value": batch,
            "text": {"type": "plain_text", "text": "Undo"},
        }],
    }


def _fit(blocks: list[Block], tail_blocks: list[Block], more: int, noun: str, limit: int) -> list[Block]:
    """The blocks cut to `limit` with the tail kept, and a line that says how many more."""
    room = limit - len(tail_blocks) - 1
    left_out = max(0, len(blocks) - room)
    if left_out:
        blocks = blocks[:room]
    total_more = more + left_out
    if total_more:
        blocks.append(context(
            f"…and {total_more} more {noun} not shown. Narrow it down, e.g. `summary 2.5` or `overdue 2.5`."))
    return blocks + tail_blocks


def reply_blocks(reply: Reply, limit: int = MAX_MESSAGE_BLOCKS) -> list[Block]:
    """The whole reply as at most `limit` blocks."""
    if reply.is_error:
        return packed_sections([":warning: " + escape(line) for line in reply.text.splitlines() or [""]])[:limit]
    blocks: list[Block] = [header(reply.title)] if reply.title else []
    tail_blocks: list[Block] = []
    if reply.changes:
        body = [section(change_line(c)) for c in reply.changes] + [context(escape(n)) for n in reply.notes]
        tail_blocks = [context("Section " + rollup_line(r)) for r in reply.rollups]
        if reply.undo_batch:
            tail_blocks.append(undo_button(reply.undo_batch))
        return blocks + _fit(body, tail_blocks, reply.more, "changes", limit - len(blocks))
    if reply.rollups or reply.lines:
        cards = [rollup_card(r) for r in reply.rollups] if reply.lines else packed_sections(
            [rollup_line(r) for r in reply.rollups])
        lines = [section(action_line(line)) for line in reply.lines]
        noun = "actions" if reply.lines else "sections"
        notes = packed_sections([escape(n) for n in reply.notes])  # e.g. `mine`'s log actions
        return blocks + _fit(cards + lines, notes, reply.more, noun, limit - len(blocks))
    body = packed_sections([escape(line) for line in reply.text.splitlines()])
    offer_undo = [undo_button(reply.undo_batch)] if reply.undo_batch else []
    return blocks + _fit(body, offer_undo, reply.more, "lines", limit - len(blocks))


def fallback_text(reply: Reply) -> str:
    """The text Slack shows in notifications and to clients that cannot show blocks. Slack reads
    it as mrkdwn too, so it is escaped like every block: what a person typed stays text."""
    return escaped_clip(reply.text, MAX_FALLBACK_CHARS)
