"""Build and render every digest in one sending pass: 50 subscriptions over 1,000 and 10,000
actions, and 500 over 100,000 (SQLite), with the SQL queries each pass costs, counted with a
SQLAlchemy `before_cursor_execute` event. The query count must not grow with the number of
actions.

    python bench/digest_build.py [--sizes 1000 10000 100000] [--subscriptions 50 50 500] [--charts]

`--subscriptions` pairs with `--sizes` (one number: the same for every size). A pass does
what DigestSender does: digests of one plan and day share a DigestBasis (bot.digest.content),
each subscription filters it and renders for its destination (Block Kit, Adaptive Card or
HTML email). "Cold" builds a few digests each on its own (as `digest preview` does). The
plan is bulk-loaded (bench/seed_large.py's loader), so 100,000 actions take seconds to seed.
`--charts` also draws the matplotlib chart for Slack and email digests (timed separately).
"""

from __future__ import annotations

import argparse
import json
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
from seed_large import _Loader  # noqa: E402

from bot.digest.delivery import RenderedDigest, render_for  # noqa: E402
from bot.digest.model import Subscription  # noqa: E402
from bot.digest.sender import compose_digest, cyclic_gc_paused, last_digest_time, render_shared  # noqa: E402
from bot.domain.codes import code_number, code_tail, normalise  # noqa: E402
from storage import ensure_schema, make_engine, unit_of_work_factory  # noqa: E402

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
PLAN = "Bench Plan"
PER_SECTION = 50
OWNERS = ("Commissioning Team", "Finance Team", "Service Manager", "Commissioning Team and Finance Team", None)
COLD_DIGESTS = 10


def seed(engine, new_uow, actions: int, subscriptions: int) -> None:  # type: ignore[no-untyped-def]
    """One plan of `actions` actions in sections of 50; a fifth moved this week (history)."""
    rng = random.Random(actions)
    sections = actions // PER_SECTION
    section_rows, action_rows, history_rows = [], [], []
    for s in range(1, sections + 1):
        section_rows.append((s, 1, f"{s}.1", f"Section {s}", s, None, None))
        for a in range(1, PER_SECTION + 1):
            action_id = len(action_rows) + 1
            progress = rng.choice((0, 10, 25, 50, 75, 100))
            code = f"BENCH AP{s}.1.{a}"
            action_rows.append((action_id, 1, s, code, normalise(code), code_tail(code), code_number(code),
                                f"Action {s}.{a}: review the provider's returns", rng.choice(OWNERS),
                                date(2026, 6, 1) + timedelta(days=rng.randrange(400)), None, None, progress,
                                "completed" if progress == 100 else "in_progress", None,
                                f"returns chased on day {rng.randrange(90)}; meeting booked",
                                NOW - timedelta(days=rng.randrange(90)), "bench", a))
            if rng.random() < 0.2:  # a fifth of the actions moved this week
                history_rows.append((len(history_rows) + 1, action_id, NOW - timedelta(days=rng.randrange(1, 7)),
                                     "bench", "console", "update",
                                     json.dumps([["progress", max(progress - 25, 0), progress]])))
    with new_uow() as uow:
        uow.plans.upsert(PLAN, PLAN)
        uow.commit()
    loader = _Loader(engine)
    raw = engine.raw_connection()
    try:
        loader.load(raw, "sections", ("id", "plan_id", "code", "title", "position", "reported_progress",
                                      "reported_due"), section_rows)
        loader.load(raw, "actions", ("id", "plan_id", "section_id", "code", "code_norm", "code_tail", "code_number",
                                     "title", "responsibility", "due_date", "original_due_date", "due_text",
                                     "progress", "state", "completed_on", "latest_update", "updated_at",
                                     "updated_by", "position"), action_rows)
        loader.load(raw, "history", ("id", "action_id", "at", "actor", "channel", "kind", "changes"), history_rows)
        raw.commit()
    finally:
        raw.close()
    with new_uow() as uow:
        for n in range(subscriptions):
            kind = ("slack", "teams", "email")[n % 3]
            flt: dict[str, object] = {}
            if n % 5 == 1:
                flt["sections"] = tuple(f"{s}.1" for s in range(1 + n % sections, 1 + n % sections + 3))
            if n % 5 == 2:
                flt["responsibility"] = ("finance", "commissioning", "service manager")[n % 3]
            if n % 5 == 3:
                flt["group_by"] = "responsibility"
            if n % 5 == 4:
                flt["due_soon_days"] = 7 + n % 21
            uow.digests.add(Subscription(kind, "team@example.org" if kind == "email" else f"C{n:08d}", plan=PLAN,
                                         created_at=NOW - timedelta(days=30), created_by="bench", **flt))  # type: ignore[arg-type]
        uow.commit()


