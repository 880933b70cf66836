"""Send every digest that is due, exactly once per (subscription, period).

The protocol, which holds with several `actionbot run` instances on one PostgreSQL database
and across restarts:

1. For each active subscription, the schedule's fire times since it was created (at most
   `LOOKBACK` back) that have no delivery row yet are due. A fire time older than the grace
   window is recorded as `skipped` (the bot was down too long for the digest to be news);
   a newer one is claimed by inserting its row as `pending` with a lease. The unique
   (subscription_id, period_key) constraint lets exactly one instance insert it.
2. The claimer builds, renders and delivers, then marks the row `sent` (compare-and-set on
   `claimed_by`). A delivery records its completed steps on the row (the Slack message ts),
   so a retry after a partial failure finishes the job instead of posting again.
3. A failure marks the row `failed` with the error and `next_attempt_at` (exponential back-off);
   after `max_attempts` the failure is final and stays visible in `actionbot digest list`.
4. A `failed` row whose next attempt is due, or a `pending` row whose lease ran out (its
   sender crashed), is taken over by whoever wins a compare-and-set UPDATE, and retried.

A post whose answer was lost (a timeout, or a crash before the step was recorded) is not
posted twice where the destination can be asked: Slack messages carry metadata naming the
delivery, and a retry looks for it in the channel first (bot.digest.slack_delivery). Email
has no such check: a crash between handing the mail over and recording it resends it.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.digest.content import (
    ConcernCounts,
    ContractLogSource,
    Digest,
    DigestBasis,
    DigestFilter,
    no_contract_log,
)
from bot.claim_progress import ClaimProgress
from bot.digest.delivery import DeliveryFailed, DigestDelivery, RenderedDigest, render_for
from bot.digest.model import DeliveryRecord, DeliveryState, Subscription
from bot.digest.schedule import ScheduleError, fire_times, parse_schedule
from bot.metrics import NO_METRICS, Metrics

log = logging.getLogger(__name__)

LOOKBACK = timedelta(days=35)  # how far back missed periods are looked for (and recorded)
DEFAULT_WINDOW = timedelta(days=7)  # "what changed" before the first digest of a subscription


@dataclass(frozen=True)
class SenderSettings:
    grace: timedelta = timedelta(hours=12)
    lease: timedelta = timedelta(minutes=10)
    max_attempts: int = 5
    retry_base: timedelta = timedelta(minutes=1)

    def backoff(self, attempts: int) -> timedelta:
        return self.retry_base * (1 << max(attempts - 1, 0))

    @classmethod
    def from_extra(cls, section: Mapping[str, Any]) -> SenderSettings:
        """From the `[digest]` section of the TOML settings; a bad value is a SettingsError."""
        from config.settings import SettingsError

        def number(key: str, default: float) -> float:
            value = section.get(key, default)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise SettingsError(f"[digest] {key} must be a number of 0 or more, not {value!r}.")
            return float(value)

        return cls(
            grace=timedelta(hours=number("grace_hours", 12)),
            lease=timedelta(seconds=max(number("lease_seconds", 600), 1)),
            max_attempts=max(int(number("max_attempts", 5)), 1),
            retry_base=timedelta(seconds=number("retry_base_seconds", 60)),
        )


@dataclass
class SendReport:
    sent: list[tuple[int, str]] = field(default_factory=list)
    failed: list[tuple[int, str, str]] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    empty: list[tuple[int, str]] = field(default_factory=list)  # not sent: nothing to report (skip_when_empty)
    waiting: list[tuple[int, str]] = field(default_factory=list)  # (subscription, kind with no delivery)

    def summary(self) -> str:
        quiet = f", {len(self.empty)} with nothing to report (not sent)" if self.empty else ""
        return (f"{len(self.sent)} sent, {len(self.failed)} failed (will retry or recorded), "
                f"{len(self.skipped)} skipped{quiet}")


# What digests read and build, kept for one sending pass and shared by every digest that
# needs the same: ("plan", plan) -> (actions, sections); ("history", plan, since) -> entries;
# ("basis", plan, today) -> DigestBasis (orderings, items, rollups, formatted lines);
# ("digest", ...) -> a Digest for one filter; ("rendered", ...) -> its rendering per kind.
# Fifty subscriptions to one plan read its 10,000 actions once and sort them once.
PlanSnapshot = dict[tuple[Any, ...], Any]


def last_digest_time(uow: Any, sub: Subscription, before: datetime) -> datetime | None:
    """When the subscription's previous digest went out (its content was read then): what
    changed is reported from there. None for a subscription's first digest."""
    if sub.id is None:
        return None
    last = uow.digests.last_sent(sub.id, before=before)
    return (last.sent_at or last.scheduled_for) if last is not None else None


