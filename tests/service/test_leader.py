"""Several instances on one PostgreSQL database: one polls the shared mailbox at a time; when
its lock's connection ends (the process died, the network dropped) another takes over within
a poll period. On SQLite the one instance always polls."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from bot.app import Runtime, build_runtime
from bot.mail.mailbox import MailItem
from bot.mail.service import MailPollService
from bot.mail.settings import MailSettings
from config.settings import Settings
from storage import make_engine
from tests.storage_fixtures import database_url  # noqa: F401  (the fixture)

POLL_S = 0.2


class CountingMailbox:
    """An empty inbox that counts how often it is asked (each ask is a Graph round trip)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.fetches = 0
        self._lock = threading.Lock()

    def fetch_new(self) -> Iterator[MailItem]:
        with self._lock:
            self.fetches += 1
        return iter(())

    def move(self, item: MailItem, folder: str) -> None: ...

    def send(self, mail: Any) -> None: ...

    def close(self) -> None: ...


def poller(runtime: Runtime, name: str) -> tuple[MailPollService, CountingMailbox]:
    mailbox = CountingMailbox(name)
    settings = replace(MailSettings.from_extra({}), poll_seconds=POLL_S)
    return MailPollService(runtime, settings, mailbox), mailbox  # type: ignore[arg-type]


def wait_until(condition: Any, seconds: float, what: str) -> float:
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < seconds, f"{what} did not happen within {seconds} s"
        time.sleep(0.02)
    return time.monotonic() - started


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_one_instance_polls_and_another_takes_over_when_its_connection_ends(
        database_url: str, caplog: pytest.LogCaptureFixture) -> None:  # noqa: F811
    caplog.set_level("INFO", logger="bot.mail.service")
    runtimes = [build_runtime(Settings(database_url=database_url), environ={}) for _ in range(3)]
    services = [poller(runtime, f"instance {n}") for n, runtime in enumerate(runtimes)]
    admin = make_engine(database_url)
    try:
        for service, _ in services:
            service.start()
        wait_until(lambda: sum(m.fetches for _, m in services) >= 10, 15, "ten passes")
        time.sleep(1.0)
        leaders = [(s, m) for s, m in services if m.fetches]
        assert len(leaders) == 1, [m.fetches for _, m in services]
        leader, leader_box = leaders[0]
        assert [s.leading for s, _ in services].count(True) == 1
        assert "this instance polls the shared mailbox" in caplog.text
        assert caplog.text.count("another instance polls the shared mailbox; this one waits to take over") == 2

        # The leader's lock connection ends, as when its host or network dies.
        with admin.connect() as connection:
            ended = connection.execute(text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_locks "
                "WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database "
                "WHERE datname = current_database()) AND pid <> pg_backend_pid() "
                "AND ((classid::bigint << 32) | objid::bigint) = :key"),
                {"key": leader.leadership.key}).scalar_one()
            connection.commit()
        assert ended == 1
        others = [(s, m) for s, m in services if s is not leader]
        before = {id(m): m.fetches for _, m in others}
        took = wait_until(lambda: any(m.fetches > before[id(m)] for _, m in others), 10 * POLL_S + 5,
                          "a takeover")
        time.sleep(1.0)
        assert [s.leading for s, _ in services].count(True) == 1, [s.leading for s, _ in services]
        assert "lost the lead" in caplog.text

        # A leader that stops gives the lead up at once.
        new_leader = next(s for s, _ in services if s.leading)
        new_leader.stop()
        remaining = [(s, m) for s, m in services if s is not new_leader]
        before = {id(m): m.fetches for _, m in remaining}
        wait_until(lambda: any(m.fetches > before[id(m)] for _, m in remaining), 10 * POLL_S + 5,
                   "a takeover after a clean stop")
    finally:
        for service, _ in services:
            service.stop()
        for runtime in runtimes:
            runtime.close()
        admin.dispose()
    print(f"\ntakeover after the leader's connection ended: {took:.2f} s (poll period {POLL_S} s)")


def test_on_sqlite_the_one_instance_always_polls(tmp_path: Path) -> None:
    runtime = build_runtime(Settings(database_url=f"sqlite:///{tmp_path / 'bot.db'}"), environ={})
    service, mailbox = poller(runtime, "the only instance")
    try:
        service.start()
        wait_until(lambda: mailbox.fetches >= 3, 10, "three passes")
        assert service.leading is True and service.health() is None
    finally:
        service.stop()
        runtime.close()