def delivered(rendered: RenderedDigest) -> None:
    """Ask for what the destination's delivery reads: an email also carries the whole text
    (bot.digest.email_delivery), which a RenderedDigest makes only when asked for."""
    if rendered.kind == "email":
        assert rendered.text


def run(actions: int, subscriptions: int, charts: bool) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
        try:
            ensure_schema(engine)
            new_uow = unit_of_work_factory(engine)
            started = time.perf_counter()
            seed(engine, new_uow, actions, subscriptions)
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
            t_pass, cpu_pass = time.perf_counter(), time.process_time()
            with cyclic_gc_paused(snapshot):  # as DigestSender.send_due
                for sub in subs:
                    with new_uow() as uow:
                        digest = compose_digest(uow, sub, NOW, last_digest_time(uow, sub, NOW), snapshot=snapshot)
                    delivered(render_shared(snapshot, sub.destination_kind, digest, with_chart=False))
            pass_s = time.perf_counter() - t_pass
            pass_cpu_s = time.process_time() - cpu_pass
            pass_queries = queries[0]
            per_digest_queries: list[int] = []
            build_ms: list[float] = []
            render_ms: list[float] = []
            chart_ms: list[float] = []
            total = time.perf_counter()
            for sub in subs[:COLD_DIGESTS]:
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
        "pass_cpu_s": pass_cpu_s,
        "pass_queries": pass_queries,
        "total_s": total_s,
        "build_ms": statistics.mean(build_ms),
        "render_ms": statistics.mean(render_ms),
        "chart_ms": statistics.mean(chart_ms) if chart_ms else 0.0,
        "queries_min": min(per_digest_queries),
        "queries_max": max(per_digest_queries),
    }


GOALS_S = {10_000: 1.0, 100_000: 10.0}  # issue 18: 50 over 10,000 <= 1 s; 500 over 100,000 <= 10 s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--subscriptions", type=int, nargs="+", default=[50, 50, 500])
    parser.add_argument("--charts", action="store_true", help="also draw the chart for Slack and email digests")
    args = parser.parse_args()
    counts = args.subscriptions if len(args.subscriptions) == len(args.sizes) else [args.subscriptions[0]] * len(args.sizes)
    runs = list(zip(args.sizes, counts))
    results = {(size, subs): run(size, subs, args.charts) for size, subs in runs}
    print("One sending pass (digests of a plan and day share one DigestBasis, as DigestSender does):")
    print(f"{'actions':>8} {'digests':>8} {'seed s':>7} {'pass s':>8} {'CPU s':>7} {'ms/digest':>10} {'SQL in pass':>12} "
          f"{'goal':>8}")
    for (size, subs), r in results.items():
        goal = GOALS_S.get(size)
        verdict = "" if goal is None else f"{'ok' if r['pass_s'] <= goal else 'OVER'} ≤{goal:.0f}s"
        print(f"{size:>8} {subs:>8} {r['seed_s']:>7.1f} {r['pass_s']:>8.2f} {r['pass_cpu_s']:>7.2f} "
              f"{r['pass_s'] / subs * 1000:>10.1f} "
              f"{r['pass_queries']:>12.0f} {verdict:>8}")
    print(f"Each digest on its own (cold, as `digest preview` does; the first {COLD_DIGESTS}):")
    print(f"{'actions':>8} {'build ms':>9} {'render ms':>10} {'chart ms':>9} {'SQL/digest':>11}")
    for (size, _subs), r in results.items():
        print(f"{size:>8} {r['build_ms']:>9.1f} {r['render_ms']:>10.1f} "
              f"{r['chart_ms']:>9.1f} {r['queries_min']:>5.0f}-{r['queries_max']:<5.0f}")
    (small_size, small_subs), small = runs[0], results[runs[0]]
    small_per = small["pass_s"] / small_subs
    for (size, subs), r in results.items():
        scaled = (size, subs) != (small_size, small_subs)
        goal = GOALS_S.get(size)
        emit(f"digests: one sending pass, {subs} subscriptions over {size:,} actions", r["pass_s"], "s",
             note=f"CPU {r['pass_cpu_s']:.2f} s; {r['pass_queries']:.0f} SQL queries" + (f"; goal ≤ {goal:.0f} s" if goal else ""))
        emit(f"digests: pass time per digest, {size:,} actions ({size // small_size}× the actions)",
             r["pass_s"] / subs * 1000, "ms",
             floor=small_per * 1000 if scaled else None,
             floor_name=f"per digest over {small_size:,} actions (how it scales)" if scaled else "")
        emit(f"digests: one digest built cold, {size:,} actions", r["build_ms"] + r["render_ms"], "ms",
             floor=(small["build_ms"] + small["render_ms"]) if scaled else None,
             floor_name=f"the same over {small_size:,} actions" if scaled else "",
             note=f"{r['queries_max']:.0f} SQL queries per digest")


if __name__ == "__main__":
    main()
