"""Engines for SQLite (one team, one file) and PostgreSQL (shared deployments)."""

from __future__ import annotations

import logging
import threading
import weakref
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from storage.storable_text import dumps_storable, strip_unstorable
from storage.wal_checkpoints import FALLBACK_PAGES, WalCheckpointer, checkpoint_in_background
from storage.writer_gate import WriterGate
from storage.writer_wait import WriterWait, begin_immediate_waiting

# How long a SQLite writer waits for another writer before "database is locked".
SQLITE_BUSY_TIMEOUT_MS = 5000
# How long a unit of work waits for its turn behind the others in this process (see writer_gate).
WRITER_GATE_TIMEOUT_S = 20.0

_gates_lock = threading.Lock()
# A file's gate lives as long as an engine on that file does.
_gates_by_file: weakref.WeakValueDictionary[str, WriterGate] = weakref.WeakValueDictionary()
_gates_by_engine: weakref.WeakKeyDictionary[Engine, WriterGate] = weakref.WeakKeyDictionary()
_checkpointers: weakref.WeakKeyDictionary[Engine, WalCheckpointer] = weakref.WeakKeyDictionary()


# Bound parameters are what people wrote (a safeguarding concern's text, a mail's body): they
# never go into a log line (echo, sqlalchemy.engine at INFO) or an exception's text, which
# the mail ingestor and the dispatcher log. Exceptions say "[SQL parameters hidden due to
# hide_parameters=True]" instead.
_ENGINE_OPTIONS: dict[str, Any] = {"hide_parameters": True, "json_serializer": dumps_storable}


def _storing_text(engine: Engine) -> Engine:
    """Every statement's text parameters made storable on the way to the driver (see
    storage.storable_text)."""
    event.listen(engine, "before_cursor_execute", strip_unstorable, retval=True)
    _hide_row_values()
    return engine


class HideRowValues(logging.Filter):
    """With sqlalchemy.engine at DEBUG, SQLAlchemy logs every row it reads ("Row (1, 'PQ-…',
    'carer slapped…')"); hide_parameters does not cover those. The line stays, its values go."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and record.msg.endswith("Row %r"):
            record.msg, record.args = record.msg[: -len("%r")] + "[values hidden]", ()
        return True


def _hide_row_values() -> None:
    # Rows are logged on the class-level logger (engines here have no logging_name).
    logger = logging.getLogger("sqlalchemy.engine.Engine")
    if not any(isinstance(f, HideRowValues) for f in logger.filters):
        logger.addFilter(HideRowValues())


def writer_gate(engine: Engine) -> WriterGate | None:
    """The gate units of work on `engine` queue at: one per SQLite file, None for PostgreSQL
    (which locks rows, not the whole database) and for in-memory SQLite."""
    return _gates_by_engine.get(engine)


def wal_checkpointer(engine: Engine) -> WalCheckpointer | None:
    """What runs the WAL checkpoints of `engine`'s SQLite file (storage.wal_checkpoints);
    None for PostgreSQL and in-memory SQLite."""
    return _checkpointers.get(engine)


def make_engine(url: str, *, echo: bool = False, writer_wait: WriterWait | None = None) -> Engine:
    """An engine for `url`; no connection is made until first use.

    `sqlite:///path/to.db` (parent folders are created), `sqlite://` for memory, or
    `postgresql+psycopg://user@host/db` (a bare `postgresql://` is given the psycopg driver).
    Bound parameters are left out of SQL logging and of error messages: they can be the text
    of a safeguarding entry, and an error's message ends up in a log.
    `writer_wait`: on a SQLite file, how long a transaction waits for another process's write
    lock beyond the busy timeout (storage.writer_wait); commands run from a terminal set it.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return _storing_text(create_engine(parsed, echo=echo, pool_pre_ping=True, **_ENGINE_OPTIONS))
    if parsed.get_backend_name() == "sqlite":
        return _storing_text(_sqlite_engine(parsed, echo=echo, writer_wait=writer_wait))
    raise ValueError(
        f"actionbot stores its data in SQLite or PostgreSQL; {parsed.get_backend_name()!r} "
        "is not supported. Use sqlite:///actionbot.db or postgresql+psycopg://user@host/db."
    )


def _sqlite_engine(parsed: Any, *, echo: bool, writer_wait: WriterWait | None) -> Engine:
    database = parsed.database or ""
    is_file = database not in ("", ":memory:") and not database.startswith("file:")
    if is_file:
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed, echo=echo, **_ENGINE_OPTIONS)
    if is_file:
        key = str(Path(database).expanduser().resolve())
        with _gates_lock:
            gate = _gates_by_file.get(key)
            if gate is None:
                gate = _gates_by_file[key] = WriterGate(key)
            _gates_by_engine[engine] = gate
        _checkpointers[engine] = checkpoint_in_background(engine)

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
                # Checkpoints run beside the units of work (storage.wal_checkpoints); this
                # only bounds the log should they fall behind.
                cursor.execute(f"PRAGMA wal_autocheckpoint={FALLBACK_PAGES}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        # IMMEDIATE takes the write lock up front. A unit of work reads an action and then
        # writes it; with a deferred BEGIN, a second writer in between makes the write fail
        # at once with SQLITE_BUSY (busy_timeout does not apply to that upgrade). Taking the
        # lock first turns that into a short wait; units of work last milliseconds.
        # On the driver's connection: every unit of work begins here, and SQLAlchemy's
        # execution costs several times SQLite's own for this statement (issue 18). "database
        # is locked" is then the driver's OperationalError, as from begin_immediate_waiting.
        driver_connection = connection.connection.driver_connection
        if writer_wait is None or not is_file:
            driver_connection.execute("BEGIN IMMEDIATE")
        else:
            begin_immediate_waiting(driver_connection, writer_wait, Path(database).name, SQLITE_BUSY_TIMEOUT_MS)

    return engine
