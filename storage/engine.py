"""Engines for SQLite (one team, one file) and PostgreSQL (shared deployments)."""

from __future__ import annotations

import threading
import weakref
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from storage.writer_gate import WriterGate

# How long a SQLite writer waits for another writer before "database is locked".
SQLITE_BUSY_TIMEOUT_MS = 5000
# How long a unit of work waits for its turn behind the others in this process (see writer_gate).
WRITER_GATE_TIMEOUT_S = 20.0

_gates_lock = threading.Lock()
# A file's gate lives as long as an engine on that file does.
_gates_by_file: weakref.WeakValueDictionary[str, WriterGate] = weakref.WeakValueDictionary()
_gates_by_engine: weakref.WeakKeyDictionary[Engine, WriterGate] = weakref.WeakKeyDictionary()


def writer_gate(engine: Engine) -> WriterGate | None:
    """The gate units of work on `engine` queue at: one per SQLite file, None for PostgreSQL
    (which locks rows, not the whole database) and for in-memory SQLite."""
    return _gates_by_engine.get(engine)


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for `url`; no connection is made until first use.

    `sqlite:///path/to.db` (parent folders are created), `sqlite://` for memory, or
    `postgresql+psycopg://user@host/db` (a bare `postgresql://` is given the psycopg driver).
    Bound parameters are left out of SQL logging and of error messages: they can be the text
    of a safeguarding entry, and an error's message ends up in a log.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(parsed, echo=echo, pool_pre_ping=True, hide_parameters=True)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, echo=echo)
    raise ValueError(
        f"actionbot stores its data in SQLite or PostgreSQL; {parsed.get_backend_name()!r} "
        "is not supported. Use sqlite:///actionbot.db or postgresql+psycopg://user@host/db."
    )


def _sqlite_engine(parsed: Any, *, echo: bool) -> Engine:
    database = parsed.database or ""
    is_file = database not in ("", ":memory:") and not database.startswith("file:")
    if is_file:
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed, echo=echo, hide_parameters=True)
    if is_file:
        key = str(Path(database).expanduser().resolve())
        with _gates_lock:
            gate = _gates_by_file.get(key)
            if gate is None:
                gate = _gates_by_file[key] = WriterGate(key)
            _gates_by_engine[engine] = gate

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # Take BEGIN away from the sqlite3 driver (before Python 3.12 it skips BEGIN for
        # SELECT, so a unit of work's reads were not in its transaction); see "begin" below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            if is_file:
                # Readers no longer block the writer, and the writer no longer blocks readers.
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        # IMMEDIATE takes the write lock up front. A unit of work reads an action and then
        # writes it; with a deferred BEGIN, a second writer in between makes the write fail
        # at once with SQLITE_BUSY (busy_timeout does not apply to that upgrade). Taking the
        # lock first turns that into a short wait; units of work last milliseconds.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
