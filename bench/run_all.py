"""Run every benchmark and publish one table: docs/benchmarks.md.

Each script runs in its own process with a time limit; a script that is missing, fails or
runs out of time is listed as such and the rest carry on. Figures are the `BENCH-FIGURE`
lines the scripts print (bench/figures.py): value, the floor measured in the same run,
their ratio, and the command that re-measures it.

    python bench/run_all.py [--quick] [--only NAME ...] [--out docs/benchmarks.md] [--pg-url URL]

--quick shortens the long runs (throughput 10 s instead of 60 s, fewer samples) to check the
machinery; the published table is from a full run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
sys.path.insert(0, str(BENCH))

from figures import MARKER  # noqa: E402

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@dataclass
class Bench:
    name: str
    script: str
    args: list[str]
    quick_args: list[str]
    limit_s: int
    figures: list[dict[str, object]] = field(default_factory=list)
    outcome: str = "not run"
    seconds: float = 0.0

    def command(self, quick: bool) -> list[str]:
        return [f"bench/{self.script}", *(self.quick_args if quick else self.args)]


def benches(pg_url: str) -> list[Bench]:
    return [
        Bench("parse", "parse_latency.py", ["--lines", "2000"], ["--lines", "300"], 120),
        Bench("update-sqlite", "update_latency.py", ["--updates", "2000"], ["--updates", "300"], 300),
        Bench("update-postgresql", "update_latency.py", ["--updates", "2000", "--db-url", pg_url],
              ["--updates", "300", "--db-url", pg_url], 300),
        Bench("slack-latency", "slack_latency.py", ["--events", "300"], ["--events", "60"], 300),
        Bench("slack-throughput", "slack_throughput.py", ["--seconds", "60", "--floor-seconds", "20"],
              ["--seconds", "10", "--floor-seconds", "5"], 240),
        Bench("teams", "teams_roundtrip.py", ["--updates", "300"], ["--updates", "60"], 300),
        Bench("import", "import_speed.py", ["--rows", "10000", "--repeat", "3"], ["--rows", "2000", "--repeat", "1"], 400),
        Bench("mail", "mail_throughput.py", ["--messages", "1000"], ["--messages", "200"], 400),
        Bench("digests", "digest_build.py", ["--sizes", "1000", "10000", "100000", "--subscriptions", "50", "50", "500"],
              ["--sizes", "1000", "10000", "--subscriptions", "50"], 600),
        Bench("reminders", "reminder_pass.py", ["--actions", "10000", "--people", "100", "1000"],
              ["--actions", "2000", "--people", "100", "1000", "--repeat", "1"], 300),
        Bench("reminders-council", "reminder_pass.py", ["--actions", "100000", "--people", "10000", "--repeat", "2"],
              ["--actions", "10000", "--people", "1000", "--repeat", "1"], 900),
        Bench("queries-sqlite", "query_latency.py", ["--samples", "200", "--plans-out", "docs/query-plans.md"],
              ["--samples", "30", "--plans", "10"], 400),
        Bench("queries-postgresql", "query_latency.py",
              ["--samples", "200", "--db-url", pg_url, "--plans-out", "docs/query-plans.md"],
              ["--samples", "30", "--plans", "10", "--db-url", pg_url], 400),
        Bench("memory", "run_memory.py", ["--seconds", "30"], ["--seconds", "8"], 240),
    ]


def run(bench: Bench, quick: bool) -> None:
    path = BENCH / bench.script
    if not path.is_file():
        bench.outcome = "missing (script not in bench/)"
        return
    started = time.monotonic()
    try:
        done = subprocess.run([sys.executable, *bench.command(quick)], cwd=REPO, capture_output=True, text=True,
                              timeout=bench.limit_s, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as expired:
        bench.seconds = time.monotonic() - started
        bench.outcome = f"timed out after {bench.limit_s} s"
        output = expired.stdout.decode() if isinstance(expired.stdout, bytes) else (expired.stdout or "")
        bench.figures = parse_figures(output)
        return
    bench.seconds = time.monotonic() - started
    bench.figures = parse_figures(done.stdout)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no output)"])[-1]
        bench.outcome = f"failed (exit {done.returncode}): {last[:200]}"
    elif not bench.figures:
        bench.outcome = "ran, but printed no BENCH-FIGURE lines"
    else:
        bench.outcome = "ok"
    human = [line for line in done.stdout.splitlines() if not line.startswith(MARKER)]
    print(f"--- {bench.name}: {bench.outcome} ({bench.seconds:.0f} s)", file=sys.stderr)
    for line in human:
        print("    " + line, file=sys.stderr)


def parse_figures(stdout: str) -> list[dict[str, object]]:
    figures = []
    for line in stdout.splitlines():
        if line.startswith(MARKER):
            try:
                figures.append(json.loads(line[len(MARKER):]))
            except ValueError:
                continue
    return figures


def number(value: object, unit: str = "") -> str:
    if value is None:
        return "—"
    amount = float(value)  # type: ignore[arg-type]
    text = f"{amount:,.0f}" if abs(amount) >= 100 else f"{amount:.2f}".rstrip("0").rstrip(".") if amount else "0"
    return f"{text} {unit}".strip()


def python_speed() -> float:
    """Seconds for a fixed pure-Python loop (best of three): the yardstick for comparing the
    absolute figures of two runs, since this shared machine's speed varies from day to day."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        total = 0
        for i in range(5_000_000):
            total += i
        best = min(best, time.perf_counter() - started)
    return best


