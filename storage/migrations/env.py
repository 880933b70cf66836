"""Alembic environment for actionbot.

`storage.schema.upgrade` passes an open connection in `config.attributes["connection"]`; no
alembic.ini is read. To write a migration: copy the newest file in versions/, give it the
next number, and bump `storage.schema.SCHEMA_HEAD` (a test compares the migrated database
with the table modules, on SQLite and PostgreSQL). To see what Alembic would suggest:

    from alembic import command
    from storage.schema import alembic_config
    command.revision(alembic_config(connection), autogenerate=True, message="...")
"""

from __future__ import annotations

import os

from alembic import context

from storage.schema import target_metadata

config = context.config


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata(),
        # SQLite cannot ALTER most things; batch mode copies the table instead.
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from storage.engine import make_engine

    url = config.get_main_option("sqlalchemy.url") or os.environ.get("ACTIONBOT_DATABASE_URL")
    if not url:
        raise SystemExit("set ACTIONBOT_DATABASE_URL (or sqlalchemy.url) to run migrations")
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("actionbot migrations run online only: pass a database URL")
run_migrations_online()
