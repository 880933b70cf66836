"""Plain-text wording shared by the handlers. Rich channels render the structured Reply
fields instead; this text is the fallback and the console's answer."""

from __future__ import annotations

from datetime import date, datetime, timezone
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.dates import day_text
from bot.domain.model import STATUS_ORDER, Action, ActionChange, FieldChange, HistoryEntry, SectionRollup, State, Status
from bot.domain.status import days_overdue, derive_status

FIELD_LABELS = {
    "progress": "progress",
    "state": "state",
    "due_date": "due",
    "original_due_date": "original due",
    "completed_on": "completed on",
    "responsibility": "owner",
    "title": "title",
    "latest_update": "update",
    "due_text": "due (text)",
}


def tail(code: str) -> str:
    return code.rsplit(" ", 1)[-1]


def fmt_date(value: date | None) -> str:
    return _day(value) if value else "no date"


@lru_cache(maxsize=4096)  # every reply shows a few of the plan's due dates; strftime is the slow part
def _day(value: date) -> str:
    return value.strftime("%d %b %Y").lstrip("0")


@lru_cache(maxsize=8)
def zone_info(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_time(at: datetime, zone: str) -> datetime:
    """`at` (stored in UTC; a naive value is taken as UTC) in the team's zone."""
    aware = at if at.tzinfo is not None else at.replace(tzinfo=timezone.utc)
    return aware.astimezone(zone_info(zone))


def fmt_time(at: datetime, zone: str) -> str:
    """`14 Jul 2026 10:05 BST`: a time as a person in the team reads it, the zone named
    (zoneinfo's abbreviation: BST in summer and GMT in winter for Europe/London)."""
    local = local_time(at, zone)
    return f"{local:%d %b %Y %H:%M}".lstrip("0") + f" {local.tzname()}"


def fmt_value(field: str, value: Any, weekday: bool = False) -> str:
    if value is None:
        return "none"
    if field == "progress":
        return f"{value}%"
    if isinstance(value, State):
        return value.value.replace("_", " ")
    if isinstance(value, date):
        return day_text(value) if weekday else fmt_date(value)
    return str(value)


def fmt_field_change(change: FieldChange, weekday: bool = False) -> str:
    """`progress 40% → 60%`; with `weekday`, dates as `Wed 31 Mar 2027` (change replies)."""
    label = FIELD_LABELS.get(change.field, change.field)
    old, new = fmt_value(change.field, change.old, weekday), fmt_value(change.field, change.new, weekday)
    return f"{label} {old} → {new}"


def fmt_change(change: ActionChange, action: Action) -> str:
    shown = [c for c in change.changes if c.field not in ("completed_on", "original_due_date")]
    parts = [fmt_field_change(c, weekday=True) for c in shown]
    completed = change.get("completed_on")
    if (change.get("state") and change.get("state").new is State.COMPLETED  # type: ignore[union-attr]
            or completed is not None and completed.new is not None):
        parts.append(f"completed {day_text(action.completed_on) if action.completed_on else 'no date'}")
    text = f"{tail(action.code)}: " + (", ".join(parts) if parts else "note added")
    if change.note:
        text += f". Update: {change.note}"
    return text


def fmt_progress(action: Action) -> str:
    return f"{action.progress}%" if action.progress is not None else "–"


def fmt_action_line(action: Action, today: date) -> str:
    status = derive_status(action, today)
    due = fmt_date(action.due_date) if action.due_date else (action.due_text or "no due date")
    late = f", {days_overdue(action, today)} days overdue" if status is Status.OVERDUE else ""
    owner = action.responsibility or "unassigned"
    rag = f" (file RAG {action.rag})" if action.rag else ""
    return f"• {tail(action.code)} {fmt_progress(action)} {status.value}{rag} — {owner}, due {due}{late}: {short(action.title)}"


def fmt_rollup(rollup: SectionRollup) -> str:
    progress = f"{rollup.progress}%" if rollup.progress is not None else "no progress (all cancelled)"
    counts = ", ".join(
        f"{n} {status.value.lower()}" for status, n in sorted(rollup.counts.items(), key=lambda kv: STATUS_ORDER[kv[0]])
    )
    due = f"; latest due {fmt_date(rollup.latest_due)}" if rollup.latest_due else ""
    noun = "action" if rollup.action_count == 1 else "actions"
    return f"{rollup.section_code} {rollup.section_title}: {progress} ({rollup.action_count} {noun}: {counts}){due}"


HISTORY_FIELDS = ("progress", "state", "due_date", "responsibility", "title")
TITLE_CHARS = 90


def short(text: str, limit: int = TITLE_CHARS) -> str:
    """A title cut to fit a chat line, on a word boundary."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def fmt_history_entry(entry: HistoryEntry, zone: str, *, with_code: bool = False) -> str:
    """One line of history; `with_code` names the action, for history across the plan."""
    when = fmt_time(entry.at, zone)
    shown = [c for c in entry.changes if c.field in HISTORY_FIELDS and c.field != "title"]
    if entry.kind == "import" and all(c.old is None for c in shown):
        what = "imported with " + ", ".join(
            f"{FIELD_LABELS[c.field]} {fmt_value(c.field, c.new)}" for c in shown
        )
    else:
        what = ", ".join(fmt_field_change(c) for c in shown)
    kind = "" if entry.kind in ("update", "import") else f"[{entry.kind}] "
    note = f" — {short(entry.note) if with_code else entry.note}" if entry.note else ""
    where = f" [{tail(entry.action_code)}]" if with_code else ""
    return f"{when}{where} {entry.actor} via {entry.channel}: {kind}{what or 'note'}{note}"


def tracker_says(action: Action) -> str:
    """What the team's own tracker said beside our derived status: its RAG, status word,
    direction of travel, priority, recurring timescale, "proposed for closure"."""
    parts = []
    if action.rag:
        parts.append(f"RAG {action.rag}")
    if action.file_status:
        parts.append(f"status '{action.file_status}'")
    if action.direction:
        parts.append(f"direction {action.direction.lower()}")
    if action.priority:
        parts.append(f"priority {action.priority}")
    if action.recurring:
        parts.append(f"recurring {action.recurring.lower()}")
    if action.proposed_for_closure:
        parts.append("proposed for closure")
    return " · ".join(parts)


def fmt_status_block(action: Action, today: date, zone: str = "Europe/London") -> str:
    status = derive_status(action, today)
    lines = [
        f"{action.code} — {action.title}",
        f"Section {action.section_code} {action.section_title} · {action.plan}",
        f"Status: {status.value} · progress {fmt_progress(action)} · owner {action.responsibility or 'unassigned'}",
    ]
    due = fmt_date(action.due_date) if action.due_date else (action.due_text or "no due date")
    if action.original_due_date and action.original_due_date != action.due_date:
        due += f" (originally {fmt_date(action.original_due_date)})"
    if status is Status.OVERDUE:
        due += f", {days_overdue(action, today)} days overdue"
    lines.append(f"Due: {due}")
    tracker = tracker_says(action)
    if tracker:
        lines.append(f"The plan file says: {tracker}")
    if action.completed_on:
        lines.append(f"Completed: {fmt_date(action.completed_on)}")
    if action.latest_update:
        by = f" ({action.updated_by}, {fmt_date(local_time(action.updated_at, zone).date())})" if action.updated_by and action.updated_at else ""
        lines.append(f"Latest update{by}: {action.latest_update}")
    return "\n".join(lines)
