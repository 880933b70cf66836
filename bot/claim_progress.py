"""Delivery steps kept on a claim row (a digest period, a person's reminder day), committed as
each is done, so a retry after a crash or a failed call does not redo them (a Slack message
already posted, a chart already uploaded).

Shared by bot.digest.sender and bot.reminders.sender: each passes its repository's
`record_progress(id, owner, steps, lease_until) -> bool` and what to raise when another
instance has taken the claim over (its lease ran out)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any


class ClaimProgress:
    def __init__(self, new_uow: Callable[[], Any], repository: Callable[[Any], Any], record_id: int, owner: str,
                 steps: Mapping[str, Any], attempt: int, lease_until: datetime,
                 taken_over: Callable[[], Exception], *, key: str = "", claimed_at: datetime | None = None) -> None:
        self._new_uow, self._repository = new_uow, repository
        self._record_id, self._owner, self._lease_until = record_id, owner, lease_until
        self._steps = dict(steps)
        self._taken_over = taken_over
        self.attempt = attempt
        self.key = key  # names the delivery, for a destination that can be asked if it has it
        self.claimed_at = claimed_at  # when the claim was made: nothing of it is older

    def get(self, step: str) -> Any:
        return self._steps.get(step)

    def record(self, step: str, value: Any) -> None:
        self._steps[step] = value
        with self._new_uow() as uow:
            kept = self._repository(uow).record_progress(self._record_id, self._owner, self._steps, self._lease_until)
            uow.commit()
        if not kept:
            raise self._taken_over()
