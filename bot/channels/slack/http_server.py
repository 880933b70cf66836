"""HTTP mode: POST /slack/events on a threaded stdlib server, handed to Bolt as a BoltRequest.

Bolt's RequestVerification middleware checks X-Slack-Signature and X-Slack-Request-Timestamp
(five minutes) against the signing secret: a forged or stale request gets 401 before any
listener runs. A body that is not Slack's JSON or form encoding gets 400.
"""

from __future__ import annotations

import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from slack_bolt import App, BoltRequest

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
MAX_BODY_BYTES = 1_000_000  # Slack's payloads are far smaller; anything bigger is not Slack


class _ListeningServer(ThreadingHTTPServer):
    # socketserver's default listen backlog is 5: with dozens of deliveries at once the
    # kernel drops the extra connection attempts and each waits a 1 s SYN retransmit (or is
    # reset), which bench/slack_throughput.py showed as a 1 s p99 and failed posts.
    request_queue_size = 128


class SlackHttpServer:
    def __init__(self, app: App, host: str, port: int) -> None:
        self.app = app
        self._server = _ListeningServer((host, port), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.1,), name="slack-http", daemon=True)

    @property
    def address(self) -> tuple[str, int]:
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    def start(self) -> None:
        self._thread.start()
        log.info("slack http mode listening", extra={"port": self.address[1], "path": EVENTS_PATH})

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        app = self.app

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass  # Bolt and the channel log what matters, without bodies

            def _answer(self, status: int, body: str, headers: dict[str, Any] | None = None) -> None:
                data = body.encode("utf-8")
                self.send_response(status)
                for name, values in (headers or {}).items():
                    if name.lower() == "content-length":
                        continue
                    for value in values if isinstance(values, (list, tuple)) else [values]:
                        self.send_header(name, str(value))
                if not headers or not any(k.lower() == "content-type" for k in headers):
                    self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self._answer(404, "Slack events are POSTed to /slack/events.")

            def do_POST(self) -> None:
                parts = urlsplit(self.path)
                if parts.path != EVENTS_PATH:
                    self._answer(404, "Not found.")
                    return
                length = int(self.headers.get("Content-Length") or 0)
                if length > MAX_BODY_BYTES:
                    self._answer(413, "Request body too large.")
                    return
                body = self.rfile.read(length).decode("utf-8", errors="replace")
                headers: dict[str, str | Sequence[str]] = {k.lower(): [v] for k, v in self.headers.items()}
                try:
                    request = BoltRequest(body=body, query=parts.query, headers=headers)
                except ValueError:  # invalid JSON (json.JSONDecodeError is a ValueError)
                    log.warning("slack request body is not valid JSON", extra={"bytes": length})
                    self._answer(400, "The request body is not valid JSON.")
                    return
                response = app.dispatch(request)
                if response.status in (401, 403):
                    # Bolt logs a forged or stale request only at INFO, body included; this is
                    # the record an operator sees (WARNING), without the body.
                    log.warning("slack request refused", extra={
                        "status": response.status, "remote": self.client_address[0], "bytes": length,
                        "signed": "x-slack-signature" in headers,
                        "retry_num": self.headers.get("X-Slack-Retry-Num")})
                self._answer(response.status, response.body or "", response.headers)

        return Handler
