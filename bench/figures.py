"""What every bench script shares: percentiles, and one machine-readable line per figure
(`BENCH-FIGURE {json}`) beside its human table, which `bench/run_all.py` collects into
docs/benchmarks.md. A figure names its floor (the same work without actionbot, measured in
the same run) so the ratio is computed once, here."""

from __future__ import annotations

import json
import sys

MARKER = "BENCH-FIGURE "


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (the value below which pct% of the samples fall)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))]


def emit(figure: str, value: float, unit: str, *, floor: float | None = None, floor_name: str = "",
         lower_is_better: bool = True, note: str = "") -> None:
    """Print one figure for run_all. The ratio is value/floor when lower is better (times
    slower than the floor), floor/value otherwise (a rate: the floor's rate over ours)."""
    ratio = None
    if floor:
        ratio = value / floor if lower_is_better else (floor / value if value else None)
    print(MARKER + json.dumps({"figure": figure, "value": round(value, 3), "unit": unit,
                               "floor": None if floor is None else round(floor, 3), "floor_name": floor_name,
                               "ratio": None if ratio is None else round(ratio, 2), "note": note}))
    sys.stdout.flush()
