"""/readyz says what is wrong, by name, with 503: a schema behind the code, a stalled poller."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.app import Runtime, build_runtime
from bot.daemon import build_front
from bot.http.addresses import listen_addresses
from bot.http.server import HttpFront
from config.settings import Settings
from storage.schema import SCHEMA_HEAD
from tests.service.running import get
from storage.schema import SCHEMA_HEAD


class StalledPoller:
    name = "mail (graph inbox@council.example)"
    is_chat = False
    problem: str | None = None

    def health(self) -> str | None:
        return self.problem


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[Runtime]:
    running = build_runtime(Settings(database_url=f"sqlite:///{tmp_path / 'bot.db'}"),
                            environ={"ACTIONBOT_HTTP_PORT": "0"})
    yield running
    running.close()


@pytest.fixture
def served(runtime: Runtime) -> Iterator[tuple[HttpFront, StalledPoller]]:
    poller = StalledPoller()
    front = build_front(runtime, [poller])
    front.start()
    yield front, poller
    front.stop()


def test_ready_when_the_database_is_current_and_every_service_keeps_up(
        served: tuple[HttpFront, StalledPoller]) -> None:
    front, _ = served
    answer = get(front.bound[0][1], "/readyz")
    assert answer.status == 200
    assert answer.json() == {"status": "ready", "checks": {"database": "ok", "schema": "ok",
                                                           "mail (graph inbox@council.example)": "ok"}}


def test_a_stalled_poller_makes_it_not_ready_and_is_named(served: tuple[HttpFront, StalledPoller]) -> None:
    front, poller = served
    poller.problem = "mail (graph inbox@council.example) has not completed a pass for 95 s (it polls every 30 s)"
    answer = get(front.bound[0][1], "/readyz")
    assert answer.status == 503
    assert answer.json()["problems"] == {"mail (graph inbox@council.example)": poller.problem}
    assert get(front.bound[0][1], "/healthz").status == 200  # alive, just not ready


def test_a_schema_behind_the_code_is_named_with_what_to_run(runtime: Runtime,
                                                             served: tuple[HttpFront, StalledPoller]) -> None:
    front, _ = served
    with runtime.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0007'"))
    answer = get(front.bound[0][1], "/readyz")
    assert answer.status == 503
    assert answer.json()["problems"] == {
        "schema": f"the database schema is at 0007, this actionbot needs {SCHEMA_HEAD}; run `actionbot db upgrade`"}


def test_an_unreachable_database_is_named(runtime: Runtime) -> None:
    from storage import make_engine

    # Port 9 (discard) on loopback: nothing listens there, the connection is refused at once.
    gone = replace(runtime, engine=make_engine("postgresql+psycopg://nobody@127.0.0.1:9/none"))
    front = build_front(gone, [])
    front.start()
    try:
        answer = get(front.bound[0][1], "/readyz")
    finally:
        front.stop()
        gone.engine.dispose()
    assert answer.status == 503
    problems = answer.json()["problems"]
    assert problems["database"].startswith("the database cannot be reached (OperationalError"), problems
    assert problems["schema"] == "not checked: the database cannot be reached"


@pytest.mark.parametrize("environ, addresses", [
    ({}, [("127.0.0.1", 3978)]),
    ({"ACTIONBOT_HTTP_HOST": "0.0.0.0", "ACTIONBOT_HTTP_PORT": "8080"}, [("0.0.0.0", 8080)]),
    ({"ACTIONBOT_SLACK_PORT": "3000"}, [("127.0.0.1", 3000)]),
    ({"ACTIONBOT_TEAMS_HOST": "127.0.0.1", "ACTIONBOT_TEAMS_PORT": "3978"}, [("127.0.0.1", 3978)]),
    ({"ACTIONBOT_HTTP_PORT": "8080", "ACTIONBOT_SLACK_PORT": "3000", "ACTIONBOT_TEAMS_PORT": "3978"},
     [("127.0.0.1", 8080), ("127.0.0.1", 3000), ("127.0.0.1", 3978)]),
    ({"ACTIONBOT_HTTP_PORT": "3978", "ACTIONBOT_TEAMS_PORT": "3978"}, [("127.0.0.1", 3978)]),
], ids=["default", "http-only", "legacy-slack-only", "legacy-teams-only", "all-three-differ", "same-twice"])
def test_where_the_server_listens(environ: dict[str, str], addresses: list[tuple[str, int]]) -> None:
    assert listen_addresses(environ) == addresses


def test_two_addresses_serve_the_same_endpoints(runtime: Runtime) -> None:
    front = build_front(replace(runtime, environ={"ACTIONBOT_HTTP_PORT": "0", "ACTIONBOT_SLACK_HOST": "127.0.0.2",
                                                  "ACTIONBOT_SLACK_PORT": "0"}), [])
    front.start()
    try:
        assert [host for host, _ in front.bound] == ["127.0.0.1", "127.0.0.2"]
        assert all(get(port, "/healthz", host=host).status == 200 for host, port in front.bound)
    finally:
        front.stop()
