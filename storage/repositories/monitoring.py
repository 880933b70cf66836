"""uow.monitoring: the monitoring activities done for each provider, the schedule they give,
and what of the whole log falls due (for the digest and the reminders)."""

from __future__ import annotations

import builtins
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.concerns import Provider
from bot.domain.monitoring import Activity, Frequencies, ScheduledActivity, VisitRecord, schedule
from bot.domain.providers import LogDueItem
from storage.concerns_tables import MonitoringVisitRow, ProviderRow
from storage.repositories.concerns import ConcernRepository, ProviderRepository
from storage.tables import PersonRow


class MonitoringRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def record(self, provider: Provider, record: VisitRecord, at: datetime,
               report: tuple[str, bytes] | None = None) -> VisitRecord:
        if provider.id is None:
            raise ValueError("the provider is not stored")
        row = MonitoringVisitRow(provider_id=provider.id, activity=record.activity.value, done_on=record.done_on,
                                 note=record.note, recorded_by=record.recorded_by[:320], recorded_at=at,
                                 report_filename=report[0][:500] if report else None,
                                 report_data=report[1] if report else None)
        self._session.add(row)
        self._session.flush()
        return VisitRecord(provider.name, record.activity, record.done_on, record.note, record.recorded_by,
                           row.report_filename, row.id)

    def records(self, provider: Provider | None = None, start: date | None = None,
                end: date | None = None) -> builtins.list[VisitRecord]:
        """Activities done, oldest first: one provider's or everyone's, optionally in [start, end]."""
        query = select(MonitoringVisitRow, ProviderRow.name).join(
            ProviderRow, ProviderRow.id == MonitoringVisitRow.provider_id)
        if provider is not None:
            query = query.where(MonitoringVisitRow.provider_id == provider.id)
        if start is not None:
            query = query.where(MonitoringVisitRow.done_on >= start)
        if end is not None:
            query = query.where(MonitoringVisitRow.done_on <= end)
        query = query.order_by(MonitoringVisitRow.done_on, MonitoringVisitRow.id)
        return [VisitRecord(name, Activity(r.activity), r.done_on, r.note, r.recorded_by, r.report_filename, r.id)
                for r, name in self._session.execute(query)]

    def schedule(self, today: date, frequencies: Frequencies | None = None,
                 providers: builtins.list[Provider] | None = None) -> builtins.list[ScheduledActivity]:
        """Every provider's activities with their next due date, soonest first."""
        frequencies = frequencies or Frequencies()
        providers = providers if providers is not None else ProviderRepository(self._session).list()
        done: dict[str, builtins.list[VisitRecord]] = {}
        for record in self.records():
            done.setdefault(record.provider, []).append(record)
        out = [item for p in providers for item in schedule(p, done.get(p.name, []), frequencies, today)]
        return sorted(out, key=lambda s: (s.due, s.provider.name, s.activity.value))

    def due_items(self, as_of: date, owner: str | None = None, within_days: int = 7,
                  frequencies: Frequencies | None = None) -> builtins.list[LogDueItem]:
        """What the log has falling due by `as_of + within_days` (overdue ones included): the
        open allocated actions of entries not closed (`PQ-2026-0042/1`, kind "log action")
        and the providers' monitoring activities (kind "visit"), soonest first; only `owner`'s
        (a person's name: their own and their team's) when given.

        Confidential entries' actions come with `restricted=True`: list them by reference only
        to anyone without the safeguarding role (`LogDueItem.safe_line`)."""
        horizon = as_of + timedelta(days=within_days)
        people = {r.name.lower(): r for r in self._session.scalars(select(PersonRow))}
        owners: set[str] | None = None
        if owner is not None:
            person = people.get(owner.strip().lower())
            owners = {owner.strip().lower()} | ({person.team.lower()} if person is not None and person.team else set())
        items: builtins.list[LogDueItem] = []
        for concern, action in ConcernRepository(self._session).open_actions():
            if action.due_date is None or action.due_date > horizon:
                continue
            if owners is not None and action.owner.lower() not in owners:
                continue
            person = people.get(action.owner.lower())
            items.append(LogDueItem(
                "log action", action.reference(concern.reference),
                "" if concern.is_confidential else action.description,
                None if concern.is_confidential else concern.provider, action.due_date, action.owner,
                person.id if person is not None else None, concern.is_confidential))
        for activity in self.schedule(as_of, frequencies):
            if activity.due > horizon:
                continue
            if owners is not None and (activity.owner or "").lower() not in owners:
                continue
            person = people.get((activity.owner or "").lower())
            items.append(LogDueItem("visit", activity.label, activity.activity.value, activity.provider.name,
                                    activity.due, activity.owner, person.id if person is not None else None))
        return sorted(items, key=lambda i: (i.due, i.kind, i.reference))
