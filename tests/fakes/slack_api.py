"""A local fake of the Slack Web API on 127.0.0.1 (an ephemeral port), for slack_sdk's WebClient.

It answers the documented shapes of chat.postMessage, conversations.history (the messages
posted here, newest first, with their metadata) and the three steps of files_upload_v2
(files.getUploadURLExternal, a POST of the bytes to the returned upload_url,
files.completeUploadExternal), records every request, and can be told to fail a method N
times with an HTTP status (e.g. 500), or to do the work and then lose the answer.
"""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlparse

from tests.fakes.loopback import LoopbackServer


@dataclass
class Recorded:
    method: str  # the API method ("chat.postMessage") or "upload"
    path: str
    authorization: str | None
    body: dict[str, Any]
    raw: bytes = b""


@dataclass
class _Failure:
    times: int
    status: int


class FakeSlackApi(LoopbackServer):
    """`with FakeSlackApi() as slack:` then point WebClient at `slack.base_url`."""

    def __init__(self) -> None:
        super().__init__(_Handler)
        self.requests: list[Recorded] = []
        self.failures: dict[str, _Failure] = {}
        self.lost_answers: dict[str, int] = {}
        self.refusals: dict[str, str] = {}  # method -> Slack error code
        self.messages: dict[str, list[dict[str, Any]]] = {}  # channel -> posted messages
        self.lock = threading.Lock()
        self._ids = itertools.count(1)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def fail(self, method: str, times: int, status: int = 500) -> None:
        with self.lock:
            self.failures[method] = _Failure(times, status)

    def refuse(self, method: str, error: str) -> None:
        """Answer `method` with {"ok": false, "error": error}, e.g. "missing_scope"."""
        with self.lock:
            self.refusals[method] = error

    def lose_answer(self, method: str, times: int) -> None:
        """Do what `method` asks, then answer 500 (as if the response were lost)."""
        with self.lock:
            self.lost_answers[method] = times

    def calls(self, method: str) -> list[Recorded]:
        with self.lock:
            return [r for r in self.requests if r.method == method]

    # --- answers ---------------------------------------------------------------------------

    @staticmethod
    def _parse(content_type: str, raw: bytes, url: str) -> dict[str, Any]:
        body: dict[str, Any] = {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}
        if "application/json" in content_type:
            body.update(json.loads(raw or b"{}"))
        elif raw:
            body.update({k: v[0] for k, v in parse_qs(raw.decode("utf-8")).items()})
        return body

    def _failing(self, method: str) -> int | None:
        with self.lock:
            failure = self.failures.get(method)
            if failure is None or failure.times <= 0:
                return None
            failure.times -= 1
            return failure.status

    def _answer_api(self, handler: BaseHTTPRequestHandler, method: str, path: str, body: dict[str, Any],
                    raw: bytes) -> None:
        with self.lock:
            self.requests.append(Recorded(method, path, handler.headers.get("Authorization"), body, raw))
        status = self._failing(method)
        if status is not None:
            self._send(handler, status, {"ok": False, "error": "internal_error"})
            return
        refusal = self.refusals.get(method)
        if refusal is not None:
            self._send(handler, 200, {"ok": False, "error": refusal})
            return
        if not (handler.headers.get("Authorization") or "").startswith("Bearer xoxb-"):
            self._send(handler, 200, {"ok": False, "error": "not_authed"})
            return
        number = next(self._ids)
        if method == "chat.postMessage":
            ts = f"1700000000.{number:06d}"
            message = {"type": "message", "text": body.get("text"), "ts": ts, "blocks": body.get("blocks", [])}
            if body.get("metadata"):
                message["metadata"] = body["metadata"]
            with self.lock:
                self.messages.setdefault(str(body.get("channel")), []).append(message)
                lost = self.lost_answers.get(method, 0)
                self.lost_answers[method] = max(lost - 1, 0)
            if lost:
                self._send(handler, 500, {"ok": False, "error": "internal_error"})
                return
            self._send(handler, 200, {"ok": True, "channel": body.get("channel"), "ts": ts, "message": message})
        elif method == "conversations.history":
            oldest = float(body.get("oldest") or 0)
            with self.lock:
                found = [m for m in self.messages.get(str(body.get("channel")), []) if float(m["ts"]) > oldest]
            if body.get("include_all_metadata") not in ("1", "true", "True"):
                found = [{k: v for k, v in m.items() if k != "metadata"} for m in found]
            limit = int(body.get("limit") or 100)
            self._send(handler, 200, {"ok": True, "messages": found[::-1][:limit], "has_more": len(found) > limit})
        elif method == "files.getUploadURLExternal":
            file_id = f"F{number:08d}"
            self._send(handler, 200, {"ok": True, "upload_url": f"http://127.0.0.1:{self.port}/upload/{file_id}",
                                      "file_id": file_id})
        elif method == "files.completeUploadExternal":
            files = json.loads(body.get("files", "[]"))
            self._send(handler, 200, {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]})
        else:
            self._send(handler, 200, {"ok": False, "error": "unknown_method"})

    def _answer_upload(self, handler: BaseHTTPRequestHandler, path: str, raw: bytes) -> None:
        with self.lock:
            self.requests.append(Recorded("upload", path, handler.headers.get("Authorization"), {}, raw))
        status = self._failing("upload")
        if status is not None:
            handler.send_response(status)
            handler.end_headers()
            return
        payload = f"OK - {len(raw)}".encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "text/plain")
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)


class _Handler(BaseHTTPRequestHandler):
    fake: FakeSlackApi  # set by LoopbackServer

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        path = urlparse(self.path).path
        self.fake._answer_api(self, path.removeprefix("/api/"), path, self.fake._parse("", b"", self.path), b"")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        path = urlparse(self.path).path
        if path.startswith("/upload/"):
            self.fake._answer_upload(self, path, raw)
            return
        body = self.fake._parse(self.headers.get("Content-Type", ""), raw, self.path)
        self.fake._answer_api(self, path.removeprefix("/api/"), path, body, raw)
