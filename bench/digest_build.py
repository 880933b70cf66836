"""Build and render every digest: 50 subscriptions over 1,000 and 10,000 actions (SQLite),
with the SQL queries each digest costs, counted with a SQLAlchemy `before_cursor_execute`
event. The query count must not grow with the number of actions.

    python bench/digest_build.py [--sizes 1000 10000] [--subscriptions 50] [--charts]

Per digest: read the last sent period, then compose (actions, sections, history since),
then render for the destination (Block Kit, Adaptive Card or HTML email). `--charts` also
draws the matplotlib chart for Slack and email digests (timed separately).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlalchemy import event  # noqa: E402

sys.path.insert(0, str(REPO / "bench"))
from figures import emit  # noqa: E402

from bot.digest.delivery import render_for  # noqa: E402
from bot.digest.model import Subscription  # noqa: E402
from bot.digest.sender import compose_digest, last_digest_time  # noqa: E402
from bot.domain.model import Action, FieldChange, HistoryEntry, Section, State  # noqa: E402
from storage import ensure_schema, make_engine, unit_of_work_factory  # noqa: E402

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
PLAN = "Bench Plan"
PER_SECTION = 50
OWNERS = ("Commissioning Team", "Finance Team", "Service Manager", "Commissioning Team and Finance Team", None)


def seed(new_uow, actions: int, subscriptions: int) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(actions)
    with new_uow() as uow:
        uow.plans.upsert(PLAN, PLAN)
        sections = actions // PER_SECTION
        for s in range(1, sections + 1):
            uow.plans.upsert_section(Section(plan=PLAN, code=f"{s}.1", title=f"Section {s}"))
            for a in range(1, PER_SECTION + 1):
                progress = rng.choice((0, 10, 25, 50, 75, 100))
                added = uow.actions.add(Action(
                    code=f"BENCH AP{s}.1.{a}", title=f"Action {s}.{a}: review the provider's returns", plan=PLAN,
                    section_code=f"{s}.1", section_title=f"Section {s}", responsibility=rng.choice(OWNERS),
                    due_date=date(2026, 6, 1) + timedelta(days=rng.randrange(400)), progress=progress,
                    state=State.COMPLETED if progress == 100 else State.IN_PROGRESS,
                    updated_at=NOW - timedelta(days=rng.randrange(90)), updated_by="bench"))
                if rng.random() < 0.2:  # a fifth of the actions moved this week
                    uow.history.append(HistoryEntry(
                        action_code=added.code, at=NOW - timedelta(days=rng.randrange(1, 7)), actor="bench",
                        channel="console", kind="update", action_id=added.id,
                        changes=(FieldChange("progress", max(progress - 25, 0), progress),)))
        for n in range(subscriptions):
            kind = ("slack", "teams", "email")[n % 3]
            flt: dict[str, object] = {}
            if n % 5 == 1:
                flt["sections"] = tuple(f"{s}.1" for s in range(1 + n % sections, 1 + n % sections + 3))
            if n % 5 == 2:
                flt["responsibility"] = "finance"
            if n % 5 == 3:
                flt["group_by"] = "responsibility"
            uow.digests.add(Subscription(kind, "team@example.org" if kind == "email" else f"C{n:08d}", plan=PLAN,
                                         created_at=NOW - timedelta(days=30), created_by="bench", **flt))  # type: ignore[arg-type]
        uow.commit()


def run(actions: int, subscriptions: int, charts: bool) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
        try:
            ensure_schema(engine)
            new_uow = unit_of_work_factory(engine)
            started = time.perf_counter()
            seed(new_uow, actions, subscriptions)
            seeded = time.perf_counter() - started
            queries = [0]

            @event.listens_for(engine, "before_cursor_execute")
            def count(*_args: object) -> None:
                queries[0] += 1

            with new_uow() as uow:
                subs = uow.digests.list()
            # A sending pass: digests of one plan share its actions (as DigestSender does).
            queries[0] = 0
            snapshot: dict = {}  # type: ignore[type-arg]
            t_pass = time.perf_counter()
            for sub in subs:
                with new_uow() as uow:
                    digest = compose_digest(uow, sub, NOW, last_digest_time(uow, sub, NOW), snapshot=snapshot)
                render_for(sub.destination_kind, digest, with_chart=False)
            pass_s = time.perf_counter() - t_pass
            pass_queries = queries[0]
            per_digest_queries: list[int] = []
            build_ms: list[float] = []
            render_ms: list[float] = []
            chart_ms: list[float] = []
            total = time.perf_counter()
            for sub in subs:
                assert sub.id is not None
                queries[0] = 0
                t0 = time.perf_counter()
                with new_uow() as uow:
                    digest = compose_digest(uow, sub, NOW, last_digest_time(uow, sub, NOW))
                t1 = time.perf_counter()
                rendered = render_for(sub.destination_kind, digest, with_chart=False)
                t2 = time.perf_counter()
                per_digest_queries.append(queries[0])
                build_ms.append((t1 - t0) * 1000)
                render_ms.append((t2 - t1) * 1000)
                assert rendered.payload
                if charts and sub.destination_kind != "teams":
                    t3 = time.perf_counter()
                    render_for(sub.destination_kind, digest, with_chart=True)
                    chart_ms.append((time.perf_counter() - t3) * 1000 - render_ms[-1])
            total_s = time.perf_counter() - total
        finally:
            engine.dispose()
    return {
        "seed_s": seeded,
        "pass_s": pass_s,
        "pass_queries": pass_queries,
        "total_s": total_s,
        "build_ms": statistics.mean(build_ms),
        "render_ms": statistics.mean(render_ms),
        "chart_ms": statistics.mean(chart_ms) if chart_ms else 0.0,
        "queries_min": min(per_digest_queries),
        "queries_max": max(per_digest_queries),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--subscriptions", type=int, default=50)
    parser.add_argument("--charts", action="store_true", help="also draw the chart for Slack and email digests")
    args = parser.parse_args()
    results = {size: run(size, args.subscriptions, args.charts) for size in args.sizes}
    print("One sending pass (digests of a plan share its actions, as DigestSender does):")
    print(f"{'actions':>8} {'digests':>8} {'pass s':>8} {'SQL in pass':>12}")
    for size, r in results.items():
        print(f"{size:>8} {args.subscriptions:>8} {r['pass_s']:>8.2f} {r['pass_queries']:>12.0f}")
    print("Each digest on its own (cold, as `digest preview` does):")
    print(f"{'actions':>8} {'all digests s':>14} {'build ms':>9} {'render ms':>10} {'chart ms':>9} {'SQL/digest':>11}")
    for size, r in results.items():
        print(f"{size:>8} {r['total_s']:>14.2f} {r['build_ms']:>9.1f} {r['render_ms']:>10.1f} "
              f"{r['chart_ms']:>9.1f} {r['queries_min']:>5.0f}-{r['queries_max']:<5.0f}")
    small, large = results[min(results)], results[max(results)]
    if len(results) > 1:
        print(f"ratio {max(results)}/{min(results)} actions: pass time x{large['pass_s'] / small['pass_s']:.1f}, "
              f"cold time x{large['total_s'] / small['total_s']:.1f}, "
              f"SQL per digest x{large['queries_max'] / small['queries_max']:.2f} (must be 1.00), "
              f"SQL per pass x{large['pass_queries'] / small['pass_queries']:.2f}")
    for size, r in results.items():
        scaled = size != min(results)
        emit(f"digests: one sending pass, {args.subscriptions} subscriptions over {size:,} actions", r["pass_s"], "s",
             floor=small["pass_s"] if scaled else None,
             floor_name=f"the same pass over {min(results):,} actions (how it scales)" if scaled else "",
             note=f"{r['pass_queries']:.0f} SQL queries")
        emit(f"digests: every digest built cold, {size:,} actions", r["total_s"], "s",
             floor=small["total_s"] if scaled else None,
             floor_name=f"the same over {min(results):,} actions" if scaled else "",
             note=f"{r['queries_max']:.0f} SQL queries per digest")


if __name__ == "__main__":
    main()
