"""Migrations match the tables, on SQLite and PostgreSQL, and starting up stays cheap."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from storage import ensure_schema
from storage.errors import SchemaTooNew
from storage.schema import SCHEMA_HEAD, alembic_head, current_revision, target_metadata
from tests.storage_fixtures import database_url, engine, migrated_engine  # noqa: F401

REPO = Path(__file__).resolve().parent.parent


def test_schema_head_constant_is_alembics_head() -> None:
    assert SCHEMA_HEAD == alembic_head(), (
        "a migration was added: set storage.schema.SCHEMA_HEAD to its revision"
    )


def test_migrated_database_matches_the_table_modules(migrated_engine: Engine) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with migrated_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, target_metadata())
    assert differences == [], "migrations and storage tables differ; write a migration"


def test_ensure_schema_refuses_a_database_from_a_newer_actionbot(migrated_engine: Engine) -> None:
    with migrated_engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(SchemaTooNew, match="9999"):
        ensure_schema(migrated_engine)
    assert current_revision(migrated_engine) == "9999"


def _run_python(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_ensure_schema_on_a_current_database_does_not_load_alembic(
    migrated_engine: Engine, database_url: str  # noqa: F811
) -> None:
    loaded = _run_python(
        "import sys\n"
        "from storage import make_engine, ensure_schema\n"
        f"engine = make_engine({database_url!r})\n"
        "ensure_schema(engine)\n"
        "engine.dispose()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))\n"
    )
    assert loaded == "[]"


def test_importing_storage_loads_neither_alembic_nor_sqlalchemy() -> None:
    loaded = _run_python(
        "import sys, storage, storage.errors\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'alembic', 'sqlalchemy'}))\n"
    )
    assert loaded == "[]"
