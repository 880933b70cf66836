"""Fixtures for the storage contract tests: the same tests on SQLite and PostgreSQL.

SQLite runs always, on a file in tmp_path. PostgreSQL runs when ACTIONBOT_TEST_PG_URL is set
(e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test); each test gets its own schema,
dropped afterwards, so runs never collide. Without the URL they are skipped with that reason;
.ci/run's PostgreSQL lane sets it and runs `pytest -m postgres`, where a run that selects
no test fails (exit 5), so the lane cannot silently stop running.

Import the fixtures into a test module: `from tests.storage_fixtures import database_url, engine`.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from storage import SqlUnitOfWork, make_engine, unit_of_work_factory, upgrade

PG_URL_VARIABLE = "ACTIONBOT_TEST_PG_URL"
PG_SKIP_REASON = f"set {PG_URL_VARIABLE} to run the PostgreSQL lane"

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


def _postgres_url_or_skip() -> str:
    url = os.environ.get(PG_URL_VARIABLE, "").strip()
    if url:
        return url
    # .ci/run runs these in its PostgreSQL lane (`pytest -m postgres` with the URL set).
    pytest.skip(PG_SKIP_REASON)


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'actionbot.db'}"
        return
    base_url = _postgres_url_or_skip()
    schema = f"actionbot_test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base_url)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        # Every connection of the test's engine works inside its own schema.
        url = make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on an empty database (no tables yet)."""
    engine = make_engine(database_url)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def migrated_engine(engine: Engine) -> Engine:
    upgrade(engine)
    return engine


@pytest.fixture
def new_uow(migrated_engine: Engine) -> Callable[[], SqlUnitOfWork]:
    return unit_of_work_factory(migrated_engine)