def compose_digest(uow: Any, sub: Subscription, now: datetime, since: datetime | None,
                   concerns: ConcernCounts | None = None, snapshot: PlanSnapshot | None = None,
                   contract_log: ContractLogSource = no_contract_log) -> Digest:
    """Read what a subscription's digest needs (a fixed number of queries, whatever the
    number of actions; fewer when `snapshot` already holds its plan) and build it.

    Concerns come from the concern log (`uow.concerns`), counted by category across
    providers: entries belong to providers, not to a plan, so every plan's digest shows them.
    `contract_log` gives the overdue contract-log actions and visits (none by default)."""
    today = now.astimezone(ZoneInfo(sub.timezone)).date()
    cache: PlanSnapshot = {} if snapshot is None else snapshot
    plan_key = ("plan", (sub.plan or "").casefold())
    if plan_key not in cache:
        cache[plan_key] = (uow.actions.list(plan=sub.plan), uow.plans.sections(sub.plan))
    actions, sections = cache[plan_key]
    basis_key = ("basis", plan_key[1], today, now)
    if basis_key not in cache:
        cache[basis_key] = DigestBasis(actions, sections, today, now)
    basis: DigestBasis = cache[basis_key]
    after = since or now - DEFAULT_WINDOW
    history_key = ("history", plan_key[1], after)
    if history_key not in cache:
        cache[history_key] = uow.history.since(after, plan=sub.plan)
    history = cache[history_key]
    flt = DigestFilter(plan=sub.plan, sections=sub.sections, responsibility=sub.responsibility,
                       group_by=sub.group_by, due_soon_days=sub.due_soon_days, stale_days=sub.stale_days)
    if concerns is not None:
        counts = concerns(sub.plan)
    else:
        if ("concerns",) not in cache:
            log_of_concerns = getattr(uow, "concerns", None)
            cache[("concerns",)] = log_of_concerns.open_counts_by_category() if log_of_concerns else None
        counts = cache[("concerns",)]
    log_key = ("contract log", contract_log, plan_key[1], today)
    if log_key not in cache:
        cache[log_key] = contract_log(uow, sub.plan, today)
    if concerns is not None:  # a caller's source may answer differently each time: not shared
        return basis.digest(history, flt, since, counts, contract_log=cache[log_key])
    digest_key = ("digest", basis_key, flt, since)
    if digest_key not in cache:
        cache[digest_key] = basis.digest(history, flt, since, counts, contract_log=cache[log_key])
    digest: Digest = cache[digest_key]
    return digest


