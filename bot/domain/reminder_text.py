"""What a reminder says: each line, the escalations, how to answer. Pure text from the
objects of bot.domain.reminders; a restricted (safeguarding) item shows its reference only,
except to a viewer with the safeguarding role."""

from __future__ import annotations

from bot.domain.reminders import (
    MAX_ESCALATION_LINES,
    RESTRICTED_TITLE,
    EscalationLine,
    Recipient,
    ReminderItem,
    ReminderLine,
    ReminderMessage,
    working_days_word,
)


def shown_title(item: ReminderItem, viewer: Recipient | None) -> str:
    """The title, or a stand-in for a restricted item shown to someone without the role (or
    whose source gave no title: the contract log never puts a confidential entry's words in a
    reminder, which is kept and may go by email)."""
    if item.restricted and (viewer is None or not viewer.safeguarding or not item.title.strip()):
        return f"({RESTRICTED_TITLE})"
    return item.title


def shown_update(item: ReminderItem, viewer: Recipient | None) -> str | None:
    if item.restricted and (viewer is None or not viewer.safeguarding):
        return None
    return item.last_update


def line_text(number: int, line: ReminderLine, viewer: Recipient | None, limit: int = 120) -> str:
    item = line.item
    title = " ".join(shown_title(item, viewer).split())  # one line per item, always
    if len(title) > limit:
        title = title[: limit - 1] + "…"
    parts = [f"{number}. {item.ref} {title}", line.detail]
    parts.append(f"due {item.due:%d %b %Y}" if item.due else "no due date")
    parts.append(f"{item.progress}%" if item.progress is not None else "no progress yet")
    update = shown_update(item, viewer)
    if item.last_update_on is not None:
        said = f': "{_clip(update, 80)}"' if update else ""
        parts.append(f"last update {item.last_update_on:%d %b}{said}")
    else:
        parts.append("no update yet")
    text = " · ".join(parts)
    if line.covering_for:
        text += f" (covering for {line.covering_for})"
    return text


def escalation_text(line: EscalationLine, viewer: Recipient | None) -> str:
    item = line.item
    update = shown_update(item, viewer)
    last = (f'last update {item.last_update_on:%d %b %Y}' + (f': "{_clip(update, 80)}"' if update else "")
            if item.last_update_on else "no update ever")
    reminded = ", ".join(f"{who} on {day:%d %b}" for who, day in line.reminded) or "nobody reminded yet"
    return (f"{item.ref} {_clip(shown_title(item, viewer), 120)} ({item.owner or 'no owner'}) · overdue by "
            f"{working_days_word(line.overdue_days)} (due {item.due:%d %b %Y}) · {last} · reminded: {reminded}")


def _clip(text: str | None, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def message_text(message: ReminderMessage, viewer: Recipient | None, *, how_to_answer: str = "") -> str:
    """The plain-text message (email body, chat fallback text)."""
    first = viewer.name.split()[0] if viewer is not None else message.person.split()[0]
    out: list[str] = []
    if message.lines:
        count = len(message.lines) + message.more
        order = ", most urgent first" if count > 1 else ""
        if message.more:
            order += f"; the {len(message.lines)} most urgent are listed"
        out.append(f"Good morning {first}: {count} item{'s' if count != 1 else ''} need{'s' if count == 1 else ''} "
                   f"you today ({message.day:%A %d %B %Y}){order}.")
        out += [line_text(i, line, viewer) for i, line in enumerate(message.lines, start=1)]
        if message.more:
            out.append(f"…and {message.more} more of yours, less urgent than these: ask me `mine` for the whole "
                       "list.")
        if how_to_answer:
            out += ["", how_to_answer]
    if message.escalations:
        if out:
            out.append("")
        out.append(f"Overdue by more than the escalation limit ({len(message.escalations)}), for you as team lead "
                   "or admin, longest overdue first:")
        out += [f"- {escalation_text(line, viewer)}" for line in message.escalations[:MAX_ESCALATION_LINES]]
        more = len(message.escalations) - MAX_ESCALATION_LINES
        if more > 0:
            out.append(f"…and {more} more; ask me `overdue` for the full list.")
    return "\n".join(out)


def answer_hint(message: ReminderMessage, channel: str) -> str:
    if not message.lines:
        return ""
    first = message.lines[0].item.ref.split()[-1]  # the short form people type: `AP2.5.1`
    if len(message.lines) == 1:
        example = "`40% - contracts signed`, `done`, `snooze 1 week` or `not mine`"
    else:
        example = "`2 40% - contracts signed` (for the second listed), `1 done`, `1 snooze 1 week`, " \
                  f"or `{first} 40%`"
    where = {"email": "Reply to this email", "slack": "Reply in this thread", "teams": "Reply here"}.get(
        channel, "Reply")
    return f"{where} with {example}."
