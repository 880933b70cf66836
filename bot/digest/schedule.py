"""Cron-style schedules, read in the subscription's own time zone.

Why not croniter: it was declared unmaintained in late 2024, and what digests need is small
and must be exact about daylight saving: "Monday 09:00 Europe/London" is 08:00 UTC in summer
and 09:00 UTC in winter. So this module reads the five standard fields (minute hour
day-of-month month day-of-week; `*`, lists, ranges, `*/n` steps, names like `mon`, `jan`)
and walks local calendar days, turning each matching wall-clock time into UTC with zoneinfo.

Each fire time is identified by its local wall-clock time (the period key, e.g.
`2024-03-25T09:00`), so a time that occurs twice when clocks go back is still one period,
and one that does not exist when clocks go forward fires once, at the same instant as the
hour after it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_NAMES = {
    "month": {m: i + 1 for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split())},
    "weekday": {d: i for i, d in enumerate("sun mon tue wed thu fri sat".split())},
}
_FIELDS = (("minute", 0, 59), ("hour", 0, 23), ("day", 1, 31), ("month", 1, 12), ("weekday", 0, 7))
MAX_SCAN_DAYS = 400  # how far back a search for fire times may walk


class ScheduleError(ValueError):
    """A schedule that cannot be read; the message says what to type."""


@dataclass(frozen=True)
class CronSchedule:
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday … 6 = Saturday
    any_day: bool  # day-of-month was `*`
    any_weekday: bool  # day-of-week was `*`
    text: str

    def matches_date(self, day: date) -> bool:
        if day.month not in self.months:
            return False
        in_month = day.day in self.days
        in_week = (day.isoweekday() % 7) in self.weekdays
        # Standard cron: when both day fields are restricted, either may match.
        if self.any_day:
            return in_week
        if self.any_weekday:
            return in_month
        return in_month or in_week


def _read_field(text: str, name: str, low: int, high: int) -> tuple[frozenset[int], bool]:
    values: set[int] = set()
    names = _NAMES.get(name, {})

    def number(token: str) -> int:
        token = token.lower()
        if token in names:
            return names[token]
        if not token.isdigit():
            raise ScheduleError(f"'{token}' is not a {name} in the schedule")
        value = int(token)
        if not low <= value <= high:
            raise ScheduleError(f"{name} {value} is outside {low}-{high}")
        return value

    for part in text.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            if not step_text.isdigit() or int(step_text) == 0:
                raise ScheduleError(f"'/{step_text}' is not a step for {name}")
            step = int(step_text)
        if part == "*":
            start, end = low, high
        elif "-" in part:
            first, last = part.split("-", 1)
            start, end = number(first), number(last)
            if end < start:
                raise ScheduleError(f"the {name} range {part} runs backwards")
        else:
            start = number(part)
            end = high if step > 1 else start
        values.update(range(start, end + 1, step))
    if name == "weekday" and 7 in values:  # 7 is Sunday too
        values.discard(7)
        values.add(0)
    return frozenset(values), text == "*"


def parse_schedule(text: str) -> CronSchedule:
    """Read `minute hour day-of-month month day-of-week`, e.g. `0 9 * * mon`."""
    fields = text.split()
    if len(fields) != 5:
        raise ScheduleError(
            f"'{text}' is not a schedule: give five fields, minute hour day-of-month month "
            "day-of-week, e.g. '0 9 * * mon' for Mondays at 09:00."
        )
    read = [_read_field(f, name, low, high) for f, (name, low, high) in zip(fields, _FIELDS)]
    return CronSchedule(
        minutes=read[0][0], hours=read[1][0], days=read[2][0], months=read[3][0], weekdays=read[4][0],
        any_day=read[2][1], any_weekday=read[4][1], text=" ".join(fields),
    )


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(f"'{name}' is not a time zone; use a name like Europe/London.") from None


@dataclass(frozen=True)
class FireTime:
    at: datetime  # aware, UTC
    period_key: str  # local wall-clock time, e.g. 2024-03-25T09:00


def _local_fire_times(schedule: CronSchedule, day: date, tz: ZoneInfo) -> Iterator[FireTime]:
    for hour in sorted(schedule.hours):
        for minute in sorted(schedule.minutes):
            local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)  # fold=0
            key = local.strftime("%Y-%m-%dT%H:%M")
            yield FireTime(local.astimezone(timezone.utc), key)


def fire_times(schedule: CronSchedule, tz_name: str, after: datetime, until: datetime,
               limit: int = 100) -> list[FireTime]:
    """The schedule's fire times in (after, until], oldest first; at most the `limit` newest."""
    tz = zone(tz_name)
    first_day = max(after, until - timedelta(days=MAX_SCAN_DAYS)).astimezone(tz).date() - timedelta(days=1)
    last_day = until.astimezone(tz).date() + timedelta(days=1)
    found: list[FireTime] = []
    day = first_day
    while day <= last_day:
        if schedule.matches_date(day):
            found.extend(f for f in _local_fire_times(schedule, day, tz) if after < f.at <= until)
        day += timedelta(days=1)
    return found[-limit:]


def latest_fire_time(schedule: CronSchedule, tz_name: str, until: datetime) -> FireTime | None:
    times = fire_times(schedule, tz_name, until - timedelta(days=MAX_SCAN_DAYS), until, limit=1)
    return times[-1] if times else None


def next_fire_time(schedule: CronSchedule, tz_name: str, after: datetime) -> FireTime | None:
    """The first fire time after `after` (within MAX_SCAN_DAYS)."""
    tz = zone(tz_name)
    day = after.astimezone(tz).date() - timedelta(days=1)
    for _ in range(MAX_SCAN_DAYS + 2):
        if schedule.matches_date(day):
            for fire in _local_fire_times(schedule, day, tz):
                if fire.at > after:
                    return fire
        day += timedelta(days=1)
    return None
