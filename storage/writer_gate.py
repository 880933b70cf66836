"""First come, first served: one unit of work at a time per SQLite file in this process.

SQLite lets one writer in at a time, and a unit of work takes the write lock with BEGIN
IMMEDIATE. Left to SQLite, threads waiting for that lock poll it (its busy handler sleeps
1, 2, 5 ... 100 ms between tries), so under dozens of concurrent senders an unlucky thread can
keep losing for the whole busy timeout and fail with "database is locked" while later
arrivals get in. bench/slack_throughput.py showed exactly that: one or two HTTP 500s a minute
with 50 senders, and a p99 of seconds.

The gate queues the units of work of one process in arrival order and hands the turn to the
next waiter directly, so no one starves and no one polls. SQLite's busy timeout still covers
writers in other processes (an `actionbot import` run beside `actionbot run`). The gate is
re-entrant in the same thread, which keeps the behaviour of a unit of work opened inside
another exactly what it was without the gate.
"""

from __future__ import annotations

import threading
from collections import deque

from storage.errors import DatabaseBusy


class WriterGate:
    """A re-entrant lock whose waiters are served in arrival order."""

    def __init__(self, name: str = "") -> None:
        self.name = name
        self._mutex = threading.Lock()
        self._owner: int | None = None
        self._depth = 0
        self._queue: deque[tuple[int, threading.Event]] = deque()

    def acquire(self, timeout: float) -> None:
        """Wait for this thread's turn; DatabaseBusy if it has not come within `timeout` s."""
        me = threading.get_ident()
        with self._mutex:
            if self._owner == me:
                self._depth += 1
                return
            if self._owner is None and not self._queue:
                self._owner, self._depth = me, 1
                return
            turn = threading.Event()
            self._queue.append((me, turn))
        if turn.wait(timeout):
            return  # release() made this thread the owner before setting the event
        with self._mutex:
            if turn.is_set():
                return  # handed over just as the wait ran out
            self._queue.remove((me, turn))
        raise DatabaseBusy(
            f"The database stayed busy for {timeout:.0f} s, so nothing was changed. Please try again in a minute."
        )

    def release(self) -> None:
        with self._mutex:
            if self._owner != threading.get_ident():
                raise RuntimeError("the writer gate is released by a thread that does not hold it")
            self._depth -= 1
            if self._depth:
                return
            if self._queue:
                owner, turn = self._queue.popleft()
                self._owner, self._depth = owner, 1
                turn.set()
            else:
                self._owner = None

    @property
    def waiting(self) -> int:
        with self._mutex:
            return len(self._queue)
