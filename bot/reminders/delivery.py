"""Reminder deliveries by channel, "module:function(runtime) -> delivery | None" (None when the
channel is not configured), imported only when reminders are sent."""

from __future__ import annotations

import importlib
from typing import Any

DELIVERIES: dict[str, str] = {
    "slack": "bot.reminders.slack_delivery:slack_reminders",
    "teams": "bot.reminders.teams_delivery:teams_reminders",
    "email": "bot.reminders.email_delivery:email_reminders",
}


def reminder_deliveries(runtime: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for kind, spec in DELIVERIES.items():
        module_name, function_name = spec.split(":")
        delivery = getattr(importlib.import_module(module_name), function_name)(runtime)
        if delivery is not None:
            found[kind] = delivery
    return found
