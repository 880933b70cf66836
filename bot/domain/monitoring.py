"""The monitoring schedule of each provider, from the Contract Monitoring Officer's work plan.

Per provider, five recurring activities, each owned by the officer allocated to the provider:

- the mandatory monitoring visit, yearly;
- focused visits, at a frequency set by the provider's risk (high / medium / low: by default
  every 3 / 6 / 12 months; `[log.focused_visit_months]` changes it);
- the contract liaison meeting, yearly;
- the provider forum, quarterly;
- the electronic call-monitoring review, monthly.

The next one falls due one period after the last one was done, or after the provider was
registered when it has never been done. Pure: pass `today` in.
"""

from __future__ import annotations

import calendar
import enum
import re
from dataclasses import dataclass, field
from datetime import date

from bot.domain.concerns import Provider


class Risk(str, enum.Enum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


DEFAULT_RISK = Risk.MEDIUM


class Activity(str, enum.Enum):
    VISIT = "monitoring visit"
    FOCUSED = "focused visit"
    LIAISON = "liaison meeting"
    FORUM = "provider forum"
    CALLS = "call-monitoring review"


# What people type for each activity (`provider Brightwell visit done 12/11/2026`).
_ACTIVITY_WORDS: dict[str, Activity] = {
    "visit": Activity.VISIT, "monitoring visit": Activity.VISIT, "mandatory visit": Activity.VISIT,
    "annual visit": Activity.VISIT, "yearly visit": Activity.VISIT,
    "focused visit": Activity.FOCUSED, "focussed visit": Activity.FOCUSED, "focused": Activity.FOCUSED,
    "focussed": Activity.FOCUSED,
    "liaison": Activity.LIAISON, "liaison meeting": Activity.LIAISON, "contract liaison meeting": Activity.LIAISON,
    "contract liaison": Activity.LIAISON,
    "forum": Activity.FORUM, "provider forum": Activity.FORUM,
    "call monitoring": Activity.CALLS, "call-monitoring": Activity.CALLS, "call monitoring review": Activity.CALLS,
    "call-monitoring review": Activity.CALLS, "ecm": Activity.CALLS, "ecm review": Activity.CALLS,
    "calls": Activity.CALLS,
}
ACTIVITY_PATTERN = "|".join(sorted((re.escape(w) for w in _ACTIVITY_WORDS), key=len, reverse=True))

FIXED_MONTHS: dict[Activity, int] = {
    Activity.VISIT: 12, Activity.LIAISON: 12, Activity.FORUM: 3, Activity.CALLS: 1,
}
DEFAULT_FOCUSED_MONTHS: dict[Risk, int] = {Risk.HIGH: 3, Risk.MEDIUM: 6, Risk.LOW: 12}


def activity_from_words(text: str) -> Activity | None:
    return _ACTIVITY_WORDS.get(" ".join(text.lower().split()))


def risk_from_words(text: str) -> Risk | None:
    try:
        return Risk(text.strip().lower())
    except ValueError:
        return None


@dataclass(frozen=True)
class Frequencies:
    """How many months apart each activity falls; focused visits by risk."""

    focused_months: dict[Risk, int] = field(default_factory=lambda: dict(DEFAULT_FOCUSED_MONTHS))

    def months(self, activity: Activity, risk: Risk) -> int:
        if activity is Activity.FOCUSED:
            return self.focused_months.get(risk, DEFAULT_FOCUSED_MONTHS[risk])
        return FIXED_MONTHS[activity]

    @classmethod
    def from_settings(cls, section: dict[str, object] | None) -> Frequencies:
        """`[log.focused_visit_months] high = 2` …; a bad value is a ValueError naming it."""
        months = dict(DEFAULT_FOCUSED_MONTHS)
        for key, value in (section or {}).items():
            risk = risk_from_words(str(key))
            if risk is None:
                raise ValueError(f"[log.focused_visit_months] has '{key}'; the risk levels are high, medium, low.")
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 60:
                raise ValueError(f"[log.focused_visit_months] {key} = {value!r} is not a number of months 1–60.")
            months[risk] = value
        return cls(months)


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it has fewer)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class VisitRecord:
    """One activity done: a visit, a meeting, a review."""

    provider: str
    activity: Activity
    done_on: date
    note: str | None
    recorded_by: str
    report_filename: str | None = None
    id: int | None = None


@dataclass(frozen=True)
class ScheduledActivity:
    provider: Provider
    activity: Activity
    months: int
    last_done: date | None
    due: date
    owner: str | None

    def overdue(self, today: date) -> bool:
        return self.due < today

    @property
    def label(self) -> str:
        return f"{self.provider.name}: {self.activity.value}"


def provider_risk(provider: Provider) -> Risk:
    return risk_from_words(provider.risk or "") or DEFAULT_RISK


def schedule(provider: Provider, records: list[VisitRecord], frequencies: Frequencies,
             today: date) -> list[ScheduledActivity]:
    """The provider's five activities, each with its last date and next due date."""
    risk = provider_risk(provider)
    start = provider.registered_on or today
    out = []
    for activity in Activity:
        done = [r.done_on for r in records if r.activity is activity]
        last = max(done) if done else None
        months = frequencies.months(activity, risk)
        out.append(ScheduledActivity(provider, activity, months, last, add_months(last or start, months),
                                     provider.officer))
    return out


def visit_date_refusal(day: date, today: date) -> str | None:
    if day > today:
        return (f"{day.day} {day:%b %Y} is in the future; record a visit once it has happened (a planned one shows "
                "in `actionbot providers schedule`). Nothing was changed.")
    return None
