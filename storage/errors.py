"""Errors storage raises, so callers can answer a person without knowing SQLAlchemy.

This module imports nothing but the standard library: a fake unit of work and the handlers
can raise and catch the same errors without loading SQLAlchemy.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator


class StorageError(Exception):
    """Something storage could not do; the message is a sentence a person can read."""


class NotFound(StorageError, LookupError):
    """The plan, action or person named does not exist."""


class Duplicate(StorageError, ValueError):
    """A row with the same unique key (plan name, action code, person name) exists."""


class DuplicateIdentity(Duplicate):
    """A chat or mail identity is already linked to a person."""


class SchemaTooNew(StorageError):
    """The database was migrated by a newer actionbot than this one."""


class DatabaseBusy(StorageError):
    """Another writer held the database for longer than we wait; nothing was changed."""


class DatabaseHeld(DatabaseBusy):
    """Another process held the SQLite file for the whole of a command's wait (see
    storage.writer_wait); waiting again at once would only double the wait, so it is not a
    reason to retry."""

    def __init__(self, name: str, waited_s: float) -> None:
        super().__init__(
            f"{name} is busy: another actionbot process (an import?) has held it for {waited_s:.0f} s; "
            "nothing was changed. Try again when it has finished."
        )
        self.name = name
        self.waited_s = waited_s


def is_database_busy(exc: BaseException) -> bool:
    """True when `exc` (or what caused it) is SQLite's "database is locked" (SQLITE_BUSY after
    the busy timeout) or our own DatabaseBusy: the unit of work changed nothing and can be
    run again as a whole."""
    for current in _chain(exc):
        if isinstance(current, DatabaseBusy):
            return True
        if isinstance(current, sqlite3.OperationalError) and "database is locked" in str(current):
            return True
    return False


def retry_reason(exc: BaseException) -> str | None:
    """Why the unit of work that `exc` interrupted may be run again as a whole ("database
    connection lost", "database busy"), or None when it may not."""
    if is_connection_lost(exc):
        return "database connection lost"
    if any(isinstance(current, DatabaseHeld) for current in _chain(exc)):
        return None  # the whole wait is spent already
    if is_database_busy(exc):
        return "database busy"
    return None


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """`exc` and what caused it, each once (a cycle of causes ends the walk)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def is_connection_lost(exc: BaseException) -> bool:
    """True when `exc` (or what caused it) says the database connection broke or cannot be made
    just now: the server restarted or is restarting, an administrator ended the session, the
    network dropped. SQLAlchemy marks a broken connection `connection_invalidated` and drops it
    from its pool; a server that refuses connections while it shuts down or starts up answers
    with SQLSTATE class 08 or 57P (or, with nothing listening, no SQLSTATE at all). Either way
    the unit of work did not happen (the server rolled it back), so it can be run again whole."""
    for current in _chain(exc):
        if getattr(current, "connection_invalidated", False):
            return True
        if _is_connect_failure(current):
            return True
    return False


def _is_connect_failure(exc: BaseException) -> bool:
    # psycopg's OperationalError, recognised without importing psycopg (it is optional).
    if not any(k.__name__ == "OperationalError" and k.__module__.startswith("psycopg") for k in type(exc).__mro__):
        return False
    sqlstate = getattr(exc, "sqlstate", None)
    return sqlstate is None or sqlstate.startswith(("08", "57P"))
