"""`actionbot run`: the HTTP server and every configured service, until SIGTERM or SIGINT.

Start: the services mount their routes on the one HTTP server (bot.http.server), which then
listens; background jobs start first, chat channels after (as bot.app.SERVICE_FACTORIES
lists them). Then either the console runs (a terminal and no chat channel: someone is there
to type) or the process waits for a signal - under systemd, Docker or nohup stdin is not a
terminal, and the services keep running.

Stop (SIGTERM, SIGINT, or leaving the console): take no new work - the server stops
listening and the pollers stop between units of work - finish what is in hand (an HTTP
request, a mail, a digest delivery), release digest claims and the mailbox lead, and return,
all within STOP_BUDGET_S: what has not stopped by then is abandoned with the process, and
its leases run out as after a crash.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from bot.http.addresses import listen_addresses, read_timeout
from bot.http.probes import mount_probes
from bot.http.server import READ_TIMEOUT_S, HttpFront

log = logging.getLogger(__name__)

STOP_BUDGET_S = 9.0  # a supervisor's stop timeout is usually 10 s (Docker) or more (systemd: 90 s)

Echo = Callable[[str], None]


def build_front(runtime: Any, services: Sequence[Any]) -> HttpFront:
    """The HTTP server with the probes and every service's routes, not yet listening."""
    front = HttpFront(listen_addresses(runtime.environ), read_timeout=read_timeout(runtime.environ, READ_TIMEOUT_S))
    mount_probes(front, lambda: ready_checks(runtime, services), runtime.metrics.render, runtime.metrics.content_type)
    for service in services:
        mount = getattr(service, "mount", None)
        if mount is not None:
            mount(front)
    return front


def ready_checks(runtime: Any, services: Sequence[Any]) -> dict[str, str | None]:
    from storage.health import database_problems

    problems = database_problems(runtime.engine)
    checks: dict[str, str | None] = {"database": problems.get("database"), "schema": problems.get("schema")}
    if "database" in problems:
        checks["schema"] = "not checked: the database cannot be reached"
    for service in services:
        health = getattr(service, "health", None)
        checks[service.name] = health() if health is not None else None
    return checks


def run_services(runtime: Any, services: Sequence[Any], echo: Echo,
                 console: Callable[[], None] | None = None) -> None:
    """Serve until a signal (or until `console` returns); stop everything that started."""
    front = build_front(runtime, services)
    stop = threading.Event()
    started: list[Any] = []
    listening = False
    with _signals(stop, console is not None):
        try:
            front.start()
            listening = True
            echo(f"Serving {', '.join(f'http://{h}:{p}' for h, p in front.bound)} ({', '.join(front.paths)}).")
            for service in services:
                if stop.is_set():
                    break
                service.start()
                started.append(service)
                echo(f"Started {service.name}.")
            if console is not None and not stop.is_set():
                console()
            else:
                echo("Running; SIGTERM or Ctrl-C to stop.")
                while not stop.wait(0.5):
                    pass
        finally:
            _stop_all(front if listening else None, started, echo)


@contextmanager
def _signals(stop: threading.Event, console: bool) -> Iterator[None]:
    """SIGTERM and SIGINT set `stop`. With the console, SIGINT stays Python's KeyboardInterrupt
    (it ends the console's input) and SIGTERM does the same."""

    def request_stop(signum: int, frame: Any) -> None:
        if not stop.is_set():
            log.info("stopping", extra={"signal": signal.Signals(signum).name})
        stop.set()
        if console:
            raise KeyboardInterrupt

    if threading.current_thread() is not threading.main_thread():
        yield  # signals are delivered to the main thread only (tests may run this elsewhere)
        return
    previous = {signum: signal.signal(signum, request_stop) for signum in (signal.SIGTERM, signal.SIGINT)}
    if console:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _stop_all(front: HttpFront | None, started: Sequence[Any], echo: Echo) -> None:
    """Stop listening and background jobs at once, then chat channels (their thread pools
    finish the requests the server let through); each within what is left of the budget."""
    deadline = time.monotonic() + STOP_BUDGET_S
    background = [s for s in started if not s.is_chat]
    chat = [s for s in started if s.is_chat]
    first: list[tuple[str, Callable[[], None]]] = [(s.name, s.stop) for s in reversed(background)]
    if front is not None:
        first.insert(0, ("the HTTP server", front.stop))
    unfinished = _bounded(first, deadline, echo)
    unfinished += _bounded([(s.name, s.stop) for s in reversed(chat)], deadline, echo)
    if unfinished:
        log.warning("stopped with work abandoned", extra={"services": ", ".join(unfinished)})
        echo(f"Stopped; {', '.join(unfinished)} did not finish in time.")
    else:
        log.info("all services stopped")
        echo("All services stopped.")


def _bounded(stops: Sequence[tuple[str, Callable[[], None]]], deadline: float, echo: Echo) -> list[str]:
    """Run the stops side by side; the names of those still running at the deadline."""
    threads = []
    for name, stop in stops:
        thread = threading.Thread(target=_stop_one, args=(name, stop, echo), name=f"stop {name}", daemon=True)
        thread.start()
        threads.append((name, thread))
    for _, thread in threads:
        thread.join(max(deadline - time.monotonic(), 0))
    return [name for name, thread in threads if thread.is_alive()]


def _stop_one(name: str, stop: Callable[[], None], echo: Echo) -> None:
    try:
        stop()
    except Exception:
        log.exception("stopping failed", extra={"service": name})
        return
    echo(f"Stopped {name}.")
