"""`actionbot run` as systemd or Docker runs it: a subprocess whose stdin is not a terminal,
on SQLite and a maildrop in a temp folder, its HTTP server on a free loopback port."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Answer:
    status: int
    body: bytes
    seconds: float

    def json(self) -> Any:
        return json.loads(self.body)


def get(port: int, path: str, timeout: float = 10, host: str = "127.0.0.1") -> Answer:
    return request(port, "GET", path, timeout=timeout, host=host)


def request(port: int, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None,
            timeout: float = 10, host: str = "127.0.0.1") -> Answer:
    started = time.perf_counter()
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        data = response.read()
    finally:
        connection.close()
    return Answer(response.status, data, time.perf_counter() - started)


class RunningBot:
    """Started by `start()`; `stderr` collects its standard error as it comes."""

    def __init__(self, folder: Path, **env: str) -> None:
        self.folder = folder
        self.port = free_port()
        base = {k: v for k, v in os.environ.items() if not k.startswith(("ACTIONBOT_", "SLACK_"))}
        base.update(ACTIONBOT_DATABASE_URL=f"sqlite:///{folder / 'bot.db'}", ACTIONBOT_TODAY="2023-09-27",
                    ACTIONBOT_HTTP_PORT=str(self.port), ACTIONBOT_MAILDROP=str(folder / "maildrop"))
        base.update(env)
        self.env = base
        self.lines: list[str] = []
        self.process: subprocess.Popen[str] | None = None
        self._reader: threading.Thread | None = None

    @property
    def stderr(self) -> str:
        return "".join(self.lines)

    def start(self, timeout: float = 60) -> RunningBot:
        self.process = subprocess.Popen([sys.executable, "-m", "bot.cli", "run"], cwd=self.folder, env=self.env,
                                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                        text=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        deadline = time.monotonic() + timeout
        while "Running; SIGTERM or Ctrl-C to stop." not in self.stderr:
            assert self.process.poll() is None, f"actionbot run exited {self.process.returncode}:\n{self.stderr}"
            assert time.monotonic() < deadline, f"actionbot run did not start within {timeout} s:\n{self.stderr}"
            time.sleep(0.05)
        return self

    def _read(self) -> None:
        assert self.process is not None and self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line)

    def stop(self, signum: int = signal.SIGTERM, timeout: float = 30) -> tuple[int, float]:
        """Send `signum`; the exit status and how long the process took to exit."""
        assert self.process is not None
        started = time.monotonic()
        self.process.send_signal(signum)
        code = self.process.wait(timeout)
        seconds = time.monotonic() - started
        if self._reader is not None:
            self._reader.join(5)
        return code, seconds

    def kill(self) -> None:
        """Whatever state it is in: gone, and its pipe closed."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        if self._reader is not None:
            self._reader.join(5)
        if self.process.stderr is not None:
            self.process.stderr.close()

    def wait_for(self, predicate: Any, what: str, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            assert self.process is not None and self.process.poll() is None, f"it exited:\n{self.stderr}"
            assert time.monotonic() < deadline, f"{what} did not happen within {timeout} s:\n{self.stderr}"
            time.sleep(0.05)
