"""The questions people ask, at council scale: `summary`, `summary 2.5`, `overdue`, `mine`,
`history CODE` and `status CODE` against 100 plans / 100,000 actions / 1,000,000 history
entries (bench/seed_large.py), end to end through the dispatcher (parse, identify, handler,
repository, reply), on SQLite or PostgreSQL. Goal: p99 ≤ 20 ms each.

    python bench/query_latency.py [--db-url URL] [--samples 200] [--plans-out docs/query-plans.md]

The asker is a person of the seed (a Slack identity) in a channel tied to one plan, as a
team's channel is (`[channels]` in the settings). With --plans-out the SQL each question runs
is written with its plan (EXPLAIN QUERY PLAN on SQLite, EXPLAIN on PostgreSQL). With a
PostgreSQL --db-url the bench works in a throwaway schema, dropped afterwards. Beside the wall
times it prints this process's CPU time per question (on PostgreSQL the server's is not in
it): on a loaded machine the wall p99 swings with the scheduler, the CPU figures much less.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from sqlalchemy import event  # noqa: E402

from bot.app import build_runtime  # noqa: E402
from bot.messages import InboundMessage  # noqa: E402
from config.settings import Settings  # noqa: E402
from figures import emit, percentile  # noqa: E402
from seed_large import TODAY, Shape, person_name, seed_large  # noqa: E402
from update_latency import throwaway_schema  # noqa: E402

PLAN_INDEX = 42
CHANNEL = "C0PLAN042"
QUESTIONS = ("summary", "summary 2.5", "overdue", "mine", "history {code}", "status {code}")
GOAL_MS = 20.0


def asker(index: int) -> str:
    return f"U{index:08d}"


def message(text_: str, sender: str, n: int) -> InboundMessage:
    return InboundMessage(text=text_, channel="slack", sender_id=sender, sender_name=sender,
                          conversation_id=CHANNEL, message_id=f"q{n}", source_ref=f"slack:q{n}", is_direct=False,
                          is_private=False)


class Statements:
    """The SQL a question runs (captured from the engine), for its plan."""

    def __init__(self, engine: Any) -> None:
        self.on = False
        self.seen: list[tuple[str, Any]] = []
        event.listen(engine, "before_cursor_execute", self._record)

    def _record(self, _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        if self.on:
            self.seen.append((statement, parameters))


def explain(engine: Any, statement: str, parameters: Any) -> list[str]:
    if not statement.lstrip().upper().startswith("SELECT"):
        return []
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if engine.dialect.name == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
            return [f"{'  ' * 0}{row[-1]}" for row in cursor.fetchall()]
        cursor.execute("EXPLAIN " + statement, parameters)
        return [row[0] for row in cursor.fetchall()]
    finally:
        raw.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db-url", help="default: a new SQLite file in a temp folder")
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--plans", type=int, default=100, help="plans of 1,000 actions (100: 100,000 actions)")
    parser.add_argument("--plans-out", type=Path, default=None, help="write each question's SQL and query plan here")
    args = parser.parse_args()
    shape = Shape(plans=args.plans)
    rng = random.Random(18)
    with tempfile.TemporaryDirectory() as tmp, \
            throwaway_schema(args.db_url or f"sqlite:///{Path(tmp) / 'large.db'}") as url:
        settings = Settings(database_url=url, today=TODAY,
                            channel_plans={f"slack:{CHANNEL}": shape.plan_name(min(PLAN_INDEX, args.plans))})
        runtime = build_runtime(settings)
        db = "PostgreSQL" if runtime.engine.dialect.name == "postgresql" else "SQLite"
        try:
            started = time.perf_counter()
            seed_large(runtime.engine, shape)
            seeded = time.perf_counter() - started
            statements = Statements(runtime.engine)
            timings: dict[str, list[float]] = {q: [] for q in QUESTIONS}
            cpu: dict[str, list[float]] = {q: [] for q in QUESTIONS}  # this process's CPU, not the server's
            plans: dict[str, list[tuple[str, Any]]] = {}
            n = 0
            for round_ in range(args.samples + 20):  # the first 20 rounds warm up
                for question in QUESTIONS:
                    section = f"{rng.randrange(1, 5)}.{rng.randrange(1, 6)}"
                    typed = question.format(code=f"AP{section}.{rng.randrange(1, 51)}")
                    who = asker(rng.randrange(1, shape.people + 1))
                    n += 1
                    statements.on, statements.seen = question not in plans, []
                    c0, t0 = time.process_time(), time.perf_counter()
                    reply = runtime.dispatcher.handle(message(typed, who, n))
                    elapsed = (time.perf_counter() - t0) * 1000
                    used = (time.process_time() - c0) * 1000
                    statements.on = False
                    if reply is None or reply.is_error:
                        raise SystemExit(f"{typed!r} failed: {reply.text if reply else None}")
                    if question not in plans:
                        plans[question] = statements.seen
                    if round_ >= 20:
                        timings[question].append(elapsed)
                        cpu[question].append(used)
            plan_text = []
            if args.plans_out is not None:
                for question, seen in plans.items():
                    plan_text.append(f"### `{question.format(code='AP2.5.17')}`\n")
                    for statement, parameters in seen:
                        lines = explain(runtime.engine, statement, parameters)
                        if not lines:
                            continue
                        plan_text.append("```sql\n" + " ".join(statement.split()) + "\n```\n")
                        plan_text.append("```\n" + "\n".join(lines) + "\n```\n")
        finally:
            runtime.close()
    print(f"{db}: {shape.plans} plans, {shape.actions:,} actions, {shape.actions * shape.history_per_action:,} "
          f"history entries, {shape.people:,} people (seeded in {seeded:.1f} s); {args.samples} samples a question")
    print(f"{'question':<16} {'median ms':>10} {'p99 ms':>8} {'goal':>6} {'CPU median':>11} {'CPU p99':>8}")
    for question, values in timings.items():
        p99 = percentile(values, 99)
        cpu_median, cpu_p99 = statistics.median(cpu[question]), percentile(cpu[question], 99)
        print(f"{question:<16} {statistics.median(values):>10.2f} {p99:>8.2f} {'ok' if p99 <= GOAL_MS else 'OVER':>6}"
              f" {cpu_median:>11.2f} {cpu_p99:>8.2f}")
        emit(f"query `{question.format(code='CODE')}`, {db}, 100,000 actions, p99", p99, "ms",
             note=f"median {statistics.median(values):.2f} ms, CPU median {cpu_median:.2f} ms / p99 {cpu_p99:.2f} ms; "
                  f"goal ≤ {GOAL_MS:.0f} ms")
    if args.plans_out is not None:
        args.plans_out.parent.mkdir(parents=True, exist_ok=True)
        header = (f"# Query plans, {db}\n\nWritten by `python bench/query_latency.py --plans-out "
                  f"{args.plans_out}`: each question's SQL against the council-sized database "
                  "(bench/seed_large.py) and the plan the database chose.\n\n")
        mode = "a" if args.plans_out.exists() and db == "PostgreSQL" else "w"
        with args.plans_out.open(mode, encoding="utf-8") as out:
            out.write(("\n" if mode == "a" else header) + ("## PostgreSQL\n\n" if mode == "a" else "## SQLite\n\n"
                      if db == "SQLite" else "## PostgreSQL\n\n") + "\n".join(plan_text))


if __name__ == "__main__":
    main()