@contextmanager
def cyclic_gc_paused(made: PlanSnapshot | None = None) -> Iterator[None]:
    """A sending pass makes hundreds of thousands of objects that live until it ends (items,
    lines, shared parts, digests); the cyclic collector would walk that growing heap again and
    again — a quarter of a 500-digest pass over 100,000 actions (bench/digest_build.py). Reference
    counting still frees everything that is not a cycle; collection resumes when the pass ends.

    `made` (the pass's snapshot) is emptied before the collector resumes: what it held is then
    freed by reference counting, and the first collection has little left to walk (with it
    still alive, that collection walked every object of the pass: 0.7 s of an 11 s pass)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if made is not None:
            made.clear()
        if was_enabled:
            gc.enable()


EMPTY_REASON = "nothing to report (the subscription skips empty digests)"


def render_shared(snapshot: PlanSnapshot, kind: str, digest: Digest, with_chart: bool) -> RenderedDigest:
    """`render_for`, once per digest and destination kind in a sending pass (subscriptions
    with the same filter share one digest, and so one rendering)."""
    key = ("rendered", id(digest), kind, with_chart)
    made = snapshot.get(key)
    if made is None or made[0] is not digest:
        made = snapshot[key] = (digest, render_for(kind, digest, with_chart))
    rendered: RenderedDigest = made[1]
    return rendered


def _claim_progress(sender: DigestSender, record: DeliveryRecord, now: datetime) -> ClaimProgress:
    """DeliveryProgress kept on the claim row, committed at once."""
    assert record.id is not None
    return ClaimProgress(
        sender.new_uow, lambda uow: uow.digests, record.id, sender.owner, record.progress, record.attempts,
        now + sender.settings.lease,
        lambda: DeliveryFailed("another instance took this delivery over (its lease ran out)"),
        key=f"{record.subscription_id}:{record.period_key}", claimed_at=record.created_at or record.scheduled_for)


class DigestSender:
    def __init__(self, new_uow: Callable[[], Any], deliveries: Mapping[str, DigestDelivery], owner: str,
                 settings: SenderSettings | None = None, concerns: ConcernCounts | None = None,
                 with_chart: bool = True, metrics: Metrics = NO_METRICS,
                 stopping: Callable[[], bool] = lambda: False,
                 contract_log: ContractLogSource = no_contract_log) -> None:
        self.new_uow = new_uow
        self.deliveries = deliveries
        self.owner = owner
        self.settings = settings or SenderSettings()
        self.concerns = concerns
        self.with_chart = with_chart
        self.metrics = metrics
        # Asked before each delivery: on shutdown the one in hand is finished and the claims
        # not yet attempted are released for another instance (or the next start).
        self.stopping = stopping
        self.contract_log = contract_log

    def send_due(self, now: datetime) -> SendReport:
        report = SendReport()
        snapshot: PlanSnapshot = {}
        with cyclic_gc_paused(snapshot):
            claimed = self._claim_due(now, report)
            self._attempt_all(claimed, now, report, snapshot)
            if not self.stopping():
                self._attempt_all(self._take_over_retryable(now, report), now, report, snapshot)
        return report

    def _attempt_all(self, claimed: list[tuple[DeliveryRecord, Subscription]], now: datetime, report: SendReport,
                     snapshot: PlanSnapshot) -> None:
        for index, (record, sub) in enumerate(claimed):
            if self.stopping():
                self._release([record for record, _ in claimed[index:]], now)
                return
            self._attempt(record, sub, now, report, snapshot)

    def _release(self, records: list[DeliveryRecord], now: datetime) -> None:
        with self.new_uow() as uow:
            released = sum(uow.digests.release(record.id, self.owner, now) for record in records)
            uow.commit()
        log.info("digest claims released on shutdown", extra={"owner": self.owner, "released": released})

    def _claim_due(self, now: datetime, report: SendReport) -> list[tuple[DeliveryRecord, Subscription]]:
        with self.new_uow() as uow:
            subscriptions = uow.digests.list()
            claimed = uow.digests.claimed_periods(now - LOOKBACK - timedelta(days=1))
        report.waiting += [(s.id or 0, s.destination_kind) for s in subscriptions if s.destination_kind not in self.deliveries]
        subscriptions = [s for s in subscriptions if s.destination_kind in self.deliveries]
        mine: list[tuple[DeliveryRecord, Subscription]] = []
        for sub in subscriptions:
            if self.stopping():
                break  # claim nothing more: it would only be released again
            assert sub.id is not None and sub.created_at is not None
            try:
                schedule = parse_schedule(sub.schedule)
                due = fire_times(schedule, sub.timezone, max(sub.created_at, now - LOOKBACK), now)
            except ScheduleError as exc:
                log.warning("digest schedule unreadable", extra={"subscription": sub.id, "error": str(exc)})
                continue
            for fire in due:
                if (sub.id, fire.period_key) in claimed:
                    continue
                late = now - fire.at > self.settings.grace
                record = DeliveryRecord(
                    subscription_id=sub.id, period_key=fire.period_key, scheduled_for=fire.at,
                    state=DeliveryState.SKIPPED if late else DeliveryState.PENDING,
                    attempts=0 if late else 1, claimed_by=self.owner,
                    lease_until=None if late else now + self.settings.lease,
                    last_error=f"missed by more than the grace window ({self.settings.grace})" if late else None,
                    created_at=now,
                )
                with self.new_uow() as uow:
                    stored = uow.digests.claim(record)
                    uow.commit()
                if stored is None:
                    continue  # another instance claimed this period first
                if late:
                    report.skipped.append((sub.id, fire.period_key))
                    self.metrics.digest_finished("skipped")
                    log.warning("digest period skipped", extra={"subscription": sub.id, "period": fire.period_key})
                else:
                    mine.append((stored, sub))
        return mine

    def _take_over_retryable(self, now: datetime, report: SendReport) -> list[tuple[DeliveryRecord, Subscription]]:
        mine: list[tuple[DeliveryRecord, Subscription]] = []
        with self.new_uow() as uow:
            candidates = uow.digests.retryable(now)
        for record in candidates:
            with self.new_uow() as uow:
                sub = uow.digests.get(record.subscription_id)
                if sub is None or sub.destination_kind not in self.deliveries:
                    continue
                if not uow.digests.take_over(record, self.owner, now, now + self.settings.lease):
                    continue
                uow.commit()
                taken = uow.digests.get_delivery(record.id)
            if taken is not None:
                mine.append((taken, sub))
        return mine

    def _finish_empty(self, record: DeliveryRecord, sub: Subscription, now: datetime, report: SendReport,
                      fields: dict[str, Any]) -> None:
        assert record.id is not None and sub.id is not None
        with self.new_uow() as uow:
            uow.digests.mark_empty(record.id, self.owner, now, EMPTY_REASON)
            uow.commit()
        report.empty.append((sub.id, record.period_key))
        self.metrics.digest_finished("skipped")
        log.info("digest not sent: nothing to report", extra=fields)

    def _attempt(self, record: DeliveryRecord, sub: Subscription, now: datetime, report: SendReport,
                 snapshot: PlanSnapshot) -> None:
        assert record.id is not None and sub.id is not None
        fields = {"subscription": sub.id, "period": record.period_key, "attempt": record.attempts,
                  "destination_kind": sub.destination_kind}
        try:
            if not sub.active:
                raise DeliveryFailed("the subscription was cancelled before this digest went out")
            with self.new_uow() as uow:
                since = last_digest_time(uow, sub, before=record.scheduled_for)
                digest = compose_digest(uow, sub, now, since, self.concerns, snapshot, self.contract_log)
            if sub.skip_when_empty and digest.is_empty:
                self._finish_empty(record, sub, now, report, fields)
                return
            rendered = render_shared(snapshot, sub.destination_kind, digest, self.with_chart)
            self.deliveries[sub.destination_kind].deliver(rendered, sub.destination, _claim_progress(self, record, now))
        except Exception as exc:  # any failure is recorded and retried, never dropped
            final = record.attempts >= self.settings.max_attempts or not sub.active
            retry_at = None if final else now + self.settings.backoff(record.attempts)
            error = f"{type(exc).__name__}: {exc}"
            with self.new_uow() as uow:
                uow.digests.mark_failed(record.id, self.owner, error, retry_at)
                uow.commit()
            report.failed.append((sub.id, record.period_key, error))
            self.metrics.digest_finished("failed")
            log.warning("digest delivery failed", extra={**fields, "error": error, "final": final,
                                                         "retry_at": retry_at.isoformat() if retry_at else None})
            return
        with self.new_uow() as uow:
            recorded = uow.digests.mark_sent(record.id, self.owner, now)
            uow.commit()
        if not recorded:
            log.error("digest sent after its lease ran out; another instance may send it too", extra=fields)
        report.sent.append((sub.id, record.period_key))
        self.metrics.digest_finished("sent")
        log.info("digest sent", extra=fields)
