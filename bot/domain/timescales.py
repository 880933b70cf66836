"""Timescales of the contract-monitoring log, counted in working days on the team's calendar.

Every entry is to be acknowledged and responded to within a number of working days after the
day it was received (the mail's own Date, not the day the mailbox was polled). Defaults, each
configurable under `[log.timescales]` in the settings file:

| category                      | acknowledge | respond |
|-------------------------------|-------------|---------|
| every category                | 3           |         |
| complaint, stage 1            |             | 5       |
| complaint, stage 2            |             | 20      |
| safeguarding                  |             | 0 (same-day triage) |
| query, alert, social work, package-of-care change | | 5 |
| inspectorate correspondence   |             | 10      |

0 working days means the same working day (the next one when received on a weekend or bank
holiday). The automatic acknowledgement the mailbox sends counts as acknowledging.

Pure: the calendar and `today` are passed in. Working days come from bot.domain.workdays.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from bot.domain.concerns import Category, Concern, EntryState
from bot.domain.monitoring import Frequencies
from bot.domain.workdays import WorkingCalendar

ACKNOWLEDGE_DAYS = 3
RESPOND_DAYS: dict[str, int] = {
    Category.QUERY.value: 5, Category.ALERT.value: 5, Category.COMPLAINT.value: 5,
    Category.SAFEGUARDING.value: 0, Category.INSPECTORATE.value: 10, Category.SOCIAL_WORK.value: 5,
    Category.PACKAGE_OF_CARE.value: 5,
}
COMPLAINT_STAGE_2_DAYS = 20
_SETTING_NAMES = {c.value.replace(" ", "_").replace("-", "_"): c.value for c in Category}


@dataclass(frozen=True)
class Timescales:
    acknowledge_days: int = ACKNOWLEDGE_DAYS
    respond_days: dict[str, int] = field(default_factory=lambda: dict(RESPOND_DAYS))
    complaint_stage_2_days: int = COMPLAINT_STAGE_2_DAYS

    def respond_within(self, concern: Concern) -> int:
        if concern.category is Category.COMPLAINT and (concern.complaint_stage or 1) >= 2:
            return self.complaint_stage_2_days
        return self.respond_days.get(concern.category.value, 5)

    @classmethod
    def from_settings(cls, section: dict[str, object] | None) -> Timescales:
        """`[log.timescales]`: `acknowledge = 3`, `complaint = 5`, `complaint_stage_2 = 20`,
        `social_work_concern = 5` …; a bad key or value is a ValueError naming it."""
        values = dict(section or {})
        respond = dict(RESPOND_DAYS)
        acknowledge, stage_2 = ACKNOWLEDGE_DAYS, COMPLAINT_STAGE_2_DAYS
        for key, value in values.items():
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 250:
                raise ValueError(f"[log.timescales] {key} = {value!r} is not a number of working days 0–250.")
            name = key.strip().lower()
            if name == "acknowledge":
                acknowledge = value
            elif name == "complaint_stage_2":
                stage_2 = value
            elif name in _SETTING_NAMES:
                respond[_SETTING_NAMES[name]] = value
            else:
                raise ValueError(f"[log.timescales] has '{key}'; use acknowledge, complaint_stage_2 or one of: "
                                 + ", ".join(sorted(_SETTING_NAMES)) + ".")
        return cls(acknowledge, respond, stage_2)


@dataclass(frozen=True)
class LogSettings:
    """What the log's handlers need from the settings: the calendar, timescales, frequencies."""

    calendar: WorkingCalendar = field(default_factory=WorkingCalendar)
    timescales: Timescales = field(default_factory=Timescales)
    frequencies: Frequencies = field(default_factory=Frequencies)

    @classmethod
    def from_extra(cls, extra: dict[str, object], calendar: WorkingCalendar) -> LogSettings:
        section = extra.get("log") or {}
        if not isinstance(section, dict):
            raise ValueError("[log] in the settings file must be a table.")
        return cls(calendar, Timescales.from_settings(section.get("timescales")),
                   Frequencies.from_settings(section.get("focused_visit_months")))


@dataclass(frozen=True)
class Check:
    """One timescale of one entry: met, missed, or still open (and maybe overdue)."""

    reference: str
    what: str  # "acknowledge" | "respond"
    due: date
    done: date | None

    @property
    def met(self) -> bool | None:
        return None if self.done is None else self.done <= self.due

    def overdue(self, today: date) -> bool:
        return self.done is None and self.due < today

    def decided(self, today: date) -> bool:
        """Counts towards the share met: done, or past due."""
        return self.done is not None or self.due < today


def _day(moment: datetime | None, zone: str) -> date | None:
    if moment is None:
        return None
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo(zone)).date() if moment.tzinfo else moment.date()


def checks(concern: Concern, settings: LogSettings, zone: str = "Europe/London") -> list[Check]:
    """The entry's acknowledge and respond timescales. Closing an entry counts as responding
    when no response was recorded."""
    received = _day(concern.received_at, zone)
    assert received is not None
    cal, ts = settings.calendar, settings.timescales
    responded = concern.responded_at or (concern.closed_at if concern.state is EntryState.CLOSED else None)
    acknowledged = concern.acknowledged_at or responded
    return [
        Check(concern.reference, "acknowledge", cal.add_working_days(received, ts.acknowledge_days),
              _day(acknowledged, zone)),
        Check(concern.reference, "respond", cal.add_working_days(received, ts.respond_within(concern)),
              _day(responded, zone)),
    ]


@dataclass
class Share:
    met: int = 0
    missed: int = 0

    @property
    def total(self) -> int:
        return self.met + self.missed

    def text(self) -> str:
        if not self.total:
            return "none due yet"
        return f"{self.met} of {self.total} met ({round(100 * self.met / self.total)}%)"


def shares(concerns: list[Concern], settings: LogSettings, today: date, zone: str,
           key: str = "provider", hide_confidential: bool = True) -> dict[str, Share]:
    """The share of timescales met, by provider or by category. Confidential entries are one
    bucket, "confidential", when `hide_confidential` (their category would say more)."""
    out: dict[str, Share] = {}
    for concern in concerns:
        if key == "provider":
            bucket = concern.provider or "no provider"
        elif hide_confidential and concern.is_confidential:
            bucket = "confidential"
        else:
            bucket = concern.category.value
        share = out.setdefault(bucket, Share())
        for check in checks(concern, settings, zone):
            if not check.decided(today):
                continue
            if check.met:
                share.met += 1
            else:
                share.missed += 1
    return out
