"""The composition root: the one place that wires settings, engine, clock, registry and channels.

Nothing connects to anything at import time; `build_runtime` does it when asked.
"""

from __future__ import annotations

import functools
import importlib
import importlib.resources
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.clock import Clock, PinnedClock, SystemClock
from bot.dispatcher import DispatchSettings, Dispatcher
from bot.metrics import NO_METRICS, Metrics
from bot.registry import HandlerRegistry
from config.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    settings: Settings
    engine: Any
    new_uow: Callable[[], Any]
    clock: Clock
    dispatcher: Dispatcher
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    # Where the mailbox posts triage notices (new entries, spoofed senders, unreadable mail);
    # None: a log line and stderr (bot.mail.ingest.console_triage). A chat channel sets it.
    triage_notifier: Callable[[Any], None] | None = None
    # What the dispatcher, the mail pipeline and the digest sender count; `actionbot run`
    # passes the Prometheus registry that /metrics shows, everything else counts nothing.
    metrics: Metrics = NO_METRICS

    def close(self) -> None:
        self.engine.dispose()


class Service(Protocol):
    """A channel or background job that `actionbot run` starts and stops.

    Optional, looked up by bot.daemon: `mount(front)` puts the service's routes on the one HTTP
    server before it starts (bot.http.server.HttpFront); `health() -> str | None` is None when
    the service is fine and otherwise a sentence for /readyz."""

    name: str
    is_chat: bool  # a chat channel (Slack, Teams); without one, `run` may open the console

    def start(self) -> None: ...

    def stop(self) -> None: ...


# "module:function" entries; each function takes the Runtime and returns a Service, or None
# when that channel is not configured (its environment variables are not set). Imported
# only by `actionbot run`, so `say` and the tests never load Slack, Teams or Exchange.
SERVICE_FACTORIES: list[str] = [
    "bot.digest.service:digest_service",  # first: background jobs are up before chat channels say so
    "bot.reminders.service:reminder_service",  # each person's daily reminder ([reminders])
    "bot.channels.slack.service:slack_service",
    "bot.channels.teams.service:teams_service",
    "bot.mail.service:mail_service",  # the shared mailbox (./maildrop unless [mail] backend says otherwise)
]

# Digest deliveries by destination kind: "module:function", function(runtime) -> a
# DigestDelivery (bot.digest.delivery) or None when that channel is not configured.
# Imported only when digests are sent.
DIGEST_DELIVERIES: dict[str, str] = {
    "slack": "bot.digest.slack_delivery:slack_delivery",
    "teams": "bot.digest.teams_delivery:teams_delivery",
    "email": "bot.digest.email_delivery:email_delivery",
}


def _load(spec: str) -> Callable[[Runtime], Any]:
    module_name, function_name = spec.split(":")
    return getattr(importlib.import_module(module_name), function_name)  # type: ignore[no-any-return]


def digest_deliveries(runtime: Runtime) -> dict[str, Any]:
    found = {kind: _load(spec)(runtime) for kind, spec in DIGEST_DELIVERIES.items()}
    return {kind: delivery for kind, delivery in found.items() if delivery is not None}


def configured_services(runtime: Runtime) -> list[Service]:
    services: list[Service] = []
    for spec in SERVICE_FACTORIES:
        module_name, function_name = spec.split(":")
        factory = getattr(importlib.import_module(module_name), function_name)
        service = factory(runtime)
        if service is not None:
            services.append(service)
    return services


def log_settings(settings: Settings) -> Any:
    """The contract-monitoring log's calendar, `[log.timescales]` and `[log.focused_visit_months]`."""
    from bot.domain.timescales import LogSettings
    from config.settings import SettingsError

    try:
        return LogSettings.from_extra(settings.extra, settings.working_calendar())
    except ValueError as exc:
        raise SettingsError(str(exc)) from None


def dispatch_log_settings(settings: Settings) -> Any:
    """What the dispatcher hands the log's handlers as `ctx.log_settings`: the LogSettings, built
    now when the settings configure `[log]` (a mistake there is refused at start-up), otherwise a
    function that builds it once, when a log command first needs it (with the defaults there is
    nothing to refuse, and a command that never touches the log does not import its domain)."""
    calendar = settings.working_calendar()  # a bad [calendar] is refused now either way
    if "log" in settings.extra:
        return log_settings(settings)

    @functools.cache
    def build() -> Any:
        from bot.domain.timescales import LogSettings

        return LogSettings.from_extra({}, calendar)

    return build


def make_clock(settings: Settings) -> Clock:
    if settings.today is not None:
        return PinnedClock(settings.today, settings.timezone)
    return SystemClock(settings.timezone)


def build_runtime(
    settings: Settings, registry: HandlerRegistry | None = None, environ: Mapping[str, str] | None = None,
    *, writer_wait: Any = None, metrics: Metrics = NO_METRICS,
) -> Runtime:
    """`writer_wait` (a storage.writer_wait.WriterWait): how long a command run from a terminal
    waits for another process that holds the SQLite file; None for the long-running services."""
    from handlers import default_registry
    from storage import ensure_schema, make_engine, unit_of_work_factory

    engine = make_engine(settings.database_url, writer_wait=writer_wait)
    ensure_schema(engine)
    new_uow = unit_of_work_factory(engine)
    clock = make_clock(settings)
    dispatcher = Dispatcher(
        registry or default_registry(),
        new_uow,
        clock,
        DispatchSettings(
            permission_mode=settings.permission_mode,
            console_user=settings.console_user,
            timezone=settings.timezone,
            max_message_chars=settings.max_message_chars,
            plan_for=settings.plan_for_conversation,
            log_settings=dispatch_log_settings(settings),
        ),
        metrics,
    )
    return Runtime(
        settings=settings,
        engine=engine,
        new_uow=new_uow,
        clock=clock,
        dispatcher=dispatcher,
        environ=dict(os.environ if environ is None else environ),
        metrics=metrics,
    )


def load_every_command(runtime: Runtime) -> None:
    """Import every grammar and handler module now. A one-shot command imports only those its
    text can need (start-up); a long-running process loads them all before it serves, so the
    first message of a kind does not wait for an import."""
    from bot.grammar.rules import load_all_grammars

    load_all_grammars()
    runtime.dispatcher.registry.command_types()


def load_example_plan_if_empty(runtime: Runtime) -> str | None:
    """On a fresh database, load the example plan so a new user has something to try."""
    from bot.planfiles.apply import import_plan
    from bot.planfiles.csv_reader import read_plan_csv

    with runtime.new_uow() as uow:
        if uow.plans.list():
            return None
        path = runtime.settings.example_plan
        if path is None or not path.is_file():
            return None
        with importlib.resources.as_file(path) as readable:  # a real file even from a zipped install
            plan_file = read_plan_csv(readable)
        report = import_plan(
            uow, plan_file, actor="actionbot", channel="import", now=runtime.clock.now(), today=runtime.clock.today()
        )
        uow.commit()
    log.info("example plan loaded", extra={"plan": report.plan, "actions_created": report.created})
    return f"Loaded the example plan '{report.plan}' ({report.created} actions) into the empty database."
