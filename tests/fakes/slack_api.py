"""A local fake of the Slack Web API (and of response_url webhooks) for tests and benches.

A threaded HTTP server on 127.0.0.1 and an ephemeral port that answers the Web API methods
actionbot calls with the JSON shapes the Slack reference documents, and records every request
(method, parsed arguments, headers) so a test can assert what the bot sent. `fail_next`
makes the next call of a method answer with an HTTP error once (e.g. 429 with Retry-After);
`lose_answer` lets a call do its work and then answer 500, as if the response were lost.

Digests use files_upload_v2's three steps (files.getUploadURLExternal, a POST of the bytes
to the returned upload_url, recorded as method "upload" with args {"path", "bytes"},
files.completeUploadExternal) and conversations.history, which lists the messages posted
here (newest first, with their metadata when include_all_metadata is set).

conversations.open with `users` answers the bot's DM with that user, "D" + the user id
(`dm_channel`), so a test can tell a private DM from a shared channel.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

TEAM_URL = "https://actionbot-test.slack.com/"
BOT_USER_ID = "UBOT0001"


@dataclass
class SlackCall:
    method: str  # "chat.postMessage", or the path for response_url posts ("/commands/...")
    args: dict[str, Any]
    headers: dict[str, str]
    at: float = field(default_factory=time.perf_counter)


class FakeSlackApi:
    """`with FakeSlackApi() as slack: ...`; `slack.api_url` is the WebClient base_url."""

    def __init__(self) -> None:
        self.calls: list[SlackCall] = []
        self.users: dict[str, dict[str, Any]] = {}
        self.websocket_url = "ws://127.0.0.1:9/unset"
        self._failures: dict[str, list[tuple[int, dict[str, str], str]]] = {}
        self._lost_answers: dict[str, int] = {}
        self.messages: dict[str, list[dict[str, Any]]] = {}  # channel -> messages posted
        self._changed = threading.Condition()
        self._replies: dict[str, SlackCall] = {}  # thread_ts -> the first reply in that thread
        self._reply_waiters: dict[str, threading.Event] = {}
        self._ts = itertools.count(1)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class(), bind_and_activate=False)
        self._server.request_queue_size = 128  # benches post from 50 threads at once (default backlog: 5)
        self._server.server_bind()
        self._server.server_activate()
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="fake-slack-api", daemon=True)

    # --- test-facing -------------------------------------------------------------------
    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        return f"{self.base}/api/"

    def add_user(self, user_id: str, email: str | None, real_name: str = "Test User") -> None:
        profile: dict[str, Any] = {"real_name": real_name, "display_name": real_name.split()[0]}
        if email:
            profile["email"] = email
        self.users[user_id] = {"id": user_id, "team_id": "T111", "name": real_name.lower().replace(" ", "."),
                               "real_name": real_name, "is_bot": False, "profile": profile}

    @staticmethod
    def dm_channel(user_id: str) -> str:
        """The id conversations.open gives the bot's DM with `user_id`."""
        return f"D{user_id}"

    def fail_next(self, method: str, status: int = 429, headers: dict[str, str] | None = None,
                  error: str = "ratelimited") -> None:
        """The next call of `method` answers {"ok": false, "error": error} with this status."""
        self._failures.setdefault(method, []).append((status, headers or {"Retry-After": "1"}, error))

    def lose_answer(self, method: str, times: int = 1) -> None:
        """The next `times` calls of `method` take effect, then answer HTTP 500."""
        with self._changed:
            self._lost_answers[method] = times

    def calls_to(self, method: str) -> list[SlackCall]:
        with self._changed:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[SlackCall]:
        """The first `count` calls of `method`, waiting up to `timeout` seconds for them."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [c for c in self.calls if c.method == method]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = sorted({c.method for c in self.calls})
                    raise AssertionError(f"expected {count} call(s) to {method} within {timeout}s, "
                                         f"got {len(found)}; methods called: {seen}")
                self._changed.wait(left)

    def reply_to(self, thread_ts: str, timeout: float = 5.0) -> SlackCall:
        """The first chat.postMessage or chat.postEphemeral in the thread of `thread_ts` (the
        ts of the message being answered), waiting up to `timeout` seconds. One event per
        thread, so many concurrent senders can each wait for their own reply."""
        with self._changed:
            arrived = self._reply_waiters.setdefault(thread_ts, threading.Event())
        if not arrived.wait(timeout):
            raise AssertionError(f"no reply in the thread of {thread_ts} within {timeout}s")
        with self._changed:
            return self._replies[thread_ts]

    def start(self) -> FakeSlackApi:
        self._thread.start()
        return self

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeSlackApi:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the API ----------------------------------------------------------------------
    def answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        channel = args.get("channel", "C111")
        if method == "auth.test":
            return {"ok": True, "url": TEAM_URL, "team": "Actionbot Test", "user": "actionbot",
                    "team_id": "T111", "user_id": BOT_USER_ID, "bot_id": "BBOT0001", "is_enterprise_install": False}
        if method == "chat.postMessage":
            ts = f"1700000100.{next(self._ts):06d}"
            message = {"type": "message", "text": args.get("text", ""), "user": BOT_USER_ID, "ts": ts,
                       "bot_id": "BBOT0001", "blocks": args.get("blocks", [])}
            if args.get("metadata"):
                message["metadata"] = args["metadata"]
            with self._changed:
                self.messages.setdefault(str(channel), []).append(message)
            return {"ok": True, "channel": channel, "ts": ts, "message": message}
        if method == "conversations.history":
            oldest = float(args.get("oldest") or 0)
            with self._changed:
                found = [m for m in self.messages.get(str(channel), []) if float(m["ts"]) > oldest]
            if str(args.get("include_all_metadata")).lower() not in ("1", "true"):
                found = [{k: v for k, v in m.items() if k != "metadata"} for m in found]
            limit = int(args.get("limit") or 100)
            return {"ok": True, "messages": found[::-1][:limit], "has_more": len(found) > limit}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ts):08d}"
            return {"ok": True, "upload_url": f"{self.base}/upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            files = json.loads(args.get("files") or "[]")
            return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}
        if method == "conversations.open":
            users = str(args.get("users") or "")
            if not users or "," in users:  # only 1:1 DMs here
                return {"ok": False, "error": "users_list_not_supplied" if not users else "not_supported"}
            return {"ok": True, "channel": {"id": self.dm_channel(users)}}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"1700000200.{next(self._ts):06d}"}
        if method == "chat.update":
            return {"ok": True, "channel": channel, "ts": args.get("ts"), "text": args.get("text", "")}
        if method == "chat.getPermalink":
            ts = str(args.get("message_ts", "")).replace(".", "")
            return {"ok": True, "channel": channel, "permalink": f"{TEAM_URL}archives/{channel}/p{ts}"}
        if method == "users.info":
            user = self.users.get(str(args.get("user")))
            return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}
        if method in ("views.publish", "views.open"):
            view = args.get("view")
            view = json.loads(view) if isinstance(view, str) else view
            return {"ok": True, "view": {"id": f"V{next(self._ts):08d}", "hash": "1700000300.abcd", **(view or {})}}
        if method == "apps.connections.open":
            return {"ok": True, "url": self.websocket_url}
        return {"ok": False, "error": "unknown_method"}

    def _record(self, method: str, args: dict[str, Any], headers: dict[str, str]
                ) -> tuple[int, dict[str, str], str] | None:
        with self._changed:
            call = SlackCall(method, args, headers)
            self.calls.append(call)
            thread_ts = str(args.get("thread_ts") or "")
            if method in ("chat.postMessage", "chat.postEphemeral") and thread_ts:
                self._replies.setdefault(thread_ts, call)
                self._reply_waiters.setdefault(thread_ts, threading.Event()).set()
            self._changed.notify_all()
            pending = self._failures.get(method)
            return pending.pop(0) if pending else None

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def _args(self) -> dict[str, Any]:
                parts = urlsplit(self.path)
                args: dict[str, Any] = dict(parse_qsl(parts.query))
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8") if length else ""
                if body:
                    if "json" in (self.headers.get("Content-Type") or ""):
                        args.update(json.loads(body))
                    else:
                        args.update(parse_qsl(body))
                for key in ("blocks", "view"):
                    if isinstance(args.get(key), str):
                        args[key] = json.loads(args[key])
                return args

            def _handle(self) -> None:
                path = urlsplit(self.path).path
                if path.startswith("/upload/"):  # files_upload_v2's step 2: the raw bytes
                    length = int(self.headers.get("Content-Length") or 0)
                    data = self.rfile.read(length)
                    fake._record("upload", {"path": path, "bytes": data}, {k.lower(): v for k, v in self.headers.items()})
                    body = f"OK - {len(data)}".encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                args = self._args()
                headers = {k.lower(): v for k, v in self.headers.items()}
                if path.startswith("/api/"):
                    method = path[len("/api/"):]
                    failure = fake._record(method, args, headers)
                    if failure is not None:
                        status, extra, error = failure
                        self._send(status, {"ok": False, "error": error}, extra)
                        return
                    answer = fake.answer(method, args)
                    with fake._changed:
                        lost = fake._lost_answers.get(method, 0)
                        fake._lost_answers[method] = max(lost - 1, 0)
                    if lost:
                        self._send(500, {"ok": False, "error": "internal_error"})
                        return
                    self._send(200, answer)
                else:  # a response_url (slash commands, interactivity)
                    fake._record(path, args, headers)
                    self._send(200, None)

            def _send(self, status: int, payload: dict[str, Any] | None, extra: dict[str, str] | None = None) -> None:
                body = json.dumps(payload).encode() if payload is not None else b"ok"
                self.send_response(status)
                self.send_header("Content-Type", "application/json" if payload is not None else "text/plain")
                self.send_header("Content-Length", str(len(body)))
                for key, value in (extra or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

            do_POST = _handle
            do_GET = _handle

        return Handler
