"""Bring a database to the schema this code expects.

`ensure_schema` runs on every start of the bot and the CLI, so its usual path (database
already current) reads one row and never imports Alembic. Only a database that is empty or
behind pays for Alembic.
"""

from __future__ import annotations

import importlib
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, MetaData, text
from sqlalchemy.exc import DBAPIError

from storage.errors import SchemaTooNew

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

log = logging.getLogger(__name__)

# The newest revision in storage/migrations/versions. A test checks it against Alembic's
# real head: adding a migration means updating this constant.
SCHEMA_HEAD = "0013"

# Modules that define tables on storage.base.Base. A feature that adds tables adds its module.
TABLE_MODULES: tuple[str, ...] = (
    "storage.tables", "storage.teams_tables", "storage.concerns_tables", "storage.digest_tables",
    "storage.reminder_tables",
)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

# Any fixed number: serialises concurrent `upgrade` calls on PostgreSQL.
_PG_MIGRATION_LOCK = 7_354_201


def target_metadata() -> MetaData:
    """The metadata of every table module, as migrations should leave the database."""
    from storage.base import Base

    for module in TABLE_MODULES:
        importlib.import_module(module)
    return Base.metadata


def current_revision(engine: Engine) -> str | None:
    """The revision in alembic_version, or None for a database never migrated."""
    with engine.connect() as connection:
        return _read_revision(connection)


def _read_revision(connection: Connection) -> str | None:
    try:
        with connection.begin_nested() if connection.in_transaction() else connection.begin():
            rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    except DBAPIError:
        return None  # no alembic_version table yet
    return rows[0][0] if rows else None


def ensure_schema(engine: Engine) -> None:
    """Upgrade the database to SCHEMA_HEAD if it is empty or behind; cheap when current."""
    if current_revision(engine) == SCHEMA_HEAD:
        return
    upgrade(engine)


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration, built in code: no alembic.ini is needed at run time."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


def alembic_head() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError(f"no Alembic revisions found in {MIGRATIONS_DIR}")
    return head


def upgrade(engine: Engine, revision: str = "head") -> None:
    """`actionbot db upgrade`: run Alembic migrations up to `revision` (default: head)."""
    from alembic import command
    from alembic.script import ScriptDirectory

    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Two processes starting on an empty database must not both create the tables.
            lock = text("SELECT pg_advisory_xact_lock(:key)")
            connection.execute(lock, {"key": _PG_MIGRATION_LOCK})
        config = alembic_config(connection)
        found = _read_revision(connection)
        if not _known(ScriptDirectory.from_config(config), found):
            raise SchemaTooNew(
                f"The database is at schema revision {found}, which this version of actionbot "
                f"does not know (it knows up to {SCHEMA_HEAD}). Upgrade actionbot, or point it "
                "at another database."
            )
        log.info("migrating database", extra={"from_revision": found, "to_revision": revision})
        command.upgrade(config, revision)


def _known(script: ScriptDirectory, revision: str | None) -> bool:
    from alembic.script.revision import RevisionError
    from alembic.util import CommandError

    if revision is None:
        return True
    try:
        return script.get_revision(revision) is not None
    except (RevisionError, CommandError):
        return False
