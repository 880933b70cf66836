"""A database with the example plan and people who own actions due on REPORT_DAY's week, and a
reminder sender per instance that posts to the local fake Slack Web API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timezone
from typing import Any

from bot.digest.slack_delivery import slack_web_client
from bot.domain.model import Person, Role
from bot.planfiles.apply import import_plan
from bot.planfiles.csv_reader import read_plan_csv
from bot.reminders.sender import ReminderSender
from bot.reminders.settings import ReminderSettings
from bot.reminders.slack_delivery import SlackReminderDelivery
from config.settings import Settings
from tests.conftest import EXAMPLE_CSV
from tests.fakes.slack_api import FakeSlackApi

MONDAY = date(2023, 10, 2)
NINE_BST = datetime(2023, 10, 2, 8, 5, tzinfo=timezone.utc)  # 09:05 London, Monday 2 Oct 2023
PEOPLE = {"Kim Lowe": "UKIM0001", "Raj Singh": "URAJ0002", "Ola Berg": "UOLA0003"}
# Each owns actions due this week, so each gets a reminder on Monday.
OWNED = {"Kim Lowe": ("AP2.5.1", "AP2.9.1a"), "Raj Singh": ("AP2.2.3b",), "Ola Berg": ("AP2.8.2b",)}
DUE = date(2023, 10, 3)  # Tuesday: "due in 1 working day" on Monday


def load(new_uow: Callable[[], Any]) -> None:
    with new_uow() as uow:
        import_plan(uow, read_plan_csv(EXAMPLE_CSV), actor="test", channel="import",
                    now=datetime(2023, 9, 1, tzinfo=timezone.utc), today=date(2023, 9, 1))
        for name, slack_id in PEOPLE.items():
            uow.people.add(Person(name=name, role=Role.UPDATER), {"slack": slack_id})
        for name, codes in OWNED.items():
            for code in codes:
                (action,) = uow.actions.find(code)
                action.responsibility = name
                action.due_date = DUE
                uow.actions.save(action)
        uow.commit()


def slack_reminder_sender(new_uow: Callable[[], Any], fake: FakeSlackApi, owner: str = "instance-a",
                          config: ReminderSettings | None = None) -> ReminderSender:
    client = slack_web_client("xoxb-test-token", fake.api_url)
    return ReminderSender(new_uow, {"slack": SlackReminderDelivery(client)}, owner, Settings(),
                          config or ReminderSettings())
