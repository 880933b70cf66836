"""Read the plain-text "Actions Report" export (seed 000) and other tab-separated plan text.

Performance systems export their reports as text: a `# Title`, section headings in several
markups, tab-separated rows under a header that repeats per section, page noise
(`**APPENDIX 1**`, runs of blank lines), a status legend and, at the end, the section
rollup table. Each line is split on tabs and handed to the shared table reading
(bot.planfiles.table), which tells those apart; plans converted from PDF or Word (seeds 002,
003) read the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path

from bot.planfiles.csv_reader import decode_bytes
from bot.domain.model import State
from bot.planfiles.model import PlanFile
from bot.planfiles.table import PlanTableReader

logger = logging.getLogger(__name__)


def read_plan_report(
    path: str | Path,
    plan: str | None = None,
    *,
    today: date | None = None,
    overrides: Mapping[str, str] | None = None,
    on_row: Callable[[int], None] | None = None,
    status_words: Mapping[str, State] | None = None,
) -> PlanFile:
    """Read a text export of a plan. `plan` names the plan; else its `# Title`, else the file name."""
    path = Path(path)
    text = decode_bytes(path.read_bytes())
    table = PlanTableReader(plan=plan, default_plan=path.stem, source=path.name, overrides=overrides, today=today,
                            loose=True, status_words=status_words)
    for line_number, line in enumerate(text.splitlines(), 1):
        table.feed(line_number, line.split("\t"))
        if on_row is not None:
            on_row(line_number)
    result = table.finish()
    logger.info("read plan report", extra={"source": path.name, "plan": result.plan_name,
                                           "rows": len(result.rows), "problems": len(result.problems)})
    return result
