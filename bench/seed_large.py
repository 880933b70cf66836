"""A council-sized database for the benchmarks: 100 plans, 100,000 actions, 1,000,000
history entries and 1,000 people (with Slack identities), on SQLite or PostgreSQL.

    python bench/seed_large.py [--db-url URL] [--plans 100] [--actions-per-plan 1000]
                               [--history-per-action 10] [--people 1000]

Rows go in by bulk inserts straight through the driver — `executemany` on SQLite, `COPY` on
PostgreSQL — after `ensure_schema` has built the tables at the schema head, then `ANALYZE`.
Without --db-url it builds a throwaway SQLite file and reports the time; with a PostgreSQL
URL it fills that database's tables (use an empty database or schema). bench/query_latency.py
and bench/digest_build.py call `seed_large()` themselves.

Every plan has the same shape, like the councils' own: 20 sections (`1.1` … `4.5`) of 50
actions, codes `P007 AP2.5.17`, so a typed tail (`AP2.5.17`) matches one action in each plan
and must be resolved within the asker's plan. Owners are teams, pairs of teams and people.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlalchemy import Engine, text  # noqa: E402

from bot.domain.codes import code_number, code_tail, normalise  # noqa: E402
from storage import ensure_schema, make_engine  # noqa: E402

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
TODAY = NOW.date()
SECTIONS_PER_PLAN = 20
TEAMS = tuple(f"{name} Team" for name in (
    "Commissioning", "Finance", "Contracts", "Quality", "Safeguarding", "Workforce", "Digital", "Estates",
    "Procurement", "Public Health", "Housing", "Adult Services", "Children's Services", "Mental Health",
    "Primary Care", "Legal", "Performance", "Communications", "Transport", "Education"))
STATES = (("completed", 30), ("cancelled", 2), ("in_progress", 50), ("not_started", 18))


@dataclass(frozen=True)
class Shape:
    plans: int = 100
    actions_per_plan: int = 1000
    history_per_action: int = 10
    people: int = 1000

    @property
    def actions(self) -> int:
        return self.plans * self.actions_per_plan

    def plan_name(self, index: int) -> str:
        return f"Council Plan {index:03d}"


def person_name(index: int) -> str:
    return f"Person {index:04d}"


def person_team(index: int) -> str:
    return TEAMS[index % len(TEAMS)]


def section_code(section: int) -> str:
    """Sections 1..20 are `1.1` … `4.5`, as plans number them."""
    return f"{(section - 1) // 5 + 1}.{(section - 1) % 5 + 1}"


def action_code(plan: int, section: int, index: int) -> str:
    return f"P{plan:03d} AP{section_code(section)}.{index + 1}"


def _sqlite_time(value: datetime) -> str:
    # How storage.base.UtcDateTime stores a datetime in SQLite: UTC wall-clock text.
    return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")


class _Loader:
    """Bulk rows into one table through the driver: executemany (SQLite) or COPY (PostgreSQL)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sqlite = engine.dialect.name == "sqlite"

    def load(self, raw: Any, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        cursor = raw.cursor()
        try:
            if self.sqlite:
                rows = [tuple(_sqlite_time(v) if isinstance(v, datetime) else
                              v.isoformat() if isinstance(v, date) else v for v in row) for row in rows]
                marks = ", ".join("?" for _ in columns)
                cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
            else:
                with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        finally:
            cursor.close()

    def drop_indexes(self, raw: Any, table: str) -> list[str]:
        """Drop a table's plain indexes (building them after the load is several times faster
        than keeping them up to date row by row); returns the statements that rebuild them."""
        cursor = raw.cursor()
        try:
            if self.sqlite:
                cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                               "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%'", (table,))
            else:
                cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
                               "AND schemaname = current_schema() AND indexdef NOT LIKE 'CREATE UNIQUE%%'", (table,))
            found = list(cursor.fetchall())
            for name, _sql in found:
                cursor.execute(f'DROP INDEX "{name}"')
            return [sql for _name, sql in found]
        finally:
            cursor.close()

    def run(self, raw: Any, statements: list[str]) -> None:
        cursor = raw.cursor()
        try:
            for statement in statements:
                cursor.execute(statement)
        finally:
            cursor.close()


