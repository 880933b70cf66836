"""Timescales in working days on the team's calendar (weekends and bank holidays of its nation),
with documented, configurable defaults; the schedule of monitoring activities."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from bot.domain.concerns import Category, Concern, EntryState, Provider, Source
from bot.domain.monitoring import Activity, Frequencies, Risk, VisitRecord, add_months, schedule
from bot.domain.timescales import LogSettings, Timescales, checks, shares
from bot.domain.workdays import WorkingCalendar


def entry(received: datetime, category: Category = Category.COMPLAINT, **fields: object) -> Concern:
    return Concern(reference="PQ-2026-0001", category=category, summary="s", body="b", source=Source.EMAIL,
                   reporter="r", received_at=received, provider="Acme Care", **fields)  # type: ignore[arg-type]


FRIDAY = datetime(2026, 12, 18, 10, 0, tzinfo=timezone.utc)  # before Christmas and Boxing Day (Mon 28th off)


@pytest.mark.parametrize("category, stage, nation, acknowledge, respond", [
    (Category.COMPLAINT, 1, "england-and-wales", date(2026, 12, 23), date(2026, 12, 29)),
    (Category.COMPLAINT, 2, "england-and-wales", date(2026, 12, 23), date(2027, 1, 20)),
    (Category.SAFEGUARDING, None, "england-and-wales", date(2026, 12, 23), date(2026, 12, 18)),
    (Category.INSPECTORATE, None, "england-and-wales", date(2026, 12, 23), date(2027, 1, 6)),
    (Category.INSPECTORATE, None, "scotland", date(2026, 12, 23), date(2027, 1, 7)),
], ids=["complaint stage 1", "complaint stage 2", "safeguarding same day", "inspectorate 10 days",
        "scotland also has 2 January (Monday 4th)"])
def test_deadlines_count_working_days_skipping_christmas(category: Category, stage: int | None, nation: str,
                                                          acknowledge: date, respond: date) -> None:
    settings = LogSettings(WorkingCalendar(nation))
    ack, resp = checks(entry(FRIDAY, category, complaint_stage=stage), settings)
    assert (ack.due, resp.due) == (acknowledge, respond)


def test_closing_counts_as_responding_and_the_share_met_is_per_provider_and_category() -> None:
    settings = LogSettings()
    late = entry(FRIDAY, state=EntryState.CLOSED, closed_at=datetime(2027, 1, 15, tzinfo=timezone.utc))
    on_time = entry(FRIDAY, acknowledged_at=FRIDAY, responded_at=FRIDAY)
    by_provider = shares([late, on_time], settings, date(2027, 2, 1), "Europe/London")
    assert by_provider["Acme Care"].text() == "2 of 4 met (50%)"
    secret = entry(FRIDAY, Category.SAFEGUARDING)
    hidden = shares([secret], settings, date(2027, 2, 1), "Europe/London", key="category")
    assert list(hidden) == ["confidential"]


def test_timescales_are_configurable_and_bad_settings_are_named() -> None:
    custom = Timescales.from_settings({"acknowledge": 2, "complaint": 10, "complaint_stage_2": 30})
    assert custom.acknowledge_days == 2 and custom.respond_days["complaint"] == 10
    assert custom.complaint_stage_2_days == 30
    with pytest.raises(ValueError, match="'complain'"):
        Timescales.from_settings({"complain": 5})
    with pytest.raises(ValueError, match="not a number of working days"):
        Timescales.from_settings({"acknowledge": "three"})
    assert Frequencies.from_settings({"high": 2}).focused_months[Risk.HIGH] == 2
    with pytest.raises(ValueError, match="risk levels are high, medium, low"):
        Frequencies.from_settings({"severe": 1})


def test_the_schedule_counts_from_the_last_visit_and_risk_sets_focused_visits() -> None:
    today = date(2026, 11, 30)
    provider = Provider("Acme Care", risk="high", registered_on=date(2026, 1, 31), officer="Sam Patel")
    records = [VisitRecord("Acme Care", Activity.VISIT, date(2026, 11, 12), "report filed", "Sam Patel")]
    items = {s.activity: s for s in schedule(provider, records, Frequencies(), today)}
    assert items[Activity.VISIT].due == date(2027, 11, 12) and not items[Activity.VISIT].overdue(today)
    assert items[Activity.FOCUSED].due == date(2026, 4, 30) and items[Activity.FOCUSED].overdue(today)
    assert items[Activity.CALLS].due == date(2026, 2, 28)  # monthly, from registration on 31 Jan
    assert items[Activity.FORUM].months == 3 and items[Activity.LIAISON].months == 12
    assert {s.owner for s in items.values()} == {"Sam Patel"}
    low = {s.activity: s for s in schedule(Provider("Acme Care", risk="low", registered_on=date(2026, 1, 31)),
                                           [], Frequencies(), today)}
    assert low[Activity.FOCUSED].months == 12
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
