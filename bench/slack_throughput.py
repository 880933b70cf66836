"""Sustained Slack throughput: 50 concurrent senders post signed status updates to
`actionbot run` (a separate process, Slack HTTP mode, SQLite file, example plan) on loopback
for 60 s; each sender waits for its threaded reply at the local fake Slack Web API before
sending the next (as people do). Figures: updates/s, median and p99 from POST to reply,
errors (non-200 acks, refusals, replies that never came, history rows != updates sent), and
events acknowledged after Slack's 3 s: those are sent again as Slack does (X-Slack-Retry-Num)
and must still be applied once.

Floor, in the same run: the same senders for --floor-seconds against a no-op Bolt app in its
own process (the same HTTP server class, signature check and WebClient; its listener only
posts "ok" in the thread).

    python bench/slack_throughput.py [--seconds 60] [--senders 50] [--floor-seconds 20]
"""

from __future__ import annotations

import argparse
import csv
import http.client
import itertools
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from figures import emit, percentile  # noqa: E402
from tests.fakes.slack_api import FakeSlackApi  # noqa: E402
from tests.slack_harness import SIGNING_SECRET, sign  # noqa: E402

EXAMPLE_CSV = REPO / "examples" / "moray-commissioning-2023.csv"
BENCH_USER = "U111"
BOT_TOKEN = "xoxb-bench-token"
REPLY_TIMEOUT_S = 15.0
SLACK_ACK_TIMEOUT_S = 3.0  # Slack resends an event it has not had a 200 for within 3 s


