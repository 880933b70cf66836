"""The App Home tab (the viewer's own actions, overdue first, each with an Update button) and
the update modal, whose submission becomes the text a person would have typed."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.channels.slack.blocks import (
    HOME_UPDATE_ACTION_ID,
    MAX_VIEW_BLOCKS,
    UPDATE_MODAL_ID,
    Block,
    action_line,
    clip,
    context,
    escape,
    header,
    packed_sections,
    section,
    tail,
)
from bot.messages import Reply

MAX_NOTE_CHARS = 2000


def home_view(reply: Reply, user_id: str) -> dict[str, Any]:
    """The Home tab for `mine`'s reply: one section per action with an Update button."""
    blocks: list[Block] = [header(reply.title or "Your actions")]
    if reply.is_error:
        blocks += packed_sections([escape(reply.text)])
        blocks.append(context(
            f"An admin can link you with `actionbot people add \"Your Name\" --slack {user_id}`, "
            "or by giving you the email address your Slack profile shows."
        ))
        return {"type": "home", "blocks": blocks}
    if reply.as_of:
        blocks.append(context(f"Open actions you or your team are responsible for, overdue first, as of "
                              f"{reply.as_of:%d %b %Y}. Type `help` in a message to me for everything else."))
    # The contract-monitoring log's actions (reply.notes of `mine`): after the plan's, no button.
    log_blocks = packed_sections([escape(n) for n in reply.notes]) if reply.lines else []
    if not reply.lines:
        blocks += packed_sections([escape(reply.text)])
    room = MAX_VIEW_BLOCKS - len(blocks) - 1 - len(log_blocks)
    for line in reply.lines[:room]:
        blocks.append({
            **section(action_line(line)),
            "accessory": {
                "type": "button", "action_id": HOME_UPDATE_ACTION_ID, "value": line.action.code,
                "text": {"type": "plain_text", "text": "Update"},
            },
        })
    more = reply.more + max(0, len(reply.lines) - room)
    if more:
        blocks.append(context(f"…and {more} more. Type `mine` in a message to me for the full list."))
    return {"type": "home", "blocks": blocks + log_blocks}


def update_modal(code: str, current: str | None = None) -> dict[str, Any]:
    """The modal an Update button opens: progress, revised due date, note (all optional)."""
    blocks: list[Block] = [section(f"*{escape(code)}*" + (f"\n{escape(clip(current, 2500))}" if current else ""))]
    blocks += [
        {"type": "input", "block_id": "progress", "optional": True,
         "label": {"type": "plain_text", "text": "Progress (%)"},
         "element": {"type": "number_input", "action_id": "value", "is_decimal_allowed": False,
                     "min_value": "0", "max_value": "100"}},
        {"type": "input", "block_id": "due", "optional": True,
         "label": {"type": "plain_text", "text": "Revised due date"},
         "element": {"type": "datepicker", "action_id": "value"}},
        {"type": "input", "block_id": "note", "optional": True,
         "label": {"type": "plain_text", "text": "Note (the status update)"},
         "element": {"type": "plain_text_input", "action_id": "value", "multiline": True,
                     "max_length": MAX_NOTE_CHARS}},
    ]
    return {
        "type": "modal", "callback_id": UPDATE_MODAL_ID, "private_metadata": code,
        "title": {"type": "plain_text", "text": clip(f"Update {tail(code)}", 24)},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks,
    }


def _input(values: dict[str, Any], block: str) -> dict[str, Any]:
    value = values.get(block, {}).get("value", {})
    return value if isinstance(value, dict) else {}


def modal_text(code: str, values: dict[str, Any]) -> tuple[str | None, dict[str, str]]:
    """The command text the submitted modal stands for (`AP2.5.1 40% - note`, one line per
    change), or the errors to show beside the inputs (block_id -> sentence)."""
    progress = (_input(values, "progress").get("value") or "").strip()
    due = _input(values, "due").get("selected_date")
    # Newlines and semicolons would split the note into further updates.
    note = " ".join((_input(values, "note").get("value") or "").replace(";", ",").split())
    errors: dict[str, str] = {}
    if not (progress or due or note):
        errors["progress"] = "Fill in progress, a revised due date or a note (or press Cancel)."
    if progress and (not progress.isdigit() or not 0 <= int(progress) <= 100):
        errors["progress"] = f"Progress is a whole number from 0 to 100, not '{clip(progress, 20)}'."
    if due:
        try:
            due_date = date.fromisoformat(due)
        except ValueError:
            errors["due"] = "Pick the revised due date from the calendar."
    if errors:
        return None, errors
    lines: list[str] = []
    if due:
        lines.append(f"{code} due {due_date:%d/%m/%Y}")
    if progress:
        lines.append(f"{code} {int(progress)}%")
    if note:
        # The note goes on the last line, so it is what the action's latest update says.
        lines = lines[:-1] + [f"{lines[-1]} - {note}"] if lines else [f"{code} note {note}"]
    return "\n".join(lines), {}
