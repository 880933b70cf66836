"""The composition root: the one place that wires settings, engine, clock, registry and channels.

Nothing connects to anything at import time; `build_runtime` does it when asked.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.clock import Clock, PinnedClock, SystemClock
from bot.dispatcher import DispatchSettings, Dispatcher
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

    def close(self) -> None:
        self.engine.dispose()


def make_clock(settings: Settings) -> Clock:
    if settings.today is not None:
        return PinnedClock(settings.today, settings.timezone)
    return SystemClock(settings.timezone)


def build_runtime(settings: Settings, registry: HandlerRegistry | None = None) -> Runtime:
    from handlers import default_registry
    from storage import ensure_schema, make_engine, unit_of_work_factory

    engine = make_engine(settings.database_url)
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
            max_message_chars=settings.max_message_chars,
            plan_for=settings.plan_for_conversation,
        ),
    )
    return Runtime(settings=settings, engine=engine, new_uow=new_uow, clock=clock, dispatcher=dispatcher)


def load_example_plan_if_empty(runtime: Runtime) -> str | None:
    """On a fresh database, load the example plan so a new user has something to try."""
    from bot.planfiles.apply import import_plan
    from bot.planfiles.csv_reader import read_plan_csv

    with runtime.new_uow() as uow:
        if uow.plans.list():
            return None
        path = runtime.settings.example_plan
        if not path.is_file():
            return None
        plan_file = read_plan_csv(path)
        report = import_plan(
            uow, plan_file, actor="actionbot", channel="import", now=runtime.clock.now(), today=runtime.clock.today()
        )
        uow.commit()
    log.info("example plan loaded", extra={"plan": report.plan, "created": report.created})
    return f"Loaded the example plan '{report.plan}' ({report.created} actions) into the empty database."