def example_codes() -> list[str]:
    with EXAMPLE_CSV.open(encoding="utf-8") as handle:
        return [row["Code"].split()[-1] for row in csv.DictReader(handle)]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_listening(port: int, process: subprocess.Popen[Any] | None = None, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise SystemExit(f"the server exited with status {process.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing listened on 127.0.0.1:{port} within {timeout:.0f} s")


def event_body(n: int, text: str, user: str = BENCH_USER) -> tuple[str, str]:
    ts = f"1700000000.{n:06d}"
    payload = {"token": "x", "team_id": "T111", "api_app_id": "A111", "type": "event_callback",
               "event_id": f"EvLoad{n:08d}", "event_time": 1700000000,
               "event": {"type": "message", "channel": "C111", "channel_type": "channel", "user": user,
                         "text": text, "ts": ts, "event_ts": ts, "client_msg_id": f"load-{n}"}}
    return json.dumps(payload), ts


def post_signed(port: int, body: str, headers: Mapping[str, str] | None = None, timeout: float = 10) -> int:
    stamp = int(time.time())
    sent = {"Content-Type": "application/json", "X-Slack-Request-Timestamp": str(stamp),
            "X-Slack-Signature": sign(body, stamp), **(headers or {})}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("POST", "/slack/events", body=body.encode(), headers=sent)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


@dataclass
class LoadResult:
    seconds: float
    latencies_ms: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    resent: int = 0  # events acknowledged too late, which Slack would send again

    @property
    def sent(self) -> int:
        return len(self.latencies_ms) + sum(self.errors.values())

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1


def drive(port: int, watcher: FakeSlackApi, senders: int, seconds: float, first_n: int = 1) -> LoadResult:
    """`senders` threads, each posting an update and waiting for its reply, for `seconds`."""
    codes = example_codes()
    numbers = itertools.count(first_n)
    lock = threading.Lock()
    result = LoadResult(seconds)
    stop_at = time.monotonic() + seconds

    def sender() -> None:
        while time.monotonic() < stop_at:
            with lock:
                n = next(numbers)
            body, ts = event_body(n, f"{codes[n % len(codes)]} {n * 7 % 100}% - load test update {n}")
            started = time.perf_counter()
            try:
                status = post_signed(port, body, timeout=SLACK_ACK_TIMEOUT_S)
            except TimeoutError:
                # No ack within 3 s: Slack sends the event again, marked as a retry (and the
                # first request's answer no longer counts). It must still apply only once.
                with lock:
                    result.resent += 1
                try:
                    status = post_signed(port, body, {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
                except OSError as exc:
                    with lock:
                        result.error(f"connection failed on the resend ({type(exc).__name__})")
                    continue
            except OSError as exc:
                with lock:
                    result.error(f"connection failed ({type(exc).__name__})")
                continue
            if status != 200:
                with lock:
                    result.error(f"HTTP {status}")
                continue
            try:
                reply = watcher.reply_to(ts, REPLY_TIMEOUT_S)
            except AssertionError:
                with lock:
                    result.error("no reply")
                continue
            with lock:
                if reply.method == "chat.postMessage":
                    result.latencies_ms.append((reply.at - started) * 1000)
                else:
                    result.error("refused (ephemeral reply)")

    threads = [threading.Thread(target=sender, name=f"sender-{i}") for i in range(senders)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.monotonic() - began
    return result


def actionbot_env(db_url: str, api_url: str, slack_port: int, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ACTIONBOT_", "SLACK_"))}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.update(ACTIONBOT_DATABASE_URL=db_url, ACTIONBOT_TODAY="2023-09-27", SLACK_BOT_TOKEN=BOT_TOKEN,
               SLACK_SIGNING_SECRET=SIGNING_SECRET, ACTIONBOT_SLACK_API_URL=api_url,
               ACTIONBOT_SLACK_HOST="127.0.0.1", ACTIONBOT_SLACK_PORT=str(slack_port), **(extra or {}))
    return env


def actionbot_command() -> list[str]:
    return [sys.executable, "-m", "bot.cli"]


def add_bench_admin(env: Mapping[str, str], cwd: Path) -> None:
    subprocess.run([*actionbot_command(), "people", "add", "Bench Admin", "--role", "admin", "--slack", BENCH_USER],
                   env=dict(env), cwd=cwd, check=True, capture_output=True, timeout=60)


def start_actionbot(env: Mapping[str, str], log_path: Path, cwd: Path) -> subprocess.Popen[bytes]:
    """`actionbot run` in `cwd` (a scratch folder: ./maildrop and the like land there)."""
    log = log_path.open("wb")
    try:
        return subprocess.Popen([*actionbot_command(), "run"], env=dict(env), cwd=cwd, stdin=subprocess.DEVNULL,
                                stdout=log, stderr=subprocess.STDOUT)
    finally:
        log.close()


def stop(process: subprocess.Popen[Any]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def count_slack_updates(db_url: str) -> int:
    """History rows written from Slack (one per applied update)."""
    from sqlalchemy import func, select

    from storage import make_engine
    from storage.tables import HistoryRow

    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(HistoryRow)
                                    .where(HistoryRow.channel == "slack", HistoryRow.kind == "update")).scalar_one())
    finally:
        engine.dispose()


def serve_noop(port: int, api_url: str) -> None:
    """The floor's server process: a no-op Bolt app behind actionbot's own HTTP server."""
    from concurrent.futures import ThreadPoolExecutor

    from bot.channels.slack.http_server import bolt_app_server
    from slack_latency import noop_app

    class Api:
        pass

    api = Api()
    api.api_url = api_url  # type: ignore[attr-defined]
    executor = ThreadPoolExecutor(max_workers=8)
    server: Any = bolt_app_server(noop_app(api, executor), "127.0.0.1", port)  # type: ignore[arg-type]
    server.start()
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass


def describe(name: str, result: LoadResult) -> tuple[float, float, float]:
    rate = len(result.latencies_ms) / result.seconds
    med = statistics.median(result.latencies_ms) if result.latencies_ms else float("nan")
    p99 = percentile(result.latencies_ms, 99) if result.latencies_ms else float("nan")
    errors = ", ".join(f"{k}: {v}" for k, v in sorted(result.errors.items())) or "none"
    print(f"| {name} | {rate:.1f} | {med:.1f} | {p99:.1f} | {result.sent} | {result.resent} | {errors} |")
    return rate, med, p99


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--senders", type=int, default=50)
    parser.add_argument("--floor-seconds", type=float, default=20.0)
    parser.add_argument("--keep-log", metavar="PATH", help="copy the bot's log here (to look into errors)")
    parser.add_argument("--serve-noop", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--api-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_noop:
        serve_noop(args.serve_noop, args.api_url)
        return
    with tempfile.TemporaryDirectory() as tmp, FakeSlackApi() as watcher:
        folder = Path(tmp)
        watcher.add_user(BENCH_USER, None, "Bench Admin")
        db_url = f"sqlite:///{folder / 'load.db'}"
        port = free_port()
        env = actionbot_env(db_url, watcher.api_url, port, {"ACTIONBOT_MAILDROP": str(folder / "maildrop")})
        add_bench_admin(env, folder)
        bot = start_actionbot(env, folder / "actionbot.log", folder)
        try:
            wait_listening(port, bot)
            warm = drive(port, watcher, 5, 2, first_n=900_001)  # warm up (not counted)
            ours = drive(port, watcher, args.senders, args.seconds)
        finally:
            stop(bot)
            if args.keep_log:
                Path(args.keep_log).write_bytes((folder / "actionbot.log").read_bytes())
        written = count_slack_updates(db_url)
        expected = len(ours.latencies_ms) + len(warm.latencies_ms)
        noop_port = free_port()
        noop = subprocess.Popen([sys.executable, __file__, "--serve-noop", str(noop_port), "--api-url", watcher.api_url],
                                cwd=REPO, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_listening(noop_port, noop)
            floor = drive(noop_port, watcher, args.senders, args.floor_seconds, first_n=500_001)
        finally:
            stop(noop)
    if written != expected:
        ours.error("history rows != updates answered")
        print(f"history rows written from Slack: {written}; updates answered (with warm-up): {expected}")
    print(f"{args.senders} concurrent senders; actionbot run (SQLite, example plan) for {ours.seconds:.0f} s; "
          f"no-op Bolt app for {floor.seconds:.0f} s; loopback HTTP, fake Web API; load average "
          f"{os.getloadavg()[0]:.2f}")
    print("| target | updates/s | median ms | p99 ms | sent | acked after 3 s (resent) | errors |")
    print("|---|---|---|---|---|---|---|")
    rate, med, p99 = describe("actionbot run", ours)
    f_rate, f_med, f_p99 = describe("no-op Bolt app (floor)", floor)
    emit(f"Slack sustained throughput, {args.senders} senders x {args.seconds:.0f} s", rate, "updates/s",
         floor=f_rate, floor_name="no-op Bolt app, same senders", lower_is_better=False)
    emit("Slack under that load: POST -> threaded reply, p99", p99, "ms", floor=f_p99, floor_name="no-op Bolt app, p99")
    errors = sum(ours.errors.values())
    emit("Slack under that load: errors", errors, "count",
         note=", ".join(f"{k}: {v}" for k, v in sorted(ours.errors.items())) or "none")
    emit("Slack under that load: events acked after 3 s (Slack resends them; each applied once)", ours.resent, "count")


if __name__ == "__main__":
    main()
