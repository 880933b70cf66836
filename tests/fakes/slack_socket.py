"""A local fake of Slack's Socket Mode websocket: the URL apps.connections.open hands out.

It says hello to each connection, sends the envelopes a test pushes (raw text, so a test can
also send what is not JSON), and records what the app sends back (the acks).
"""

from __future__ import annotations

import json
import queue
import threading
import time
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection, serve


class FakeSocketModeServer:
    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.connections = 0
        self._outbox: queue.Queue[str] = queue.Queue()
        self._changed = threading.Condition()
        self._stop = threading.Event()
        self._server = serve(self._session, "127.0.0.1", 0, compression=None)
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-socket-mode", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.socket.getsockname()[:2]
        return f"ws://{host}:{port}/link/?ticket=test"

    def send(self, raw: str | dict[str, Any]) -> None:
        self._outbox.put(raw if isinstance(raw, str) else json.dumps(raw))

    def wait_for_ack(self, envelope_id: str, timeout: float = 5.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for frame in self.received:
                    if frame.get("envelope_id") == envelope_id:
                        return frame
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no ack for envelope {envelope_id} within {timeout}s; got {self.received}")
                self._changed.wait(left)

    def wait_connected(self, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not self.connections:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("the Socket Mode client never connected")
                self._changed.wait(left)

    def _session(self, connection: ServerConnection) -> None:
        connection.send(json.dumps({"type": "hello", "num_connections": 1,
                                    "debug_info": {"host": "fake", "approximate_connection_time": 3600},
                                    "connection_info": {"app_id": "A111"}}))
        with self._changed:
            self.connections += 1
            self._changed.notify_all()
        while not self._stop.is_set():
            try:
                while True:
                    connection.send(self._outbox.get_nowait())
            except queue.Empty:
                pass
            except ConnectionClosed:
                return
            try:
                frame = connection.recv(timeout=0.02)
            except TimeoutError:
                continue
            except ConnectionClosed:
                return
            try:
                parsed = json.loads(frame)
            except ValueError:
                continue
            with self._changed:
                self.received.append(parsed)
                self._changed.notify_all()

    def start(self) -> FakeSocketModeServer:
        self._thread.start()
        return self

    def close(self) -> None:
        self._stop.set()
        self._server.shutdown()
        self._thread.join(timeout=5)
