"""Each (person, day) reminder goes out once: across instances (three at once, on SQLite and
PostgreSQL), across restarts, missed days caught up within the grace window, failures retried
with back-off. Delivered as Slack DMs to the local fake Web API."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine

from bot.reminders.model import SendState
from bot.reminders.settings import ReminderSettings
from storage import ensure_schema, make_engine, unit_of_work_factory
from tests.fakes.slack_api import FakeSlackApi
from tests.reminders.reminder_fixtures import NINE_BST, OWNED, PEOPLE, load, slack_reminder_sender
from tests.storage_fixtures import database_url, engine, migrated_engine  # noqa: F401

INSTANCES = 3


@pytest.fixture
def fake_slack() -> Iterator[FakeSlackApi]:
    with FakeSlackApi() as fake:
        yield fake


def _posts(fake: FakeSlackApi) -> list[str]:
    return sorted(str(c.args["channel"]) for c in fake.calls_to("chat.postMessage"))


def test_three_instances_send_one_reminder_per_person_and_day(
    migrated_engine: Engine, database_url: str, fake_slack: FakeSlackApi  # noqa: F811
) -> None:
    load(unit_of_work_factory(migrated_engine))
    engines = [make_engine(database_url) for _ in range(INSTANCES)]
    errors: list[BaseException] = []
    try:
        for instance_engine in engines:
            ensure_schema(instance_engine)
        senders = [slack_reminder_sender(unit_of_work_factory(e), fake_slack, owner=f"instance-{i}")
                   for i, e in enumerate(engines)]
        start = threading.Barrier(INSTANCES, timeout=30)

        def run(index: int) -> None:
            try:
                start.wait()  # every instance polls at the same moment
                for minutes in (0, 1, 2):
                    senders[index].send_due(NINE_BST + timedelta(minutes=minutes))
            except BaseException as exc:
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
    assert _posts(fake_slack) == sorted(fake_slack.dm_channel(u) for u in PEOPLE.values())
    with unit_of_work_factory(migrated_engine)() as uow:
        rows = uow.reminders.recent(limit=100)
    assert sorted(r.person for r in rows) == sorted(PEOPLE)
    assert {r.state for r in rows} == {SendState.SENT}
    kim = next(r for r in rows if r.person == "Kim Lowe")
    assert [ref.split()[-1] for ref in kim.refs()] == list(OWNED["Kim Lowe"])


def test_a_restart_sends_nothing_twice_and_the_next_day_is_new(migrated_engine: Engine,  # noqa: F811
                                                               fake_slack: FakeSlackApi) -> None:
    new_uow = unit_of_work_factory(migrated_engine)
    load(new_uow)
    slack_reminder_sender(new_uow, fake_slack, "first-run").send_due(NINE_BST)
    slack_reminder_sender(new_uow, fake_slack, "after-restart").send_due(NINE_BST + timedelta(minutes=30))
    assert len(_posts(fake_slack)) == len(PEOPLE)
    # Tuesday: the actions are due today, so each person hears again, once.
    slack_reminder_sender(new_uow, fake_slack, "tuesday").send_due(NINE_BST + timedelta(days=1))
    assert len(_posts(fake_slack)) == 2 * len(PEOPLE)


def test_before_the_send_time_nothing_goes(migrated_engine: Engine, fake_slack: FakeSlackApi) -> None:  # noqa: F811
    new_uow = unit_of_work_factory(migrated_engine)
    load(new_uow)
    slack_reminder_sender(new_uow, fake_slack).send_due(NINE_BST - timedelta(minutes=10))  # 08:55 London
    assert _posts(fake_slack) == []


@pytest.mark.parametrize(("late", "sent"), [
    pytest.param(timedelta(hours=11), True, id="caught-up-within-the-grace-window"),
    pytest.param(timedelta(hours=13), False, id="too-late-after-the-grace-window"),
])
def test_a_missed_day_is_caught_up_within_the_grace_window(migrated_engine: Engine,  # noqa: F811
                                                           fake_slack: FakeSlackApi, late: timedelta,
                                                           sent: bool) -> None:
    new_uow = unit_of_work_factory(migrated_engine)
    load(new_uow)
    slack_reminder_sender(new_uow, fake_slack, config=ReminderSettings()).send_due(NINE_BST + late)
    assert bool(_posts(fake_slack)) is sent


def test_a_failed_delivery_is_retried_with_back_off(migrated_engine: Engine, fake_slack: FakeSlackApi) -> None:  # noqa: F811
    new_uow = unit_of_work_factory(migrated_engine)
    load(new_uow)
    config = ReminderSettings(retry_base=timedelta(minutes=1))
    for _ in PEOPLE:
        fake_slack.fail_next("chat.postMessage", status=500)
    report = slack_reminder_sender(new_uow, fake_slack, config=config).send_due(NINE_BST)
    assert len(report.failed) >= 1
    failed_people = {person for person, _, _ in report.failed}
    with new_uow() as uow:
        failed = [r for r in uow.reminders.recent(limit=10) if r.state is SendState.FAILED]
    assert {r.person for r in failed} == failed_people
    assert all(r.next_attempt_at == NINE_BST + timedelta(minutes=1) for r in failed)
    # Too early for the retry: nothing more.
    slack_reminder_sender(new_uow, fake_slack, "other", config=config).send_due(NINE_BST + timedelta(seconds=30))
    with new_uow() as uow:
        assert {r.person for r in uow.reminders.recent(limit=10) if r.state is SendState.FAILED} == failed_people
    retry = slack_reminder_sender(new_uow, fake_slack, "other", config=config).send_due(NINE_BST + timedelta(minutes=2))
    assert sorted(p for p, _ in retry.sent) == sorted(failed_people)
    with new_uow() as uow:
        rows = uow.reminders.recent(limit=10)
    assert {r.state for r in rows} == {SendState.SENT}
    assert all(r.attempts == 2 for r in rows if r.person in failed_people)


def test_the_pass_costs_the_same_sql_for_few_people_and_many(tmp_path: object) -> None:
    """Reading and claiming: a fixed number of statements, whatever the number of people."""
    from pathlib import Path

    from sqlalchemy import event

    from bot.domain.model import Person
    from config.settings import Settings
    from bot.reminders.sender import ReminderSender

    class Nowhere:
        kind = "email"

        def deliver(self, record: object, progress: object) -> None:
            return None

        def notify(self, address: str, text: str) -> None:
            return None

    counts = []
    for people in (5, 60):
        engine = make_engine(f"sqlite:///{Path(str(tmp_path)) / f'{people}.db'}")
        try:
            ensure_schema(engine)
            new_uow = unit_of_work_factory(engine)
            load(new_uow)
            with new_uow() as uow:
                for n in range(people):  # members of a team whose every member is reminded
                    uow.people.add(Person(name=f"Extra {n}", team="Commissioning Team", email=f"x{n}@example.org"),
                                   {"email": f"x{n}@example.org"})
                uow.reminders.set_team("Commissioning Team", remind_all=True)
                uow.commit()
            statements: list[str] = []
            event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
            claimed = ReminderSender(new_uow, {"email": Nowhere(), "slack": Nowhere()}, "count", Settings(),
                                     ReminderSettings()).claim_due(NINE_BST)
            assert len(claimed) == people + len(PEOPLE)  # Monday: the team's overdue actions, to each member
            counts.append(sum(1 for s in statements if s.split()[0].upper() in ("SELECT", "INSERT", "UPDATE")))
        finally:
            engine.dispose()
    assert counts[0] == counts[1], counts


def test_the_message_is_built_at_the_send_time_not_again_at_every_poll(migrated_engine: Engine,  # noqa: F811
                                                                      fake_slack: FakeSlackApi) -> None:
    """A person with nothing due at 09:00 gets nothing that day, even if something falls due
    later in the morning: tomorrow's message will list it."""
    new_uow = unit_of_work_factory(migrated_engine)
    load(new_uow)
    sender = slack_reminder_sender(new_uow, fake_slack)
    with new_uow() as uow:  # Kim's actions move out of this week: nothing due for her at 09:05
        for code in OWNED["Kim Lowe"]:
            (action,) = uow.actions.find(code)
            action.due_date = action.due_date + timedelta(days=60) if action.due_date else None
            action.updated_at = NINE_BST - timedelta(days=1)  # and updated lately: no update request
            uow.actions.save(action)
        uow.commit()
    sender.send_due(NINE_BST)
    assert len(_posts(fake_slack)) == len(PEOPLE) - 1
    with new_uow() as uow:  # at 09:30 one of them is due tomorrow again
        (action,) = uow.actions.find(OWNED["Kim Lowe"][0])
        action.due_date = NINE_BST.date() + timedelta(days=1)
        uow.actions.save(action)
        uow.commit()
    sender.send_due(NINE_BST + timedelta(minutes=25))
    assert len(_posts(fake_slack)) == len(PEOPLE) - 1
    sender.send_due(NINE_BST + timedelta(days=1))  # Tuesday: due today
    assert fake_slack.dm_channel(PEOPLE["Kim Lowe"]) in _posts(fake_slack)
