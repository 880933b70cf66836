"""Three `actionbot run` instances on one database (each with its own engine and sender, in
threads) post exactly one digest per period to the fake Slack API: on SQLite always, and on
PostgreSQL in the PostgreSQL lane."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import Engine

from bot.digest.model import DeliveryState
from bot.planfiles.apply import import_plan
from bot.planfiles.csv_reader import read_plan_csv
from storage import ensure_schema, make_engine, unit_of_work_factory
from tests.conftest import EXAMPLE_CSV
from tests.digest_fixtures import FIRST_MONDAY, SUBSCRIBED_AT, fake_slack, slack_sender, subscribe  # noqa: F401
from tests.fakes.slack_api import FakeSlackApi
from tests.storage_fixtures import database_url, engine, migrated_engine  # noqa: F401

INSTANCES = 3
MONDAYS = [FIRST_MONDAY + timedelta(days=7 * week) for week in range(3)]


def _load_plan(engine: Engine) -> None:
    new_uow = unit_of_work_factory(engine)
    with new_uow() as uow:
        import_plan(uow, read_plan_csv(EXAMPLE_CSV), actor="test", channel="import", now=SUBSCRIBED_AT,
                    today=SUBSCRIBED_AT.date())
        uow.commit()


def test_three_instances_post_one_digest_per_period(
    migrated_engine: Engine, database_url: str, fake_slack: FakeSlackApi  # noqa: F811
) -> None:
    _load_plan(migrated_engine)
    subscribe(unit_of_work_factory(migrated_engine), destination="C0ONE")
    subscribe(unit_of_work_factory(migrated_engine), destination="C0TWO")
    engines = [make_engine(database_url) for _ in range(INSTANCES)]
    errors: list[BaseException] = []
    try:
        for instance_engine in engines:
            ensure_schema(instance_engine)
        senders = [slack_sender(unit_of_work_factory(e), fake_slack, owner=f"instance-{i}") for i, e in enumerate(engines)]
        start = threading.Barrier(INSTANCES, timeout=30)

        def run(index: int) -> None:
            try:
                for monday in MONDAYS:
                    start.wait()  # every instance polls at the same moment
                    for minutes in (0, 1, 2):
                        senders[index].send_due(monday + timedelta(minutes=minutes))
            except BaseException as exc:  # reported below with the test's failure
                errors.append(exc)
                start.abort()

        threads = [threading.Thread(target=run, args=(i,)) for i in range(INSTANCES)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not any(t.is_alive() for t in threads), "an instance hung"
    finally:
        for instance_engine in engines:
            instance_engine.dispose()
    assert errors == []
    posts = sorted((p.args["channel"], p.args["text"][:60]) for p in fake_slack.calls_to("chat.postMessage"))
    assert len(posts) == 2 * len(MONDAYS), posts  # two channels, three Mondays, once each
    with unit_of_work_factory(migrated_engine)() as uow:
        rows = uow.digests.deliveries(limit=100)
    assert len(rows) == 2 * len(MONDAYS)
    assert {r.state for r in rows} == {DeliveryState.SENT}
    assert sorted({r.period_key for r in rows}) == ["2023-10-02T09:00", "2023-10-09T09:00", "2023-10-16T09:00"]
