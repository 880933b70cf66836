"""How a polling service says it is alive: when its last pass succeeded, against its period."""

from __future__ import annotations

import time

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
