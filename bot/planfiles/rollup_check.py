"""Compare the rollups a file prints (seed 000's table at the end) with the ones its actions give.

A plain function over the PlanFile: what a committee would see differ between the file's own
section summary and the summary computed from the rows it lists. Uses the same rule as the
bot's own summaries (bot.domain.status.mean_progress: cancelled actions left out, no
progress counts as 0% unless completed, rounded half up).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.domain.model import Action
from bot.domain.status import mean_progress
from bot.planfiles.apply import state_for
from bot.planfiles.model import ImportRow, PlanFile


@dataclass(frozen=True)
class RollupDifference:
    section_code: str
    section_title: str
    reported_progress: int | None
    computed_progress: int | None
    reported_due: date | None
    computed_due: date | None
    explanation: str

    def __str__(self) -> str:
        return f"{self.section_code} {self.section_title}: {self.explanation}"


def _as_action(row: ImportRow, plan: str) -> Action:
    return Action(code=row.code, title=row.title, plan=plan, section_code=row.section_code, section_title="",
                  progress=row.progress, state=state_for(row.progress, row.state), due_date=row.due_date)


def compare_rollups(plan_file: PlanFile) -> list[RollupDifference]:
    """Every section whose reported progress or due date differs from its actions' (in order)."""
    if not plan_file.has_reported_rollups:
        return []
    differences = []
    for section in plan_file.sections:
        rows = [r for r in plan_file.rows if r.section_code == section.code]
        actions = [_as_action(r, plan_file.plan_name) for r in rows]
        computed = mean_progress(actions)
        dues = [a.due_date for a in actions if a.due_date is not None]
        computed_due = max(dues) if dues else None
        reasons = []
        if section.reported_progress is None and section.reported_due is None:
            if rows:
                reasons.append(f"the file's rollup table has no row for it; its {_count(rows)} "
                               f"{'gives' if len(rows) == 1 else 'give'} {_pct(computed)}")
        else:
            if section.reported_progress != computed:
                listed = ", ".join("none" if r.progress is None else f"{r.progress}%" for r in rows[:10])
                missing = [r.code for r in rows if r.progress is None]
                reason = (f"the file reports {_pct(section.reported_progress)} but its {_count(rows)} "
                          f"{'gives' if len(rows) == 1 else 'give'} {_pct(computed)}" + (f" ({listed})" if rows else ""))
                if computed is not None and section.reported_progress is not None \
                        and abs(computed - section.reported_progress) == 1:
                    reason += ", a rounding difference"
                if missing:
                    reason += f"; no progress recorded for {', '.join(missing)} (counted as 0%)"
                reasons.append(reason)
            if section.reported_due is not None and section.reported_due != computed_due:
                reasons.append(f"the file reports due {section.reported_due:%d-%b-%Y} but its latest action is "
                               f"due {computed_due:%d-%b-%Y}" if computed_due else
                               f"the file reports due {section.reported_due:%d-%b-%Y} but no action has a due date")
        if reasons:
            differences.append(RollupDifference(section.code, section.title, section.reported_progress, computed,
                                                section.reported_due, computed_due, "; ".join(reasons) + "."))
    return differences


def _count(rows: list[ImportRow]) -> str:
    return "1 action" if len(rows) == 1 else f"{len(rows)} actions"


def _pct(value: int | None) -> str:
    return "no progress" if value is None else f"{value}%"
