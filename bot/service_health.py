"""How a polling service says it is alive: when its last pass succeeded, against its period."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

log = logging.getLogger(__name__)

# A pass may take a while (a long inbox, a slow server), and a poll waits its period after it:
# a service is overdue when its last successful pass is older than two periods and this.
GRACE_S = 30.0


class PassClock:
    """Remembers the last successful pass (monotonic time); starts as "just started"."""

    def __init__(self, period_s: float) -> None:
        self.period_s = period_s
        self.last_success = time.monotonic()

    def succeeded(self) -> None:
        self.last_success = time.monotonic()

    def problem(self, what: str) -> str | None:
        age = time.monotonic() - self.last_success
        if age <= 2 * self.period_s + GRACE_S:
            return None
        return f"{what} has not completed a pass for {age:.0f} s (it polls every {self.period_s:g} s)"


class PassScheduler:
    """A background thread that runs a sender's `send_due(now)` pass, then waits its period:
    the digest scheduler and the reminder scheduler of `actionbot run` are both one of these.

    The first pass runs at once (what was missed while the bot was down goes out on start-up).
    A failed pass is logged and the next poll retries: a database hiccup never kills the
    thread. `stop` sets the sender's `stopping` flag, so the delivery in hand is finished and
    the claims not yet tried are released for another instance."""

    name = "scheduler"
    thread_name = "scheduler"
    is_chat = False

    def __init__(self, sender: Any, clock: Any, poll_seconds: float) -> None:
        self.sender = sender
        self.clock = clock
        self.poll_seconds = poll_seconds
        self.passes = PassClock(poll_seconds)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        sender.stopping = self._stop.is_set

    def worth_logging(self, report: Any) -> bool:
        """Whether a pass did anything worth an INFO line (most passes do nothing)."""
        return bool(report.sent or report.failed)

    def start(self) -> None:
        self._stop.clear()
        self.passes = PassClock(self.poll_seconds)
        self._thread = threading.Thread(target=self._loop, name=self.thread_name, daemon=True)
        self._thread.start()

    def run_once(self) -> None:
        what = self.name.replace(" scheduler", "")
        try:
            report = self.sender.send_due(self.clock.now())
        except Exception:  # a database hiccup must not kill the scheduler; the next poll retries
            log.exception(f"{what} pass failed", extra={"owner": self.sender.owner})
            return
        self.passes.succeeded()
        if self.worth_logging(report):
            log.info(f"{what} pass", extra={"owner": self.sender.owner, "summary": report.summary()})

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.run_once()
            self._stop.wait(self.poll_seconds)

    def health(self) -> str | None:
        return self.passes.problem(self.name)

    def stop(self, timeout: float | None = None) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=60 if timeout is None else timeout)
            self._thread = None
        log.info(f"{self.name} stopped", extra={"owner": self.sender.owner})
