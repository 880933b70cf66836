"""The team's working-day calendar: one module for every "within N working days" in actionbot.

The contract-monitoring log's timescales (acknowledge within 3 working days, respond within 5
or 20) and the reminders (7 and 1 working days before an action falls due, never on a bank
holiday) both count days here, so they can never disagree about what a working day is.

A working day is Monday to Friday, not a bank holiday of the team's nation, and not a day the
team has declared closed (`[calendar] closures`, e.g. the council's days between Christmas and
New Year). Bank holidays come from the `holidays` package (GOV.UK's lists; Scotland has St
Andrew's Day and 2 January but not Easter Monday; Northern Ireland has St Patrick's Day and the
Twelfth; England and Wales share one list).

Pure: no clock, no I/O. Pass the day in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

# The nations whose bank holidays differ, as a team names them in its config, and the
# `holidays` package's subdivision code for each.
NATIONS: dict[str, str] = {
    "england-and-wales": "ENG",
    "scotland": "SCT",
    "northern-ireland": "NIR",
}
_NATION_WORDS: dict[str, str] = {
    "england": "england-and-wales",
    "wales": "england-and-wales",
    "england and wales": "england-and-wales",
    "england-and-wales": "england-and-wales",
    "eng": "england-and-wales",
    "wls": "england-and-wales",
    "scotland": "scotland",
    "sct": "scotland",
    "northern ireland": "northern-ireland",
    "northern-ireland": "northern-ireland",
    "ni": "northern-ireland",
    "nir": "northern-ireland",
}
DEFAULT_NATION = "england-and-wales"
# A count of working days is bounded so a typo ("within 5000 working days") cannot spin.
MAX_WORKING_DAYS = 2000


class CalendarError(ValueError):
    """A calendar setting that cannot be used; the message says which and what to do."""


def nation_from_text(text: str) -> str:
    """`"Scotland"`, `"scotland"`, `"SCT"` → `"scotland"`; anything else is a CalendarError."""
    key = " ".join(text.strip().lower().replace("_", " ").split())
    nation = _NATION_WORDS.get(key)
    if nation is None:
        raise CalendarError(
            f"'{text}' is not a nation whose bank holidays I know; use one of: "
            + ", ".join(NATIONS)
            + "."
        )
    return nation


@lru_cache(maxsize=64)
def _bank_holidays(nation: str, year: int) -> dict[date, str]:
    import holidays  # imported on first use: `actionbot say` need not pay for it

    subdiv = NATIONS[nation]
    found = holidays.country_holidays("GB", subdiv=subdiv, years=year)
    # Weekend days stay in the list (Boxing Day on a Saturday) but only matter by name.
    return {day: str(name) for day, name in found.items()}


@dataclass(frozen=True)
class WorkingCalendar:
    """Which days are working days for one team.

    `closures` are extra days the team does not work (a council's closure days), on top of
    weekends and the nation's bank holidays.
    """

    nation: str = DEFAULT_NATION
    closures: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if self.nation not in NATIONS:
            object.__setattr__(self, "nation", nation_from_text(self.nation))

    @classmethod
    def from_settings(cls, nation: str | None, closures: Iterable[date | str] = ()) -> WorkingCalendar:
        days: set[date] = set()
        for item in closures:
            if isinstance(item, date):
                days.add(item)
                continue
            try:
                days.add(date.fromisoformat(str(item).strip()))
            except ValueError:
                raise CalendarError(
                    f"'{item}' in [calendar] closures is not a date; use the form 2026-12-29."
                ) from None
        return cls(nation=nation_from_text(nation) if nation else DEFAULT_NATION, closures=frozenset(days))

    # -- single days ---------------------------------------------------------------------------

    def holiday_name(self, day: date) -> str | None:
        """The bank holiday or closure that falls on `day`, or None."""
        if day in self.closures:
            return "office closed"
        return _bank_holidays(self.nation, day.year).get(day)

    def is_working_day(self, day: date) -> bool:
        if day.weekday() >= 5:
            return False
        return self.holiday_name(day) is None

    def why_not_working(self, day: date) -> str | None:
        """`"Saturday"`, `"Saint Andrew's Day"`, `"office closed"`, or None on a working day."""
        if day.weekday() >= 5:
            return day.strftime("%A")
        return self.holiday_name(day)

    def next_working_day(self, day: date, *, include: bool = True) -> date:
        """The first working day on or after `day` (after it, when `include` is False)."""
        current = day if include else day + timedelta(days=1)
        for _ in range(MAX_WORKING_DAYS):
            if self.is_working_day(current):
                return current
            current += timedelta(days=1)
        raise CalendarError("no working day found within 2,000 days; check [calendar] closures.")

    def previous_working_day(self, day: date, *, include: bool = True) -> date:
        """The last working day on or before `day` (before it, when `include` is False)."""
        current = day if include else day - timedelta(days=1)
        for _ in range(MAX_WORKING_DAYS):
            if self.is_working_day(current):
                return current
            current -= timedelta(days=1)
        raise CalendarError("no working day found within 2,000 days; check [calendar] closures.")

    # -- counting ------------------------------------------------------------------------------

    def add_working_days(self, day: date, count: int) -> date:
        """The `count`th working day after `day` (before it, for a negative count).

        `add_working_days(received, 3)` is the deadline of "acknowledge within 3 working days":
        a concern received on Friday is due by Wednesday, or Thursday when Monday is a bank
        holiday. The day itself never counts, working or not; a count of 0 gives the first
        working day on or after `day`.
        """
        if abs(count) > MAX_WORKING_DAYS:
            raise CalendarError(f"{count} working days is more than the {MAX_WORKING_DAYS:,} I count.")
        if count == 0:
            return self.next_working_day(day)
        step = timedelta(days=1 if count > 0 else -1)
        remaining = abs(count)
        current = day
        while remaining:
            current += step
            if self.is_working_day(current):
                remaining -= 1
        return current

    def working_days_before(self, day: date, count: int) -> date:
        """The working day `count` working days before `day` ("remind 7 working days before")."""
        return self.add_working_days(day, -count)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end`; negative when `end` is earlier.

        `working_days_between(received, answered) <= 5` is "answered within 5 working days";
        `working_days_between(due, today)` is how many working days an action is overdue.
        """
        if end == start:
            return 0
        if end < start:
            return -self.working_days_between(end, start)
        span = (end - start).days
        if span > MAX_WORKING_DAYS * 2:
            # Whole weeks in bulk, then the rest day by day; holidays subtracted by year.
            weeks, _ = divmod(span, 7)
            middle = start + timedelta(days=weeks * 7)
            off: set[date] = set(self.closures)
            for year in range(start.year, middle.year + 1):
                off.update(_bank_holidays(self.nation, year))
            count = weeks * 5 - sum(1 for d in off if start < d <= middle and d.weekday() < 5)
            return count + self.working_days_between(middle, end)
        count = 0
        current = start
        for _ in range(span):
            current += timedelta(days=1)
            if self.is_working_day(current):
                count += 1
        return count

    def working_days(self, start: date, end: date) -> list[date]:
        """Every working day from `start` to `end`, both included."""
        out: list[date] = []
        current = start
        while current <= end:
            if self.is_working_day(current):
                out.append(current)
            current += timedelta(days=1)
        return out
