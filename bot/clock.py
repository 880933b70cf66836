"""The only place that reads the wall clock. Everything else is handed `today`/`now`."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    def now(self) -> datetime: ...

    def today(self) -> date: ...


class SystemClock:
    def __init__(self, tz: str = "Europe/London") -> None:
        self._tz = ZoneInfo(tz)

    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    def today(self) -> date:
        return datetime.now(self._tz).date()


class PinnedClock:
    """`--today 2026-03-31`: today is fixed; now keeps ticking within that day, so history
    entries still sort in the order they were written."""

    def __init__(self, today: date, tz: str = "Europe/London") -> None:
        self._today = today
        self._tz = ZoneInfo(tz)

    def now(self) -> datetime:
        real = datetime.now(self._tz)
        return real.replace(year=self._today.year, month=self._today.month, day=self._today.day).astimezone(
            timezone.utc
        )

    def today(self) -> date:
        return self._today