def seed_large(engine: Engine, shape: Shape = Shape(), seed: int = 18) -> dict[str, float]:
    """Fill an empty database at the schema head; returns seconds per step."""
    rng = random.Random(seed)
    ensure_schema(engine)
    loader = _Loader(engine)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    raw = engine.raw_connection()
    try:
        if loader.sqlite:
            raw.execute("PRAGMA synchronous = OFF")  # a throwaway bench file: no fsync per page
            raw.execute("PRAGMA cache_size = -262144")  # 256 MiB of page cache while loading
        rebuild = [sql for table in ("actions", "history") for sql in loader.drop_indexes(raw, table)]
        # People: names, teams, Slack identities; every tenth an admin.
        people = [(i, person_name(i), "admin" if i % 10 == 1 else "updater", person_team(i),
                   f"person{i:04d}@council.example", "safeguarding" if i % 50 == 7 else "")
                  for i in range(1, shape.people + 1)]
        loader.load(raw, "people", ("id", "name", "role", "team", "email", "roles_extra"), people)
        loader.load(raw, "identities", ("id", "person_id", "channel", "external_id"),
                    [(i, i, "slack", f"U{i:08d}") for i in range(1, shape.people + 1)])
        plans, sections, actions, history = [], [], [], []
        action_id = section_id = history_id = 0
        owners = [*TEAMS, *(f"{a} and {b}" for a, b in zip(TEAMS, TEAMS[1:])),
                  *(person_name(i) for i in range(1, shape.people + 1, 7))]
        weights = [w for _s, w in STATES]
        for p in range(1, shape.plans + 1):
            plans.append((p, shape.plan_name(p), f"{shape.plan_name(p)}: improvement and contract monitoring"))
            per_section = max(1, shape.actions_per_plan // SECTIONS_PER_PLAN)
            for s in range(1, SECTIONS_PER_PLAN + 1):
                section_id += 1
                sections.append((section_id, p, section_code(s), f"Section {section_code(s)} of plan {p}", s, None, None))
                for a in range(per_section):
                    action_id += 1
                    code = action_code(p, s, a)
                    state = rng.choices([name for name, _w in STATES], weights)[0]
                    progress = 100 if state == "completed" else rng.choice((0, 10, 25, 40, 50, 60, 75, 90))
                    due = TODAY + timedelta(days=rng.randrange(-400, 400))
                    updated = NOW - timedelta(days=rng.randrange(0, 120), minutes=rng.randrange(1440))
                    actions.append((action_id, p, section_id, code, normalise(code), code_tail(code),
                                    code_number(code), f"Action {code}: review the provider's returns",
                                    rng.choice(owners), due, due, None, progress, state,
                                    due if state == "completed" else None,
                                    f"update {rng.randrange(10_000)}: returns chased, meeting booked",
                                    updated, "bench", a + 1))
                    at = updated - timedelta(days=365)
                    step = timedelta(days=365) / max(1, shape.history_per_action)
                    value = 0
                    for _h in range(shape.history_per_action):
                        history_id += 1
                        new = min(100, value + 10)
                        history.append((history_id, action_id, None, at, None, "bench", "slack", "update",
                                        json.dumps([["progress", value, new]]), "progress noted", None, None))
                        value, at = new, at + step
        timings["generate_s"] = time.perf_counter() - started
        t0 = time.perf_counter()
        loader.load(raw, "plans", ("id", "name", "title"), plans)
        loader.load(raw, "sections", ("id", "plan_id", "code", "title", "position", "reported_progress",
                                      "reported_due"), sections)
        loader.load(raw, "actions", ("id", "plan_id", "section_id", "code", "code_norm", "code_tail", "code_number",
                                     "title", "responsibility", "due_date", "original_due_date", "due_text",
                                     "progress", "state", "completed_on", "latest_update", "updated_at",
                                     "updated_by", "position"), actions)
        timings["actions_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        chunk = 100_000
        for first in range(0, len(history), chunk):
            loader.load(raw, "history", ("id", "action_id", "batch_id", "at", "person_id", "actor", "channel", "kind",
                                         "changes", "note", "source_ref", "undoes_batch"), history[first:first + chunk])
        timings["history_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        loader.run(raw, rebuild)
        timings["indexes_s"] = time.perf_counter() - t0
        raw.commit()
    finally:
        raw.close()
    t0 = time.perf_counter()
    with engine.begin() as conn:
        if not loader.sqlite:  # COPY with explicit ids leaves the sequences behind
            for table in ("people", "identities", "plans", "sections", "actions", "history"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                  f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"))
        conn.execute(text("ANALYZE"))
    timings["analyze_s"] = time.perf_counter() - t0
    timings["total_s"] = time.perf_counter() - started
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db-url", default=None, help="default: a throwaway SQLite file")
    parser.add_argument("--plans", type=int, default=100)
    parser.add_argument("--actions-per-plan", type=int, default=1000)
    parser.add_argument("--history-per-action", type=int, default=10)
    parser.add_argument("--people", type=int, default=1000)
    args = parser.parse_args()
    shape = Shape(args.plans, args.actions_per_plan, args.history_per_action, args.people)
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(args.db_url or f"sqlite:///{Path(folder) / 'large.db'}")
        try:
            timings = seed_large(engine, shape)
        finally:
            engine.dispose()
    print(f"{engine.dialect.name}: {shape.plans} plans, {shape.actions:,} actions, "
          f"{shape.actions * shape.history_per_action:,} history entries, {shape.people:,} people")
    for step, seconds in timings.items():
        print(f"  {step:<12} {seconds:8.2f}")


if __name__ == "__main__":
    main()
