"""The one HTTP server of `actionbot run`: aiohttp on an event loop in its own thread.

Channels mount their routes before `start()` (Slack `/slack/events`, Teams `/api/messages`);
the probes (`/healthz`, `/readyz`, `/metrics`) are mounted by bot.daemon. A connection costs
a few kilobytes, not a thread, so clients that connect and stall exhaust nothing; they are
dropped anyway:

- a request whose headers have not all arrived `read_timeout` seconds after the connection
  opened (or after the previous response, on a kept-alive connection) is closed by aiohttp's
  keep-alive timer (aiohttp >= 3.14.5 arms it when the connection opens);
- a body that has not all arrived `read_timeout` seconds after its headers gets 408;
- a body over `max_body` bytes gets 413 (before it is read when Content-Length says so).

`stop()` stops listening, lets requests in flight finish (bounded), then closes the loop.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from aiohttp import web

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024  # Slack's and Teams' payloads are far smaller
READ_TIMEOUT_S = 15.0
SHUTDOWN_TIMEOUT_S = 5.0  # how long requests in flight may take to finish on stop()
_START_TIMEOUT_S = 15.0

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def error_response(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


class HttpFront:
    def __init__(self, addresses: Sequence[tuple[str, int]], *, max_body: int = MAX_BODY_BYTES,
                 read_timeout: float = READ_TIMEOUT_S) -> None:
        self.addresses = list(dict.fromkeys(addresses))  # an address named twice is listened on once
        self.max_body = max_body
        self.read_timeout = read_timeout
        self.app = web.Application(client_max_size=max_body, middlewares=[self._bounded_body])
        self.bound: list[tuple[str, int]] = []  # where it listens (a port of 0 becomes the real one)
        self.paths: list[str] = []  # what it serves, for the start-up line
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None

    @property
    def loop(self) -> asyncio.AbstractEventLoop | None:
        return self._loop

    def add_route(self, method: str, path: str, handler: Handler) -> None:
        self.app.router.add_route(method, path, handler)
        self.paths.append(path)

    def add_subapp(self, prefix: str, subapp: web.Application) -> None:
        """A channel's own aiohttp app (its middlewares apply only under `prefix`)."""
        self.app.add_subapp(prefix, subapp)
        self.paths += [prefix + resource.canonical for resource in subapp.router.resources()]

    def url(self, path: str = "") -> str:
        host, port = self.bound[0]
        return f"http://{host}:{port}{path}"

    @web.middleware
    async def _bounded_body(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        length = request.content_length
        if length is not None and length > self.max_body:
            return _closing(error_response(413, f"The request body is {length} bytes; the limit is {self.max_body}."))
        if request.body_exists:
            try:
                async with asyncio.timeout(self.read_timeout):
                    await request.read()  # kept by aiohttp: the handler's read/json/text use it
            except TimeoutError:
                log.warning("slow request dropped", extra={"remote": request.remote, "path": request.path,
                                                           "seconds": self.read_timeout})
                return _closing(error_response(408, "The request body did not arrive in time."))
            except web.HTTPRequestEntityTooLarge:
                return _closing(error_response(413, f"The request body is over the limit of {self.max_body} bytes."))
        return await handler(request)

    def start(self) -> None:
        """Listen on every address; returns once listening, or raises RuntimeError saying why not."""
        ready = threading.Event()
        failure: list[BaseException] = []
        loop = asyncio.new_event_loop()

        def serve() -> None:
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self._listen())
            except BaseException as exc:  # e.g. a port is taken: start() reports it
                failure.append(exc)
                ready.set()
                return
            ready.set()
            loop.run_forever()

        self._loop = loop
        self._thread = threading.Thread(target=serve, name="actionbot-http", daemon=True)
        self._thread.start()
        if not ready.wait(_START_TIMEOUT_S) or failure:
            self._close_loop()
            reason = f"{type(failure[0]).__name__}: {failure[0]}" if failure else "timed out"
            where = ", ".join(f"{host}:{port}" for host, port in self.addresses)
            raise RuntimeError(f"The HTTP server could not listen on {where} ({reason}).")
        log.info("http server listening", extra={"addresses": " ".join(f"{h}:{p}" for h, p in self.bound)})

    async def _listen(self) -> None:
        self._runner = web.AppRunner(self.app, access_log=None, keepalive_timeout=self.read_timeout,
                                     shutdown_timeout=SHUTDOWN_TIMEOUT_S)
        await self._runner.setup()
        try:
            for host, port in self.addresses:
                before = len(self._runner.addresses)
                await web.TCPSite(self._runner, host, port).start()
                added = self._runner.addresses[before:]  # the bound port, when the configured one is 0
                self.bound.append((host, int(added[0][1]) if added else port))
        except BaseException:
            await self._runner.cleanup()
            raise

    def call(self, coroutine: Awaitable[Any], timeout: float) -> Any:
        """Run `coroutine` on the server's loop from another thread and wait for its result."""
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)  # type: ignore[arg-type]

    def stop(self) -> None:
        """Stop listening, let requests in flight finish (at most SHUTDOWN_TIMEOUT_S), close."""
        loop = self._loop
        if loop is None:
            return
        if self._runner is not None and loop.is_running():
            try:
                self.call(self._runner.cleanup(), SHUTDOWN_TIMEOUT_S + 5)
            except Exception:
                log.exception("http server did not stop cleanly")
        self._close_loop()
        log.info("http server stopped")

    def _close_loop(self) -> None:
        loop, self._loop = self._loop, None
        if loop is None:
            return
        if loop.is_running():
            loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(_START_TIMEOUT_S)
        if not loop.is_closed():
            loop.close()


def _closing(response: web.Response) -> web.Response:
    response.force_close()  # the client misbehaved: do not keep its connection for another request
    return response
