"""A plan as a committee reads it: sections in order, their actions, rollups and the legend.

The one place that decides what the seed's Actions Report columns hold, shared by the xlsx
export and the Markdown/HTML/PDF report. Status and overdue are derived with `today`.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from bot.domain.model import Action, Plan, Section, SectionRollup, Status
from bot.domain.status import derive_status, is_overdue, mean_progress, section_rollup, section_sort_key

# The seed Actions Report's columns, in its order.
REPORT_COLUMNS: tuple[str, ...] = (
    "Code", "Action Title", "Responsibility", "Due Date", "Latest Status Update", "Status Progress", "Status",
)
# The seed's status legend, with the colour each line is shown in (hex RGB, no #).
LEGEND: tuple[tuple[str, tuple[Status, ...], str], ...] = (
    ("Cancelled", (Status.CANCELLED,), "BFBFBF"),
    ("Overdue", (Status.OVERDUE,), "F4B6B6"),
    ("Unassigned; Check Progress", (Status.UNASSIGNED,), "FFE699"),
    ("Not Started; In Progress; Assigned", (Status.NOT_STARTED, Status.IN_PROGRESS), "BDD7EE"),
    ("Completed", (Status.COMPLETED,), "C6EFCE"),
)
STATUS_COLOUR: dict[Status, str] = {status: colour for _, statuses, colour in LEGEND for status in statuses}


@dataclass(frozen=True)
class SectionBlock:
    code: str
    title: str
    actions: list[Action]
    rollup: SectionRollup
    reported_due: date | None = None


@dataclass(frozen=True)
class PlanReport:
    name: str
    title: str
    generated_on: date
    sections: list[SectionBlock]

    @property
    def action_count(self) -> int:
        return sum(len(block.actions) for block in self.sections)

    @property
    def actions(self) -> list[Action]:
        return [action for block in self.sections for action in block.actions]

    @property
    def has_rag(self) -> bool:
        """Whether the plan's own file gave any action a RAG (then the report shows it)."""
        return any(action.rag for action in self.actions)

    def summary(self) -> "PlanSummary":
        actions = self.actions
        counts = {status: 0 for _, statuses, _ in LEGEND for status in statuses}
        for action in actions:
            counts[derive_status(action, self.generated_on)] += 1
        return PlanSummary(
            action_count=len(actions),
            progress=mean_progress(actions),
            counts=counts,
            overdue=sum(is_overdue(a, self.generated_on) for a in actions),
            slipped=sum(1 for a in actions if (slippage_days(a) or 0) > 0),
            proposed_for_closure=sum(a.proposed_for_closure for a in actions),
            rag={name: sum(1 for a in actions if a.rag == name) for name in sorted({a.rag for a in actions if a.rag},
                                                                                   key=_rag_order)},
        )


@dataclass(frozen=True)
class PlanSummary:
    """What a committee reads first: overall progress, counts by status, overdue, slipped."""

    action_count: int
    progress: int | None
    counts: dict[Status, int]
    overdue: int
    slipped: int
    proposed_for_closure: int
    rag: dict[str, int] = field(default_factory=dict)  # the file's own RAG, counted

    def lines(self) -> list[tuple[str, str]]:
        """(label, value) pairs, in the order the report shows them."""
        rows = [("Actions", str(self.action_count)),
                ("Overall progress", "no progress recorded" if self.progress is None else f"{self.progress}%")]
        rows += [(status.value, str(count)) for status, count in self.counts.items()]
        rows.append(("Slipped (due date moved later)", str(self.slipped)))
        if self.proposed_for_closure:
            rows.append(("Proposed for closure", str(self.proposed_for_closure)))
        rows += [(f"RAG in the file: {name}", str(count)) for name, count in self.rag.items()]
        return rows


def _rag_order(name: str) -> tuple[int, str]:
    order = ("Red", "Red/Amber", "Amber", "Amber/Green", "Green", "Blue")
    return (order.index(name) if name in order else len(order), name)


def slippage_days(action: Action) -> int | None:
    """Calendar days the current due date is after the original one; None when either is missing."""
    if action.due_date is None or action.original_due_date is None:
        return None
    return (action.due_date - action.original_due_date).days


