"""uow.reminders: teams and leads, reminder settings, leave, snoozes, and the claim rows that
send each (person, day) reminder once.

The claim is the unique (person_id, day) row, inserted for many people in one statement with
`ON CONFLICT DO NOTHING … RETURNING`: the rows that come back are this instance's to send;
a row another instance inserted first (PostgreSQL makes the second insert wait for the first
transaction, then skip) does not come back. State changes after that are compare-and-set
UPDATEs on `claimed_by`, as for digests (storage.repositories.digests).

Nothing here deletes: leave ended early keeps its row with `ended_on`; a snooze replaced by a
new one keeps its row with `cancelled_at`.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from bot.domain.model import Person, Role
from bot.domain.reminders import Leave, Team
from bot.reminders.model import Notice, SendRecord, SendState
from storage.errors import NotFound
from storage.reminder_tables import (
    LeaveRow,
    ReminderNoticeRow,
    ReminderSendRow,
    ReminderSettingsRow,
    SnoozeRow,
    TeamRow,
)
from storage.tables import ActionRow, IdentityRow, PersonRow, PlanRow

_ERROR_CHARS = 2000


def _changed_one(result: Any) -> bool:
    return int(result.rowcount) == 1


def _to_send(row: ReminderSendRow, person: str) -> SendRecord:
    return SendRecord(
        person_id=row.person_id, person=person, day=row.day, scheduled_for=row.scheduled_for,
        channel=row.channel, address=row.address, items=tuple(row.items or ()), text=row.text,
        state=SendState(row.state), attempts=row.attempts, claimed_by=row.claimed_by,
        lease_until=row.lease_until, next_attempt_at=row.next_attempt_at, last_error=row.last_error,
        progress=dict(row.progress or {}), message_ref=row.message_ref, created_at=row.created_at,
        sent_at=row.sent_at, id=row.id,
    )


def _to_notice(row: ReminderNoticeRow, person: str) -> Notice:
    return Notice(
        person_id=row.person_id, person=person, text=row.text, private=row.private, state=SendState(row.state),
        attempts=row.attempts, claimed_by=row.claimed_by, lease_until=row.lease_until,
        next_attempt_at=row.next_attempt_at, last_error=row.last_error, created_at=row.created_at,
        sent_at=row.sent_at, id=row.id,
    )


class PersonSettings:
    """A person's stored reminder settings (None: not said, use the default)."""

    __slots__ = ("channel", "timezone", "reminder_day")

    def __init__(self, channel: str | None = None, timezone: str | None = None, reminder_day: int | None = None):
        self.channel, self.timezone, self.reminder_day = channel, timezone, reminder_day


class ReminderRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    # --- people, as the reminder pass reads them (a fixed number of queries) ----------------

    def people(self) -> builtins.list[tuple[Person, dict[str, str], PersonSettings]]:
        """Everyone with their identities and reminder settings: three queries (plain rows,
        not ORM objects: a pass reads everyone)."""
        p = PersonRow.__table__.c
        people = self._session.execute(
            select(p.id, p.name, p.role, p.team, p.email, p.roles_extra).order_by(p.name)).all()
        identities: dict[int, dict[str, str]] = {row.id: {} for row in people}
        i = IdentityRow.__table__.c
        for person_id, channel, external_id in self._session.execute(
                select(i.person_id, i.channel, i.external_id).order_by(i.id)):
            identities.setdefault(person_id, {})[channel] = external_id
        s = ReminderSettingsRow.__table__.c
        settings = {row.person_id: PersonSettings(row.channel, row.timezone, row.reminder_day)
                    for row in self._session.execute(select(s.person_id, s.channel, s.timezone, s.reminder_day))}
        roles = {role.value: role for role in Role}
        return [(Person(name=row.name, role=roles[row.role], team=row.team, email=row.email,
                        roles_extra=tuple(part for part in row.roles_extra.split(",") if part), id=row.id),
                 identities[row.id], settings.get(row.id, PersonSettings())) for row in people]

    def open_actions(self) -> builtins.list[dict[str, Any]]:
        """Every action not completed or cancelled, with what a reminder shows (one query,
        plain rows: the pass reads them all)."""
        a, plan = ActionRow.__table__.c, PlanRow.__table__.c
        query = (select(a.code, a.title, a.due_date, a.progress, a.latest_update, a.updated_at, a.responsibility,
                        plan.name.label("plan"))
                 .join_from(ActionRow.__table__, PlanRow.__table__, plan.id == a.plan_id)
                 .where(a.state.not_in(("completed", "cancelled")), a.removed_at.is_(None)))  # not removed by --prune
        return [dict(row._mapping) for row in self._session.execute(query)]

    def settings_of(self, person_id: int) -> PersonSettings:
        row = self._session.get(ReminderSettingsRow, person_id)
        return PersonSettings(row.channel, row.timezone, row.reminder_day) if row else PersonSettings()

    def set_settings(self, person_id: int, *, channel: str | None = None, timezone: str | None = None,
                     reminder_day: int | None = None) -> None:
        """Write the settings given; those left None keep their stored value."""
        row = self._session.get(ReminderSettingsRow, person_id)
        if row is None:
            row = ReminderSettingsRow(person_id=person_id)
            self._session.add(row)
        if channel is not None:
            row.channel = channel
        if timezone is not None:
            row.timezone = timezone
        if reminder_day is not None:
            row.reminder_day = reminder_day
        self._session.flush()

    # --- teams --------------------------------------------------------------------------------

    def teams(self) -> builtins.list[Team]:
        lead = aliased(PersonRow)
        query = select(TeamRow, lead.name).outerjoin(lead, lead.id == TeamRow.lead_person_id).order_by(TeamRow.name)
        return [Team(row.name, lead_name, row.remind_all, row.nation) for row, lead_name in self._session.execute(query)]

    def team(self, name: str) -> Team | None:
        return next((t for t in self.teams() if t.name.casefold() == name.strip().casefold()), None)

    def set_team(self, name: str, *, lead: str | None = None, remind_all: bool | None = None,
                 nation: str | None = None) -> Team:
        """Create the team if new; set its lead (a person's name), remind_all and nation when given."""
        row = self._session.scalars(select(TeamRow).where(func.lower(TeamRow.name) == name.strip().lower())).first()
        if row is None:
            row = TeamRow(name=name.strip(), remind_all=False)
            self._session.add(row)
        if lead is not None:
            person = self._session.scalars(select(PersonRow).where(func.lower(PersonRow.name) == lead.strip().lower())
                                           ).first()
            if person is None:
                raise NotFound(f"There is no person called {lead}.")
            row.lead_person_id = person.id
        if remind_all is not None:
            row.remind_all = remind_all
        if nation is not None:
            row.nation = nation
        self._session.flush()
        found = self.team(row.name)
        assert found is not None
        return found

    # --- leave --------------------------------------------------------------------------------

    def add_leave(self, person_id: int, starts: date, ends: date, cover_id: int | None, now: datetime,
                  by: str) -> None:
        self._session.add(LeaveRow(person_id=person_id, starts=starts, ends=ends, cover_person_id=cover_id,
                                   created_at=now, created_by=by))
        self._session.flush()

    def end_leave(self, person_id: int, today: date) -> int:
        """"I'm back": every spell that covers today or later ends yesterday. How many ended."""
        rows = self._session.scalars(select(LeaveRow).where(
            LeaveRow.person_id == person_id, LeaveRow.ends >= today, LeaveRow.ended_on.is_(None))).all()
        for row in rows:
            row.ended_on = today
        self._session.flush()
        return len(rows)

    def leave_from(self, today: date, person_id: int | None = None) -> dict[int, builtins.list[Leave]]:
        """Leave that has not ended before `today`, by person id (one query)."""
        cover = aliased(PersonRow)
        query = (select(LeaveRow, cover.name).outerjoin(cover, cover.id == LeaveRow.cover_person_id)
                 .where(LeaveRow.ends >= today).order_by(LeaveRow.starts, LeaveRow.id))
        if person_id is not None:
            query = query.where(LeaveRow.person_id == person_id)
        found: dict[int, builtins.list[Leave]] = {}
        for row, cover_name in self._session.execute(query):
            ends = row.ends if row.ended_on is None else min(row.ends, date.fromordinal(row.ended_on.toordinal() - 1))
            if ends < row.starts:
                continue  # ended before it began
            found.setdefault(row.person_id, []).append(Leave(row.starts, ends, cover_name))
        return found

    # --- snoozes ------------------------------------------------------------------------------

    def snooze(self, person_id: int, item_key: str, until: date, now: datetime, by: str) -> None:
        """Silence one item for one person until `until`; an earlier snooze of it is cancelled."""
        for row in self._session.scalars(select(SnoozeRow).where(
                SnoozeRow.person_id == person_id, SnoozeRow.item_key == item_key, SnoozeRow.cancelled_at.is_(None))):
            row.cancelled_at = now
        self._session.add(SnoozeRow(person_id=person_id, item_key=item_key, until=until, created_at=now,
                                    created_by=by))
        self._session.flush()

    def snoozes(self, today: date) -> dict[int, dict[str, date]]:
        """Snoozes still running on `today`, by person id: item key -> until (one query)."""
        query = select(SnoozeRow).where(SnoozeRow.until > today, SnoozeRow.cancelled_at.is_(None))
        found: dict[int, dict[str, date]] = {}
        for row in self._session.scalars(query.order_by(SnoozeRow.id)):
            found.setdefault(row.person_id, {})[row.item_key] = row.until
        return found

    # --- claims (one row per person and day) ----------------------------------------------

    def claimed_days(self, since: date) -> set[tuple[int, date]]:
        query = select(ReminderSendRow.person_id, ReminderSendRow.day).where(ReminderSendRow.day >= since)
        return {(person_id, day) for person_id, day in self._session.execute(query)}

    def claim_many(self, records: Sequence[SendRecord]) -> builtins.list[SendRecord]:
        """Insert a claim row per record; the records whose row this call inserted, with ids.

        Commit at once: a claim protects nothing until the others can see it."""
        if not records:
            return []
        dialect = self._session.get_bind().dialect.name
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
        by_key = {(r.person_id, r.day): r for r in records}
        values = [self._values(r) for r in by_key.values()]
        table = ReminderSendRow.__table__
        # One statement, executemany: SQLAlchemy sends it as batched multi-row INSERTs
        # ("insertmanyvalues"), compiled once, with every inserted row's key returned.
        statement = (insert(table).on_conflict_do_nothing(index_elements=["person_id", "day"])
                     .returning(table.c.id, table.c.person_id, table.c.day))
        mine: builtins.list[SendRecord] = []
        for id, person_id, day in self._session.connection().execute(statement, values):
            record = by_key[(person_id, day)]
            mine.append(SendRecord(**{**record.__dict__, "id": id}))
        return mine

    @staticmethod
    def _values(record: SendRecord) -> dict[str, Any]:
        return {
            "person_id": record.person_id, "day": record.day, "scheduled_for": record.scheduled_for,
            "channel": record.channel, "address": record.address, "items": list(record.items), "text": record.text,
            "state": record.state.value, "attempts": record.attempts, "claimed_by": record.claimed_by,
            "lease_until": record.lease_until, "next_attempt_at": record.next_attempt_at,
            "last_error": record.last_error, "progress": dict(record.progress), "message_ref": record.message_ref,
            "created_at": record.created_at,
        }

    def _with_names(self, query: Any) -> builtins.list[SendRecord]:
        return [_to_send(row, name) for row, name in self._session.execute(query)]

    def _select(self) -> Any:
        return select(ReminderSendRow, PersonRow.name).join(PersonRow, PersonRow.id == ReminderSendRow.person_id)

    def get_send(self, id: int) -> SendRecord | None:
        found = self._with_names(self._select().where(ReminderSendRow.id == id))
        return found[0] if found else None

    def by_message_ref(self, ref: str) -> SendRecord | None:
        """The reminder a reply answers: by its Slack thread, Teams activity or Message-ID."""
        found = self._with_names(self._select().where(ReminderSendRow.message_ref == ref).limit(1))
        return found[0] if found else None

    def by_message_refs(self, refs: Iterable[str]) -> SendRecord | None:
        wanted = [r for r in refs if r]
        if not wanted:
            return None
        found = self._with_names(self._select().where(ReminderSendRow.message_ref.in_(wanted))
                                 .order_by(ReminderSendRow.id.desc()).limit(1))
        return found[0] if found else None

    def recent(self, limit: int = 20, person: str | None = None) -> builtins.list[SendRecord]:
        query = self._select().order_by(ReminderSendRow.scheduled_for.desc(), ReminderSendRow.id.desc())
        if person:
            query = query.where(func.lower(PersonRow.name) == person.strip().lower())
        return self._with_names(query.limit(limit))

    def last_reminded(self, since: date) -> dict[str, tuple[tuple[str, date], ...]]:
        """Item key -> who was sent a reminder naming it, and their latest day (one query)."""
        query = (self._select().where(ReminderSendRow.day >= since, ReminderSendRow.state == SendState.SENT.value)
                 .order_by(ReminderSendRow.day))
        latest: dict[str, dict[str, date]] = {}
        for record in self._with_names(query):
            for item in record.items:
                latest.setdefault(str(item.get("key")), {})[record.person] = record.day
        return {key: tuple(sorted(who.items())) for key, who in latest.items()}

    def retryable(self, now: datetime) -> builtins.list[SendRecord]:
        query = self._select().where(or_(
            and_(ReminderSendRow.state == SendState.FAILED.value, ReminderSendRow.next_attempt_at <= now),
            and_(ReminderSendRow.state == SendState.PENDING.value, ReminderSendRow.lease_until < now),
        )).order_by(ReminderSendRow.scheduled_for, ReminderSendRow.id)
        return self._with_names(query)

    def take_over(self, record: SendRecord, owner: str, now: datetime, lease_until: datetime) -> bool:
        statement = (
            update(ReminderSendRow)
            .where(ReminderSendRow.id == record.id, ReminderSendRow.attempts == record.attempts, or_(
                and_(ReminderSendRow.state == SendState.FAILED.value, ReminderSendRow.next_attempt_at <= now),
                and_(ReminderSendRow.state == SendState.PENDING.value, ReminderSendRow.lease_until < now)))
            .values(state=SendState.PENDING.value, claimed_by=owner, lease_until=lease_until,
                    attempts=record.attempts + 1, next_attempt_at=None)
        )
        return _changed_one(self._session.execute(statement))

    def _owned(self, id: int, owner: str, **values: Any) -> bool:
        statement = (update(ReminderSendRow)
                     .where(ReminderSendRow.id == id, ReminderSendRow.claimed_by == owner,
                            ReminderSendRow.state == SendState.PENDING.value)
                     .values(**values))
        return _changed_one(self._session.execute(statement))

    def record_progress(self, id: int, owner: str, progress: dict[str, Any], lease_until: datetime) -> bool:
        return self._owned(id, owner, progress=dict(progress), lease_until=lease_until)

    def release(self, id: int, owner: str, now: datetime) -> bool:
        return self._owned(id, owner, lease_until=now, attempts=ReminderSendRow.attempts - 1)

    def mark_sent(self, id: int, owner: str, now: datetime, message_ref: str | None) -> bool:
        return self._owned(id, owner, state=SendState.SENT.value, sent_at=now, lease_until=None, last_error=None,
                           message_ref=message_ref)

    def mark_failed(self, id: int, owner: str, error: str, next_attempt_at: datetime | None) -> bool:
        return self._owned(id, owner, state=SendState.FAILED.value, lease_until=None,
                           last_error=error[:_ERROR_CHARS], next_attempt_at=next_attempt_at)

    # --- notices ------------------------------------------------------------------------------

    def add_notice(self, person_id: int, text: str, now: datetime, private: bool = False) -> None:
        self._session.add(ReminderNoticeRow(person_id=person_id, text=text, private=private,
                                            state=SendState.PENDING.value, attempts=0, created_at=now))
        self._session.flush()

    def notices_due(self, now: datetime) -> builtins.list[Notice]:
        query = (select(ReminderNoticeRow, PersonRow.name).join(PersonRow, PersonRow.id == ReminderNoticeRow.person_id)
                 .where(or_(and_(ReminderNoticeRow.state == SendState.PENDING.value,
                                 or_(ReminderNoticeRow.lease_until.is_(None), ReminderNoticeRow.lease_until < now)),
                            and_(ReminderNoticeRow.state == SendState.FAILED.value,
                                 ReminderNoticeRow.next_attempt_at <= now)))
                 .order_by(ReminderNoticeRow.id))
        return [_to_notice(row, name) for row, name in self._session.execute(query)]

    def take_notice(self, notice: Notice, owner: str, now: datetime, lease_until: datetime) -> bool:
        statement = (
            update(ReminderNoticeRow)
            .where(ReminderNoticeRow.id == notice.id, ReminderNoticeRow.attempts == notice.attempts, or_(
                and_(ReminderNoticeRow.state == SendState.PENDING.value,
                     or_(ReminderNoticeRow.lease_until.is_(None), ReminderNoticeRow.lease_until < now)),
                and_(ReminderNoticeRow.state == SendState.FAILED.value, ReminderNoticeRow.next_attempt_at <= now)))
            .values(state=SendState.PENDING.value, claimed_by=owner, lease_until=lease_until,
                    attempts=notice.attempts + 1, next_attempt_at=None)
        )
        return _changed_one(self._session.execute(statement))

    def finish_notice(self, id: int, owner: str, now: datetime, error: str | None,
                      next_attempt_at: datetime | None) -> bool:
        values: dict[str, Any] = ({"state": SendState.SENT.value, "sent_at": now, "lease_until": None}
                                  if error is None else
                                  {"state": SendState.FAILED.value, "lease_until": None,
                                   "last_error": error[:_ERROR_CHARS], "next_attempt_at": next_attempt_at})
        statement = (update(ReminderNoticeRow)
                     .where(ReminderNoticeRow.id == id, ReminderNoticeRow.claimed_by == owner,
                            ReminderNoticeRow.state == SendState.PENDING.value).values(**values))
        return _changed_one(self._session.execute(statement))

    def notices(self, limit: int = 20) -> builtins.list[Notice]:
        query = (select(ReminderNoticeRow, PersonRow.name).join(PersonRow, PersonRow.id == ReminderNoticeRow.person_id)
                 .order_by(ReminderNoticeRow.id.desc()).limit(limit))
        return [_to_notice(row, name) for row, name in self._session.execute(query)]
