"""What can be reminded of: each source turns what it owns into `ReminderItem`s.

A source is `source(uow, today) -> Iterable[ReminderItem]` and reads with a fixed number of
queries, whatever the number of items. `SOURCES` lists them as "module:function" entries; the
contract-monitoring log adds its allocated actions and due visits with one line:

    SOURCES.append("bot.domain_log_reminders:open_allocated_actions_and_due_visits")

(items of kind `ItemKind.LOG_ACTION` / `ItemKind.VISIT`, `restricted=True` for safeguarding
entries, which reminders then show by reference only, except to the safeguarding role).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.model import Action
from bot.domain.reminders import ItemKind, ReminderItem

Source = Callable[[Any, date], Iterable[ReminderItem]]

SOURCES: list[str] = [
    "bot.reminders.sources:open_plan_actions",
    "bot.reminders.sources:log_actions_and_visits",
]

# How far ahead the log's items are read: the rules then decide (7 working days before is the
# earliest reminder, at most 11 calendar days over a bank-holiday fortnight).
LOG_LOOKAHEAD_DAYS = 21

_ZONE = ZoneInfo("Europe/London")


def action_item(action: Action) -> ReminderItem:
    updated = action.updated_at.astimezone(_ZONE).date() if action.updated_at else None
    return ReminderItem(
        ref=action.code, title=action.title, due=action.due_date, progress=action.progress,
        last_update=action.latest_update, last_update_on=updated, owner=action.responsibility,
        restricted=False, kind=ItemKind.ACTION, plan=action.plan,
    )


def open_plan_actions(uow: Any, today: date) -> list[ReminderItem]:
    """Every open action of every plan (one query)."""
    items = []
    for row in uow.reminders.open_actions():
        updated = row["updated_at"]
        items.append(ReminderItem(
            ref=row["code"], title=row["title"], due=row["due_date"], progress=row["progress"],
            last_update=row["latest_update"], last_update_on=updated.astimezone(_ZONE).date() if updated else None,
            owner=row["responsibility"], restricted=False, kind=ItemKind.ACTION, plan=row["plan"]))
    return items


def log_actions_and_visits(uow: Any, today: date) -> list[ReminderItem]:
    """The contract-monitoring log's open allocated actions (`PQ-2026-0042/1`) and its
    providers' monitoring activities, with their owners (a fixed number of queries).

    A confidential entry's action comes with `restricted=True` and no title: the reminder
    names it by reference only."""
    items = []
    for due in uow.monitoring.due_items(today, within_days=LOG_LOOKAHEAD_DAYS):
        kind = ItemKind.LOG_ACTION if due.kind == "log action" else ItemKind.VISIT
        title = due.title if not due.provider or due.kind == "visit" else f"{due.title} [{due.provider}]"
        items.append(ReminderItem(
            ref=due.reference, title=title, due=due.due, owner=due.owner,
            restricted=due.restricted, kind=kind))
    return items


def load_sources(specs: Iterable[str] | None = None) -> list[Source]:
    found: list[Source] = []
    for spec in specs if specs is not None else SOURCES:
        module_name, function_name = spec.split(":")
        found.append(getattr(importlib.import_module(module_name), function_name))
    return found


def read_items(uow: Any, today: date, sources: Iterable[Source] | None = None) -> list[ReminderItem]:
    items: list[ReminderItem] = []
    for source in sources if sources is not None else load_sources():
        items.extend(source(uow, today))
    return items