def table(results: list[Bench], quick: bool, speed: tuple[float, float] = (0.0, 0.0)) -> str:
    load1, load5, _ = os.getloadavg()
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Benchmarks",
        "",
        f"Measured {stamp} by `python bench/run_all.py{' --quick' if quick else ''}` on {platform.node() or 'this machine'}: "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, load average {load1:.2f} / {load5:.2f} (1 / 5 min) "
        "at the end of the run — a shared, busy machine, so read the ratios more than the absolute values.",
        "",
        f"Machine speed: a 5-million-step Python loop took {speed[0]:.2f} s before the benches and "
        f"{speed[1]:.2f} s after (best of three). Absolute times from two runs compare only in "
        "proportion to this yardstick.",
        "",
        "Each figure is printed beside its **floor**: the same work without actionbot, measured in the same run. "
        "For times and memory the ratio is figure / floor (how many times the floor); for rates it is "
        "floor rate / our rate.",
        "",
        "| figure | value | floor (same run) | ratio | re-measure |",
        "|---|---|---|---|---|",
    ]
    for bench in results:
        command = "python " + " ".join(shlex.quote(part) for part in bench.command(quick))
        for figure in bench.figures:
            unit = str(figure.get("unit", ""))
            value = number(figure.get("value"), unit)
            if figure.get("note"):
                value += f" ({figure['note']})"
            floor = "—"
            if figure.get("floor") is not None:
                floor = f"{number(figure['floor'], unit)}: {figure.get('floor_name', '')}"
            ratio = f"{float(figure['ratio']):.2f}x" if figure.get("ratio") is not None else "—"  # type: ignore[arg-type]
            lines.append(f"| {figure['figure']} | {value} | {floor} | {ratio} | `{command}` |")
    missing = [b for b in results if b.outcome != "ok"]
    if missing:
        lines += ["", "Not measured in this run:", ""]
        lines += [f"- `bench/{b.script}` ({b.name}): {b.outcome}" for b in missing]
    lines += ["", "Each question's SQL and the plan SQLite and PostgreSQL chose for it (at 100,000 actions and "
              "1,000,000 history entries) are in [query-plans.md](query-plans.md), written by the queries benches.",
              "", "How the figures scale (1× / 10× / 100×) and what each floor is: see the notes below the table "
              "in [benchmarks-notes.md](benchmarks-notes.md)."]
    lines += ["", "Run them all again: `python bench/run_all.py` (about 10 minutes on two cores; `--only NAME` for one, "
              f"names: {', '.join(b.name for b in results)}).", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="short runs, to check the machinery")
    parser.add_argument("--only", nargs="*", default=None, help="run only these benches (by name)")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "benchmarks.md")
    parser.add_argument("--pg-url", default=os.environ.get("ACTIONBOT_TEST_PG_URL", DEFAULT_PG_URL),
                        help=f"PostgreSQL for the update bench (a throwaway schema is used); default {DEFAULT_PG_URL}")
    args = parser.parse_args()
    selected = [b for b in benches(args.pg_url) if args.only is None or b.name in args.only]
    before = python_speed()
    for bench in selected:
        print(f"running {bench.name} ...", file=sys.stderr, flush=True)
        run(bench, args.quick)
    markdown = table(selected, args.quick, (before, python_speed()))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(markdown, encoding="utf-8")
    print(markdown)
    print(f"written to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