class _Plans(Protocol):
    def list(self) -> list[Plan]: ...
    def get(self, name: str) -> Plan | None: ...
    def sections(self, plan: str | None = None) -> builtins.list[Section]: ...


class _Actions(Protocol):
    def list(self, plan: str | None = None) -> list[Action]: ...


class ReportUnitOfWork(Protocol):
    plans: _Plans
    actions: _Actions


def build_plan_reports(uow: ReportUnitOfWork, today: date, plan: str | None = None) -> list[PlanReport]:
    """Every plan (or one) with its sections, in the order people number them."""
    plans = uow.plans.list() if plan is None else [p for p in [uow.plans.get(plan)] if p is not None]
    reports = []
    for found in plans:
        actions = uow.actions.list(plan=found.name)
        by_section: dict[str, list[Action]] = {}
        for action in actions:
            by_section.setdefault(action.section_code, []).append(action)
        blocks = []
        for section in sorted(uow.plans.sections(found.name), key=lambda s: section_sort_key(s.code)):
            members = by_section.pop(section.code, [])
            if not members and section.reported_progress is None:
                continue
            rollup = section_rollup(found.name, section.code, section.title, members, today, section.reported_progress)
            blocks.append(SectionBlock(section.code, section.title, members, rollup, section.reported_due))
        for code, members in sorted(by_section.items(), key=lambda item: section_sort_key(item[0])):
            title = members[0].section_title
            blocks.append(SectionBlock(code, title, members, section_rollup(found.name, code, title, members, today)))
        reports.append(PlanReport(found.name, found.title, today, blocks))
    return reports


# Shown after the seed's columns: slippage, and what the team's own tracker said.
SLIPPAGE_COLUMNS: tuple[str, ...] = ("Original Due Date", "Slippage (days)")


def status_text(action: Action, today: date) -> str:
    """The derived status, with the file's flag when it has one ("Overdue; proposed for closure")."""
    text = derive_status(action, today).value
    return f"{text}; proposed for closure" if action.proposed_for_closure else text


def report_cells(action: Action, today: date) -> dict[str, Any]:
    """An action in the seed's columns: Due Date a date (or the text kept for it), progress an int."""
    return {
        "Code": action.code,
        "Action Title": action.title,
        "Responsibility": action.responsibility or "",
        "Due Date": action.due_date or action.due_text,
        "Latest Status Update": action.latest_update or "",
        "Status Progress": action.progress,
        "Status": derive_status(action, today),
    }


def format_due(value: date | str | None) -> str:
    if isinstance(value, date):
        return value.strftime("%d-%b-%Y")
    return value or ""


def format_progress(value: int | None) -> str:
    return "" if value is None else f"{value}%"


def action_columns(report: PlanReport) -> tuple[str, ...]:
    """The report's action columns: the seed's, with the original due date and slippage when
    any due date moved, and the file's RAG when it had one."""
    columns = list(REPORT_COLUMNS[:3])
    slipped = any(a.original_due_date is not None for a in report.actions)
    columns += ["Original Due Date", "Due Date", "Slippage (days)"] if slipped else ["Due Date"]
    columns += list(REPORT_COLUMNS[4:])
    if report.has_rag:
        columns.append("RAG")
    return tuple(columns)


def action_values(action: Action, report: PlanReport, columns: tuple[str, ...]) -> list[str]:
    """One action as text, in `columns` order."""
    cells = report_cells(action, report.generated_on)
    slip = slippage_days(action)
    values = {
        **{name: str(cells[name]) for name in ("Code", "Action Title", "Responsibility", "Latest Status Update")},
        "Original Due Date": format_due(action.original_due_date),
        "Due Date": format_due(cells["Due Date"]) + (f" ({action.recurring})" if action.recurring
                                                     and action.recurring != action.due_text else ""),
        "Slippage (days)": "" if not slip else f"{slip:+d}",
        "Status Progress": format_progress(cells["Status Progress"]),
        "Status": status_text(action, report.generated_on),
        "RAG": action.rag or "",
    }
    return [values[name] for name in columns]


RAG_COLOUR = {"Red": "F4B6B6", "Amber": "FFE699", "Green": "C6EFCE", "Blue": "BDD7EE"}
