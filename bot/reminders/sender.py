"""Send each person's reminder once per working day, at their send time in their time zone.

The protocol is the digest sender's (bot.digest.sender), per (person, day) instead of per
(subscription, period), and holds with several `actionbot run` instances on one PostgreSQL
database and across restarts:

1. A pass reads everything once. For each reachable person, every local day whose send time
   (default 09:00, in their zone; zoneinfo makes it 08:00 UTC in summer and 09:00 in winter)
   passed within the grace window and that has no claim row yet is due: a missed day is
   caught up, as of that day, while it is within `grace_hours`; older days are not sent (the
   next day's message lists what is still open). A person with nothing due when their day
   is first looked at is not looked at again that day by the same process (`actionbot run`
   polls every minute; each `actionbot reminders send-due` from cron looks afresh).
2. The messages are built for those people and days, and a claim row is inserted for each
   non-empty one in one `INSERT … ON CONFLICT DO NOTHING RETURNING`: only the rows this
   instance inserted come back, so two instances never both send a (person, day).
3. The claimer delivers, records the message's reference (Slack channel and ts, Teams activity,
   Message-ID: what replies are matched on), and marks the row `sent`.
4. A failure marks the row `failed` with `next_attempt_at` (exponential back-off); a failed
   row whose time has come, or a `pending` row whose lease ran out (its sender crashed), is
   taken over by a compare-and-set UPDATE and retried, at most `max_attempts` times.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from bot.claim_progress import ClaimProgress
from bot.reminders.model import SendRecord, SendState
from bot.reminders.passes import (
    Snapshot,
    address_for,
    build,
    calendar_maker,
    default_channel,
    items_of,
    read_snapshot,
    render_text,
)
from bot.reminders.settings import ReminderSettings
from bot.reminders.sources import Source

log = logging.getLogger(__name__)


class Progress(Protocol):
    attempt: int

    def get(self, step: str) -> Any: ...

    def record(self, step: str, value: Any) -> None: ...


class ReminderDelivery(Protocol):
    kind: str  # "slack" | "teams" | "email"

    def deliver(self, record: SendRecord, progress: Progress) -> str | None:
        """Send the reminder; return the reference a reply to it will carry. Raise on failure."""

    def notify(self, address: str, text: str) -> None:
        """Send a one-off notice to one person (privately)."""


@dataclass
class ReminderReport:
    sent: list[tuple[str, date]] = field(default_factory=list)
    failed: list[tuple[str, date, str]] = field(default_factory=list)
    notices_sent: int = 0
    notices_failed: int = 0
    waiting: list[tuple[str, str]] = field(default_factory=list)  # (person, channel not configured)

    def summary(self) -> str:
        return (f"{len(self.sent)} reminder(s) sent, {len(self.failed)} failed (will retry or recorded), "
                f"{self.notices_sent} notice(s) sent")


def send_time_utc(day: date, zone: str, config: ReminderSettings) -> datetime:
    local = datetime(day.year, day.month, day.day, config.send_at.hour, config.send_at.minute, tzinfo=ZoneInfo(zone))
    return local.astimezone(timezone.utc)


def due_days(zone: str, now: datetime, config: ReminderSettings) -> list[tuple[date, datetime]]:
    """(local day, send time) whose send time is in (now - grace, now], oldest first."""
    tz = ZoneInfo(zone)
    first = (now - config.grace).astimezone(tz).date() - timedelta(days=1)
    last = now.astimezone(tz).date()
    found = []
    day = first
    while day <= last:
        at = send_time_utc(day, zone, config)
        if now - config.grace < at <= now:
            found.append((day, at))
        day += timedelta(days=1)
    return found


class ReminderSender:
    def __init__(self, new_uow: Callable[[], Any], deliveries: Mapping[str, ReminderDelivery], owner: str,
                 settings: Any, config: ReminderSettings | None = None,
                 sources: Iterable[Source] | None = None, stopping: Callable[[], bool] = lambda: False) -> None:
        self.new_uow = new_uow
        self.deliveries = deliveries
        self.owner = owner
        self.settings = settings  # config.settings.Settings: the calendar
        self.config = config or ReminderSettings()
        self.sources = list(sources) if sources is not None else None
        self.stopping = stopping
        # (person id, day) already looked at by this process: a person with nothing due at
        # their send time is not rebuilt on every later poll of the day (the message is built
        # at the send time, or when the bot comes up within the grace window).
        self._looked_at: set[tuple[int, date]] = set()

    # --- one pass ------------------------------------------------------------------------------

    def send_due(self, now: datetime) -> ReminderReport:
        report = ReminderReport()
        claimed = self.claim_due(now, report)
        self._attempt_all(claimed, now, report)
        if not self.stopping():
            self._attempt_all(self._take_over_retryable(now), now, report)
            self._send_notices(now, report)
        return report

    def claim_due(self, now: datetime, report: ReminderReport | None = None) -> list[SendRecord]:
        """Build and claim every message due at `now`; the claims this instance won."""
        report = report if report is not None else ReminderReport()
        today = now.astimezone(ZoneInfo(self.config.rules.timezone)).date()
        with self.new_uow() as uow:
            snapshot = read_snapshot(uow, today, self.config, self.sources)
            claimed = uow.reminders.claimed_days(today - timedelta(days=3))
        wanted: dict[date, tuple[datetime, list[str]]] = {}
        for person in snapshot.people:
            channel_address = snapshot.addresses.get(person.name)
            if channel_address is None and person.on_leave(today) is None:
                continue  # unreachable and not covered: `reminders check` says why
            for day, at in due_days(person.timezone, now, self.config):
                key = (snapshot.ids[person.name], day)
                if key in claimed or key in self._looked_at:
                    continue
                wanted.setdefault(day, (at, []))[1].append(person.name)
        calendar_for = calendar_maker(self.settings)
        records: list[SendRecord] = []
        for day, (at, names) in sorted(wanted.items()):
            result = build(snapshot, day, calendar_for, self.config, names)
            named = set(names)  # 10,000 people: a list here made the pass quadratic
            for name, message in sorted(result.messages.items()):
                if message.is_empty or name not in named:
                    continue
                channel, address = snapshot.addresses[name]
                if channel not in self.deliveries:
                    report.waiting.append((name, channel))
                    continue
                records.append(self._record(snapshot, message, day, at, channel, address, now))
        if records:
            with self.new_uow() as uow:
                mine: list[SendRecord] = uow.reminders.claim_many(records)
                uow.commit()
        else:
            mine = []
        waiting = {name for name, _ in report.waiting}
        self._looked_at.update((snapshot.ids[name], day) for day, (_, names) in wanted.items()
                               for name in names if name not in waiting)
        if len(self._looked_at) > 100_000:  # a long-running process forgets old days
            self._looked_at = {key for key in self._looked_at if key[1] >= today - timedelta(days=3)}
        return mine

    def _record(self, snapshot: Snapshot, message: Any, day: date, at: datetime, channel: str, address: str,
                now: datetime) -> SendRecord:
        return SendRecord(
            person_id=snapshot.ids[message.person], person=message.person, day=day,
            scheduled_for=at, channel=channel, address=address, items=tuple(items_of(message)),
            text=render_text(message, snapshot), state=SendState.PENDING, attempts=1, claimed_by=self.owner,
            lease_until=now + self.config.lease, created_at=now,
        )

    def _attempt_all(self, records: list[SendRecord], now: datetime, report: ReminderReport) -> None:
        for index, record in enumerate(records):
            if self.stopping():
                with self.new_uow() as uow:
                    for rest in records[index:]:
                        assert rest.id is not None
                        uow.reminders.release(rest.id, self.owner, now)
                    uow.commit()
                return
            self._attempt(record, now, report)

    def _take_over_retryable(self, now: datetime) -> list[SendRecord]:
        mine: list[SendRecord] = []
        with self.new_uow() as uow:
            candidates = uow.reminders.retryable(now)
        for record in candidates:
            if record.channel not in self.deliveries:
                continue
            with self.new_uow() as uow:
                if not uow.reminders.take_over(record, self.owner, now, now + self.config.lease):
                    continue
                uow.commit()
                assert record.id is not None
                taken = uow.reminders.get_send(record.id)
            if taken is not None:
                mine.append(taken)
        return mine

    def _attempt(self, record: SendRecord, now: datetime, report: ReminderReport) -> None:
        assert record.id is not None
        fields = {"reminder": record.id, "day": record.day.isoformat(), "attempt": record.attempts,
                  "channel": record.channel}
        try:
            ref = self.deliveries[record.channel].deliver(record, ClaimProgress(
                self.new_uow, lambda uow: uow.reminders, record.id, self.owner, record.progress, record.attempts,
                now + self.config.lease,
                lambda: RuntimeError("another instance took this reminder over (its lease ran out)")))
        except Exception as exc:  # recorded and retried, never dropped
            final = record.attempts >= self.config.max_attempts
            retry_at = None if final else now + self.config.backoff(record.attempts)
            error = f"{type(exc).__name__}: {exc}"
            with self.new_uow() as uow:
                uow.reminders.mark_failed(record.id, self.owner, error, retry_at)
                uow.commit()
            report.failed.append((record.person, record.day, error))
            log.warning("reminder delivery failed", extra={**fields, "error": error, "final": final})
            return
        with self.new_uow() as uow:
            recorded = uow.reminders.mark_sent(record.id, self.owner, now, ref)
            uow.commit()
        if not recorded:
            log.error("reminder sent after its lease ran out; another instance may send it too", extra=fields)
        report.sent.append((record.person, record.day))
        log.info("reminder sent", extra=fields)

    # --- notices (Not mine) ------------------------------------------------------------------

    def _send_notices(self, now: datetime, report: ReminderReport) -> None:
        with self.new_uow() as uow:
            notices = uow.reminders.notices_due(now)
            people = {p.name: (p, ids, s) for p, ids, s in uow.reminders.people()} if notices else {}
        for notice in notices:
            person, identities, settings = people[notice.person]
            channel = settings.channel or default_channel(identities, person.email)
            address = address_for(channel, identities, person.email)
            delivery = self.deliveries.get(channel)
            if delivery is None or not address:
                continue
            with self.new_uow() as uow:
                if not uow.reminders.take_notice(notice, self.owner, now, now + self.config.lease):
                    continue
                uow.commit()
            error = None
            try:
                delivery.notify(address, notice.text)
            except Exception as exc:
                error = f"{type(exc).__name__}: {exc}"
            attempts = notice.attempts + 1
            retry_at = None if error is None or attempts >= self.config.max_attempts \
                else now + self.config.backoff(attempts)
            assert notice.id is not None
            with self.new_uow() as uow:
                uow.reminders.finish_notice(notice.id, self.owner, now, error, retry_at)
                uow.commit()
            if error is None:
                report.notices_sent += 1
            else:
                report.notices_failed += 1
