"""Status update end to end (parse, resolve, authorise, write, reply) against a 5,000-action
SQLite (default) or PostgreSQL database, beside the floor: one bare single-row SQLAlchemy insert and commit on the
same database in the same run. Also the wall time of a cold `actionbot say`.

    python bench/update_latency.py [--actions 5000] [--updates 2000] [--db-url URL]

Targets (issue 3): p99 under 5 ms, within 3x of the floor; cold `say` under 1 s.
With a PostgreSQL --db-url the bench works in a throwaway schema (bench_<pid>, first on the
search_path) and drops it afterwards, so the database's own tables are never touched.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, insert, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bot.app import build_runtime  # noqa: E402
from bot.channels.console import console_message  # noqa: E402
from bot.domain.model import Action, Section  # noqa: E402
from config.settings import Settings  # noqa: E402

sys.path.insert(0, str(REPO / "bench"))
from figures import emit, percentile  # noqa: E402

TODAY = date(2026, 11, 23)


@contextmanager
def throwaway_schema(url: str) -> Iterator[str]:
    """For PostgreSQL: a new schema first on the search_path, dropped afterwards; the URL to use."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        yield url
        return
    schema = f"bench_{os.getpid()}"
    admin = create_engine(parsed.set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            scoped = parsed.update_query_dict({"options": f"-csearch_path={schema}"})
            yield scoped.render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()


def seed(runtime, actions: int) -> list[str]:  # type: ignore[no-untyped-def]
    per_section = 100
    codes: list[str] = []
    with runtime.new_uow() as uow:
        uow.plans.upsert("Bench Plan", "Bench Plan")
        for s in range(1, actions // per_section + 1):
            uow.plans.upsert_section(Section(plan="Bench Plan", code=f"{s}.1", title=f"Section {s}"))
            for a in range(1, per_section + 1):
                code = f"BENCH AP{s}.1.{a}"
                uow.actions.add(Action(code=code, title=f"Action {s}.{a}", plan="Bench Plan",
                                       section_code=f"{s}.1", section_title=f"Section {s}",
                                       responsibility="Commissioning Team", due_date=date(2027, 3, 31), progress=0))
                codes.append(code.split()[-1])
        uow.commit()
    return codes


def measure_updates(runtime, codes: list[str], count: int) -> list[float]:  # type: ignore[no-untyped-def]
    rng = random.Random(7)
    timings = []
    for i in range(count):
        text = f"{rng.choice(codes)} {rng.randint(1, 99)}% - bench update {i}"
        start = time.perf_counter()
        reply = runtime.dispatcher.handle(console_message(text, "Console Admin"))
        timings.append((time.perf_counter() - start) * 1000)
        if reply is None or (reply.is_error and "already" not in reply.text):
            raise SystemExit(f"update failed: {text!r}: {reply.text if reply else None}")
    return timings


def measure_floor(engine, count: int) -> list[float]:  # type: ignore[no-untyped-def]
    table = Table("bench_floor", MetaData(), Column("id", Integer, primary_key=True), Column("v", String(50)))
    table.create(engine, checkfirst=True)
    timings = []
    for i in range(count):
        start = time.perf_counter()
        with engine.connect() as conn:
            conn.execute(insert(table).values(v=f"row {i}"))
            conn.commit()
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def cold_say(db_url: str, runs: int = 9) -> list[float]:
    """A new process each time, as a person typing `actionbot say` gets. Our modules are
    byte-compiled first, as an installed package's are (pip compiles what it installs, and a
    checkout's first run writes __pycache__): with PYTHONDONTWRITEBYTECODE set, as on some CI
    machines, every run would otherwise compile bot/, handlers/ and storage/ again (~0.3 s)."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", *(str(REPO / p) for p in ("bot", "handlers", "storage",
                    "config"))], check=True, capture_output=True)
    env = {**os.environ, "ACTIONBOT_DATABASE_URL": db_url, "ACTIONBOT_TODAY": TODAY.isoformat()}
    exe = Path(sys.executable).with_name("actionbot")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "bot.cli"]
    timings, floor = [], []
    for _ in range(runs):  # interleaved with the floor, so both see the same machine
        start = time.perf_counter()
        subprocess.run([*command, "say", "status AP1.1.1"], env=env, check=True, capture_output=True)
        timings.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import sqlalchemy.orm, sqlite3"], check=True, capture_output=True)
        floor.append((time.perf_counter() - start) * 1000)
    COLD_FLOOR.extend(floor)
    return timings


# A new python that imports SQLAlchemy's ORM and sqlite3 and does nothing else: what any
# command that reads the database pays before it starts (filled by cold_say).
COLD_FLOOR: list[float] = []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--actions", type=int, default=5000)
    parser.add_argument("--updates", type=int, default=2000)
    parser.add_argument("--db-url", help="default: a new SQLite file in a temp folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, \
            throwaway_schema(args.db_url or f"sqlite:///{Path(tmp) / 'bench.db'}") as url:
        runtime = build_runtime(Settings(database_url=url, today=TODAY))
        try:
            codes = seed(runtime, args.actions)
            measure_updates(runtime, codes, 50)  # warm up
            updates = measure_updates(runtime, codes, args.updates)
            floor = measure_floor(runtime.engine, args.updates)
        finally:
            runtime.close()
        cold = cold_say(url)
    u_med, u_p99 = statistics.median(updates), percentile(updates, 99)
    f_med, f_p99 = statistics.median(floor), percentile(floor, 99)
    print(f"database: {url.split(':', 1)[0]}  actions: {args.actions}  updates: {args.updates}")
    print("| figure | median ms | p99 ms |")
    print("|---|---|---|")
    print(f"| status update end to end | {u_med:.2f} | {u_p99:.2f} |")
    print(f"| floor: bare insert+commit | {f_med:.2f} | {f_p99:.2f} |")
    print(f"| ratio update/floor | {u_med / f_med:.2f}x | {u_p99 / f_p99:.2f}x |")
    print(f"| cold `actionbot say` wall | {statistics.median(cold):.0f} | {max(cold):.0f} (max of {len(cold)}) |")
    db = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    emit(f"status update end to end, {db}, median", u_med, "ms", floor=f_med, floor_name="bare insert+commit, median")
    emit(f"status update end to end, {db}, p99", u_p99, "ms", floor=f_p99, floor_name="bare insert+commit, p99")
    if db == "SQLite":
        emit("cold `actionbot say` wall time, median", statistics.median(cold), "ms",
             floor=statistics.median(COLD_FLOOR), floor_name="python importing sqlalchemy.orm and sqlite3, median",
             note="goal ≤ 300 ms")
    print(f"targets: p99 < 5 ms: {'yes' if u_p99 < 5 else 'NO'}; within 3x of floor (p99): "
          f"{'yes' if u_p99 / f_p99 <= 3 else 'NO'}; cold say < 1 s: {'yes' if statistics.median(cold) < 1000 else 'NO'}")


if __name__ == "__main__":
    main()
