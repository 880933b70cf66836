"""A plan as a committee reads it: sections in order, their actions, rollups and the legend.

The one place that decides what the seed's Actions Report columns hold, shared by the xlsx
export and the Markdown/HTML/PDF report. Status and overdue are derived with `today`.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from bot.domain.model import Action, Plan, Section, SectionRollup, Status
from bot.domain.status import derive_status, section_rollup, section_sort_key

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
