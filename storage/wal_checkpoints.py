"""WAL checkpoints of a SQLite file, run beside the units of work instead of inside one.

In WAL mode a commit only appends to the log (`bot.db-wal`); a checkpoint copies the log back
into the database file, with an fsync of each. Left to SQLite, the COMMIT that takes the log
past 1,000 pages runs the checkpoint itself: about one Slack status update in 80 (each writes
about 13 pages) waited 5-15 ms longer than the others, and its reply and Slack's ack with it
(bench/slack_latency.py's p99, issue 18).

Here a thread per engine runs the checkpoint instead, every `CHECKPOINT_EVERY` commits, in
PASSIVE mode: it never waits for a reader or a writer, nor makes one wait. The pooled
connections still checkpoint for themselves past `FALLBACK_PAGES`, so the log stays bounded
should the thread fall behind (a long import's one big transaction, a reader holding an old
snapshot). The thread starts on the first checkpoint due and ends after `IDLE_EXIT_S` without
one, so a short command never starts it and a test suite of many databases does not keep one
thread per file. Disposing of the engine waits for a checkpoint under way (the files may be
deleted next).
"""

from __future__ import annotations

import logging
import threading
import weakref
from typing import Any

from sqlalchemy import Engine, event

log = logging.getLogger(__name__)

CHECKPOINT_EVERY = 50  # commits: about 650 pages of status updates, under SQLite's 1,000
FALLBACK_PAGES = 10_000  # PRAGMA wal_autocheckpoint of the pooled connections (about 40 MB)
IDLE_EXIT_S = 30.0
_DISPOSE_WAIT_S = 5.0


class WalCheckpointer:
    """Counts an engine's commits and runs a PASSIVE checkpoint on its own thread every
    `CHECKPOINT_EVERY` of them."""

    def __init__(self, engine: Engine) -> None:
        self._engine = weakref.ref(engine)
        self._lock = threading.Lock()
        self._due = threading.Event()  # a checkpoint is due
        self._idle = threading.Event()  # no checkpoint under way
        self._idle.set()
        self._thread: threading.Thread | None = None
        self._commits = 0
        self.checkpoints = 0  # run so far (tests and the benchmark notes read it)

    def committed(self) -> None:
        with self._lock:
            self._commits += 1
            if self._commits < CHECKPOINT_EVERY:
                return
            self._commits = 0
            self._due.set()
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="sqlite-checkpoint", daemon=True)
                self._thread.start()

    def wait_idle(self, timeout: float) -> bool:
        """Drop a checkpoint not yet begun and wait for one under way; False if it outlasted `timeout`."""
        with self._lock:
            self._due.clear()
            self._commits = 0
        return self._idle.wait(timeout)

    def _run(self) -> None:
        while True:
            if not self._due.wait(IDLE_EXIT_S):
                with self._lock:
                    if not self._due.is_set():  # committed() starts a new thread from now on
                        self._thread = None
                        return
            with self._lock:
                if not self._due.is_set():  # dropped by wait_idle
                    continue
                self._due.clear()
                self._idle.clear()
            try:
                self._checkpoint()
            finally:
                self._idle.set()

    def _checkpoint(self) -> None:
        engine = self._engine()
        if engine is None:
            return
        try:
            connection = engine.raw_connection()
            try:
                connection.driver_connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            finally:
                connection.close()
        except Exception as exc:  # the commits are safe in the log; the fallback checkpoints it
            log.warning("sqlite checkpoint failed; the connections will checkpoint the log themselves",
                        extra={"error": type(exc).__name__})
            return
        self.checkpoints += 1


def checkpoint_in_background(engine: Engine) -> WalCheckpointer:
    """Take `engine`'s checkpoints off its commits (its connections must set
    `PRAGMA wal_autocheckpoint=FALLBACK_PAGES`)."""
    checkpointer = WalCheckpointer(engine)

    def committed(_connection: Any) -> None:
        checkpointer.committed()

    def disposed(_engine: Any) -> None:
        checkpointer.wait_idle(_DISPOSE_WAIT_S)

    event.listen(engine, "commit", committed)
    event.listen(engine, "engine_disposed", disposed)
    return checkpointer
