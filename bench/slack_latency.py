"""Slack latency on loopback: from a signed Events API request arriving over HTTP to the reply
reaching the (fake, local) Slack Web API, for actionbot's real Bolt app on the example plan,
beside a no-op Bolt app in the same run (same HTTP server, same signature check, same
WebClient; its listener only posts "ok" in the thread). Also the ack time (HTTP response).

A third app shows what the database itself costs: it acks after the commit, as actionbot does,
and before it replies "ok" it runs the SQL statements of one real actionbot update (recorded
from the engine: claim the message, identify the sender, find the action, save it, append its
history, count its section), replayed on the same database through the sqlite3 driver alone,
between BEGIN IMMEDIATE and COMMIT. Its time over the no-op app's is the floor of a durable
update; actionbot's time over it is actionbot's own Python (parse, domain rules, SQLAlchemy,
the reply's rendering).

    python bench/slack_latency.py [--events 300]

The events alternate between the apps so all see the same machine conditions.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from slack_bolt import App  # noqa: E402

from bot.app import build_runtime, load_every_command, load_example_plan_if_empty  # noqa: E402
from bot.channels.slack.bolt_app import make_web_client  # noqa: E402
from bot.channels.slack.http_server import bolt_app_server  # noqa: E402
from bot.channels.slack.service import SlackService  # noqa: E402
from bot.domain.model import Person, Role  # noqa: E402
from config.settings import EXAMPLE_PLAN, Settings  # noqa: E402
from tests.fakes.slack_api import FakeSlackApi  # noqa: E402
from tests.slack_harness import SIGNING_SECRET, SlackHttpClient, http_settings  # noqa: E402

sys.path.insert(0, str(REPO / "bench"))
from figures import emit  # noqa: E402

TODAY = date(2023, 9, 27)


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))]


def event(n: int, text: str) -> dict[str, Any]:
    ts = f"1700000000.{n:06d}"
    return {"token": "x", "team_id": "T111", "api_app_id": "A111", "type": "event_callback",
            "event_id": f"EvBench{n:08d}", "event_time": 1700000000,
            "event": {"type": "message", "channel": "C111", "channel_type": "channel", "user": "U111",
                      "text": text, "ts": ts, "event_ts": ts, "client_msg_id": f"bench-{n}"}}


class Target:
    def __init__(self, name: str, client: SlackHttpClient) -> None:
        self.name, self.client = name, client
        self.reply_ms: list[float] = []
        self.ack_ms: list[float] = []


def noop_app(slack: FakeSlackApi, executor: ThreadPoolExecutor) -> App:
    settings = http_settings(slack)
    app = App(client=make_web_client(settings), signing_secret=SIGNING_SECRET, process_before_response=False,
              listener_executor=executor)

    @app.event("message")
    def noop(event: dict[str, Any], client: Any) -> None:
        client.chat_postMessage(channel=event["channel"], thread_ts=event["ts"], text="ok")

    return app


def recorded_update(runtime: Any) -> list[tuple[str, Any]]:
    """The SQL statements (and parameters) of one real status update, as the engine sent them."""
    from sqlalchemy import event as sa_event

    from bot.messages import InboundMessage

    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
        seen.append((statement, parameters))

    sa_event.listen(runtime.engine, "before_cursor_execute", record)
    try:
        reply = runtime.dispatcher.handle(InboundMessage(
            text="AP2.5.1 50% - recorded for the SQL floor", channel="slack", sender_id="U111",
            conversation_id="C111", message_id="sql-floor-recorded", source_ref="slack:C111:0", is_private=False))
    finally:
        sa_event.remove(runtime.engine, "before_cursor_execute", record)
    if reply is None or reply.is_error or len(seen) < 5:
        raise SystemExit(f"could not record an update's SQL: {reply and reply.text!r}, {len(seen)} statements")
    return seen


def sql_floor_app(slack: FakeSlackApi, executor: ThreadPoolExecutor, db_path: Path,
                  statements: list[tuple[str, Any]]) -> App:
    """Acks after COMMIT (process_before_response, as actionbot), then posts "ok" from the executor."""
    import sqlite3

    settings = http_settings(slack)
    app = App(client=make_web_client(settings), signing_secret=SIGNING_SECRET, process_before_response=True,
              listener_executor=executor)
    db = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
    from storage.wal_checkpoints import FALLBACK_PAGES

    # As storage.engine sets them (the bench's checkpoint thread covers this connection's writes too).
    for pragma in ("busy_timeout=5000", "foreign_keys=ON", "synchronous=NORMAL", f"wal_autocheckpoint={FALLBACK_PAGES}"):
        db.execute(f"PRAGMA {pragma}")
    lock = threading.Lock()  # one writer at a time, as actionbot's writer gate

    def replay(message_id: str) -> None:
        with lock:
            db.execute("BEGIN IMMEDIATE")
            for statement, parameters in statements:
                values = tuple(message_id if v == "sql-floor-recorded" else v for v in parameters)
                db.execute(statement, values).fetchall()
            db.execute("COMMIT")

    @app.event("message")
    def floor(event: dict[str, Any], client: Any) -> None:
        replay(event["client_msg_id"])
        executor.submit(client.chat_postMessage, channel=event["channel"], thread_ts=event["ts"], text="ok")

    return app


def run_one(target: Target, slack: FakeSlackApi, n: int, text: str) -> None:
    already = len(slack.calls_to("chat.postMessage"))
    body = json.dumps(event(n, text))
    started = time.perf_counter()
    answer = target.client.event(body)
    if answer.status != 200:
        raise SystemExit(f"{target.name}: HTTP {answer.status} {answer.body}")
    target.ack_ms.append(answer.seconds * 1000)
    posted = slack.wait_for("chat.postMessage", already + 1, timeout=10)[already]
    if posted.args.get("thread_ts") != event(n, text)["event"]["ts"]:
        raise SystemExit(f"{target.name}: reply for the wrong message")
    target.reply_ms.append((posted.at - started) * 1000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=300, help="events per app (default 300)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, FakeSlackApi() as slack:
        slack.add_user("U111", "bench.admin@example.org", "Bench Admin")
        runtime = build_runtime(Settings(database_url=f"sqlite:///{Path(tmp) / 'bench.db'}", today=TODAY,
                                         example_plan=EXAMPLE_PLAN))
        load_example_plan_if_empty(runtime)
        load_every_command(runtime)  # as `actionbot run` does before it serves
        with runtime.new_uow() as uow:
            uow.people.add(Person(name="Bench Admin", role=Role.ADMIN), {"slack": "U111"})
            uow.commit()
        service = SlackService(http_settings(slack), runtime.dispatcher.handle)
        executor = ThreadPoolExecutor(max_workers=4)
        service.start()
        noop: Any = bolt_app_server(noop_app(slack, executor), "127.0.0.1", 0)
        noop.start()
        statements = recorded_update(runtime)
        with_sql: Any = bolt_app_server(sql_floor_app(slack, executor, Path(tmp) / "bench.db", statements),
                                        "127.0.0.1", 0)
        with_sql.start()
        try:
            assert service.http_address is not None
            ours = Target("actionbot", SlackHttpClient(service))
            floor = Target("no-op", SlackHttpClient(service))
            floor.client.host, floor.client.port = noop.bound[0]
            sql_floor = Target("no-op with the update's SQL", SlackHttpClient(service))
            sql_floor.client.host, sql_floor.client.port = with_sql.bound[0]
            warmup = 20
            for i in range(args.events + warmup):
                run_one(ours, slack, 2 * i, f"AP2.5.1 {i % 99 + 1}% - bench update {i}")
                run_one(floor, slack, 2 * i + 1, f"AP2.5.1 {i % 99 + 1}% - bench update {i}")
                run_one(sql_floor, slack, 10_000_000 + i, f"AP2.5.1 {i % 99 + 1}% - bench update {i}")
            for target in (ours, floor, sql_floor):
                del target.reply_ms[:warmup], target.ack_ms[:warmup]
        finally:
            with_sql.stop()
            noop.stop()
            service.stop()
            executor.shutdown()
            runtime.close()
    o_med, o_p99 = statistics.median(ours.reply_ms), percentile(ours.reply_ms, 99)
    f_med, f_p99 = statistics.median(floor.reply_ms), percentile(floor.reply_ms, 99)
    print(f"events: {args.events} per app, SQLite, example plan, loopback HTTP, fake Web API")
    print("| figure | median ms | p99 ms |")
    print("|---|---|---|")
    print(f"| actionbot: signed event in -> threaded reply at the Web API | {o_med:.2f} | {o_p99:.2f} |")
    print(f"| no-op Bolt handler: same path, posts \"ok\" | {f_med:.2f} | {f_p99:.2f} |")
    print(f"| ratio actionbot / no-op | {o_med / f_med:.2f}x | {o_p99 / f_p99:.2f}x |")
    print(f"| actionbot ack (HTTP 200 back to Slack) | {statistics.median(ours.ack_ms):.2f} | "
          f"{percentile(ours.ack_ms, 99):.2f} |")
    s_med, s_p99 = statistics.median(sql_floor.reply_ms), percentile(sql_floor.reply_ms, 99)
    print(f"| no-op with the update's SQL on the driver, acked after COMMIT | {s_med:.2f} | {s_p99:.2f} |")
    print(f"| ratio (no-op with SQL) / no-op: the database's part | {s_med / f_med:.2f}x | {s_p99 / f_p99:.2f}x |")
    print(f"| ratio actionbot / (no-op with SQL): actionbot's own part | {o_med / s_med:.2f}x | {o_p99 / s_p99:.2f}x |")
    emit("Slack: signed event -> threaded reply, median", o_med, "ms", floor=f_med, floor_name="no-op Bolt app, median")
    emit("Slack: signed event -> threaded reply, p99", o_p99, "ms", floor=f_p99, floor_name="no-op Bolt app, p99")
    emit("Slack: no-op app running an update's SQL before its ack, median", s_med, "ms", floor=f_med,
         floor_name="no-op Bolt app, median")
    emit("Slack: signed event -> threaded reply beside the no-op app with the update's SQL, median", o_med, "ms",
         floor=s_med, floor_name="no-op Bolt app with the update's SQL, median")


if __name__ == "__main__":
    main()
