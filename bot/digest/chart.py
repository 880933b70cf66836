"""A bar chart of section progress as PNG bytes, drawn headless (matplotlib's Agg backend).

matplotlib is imported here, on first use, never at module level of anything the CLI loads.
"""

from __future__ import annotations

import io
import logging

from bot.domain.model import SectionRollup

log = logging.getLogger(__name__)
MAX_BARS = 40


def section_progress_png(rollups: list[SectionRollup], title: str) -> bytes | None:
    """The chart, or None when there is nothing to draw or matplotlib is unavailable."""
    shown = [r for r in rollups if r.progress is not None][:MAX_BARS]
    if not shown:
        return None
    try:
        import matplotlib

        matplotlib.use("Agg", force=True)
        from matplotlib.figure import Figure
    except ImportError:  # an install without matplotlib still sends digests, without the chart
        log.warning("matplotlib is not installed; digest sent without its chart")
        return None
    figure = Figure(figsize=(7, 0.35 * len(shown) + 1.2), dpi=100)
    axes = figure.subplots()
    labels = [f"{r.section_code} {r.section_title}"[:40] for r in shown]
    values = [r.progress or 0 for r in shown]
    colours = ["#c0392b" if r.overdue else "#2e86c1" for r in shown]
    axes.barh(labels[::-1], values[::-1], color=colours[::-1])
    axes.set_xlim(0, 100)
    axes.set_xlabel("% progress (red: has overdue actions)")
    axes.set_title(title[:80], fontsize=10)
    axes.tick_params(axis="y", labelsize=8)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()
