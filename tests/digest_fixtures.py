"""Shared pieces for the digest tests: a fake Slack API fixture, subscriptions, senders."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from bot.digest.model import Subscription
from bot.digest.sender import DigestSender, SenderSettings
from bot.digest.slack_delivery import SlackDigestDelivery, slack_web_client
from tests.fakes.slack_api import FakeSlackApi

PLAN = "Moray Commissioning Team Improvement Plan 2023"
SUBSCRIBED_AT = datetime(2023, 9, 27, 12, 0, tzinfo=timezone.utc)
# Monday 2 October 2023, 09:00 in London is 08:00 UTC (British Summer Time).
FIRST_MONDAY = datetime(2023, 10, 2, 8, 0, tzinfo=timezone.utc)
TEST_SETTINGS = SenderSettings(grace=timedelta(hours=12), lease=timedelta(minutes=10), max_attempts=5,
                               retry_base=timedelta(minutes=1))


@pytest.fixture
def fake_slack() -> Iterator[FakeSlackApi]:
    with FakeSlackApi() as fake:
        yield fake


def subscribe(new_uow: Callable[[], Any], destination: str = "C0DIGEST", kind: str = "slack",
              created_at: datetime = SUBSCRIBED_AT, **fields: Any) -> Subscription:
    with new_uow() as uow:
        sub = uow.digests.add(Subscription(kind, destination, plan=fields.pop("plan", PLAN), created_at=created_at,
                                           created_by="test", **fields))
        uow.commit()
    return sub


def slack_sender(new_uow: Callable[[], Any], fake: FakeSlackApi, owner: str = "instance-a",
                 settings: SenderSettings = TEST_SETTINGS, with_chart: bool = False) -> DigestSender:
    client = slack_web_client("xoxb-test-token", fake.api_url)
    return DigestSender(new_uow, {"slack": SlackDigestDelivery(client)}, owner, settings, with_chart=with_chart)
