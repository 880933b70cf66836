"""Export actions as plain rows, and write them as CSV or JSON.

`export_rows` is the one place that decides what an exported action looks like; the writers
only format. Overdue is derived with `today`, never read from the clock.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from datetime import date
from typing import Any, TextIO

from bot.domain.model import Action
from bot.domain.status import is_overdue
from bot.export_safety import inert_cell

EXPORT_FIELDS: tuple[str, ...] = (
    "code",
    "plan",
    "section_code",
    "section_title",
    "title",
    "responsibility",
    "due_date",
    "original_due_date",
    "progress",
    "state",
    "overdue",
    "latest_update",
    "updated_at",
    "updated_by",
    # What the team's own tracker said (bot.domain.model.FILE_FIELDS); imported back by name.
    "rag",
    "direction",
    "priority",
    "recommendation",
    "recurring",
    "proposed_for_closure",
)


def export_row(action: Action, today: date) -> dict[str, Any]:
    return {
        "code": action.code,
        "plan": action.plan,
        "section_code": action.section_code,
        "section_title": action.section_title,
        "title": action.title,
        "responsibility": action.responsibility,
        "due_date": action.due_date.isoformat() if action.due_date else None,
        "original_due_date": action.original_due_date.isoformat() if action.original_due_date else None,
        "progress": action.progress,
        "state": action.state.value,
        "overdue": is_overdue(action, today),
        "latest_update": action.latest_update,
        "updated_at": action.updated_at.isoformat() if action.updated_at else None,
        "updated_by": action.updated_by,
        "rag": action.rag,
        "direction": action.direction,
        "priority": action.priority,
        "recommendation": action.recommendation,
        "recurring": action.recurring,
        "proposed_for_closure": action.proposed_for_closure,
    }


def export_rows(actions: list[Action], today: date) -> list[dict[str, Any]]:
    """One dict per action, keys in EXPORT_FIELDS order, values JSON-ready."""
    return [export_row(action, today) for action in actions]


def write_json(rows: Iterable[dict[str, Any]], stream: TextIO) -> None:
    json.dump(list(rows), stream, ensure_ascii=False, indent=2)
    stream.write("\n")


def write_csv(rows: Iterable[dict[str, Any]], stream: TextIO) -> None:
    """CSV with a header of EXPORT_FIELDS; None -> empty cell, booleans -> true/false, text that
    starts like a formula (`=`, `+`, `-`, `@`, tab, CR) after a `'` (bot.export_safety).

    Open files with newline="" so the csv module's CRLF line ends are not doubled on Windows.
    """
    writer = csv.DictWriter(stream, fieldnames=list(EXPORT_FIELDS), extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({name: _csv_cell(row.get(name)) for name in EXPORT_FIELDS})


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(inert_cell(value))
