"""`actionbot run` sends due digests itself: a background thread that polls the schedule.

Several instances may run against one database: the claim rows (see bot.digest.sender) make
each period go out once. `actionbot digest send-due` does one pass, for cron deployments.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.digest.sender import DigestSender, SenderSettings
from bot.instance import instance_name
from bot.service_health import PassScheduler

log = logging.getLogger(__name__)

DEFAULT_POLL_SECONDS = 30.0


# Monitoring visits and meetings are listed this many days before they fall due.
VISITS_AHEAD_DAYS = 7


def contract_log_source(runtime: Any) -> Any:
    """The digest's contract log section: the log's allocated actions past their due date, and
    the providers' monitoring visits, meetings and reviews overdue or due within a week (as the
    configured risk frequencies set them). A confidential entry's action comes marked restricted,
    without title or provider, and every renderer shows it by reference only."""
    from bot.app import log_settings

    return contract_log_items(log_settings(runtime.settings).frequencies)


def contract_log_items(frequencies: Any = None) -> Any:
    """The source of `contract_log_source`, for given visit frequencies (None: the defaults)."""
    from bot.digest.content import ContractLogItem

    def source(uow: Any, plan: str | None, today: Any) -> list[Any] | None:
        items = [
            ContractLogItem(
                reference=due.reference, title="" if due.restricted else due.title,
                provider="" if due.restricted else (due.provider or ""), due_date=due.due,
                owner=None if due.restricted else due.owner, restricted=due.restricted)
            for due in uow.monitoring.due_items(today, within_days=VISITS_AHEAD_DAYS, frequencies=frequencies)
            if due.due < today or due.kind == "visit"
        ]
        return items or None

    return source


def make_sender(runtime: Any, owner: str | None = None) -> DigestSender:
    from bot.app import digest_deliveries

    section = runtime.settings.extra.get("digest", {})
    return DigestSender(runtime.new_uow, digest_deliveries(runtime), owner or instance_name(),
                        SenderSettings.from_extra(section), metrics=runtime.metrics,
                        contract_log=contract_log_source(runtime))


class DigestService(PassScheduler):
    name = "digest scheduler"
    thread_name = "digest-scheduler"

    def __init__(self, sender: DigestSender, clock: Any, poll_seconds: float = DEFAULT_POLL_SECONDS) -> None:
        super().__init__(sender, clock, poll_seconds)

    def worth_logging(self, report: Any) -> bool:
        return bool(report.sent or report.failed or report.skipped)


def startup_warnings(runtime: Any) -> list[str]:
    """What `actionbot run` says on start about digest settings that will surprise someone:
    email digests sent From a placeholder address when `[mail] address` is unset."""
    from bot.digest.email_delivery import unset_from_warning
    from bot.mail.backends import mail_backend_name

    section = runtime.settings.extra.get("digest", {})
    if section.get("scheduler") is False:
        return []
    with runtime.new_uow() as uow:
        emailed = any(s.destination_kind == "email" for s in uow.digests.list())
    if not emailed:
        return []
    warning = unset_from_warning(runtime.settings.extra, mail_backend_name(runtime.settings, runtime.environ))
    return [warning] if warning else []


def digest_service(runtime: Any) -> DigestService | None:
    """SERVICE_FACTORIES entry: None when `[digest] scheduler = false` or nothing can deliver."""
    section = runtime.settings.extra.get("digest", {})
    if section.get("scheduler") is False:
        return None
    sender = make_sender(runtime)
    if not sender.deliveries:
        return None
    return DigestService(sender, runtime.clock, float(section.get("poll_seconds", DEFAULT_POLL_SECONDS)))
