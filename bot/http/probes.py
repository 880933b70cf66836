"""/healthz, /readyz and /metrics: what an orchestrator and a metrics scraper ask.

- GET /healthz: 200 while the process serves HTTP at all (a liveness probe: restart me if not).
- GET /readyz: 200 when the database answers, its schema is the one this code expects, and
  every service is keeping up (its last successful pass within its period, see
  bot.service_health); otherwise 503. Both answer with JSON naming each check, and for 503
  what is wrong, e.g. {"status": "not ready", "problems": {"database": "the database cannot
  be reached (…)"}, …}. The checks run on a thread (they touch the database), bounded in time.
- GET /metrics: Prometheus text format (bot.http.prometheus).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from aiohttp import web

from bot.http.server import HttpFront

READY_TIMEOUT_S = 5.0

ReadyChecks = Callable[[], dict[str, str | None]]  # check name -> None (fine) or a sentence


def mount_probes(front: HttpFront, ready_checks: ReadyChecks, metrics_text: Callable[[], bytes],
                 metrics_content_type: str) -> None:
    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"status": "alive"})

    async def readyz(request: web.Request) -> web.Response:
        try:
            async with asyncio.timeout(READY_TIMEOUT_S):
                results = await asyncio.get_running_loop().run_in_executor(None, ready_checks)
        except TimeoutError:
            results = {"database": f"the readiness checks did not finish within {READY_TIMEOUT_S:g} s"}
        problems = {name: problem for name, problem in results.items() if problem}
        checks = {name: problem or "ok" for name, problem in results.items()}
        if problems:
            return web.json_response({"status": "not ready", "problems": problems, "checks": checks}, status=503)
        return web.json_response({"status": "ready", "checks": checks})

    async def metrics(request: web.Request) -> web.Response:
        response = web.Response(body=metrics_text())
        response.headers["Content-Type"] = metrics_content_type
        return response

    front.add_route("GET", "/healthz", healthz)
    front.add_route("GET", "/readyz", readyz)
    front.add_route("GET", "/metrics", metrics)
