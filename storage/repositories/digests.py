"""uow.digests: digest subscriptions, and the delivery rows that claim each period once.

The claim is the unique (subscription_id, period_key) row: whoever inserts it first sends
that period; everyone else sees the row and leaves it alone. State changes after that are
compare-and-set UPDATEs (`WHERE state = ... AND claimed_by = ...`), so two instances never
both believe they own a delivery.
"""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.digest.model import DeliveryRecord, DeliveryState, Subscription
from storage.digest_tables import DigestDeliveryRow, DigestSubscriptionRow

_ERROR_CHARS = 2000


def _to_subscription(row: DigestSubscriptionRow) -> Subscription:
    return Subscription(
        destination_kind=row.destination_kind,
        destination=row.destination,
        plan=row.plan,
        sections=tuple(row.sections or ()),
        responsibility=row.responsibility,
        group_by=row.group_by,
        schedule=row.schedule,
        timezone=row.timezone,
        due_soon_days=row.due_soon_days,
        stale_days=row.stale_days,
        active=row.active,
        skip_when_empty=bool(row.skip_when_empty),
        created_at=row.created_at,
        created_by=row.created_by,
        id=row.id,
    )


def _to_record(row: DigestDeliveryRow) -> DeliveryRecord:
    return DeliveryRecord(
        subscription_id=row.subscription_id,
        period_key=row.period_key,
        scheduled_for=row.scheduled_for,
        state=DeliveryState(row.state),
        attempts=row.attempts,
        claimed_by=row.claimed_by,
        lease_until=row.lease_until,
        next_attempt_at=row.next_attempt_at,
        last_error=row.last_error,
        progress=dict(row.progress or {}),
        created_at=row.created_at,
        sent_at=row.sent_at,
        id=row.id,
    )


def _write_subscription(row: DigestSubscriptionRow, sub: Subscription) -> None:
    row.destination_kind = sub.destination_kind
    row.destination = sub.destination
    row.plan = sub.plan
    row.sections = list(sub.sections)
    row.responsibility = sub.responsibility
    row.group_by = sub.group_by
    row.schedule = sub.schedule
    row.timezone = sub.timezone
    row.due_soon_days = sub.due_soon_days
    row.stale_days = sub.stale_days
    row.active = sub.active
    row.skip_when_empty = sub.skip_when_empty
    row.created_by = sub.created_by


def _changed_one(result: Any) -> bool:
    """An UPDATE's result (a CursorResult): did it change exactly one row?"""
    return int(result.rowcount) == 1


class DigestRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    # --- subscriptions -------------------------------------------------------------------

    def add(self, sub: Subscription) -> Subscription:
        if sub.created_at is None:
            raise ValueError("a subscription needs created_at (timezone-aware)")
        row = DigestSubscriptionRow(created_at=sub.created_at)
        _write_subscription(row, sub)
        self._session.add(row)
        self._session.flush()
        return _to_subscription(row)

    def save(self, sub: Subscription) -> Subscription:
        """Write every field of a stored subscription (by id); created_at never changes."""
        row = self._session.get(DigestSubscriptionRow, sub.id) if sub.id is not None else None
        if row is None:
            raise LookupError(f"There is no digest subscription {sub.id}.")
        _write_subscription(row, sub)
        self._session.flush()
        return _to_subscription(row)

    def get(self, id: int) -> Subscription | None:
        row = self._session.get(DigestSubscriptionRow, id)
        return _to_subscription(row) if row is not None else None

    def list(self, active_only: bool = True) -> builtins.list[Subscription]:
        query = select(DigestSubscriptionRow).order_by(DigestSubscriptionRow.id)
        if active_only:
            query = query.where(DigestSubscriptionRow.active.is_(True))
        return [_to_subscription(row) for row in self._session.scalars(query)]

    def for_destination(self, kind: str, destination: str) -> builtins.list[Subscription]:
        """Every subscription (active or not) posting to one destination, oldest first."""
        query = (
            select(DigestSubscriptionRow)
            .where(DigestSubscriptionRow.destination_kind == kind, DigestSubscriptionRow.destination == destination)
            .order_by(DigestSubscriptionRow.id)
        )
        return [_to_subscription(row) for row in self._session.scalars(query)]

    # --- deliveries (claims) ---------------------------------------------------------------

    def claimed_periods(self, since: datetime) -> set[tuple[int, str]]:
        """(subscription_id, period_key) of every delivery row scheduled at or after `since`."""
        query = select(DigestDeliveryRow.subscription_id, DigestDeliveryRow.period_key).where(
            DigestDeliveryRow.scheduled_for >= since
        )
        return {(sub_id, key) for sub_id, key in self._session.execute(query)}

    def claim(self, record: DeliveryRecord) -> DeliveryRecord | None:
        """Insert the row for (subscription, period); None when it exists already.

        On PostgreSQL a concurrent insert of the same key waits for the other transaction and
        then fails on the unique constraint, so exactly one claimer gets a row back. Commit at
        once: the claim protects nothing until it is visible to the others.
        """
        row = DigestDeliveryRow(
            subscription_id=record.subscription_id,
            period_key=record.period_key,
            scheduled_for=record.scheduled_for,
            state=record.state.value,
            attempts=record.attempts,
            claimed_by=record.claimed_by,
            lease_until=record.lease_until,
            next_attempt_at=record.next_attempt_at,
            last_error=record.last_error,
            progress=dict(record.progress),
            created_at=record.created_at,
        )
        try:
            with self._session.begin_nested():
                self._session.add(row)
                self._session.flush()
        except IntegrityError:
            return None
        return _to_record(row)

    def get_delivery(self, id: int) -> DeliveryRecord | None:
        row = self._session.get(DigestDeliveryRow, id)
        return _to_record(row) if row is not None else None

    def retryable(self, now: datetime) -> builtins.list[DeliveryRecord]:
        """Failed deliveries whose next attempt is due, and pending ones whose lease ran out
        (their sender crashed or hung), oldest period first."""
        query = (
            select(DigestDeliveryRow)
            .where(
                or_(
                    and_(DigestDeliveryRow.state == DeliveryState.FAILED.value,
                         DigestDeliveryRow.next_attempt_at <= now),
                    and_(DigestDeliveryRow.state == DeliveryState.PENDING.value,
                         DigestDeliveryRow.lease_until < now),
                )
            )
            .order_by(DigestDeliveryRow.scheduled_for, DigestDeliveryRow.id)
        )
        return [_to_record(row) for row in self._session.scalars(query)]

    def take_over(self, record: DeliveryRecord, owner: str, now: datetime, lease_until: datetime) -> bool:
        """Compare-and-set: claim a retryable delivery for `owner`; False if someone else did."""
        statement = (
            update(DigestDeliveryRow)
            .where(
                DigestDeliveryRow.id == record.id,
                DigestDeliveryRow.attempts == record.attempts,
                or_(
                    and_(DigestDeliveryRow.state == DeliveryState.FAILED.value,
                         DigestDeliveryRow.next_attempt_at <= now),
                    and_(DigestDeliveryRow.state == DeliveryState.PENDING.value,
                         DigestDeliveryRow.lease_until < now),
                ),
            )
            .values(state=DeliveryState.PENDING.value, claimed_by=owner, lease_until=lease_until,
                    attempts=record.attempts + 1, next_attempt_at=None)
        )
        return _changed_one(self._session.execute(statement))

    def _owned(self, id: int, owner: str, **values: Any) -> bool:
        statement = (
            update(DigestDeliveryRow)
            .where(DigestDeliveryRow.id == id, DigestDeliveryRow.claimed_by == owner,
                   DigestDeliveryRow.state == DeliveryState.PENDING.value)
            .values(**values)
        )
        return _changed_one(self._session.execute(statement))

    def record_progress(self, id: int, owner: str, progress: dict[str, Any], lease_until: datetime) -> bool:
        """Remember the steps done (e.g. the Slack message ts) so a retry does not redo them."""
        return self._owned(id, owner, progress=dict(progress), lease_until=lease_until)

    def release(self, id: int, owner: str, now: datetime) -> bool:
        """Give back a claim that was never attempted (its sender is shutting down): its lease
        ends now, so another instance takes it over at once instead of when the lease runs
        out, and the attempt it was claimed with is not counted."""
        return self._owned(id, owner, lease_until=now, attempts=DigestDeliveryRow.attempts - 1)

    def mark_sent(self, id: int, owner: str, now: datetime) -> bool:
        return self._owned(id, owner, state=DeliveryState.SENT.value, sent_at=now, lease_until=None,
                           last_error=None)

    def mark_empty(self, id: int, owner: str, now: datetime, reason: str) -> bool:
        """The period had nothing to report and its subscription skips empty digests."""
        return self._owned(id, owner, state=DeliveryState.SKIPPED.value, lease_until=None, last_error=reason)

    def mark_failed(self, id: int, owner: str, error: str, next_attempt_at: datetime | None) -> bool:
        """Record a failed attempt; `next_attempt_at=None` makes the failure final."""
        return self._owned(id, owner, state=DeliveryState.FAILED.value, lease_until=None,
                           last_error=error[:_ERROR_CHARS], next_attempt_at=next_attempt_at)

    def last_sent(self, subscription_id: int, before: datetime) -> DeliveryRecord | None:
        query = (
            select(DigestDeliveryRow)
            .where(DigestDeliveryRow.subscription_id == subscription_id,
                   DigestDeliveryRow.state == DeliveryState.SENT.value,
                   DigestDeliveryRow.scheduled_for < before)
            .order_by(DigestDeliveryRow.scheduled_for.desc())
            .limit(1)
        )
        row = self._session.scalars(query).first()
        return _to_record(row) if row is not None else None

    def deliveries(self, subscription_id: int | None = None, limit: int = 20) -> builtins.list[DeliveryRecord]:
        """Newest period first."""
        query = select(DigestDeliveryRow).order_by(DigestDeliveryRow.scheduled_for.desc(), DigestDeliveryRow.id.desc())
        if subscription_id is not None:
            query = query.where(DigestDeliveryRow.subscription_id == subscription_id)
        return [_to_record(row) for row in self._session.scalars(query.limit(limit))]
