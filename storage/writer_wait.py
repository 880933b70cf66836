"""Waiting for another process's write lock on a SQLite file, for as long as a person will.

The writer gate (storage.writer_gate) queues the writers of one process. Another process, say
an `actionbot import` of a large plan, holds the file's write lock for its whole transaction,
which can be minutes; SQLite's busy timeout (seconds) then runs out and the second writer used
to end in a 200-line "database is locked" traceback. A command run from the terminal waits
instead: it tries BEGIN IMMEDIATE again until `limit_s` has passed, says once (after about a
second) that it is waiting, and then gives up with DatabaseHeld, a sentence, having changed
nothing. `actionbot run` does not wait like this: its dispatcher answers the sender sooner.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from storage.errors import DatabaseHeld

# Try for this long before saying that we are waiting.
NOTICE_AFTER_S = 1.0
# Then in steps of this long: SQLite polls the lock within a step (every 100 ms at most).
STEP_S = 5.0


@dataclass(frozen=True)
class WriterWait:
    """How long a unit of work waits for another process's write lock, and whom to tell."""

    limit_s: float
    # Called once with the file's name when the wait has lasted NOTICE_AFTER_S.
    notify: Callable[[str], None] | None = None


def begin_immediate_waiting(dbapi_connection: Any, wait: WriterWait, name: str, busy_timeout_ms: int) -> None:
    """BEGIN IMMEDIATE on a sqlite3 connection, waiting up to `wait.limit_s` for the lock;
    DatabaseHeld (nothing begun) when it has not come by then."""
    started = time.monotonic()
    told = False
    try:
        while True:
            remaining = wait.limit_s - (time.monotonic() - started)
            step = max(0.0, min(STEP_S if told else NOTICE_AFTER_S, remaining))
            dbapi_connection.execute(f"PRAGMA busy_timeout={int(step * 1000)}")
            try:
                dbapi_connection.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if "database is locked" not in str(exc):
                    raise
            if time.monotonic() - started >= wait.limit_s:
                break
            if not told and wait.notify is not None:
                wait.notify(name)
            told = True
    finally:
        dbapi_connection.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
    raise DatabaseHeld(name, wait.limit_s)
