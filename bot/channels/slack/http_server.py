"""HTTP mode: POST /slack/events on the shared aiohttp server (bot.http.server), handed to
Bolt as a BoltRequest.

Bolt's RequestVerification middleware checks X-Slack-Signature and X-Slack-Request-Timestamp
(five minutes) against the signing secret: a forged or stale request gets 401 before any
listener runs. A body that is not Slack's JSON or form encoding gets 400. The server has
already refused a body over its limit (413) or too slow to arrive (408).

The App and its listeners are synchronous (a listener commits to the database before Bolt
acks, see bolt_app), so each request is dispatched on a thread pool; the event loop only
reads and writes bytes. A slow client therefore holds no thread at all.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any
from concurrent.futures import Executor

from aiohttp import web
from multidict import CIMultiDict
from slack_bolt import App, BoltRequest

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
# Requests dispatched at once. Each is a few milliseconds of database work (SQLite queues its
# writers anyway); more wait their turn on the pool, still well inside Slack's 3 seconds.
REQUEST_THREADS = 16


def slack_events_handler(app_of: Callable[[], App | None],
                         executor: Executor) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def slack_events(request: web.Request) -> web.StreamResponse:
        app = app_of()
        if app is None:  # listening before Slack has started (or after it stopped)
            return web.Response(status=503, text="Slack is not running yet; Slack will retry.")
        raw = await request.read()
        body = raw.decode("utf-8", errors="replace")
        headers: dict[str, str | Sequence[str]] = {
            name.lower(): request.headers.getall(name) for name in set(request.headers.keys())}
        try:
            bolt_request = BoltRequest(body=body, query=request.query_string, headers=headers)
        except ValueError:  # invalid JSON (json.JSONDecodeError is a ValueError)
            log.warning("slack request body is not valid JSON", extra={"bytes": len(raw)})
            return web.Response(status=400, text="The request body is not valid JSON.")
        response = await asyncio.get_running_loop().run_in_executor(executor, app.dispatch, bolt_request)
        if response.status in (401, 403):
            # Bolt logs a forged or stale request only at INFO, body included; this is the
            # record an operator sees (WARNING), without the body.
            log.warning("slack request refused", extra={
                "status": response.status, "remote": request.remote, "bytes": len(raw),
                "signed": "x-slack-signature" in headers,
                "retry_num": request.headers.get("X-Slack-Retry-Num")})
        answer_headers: CIMultiDict[str] = CIMultiDict()
        for name, values in (response.headers or {}).items():
            if name.lower() == "content-length":
                continue
            for value in values if isinstance(values, (list, tuple)) else [values]:
                answer_headers.add(name, str(value))
        if "content-type" not in answer_headers:
            answer_headers["Content-Type"] = "text/plain; charset=utf-8"
        return web.Response(status=response.status, body=(response.body or "").encode("utf-8"),
                            headers=answer_headers)

    return slack_events


def bolt_app_server(app: App, host: str, port: int) -> Any:
    """An HTTP server (bot.http.server.HttpFront, not yet started) serving only /slack/events
    for `app`: the benches time a no-op Bolt app behind the same front as the real one."""
    from concurrent.futures import ThreadPoolExecutor

    from bot.http.server import HttpFront

    front = HttpFront([(host, port)])
    executor = ThreadPoolExecutor(max_workers=REQUEST_THREADS, thread_name_prefix="slack-request")
    front.add_route("POST", EVENTS_PATH, slack_events_handler(lambda: app, executor))
    return front
