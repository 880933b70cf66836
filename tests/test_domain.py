"""Domain rules as plain functions: derived status, rollups, code matching, permissions."""

from __future__ import annotations

from datetime import date

import pytest

from bot.commands import MarkDone, SetDue, SetProgress
from bot.domain import codes
from bot.domain.model import Action, Person, Role, State, Status
from bot.domain.permissions import can_update, is_responsible
from bot.domain.progress import UpdateRefused, apply_change, plan_change
from bot.domain.status import derive_status, mean_progress, section_rollup, section_sort_key

TODAY = date(2026, 11, 23)


def act(**fields: object) -> Action:
    base = dict(code="HSCM COMM AP2.5.1", title="t", plan="P", section_code="2.5", section_title="S",
                responsibility="Commissioning Team", due_date=date(2027, 1, 1), progress=0)
    base.update(fields)
    return Action(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "fields, status",
    [
        ({"state": State.CANCELLED, "due_date": date(2020, 1, 1)}, Status.CANCELLED),
        ({"state": State.COMPLETED, "due_date": date(2020, 1, 1)}, Status.COMPLETED),
        ({"due_date": date(2026, 11, 22)}, Status.OVERDUE),
        ({"due_date": TODAY}, Status.NOT_STARTED),
        ({"responsibility": None}, Status.UNASSIGNED),
        ({"responsibility": "  "}, Status.UNASSIGNED),
        ({"state": State.IN_PROGRESS}, Status.IN_PROGRESS),
        ({}, Status.NOT_STARTED),
    ],
    ids=["cancelled-beats-overdue", "completed-beats-overdue", "overdue", "due-today-not-overdue",
         "unassigned", "blank-owner", "in-progress", "not-started"],
)
def test_derived_status(fields: dict[str, object], status: Status) -> None:
    assert derive_status(act(**fields), TODAY) is status


@pytest.mark.parametrize(
    "progresses, expected",
    [([100, 100, 100, 100, 50, 100, 50, 100], 88), ([100, 50, 100, 80], 83), ([25, 100, 100, 100, 0], 65),
     ([1, 2], 2), ([], None)],
    ids=["87.5-rounds-half-up", "82.5", "seed-2.5", "1.5", "empty"],
)
def test_mean_progress_rounds_half_up(progresses: list[int], expected: int | None) -> None:
    assert mean_progress([act(progress=p) for p in progresses]) == expected


def test_rollup_excludes_cancelled_and_counts_statuses() -> None:
    actions = [act(progress=100, state=State.COMPLETED), act(progress=10, state=State.CANCELLED),
               act(progress=50, state=State.IN_PROGRESS, due_date=date(2026, 1, 1))]
    rollup = section_rollup("P", "2.5", "S", actions, TODAY)
    assert rollup.progress == 75
    assert rollup.overdue == 1
    assert rollup.counts == {Status.COMPLETED: 1, Status.CANCELLED: 1, Status.OVERDUE: 1}
    assert rollup.latest_due == date(2027, 1, 1)


def test_section_sort_puts_2_10_after_2_9() -> None:
    assert sorted(["2.10", "2.9", "2.1", "2.1.1b", "2.1.1a"], key=section_sort_key) == \
        ["2.1", "2.1.1a", "2.1.1b", "2.9", "2.10"]


@pytest.mark.parametrize(
    "typed, candidate, expected",
    [("AP2.1", "HSCM COMM AP2.10", False), ("AP2.1.1a", "HSCM COMM AP2.1.1b", False),
     ("ap2.1.1A", "HSCM COMM AP2.1.1a", True), ("2.5.1", "HSCM COMM AP2.5.1", True),
     ("hscm  comm ap2.5.1", "HSCM COMM AP2.5.1", True), ("XX AP2.5.1", "HSCM COMM AP2.5.1", False),
     ("2.1", "HSCM COMM AP2.1.1a", False)],
    ids=["no-prefix-2.10", "no-sibling-letter", "case", "bare-number", "full-spacing", "wrong-prefix",
         "no-prefix-number"],
)
def test_code_matching_is_whole_key(typed: str, candidate: str, expected: bool) -> None:
    assert codes.matches(typed, candidate) is expected


def test_nearest_codes_suggests_same_section() -> None:
    known = ["HSCM COMM AP2.5.1", "HSCM COMM AP2.5.2", "HSCM COMM AP2.6.1"]
    assert "AP2.5.1" in codes.nearest("AP2.5.9", known)


def test_completion_and_reopen_rules() -> None:
    change = plan_change(act(progress=80, state=State.IN_PROGRESS), MarkDone("AP2.5.1"), TODAY)
    done = apply_change(act(progress=80, state=State.IN_PROGRESS), change)
    assert (done.progress, done.state, done.completed_on) == (100, State.COMPLETED, TODAY)
    reopened = apply_change(done, plan_change(done, SetProgress("AP2.5.1", 60), TODAY))
    assert (reopened.state, reopened.completed_on) == (State.IN_PROGRESS, None)
    with pytest.raises(UpdateRefused, match="already"):
        plan_change(done, MarkDone("AP2.5.1"), TODAY)


def test_first_due_revision_keeps_original() -> None:
    action = act(due_date=date(2026, 3, 31))
    revised = apply_change(action, plan_change(action, SetDue("AP2.5.1", date(2026, 6, 30), "30/06/2026"), TODAY))
    again = apply_change(revised, plan_change(revised, SetDue("AP2.5.1", date(2026, 9, 30), "Q2"), TODAY))
    assert (again.due_date, again.original_due_date) == (date(2026, 9, 30), date(2026, 3, 31))


@pytest.mark.parametrize(
    "person, mode, allowed",
    [(None, "open", False), (Person("V", Role.VIEWER, team="Commissioning Team"), "open", False),
     (Person("A", Role.ADMIN), "strict", True), (Person("U", Role.UPDATER, team="Commissioning Team"), "strict", True),
     (Person("U", Role.UPDATER, team="Finance"), "strict", False), (Person("U", Role.UPDATER, team="Finance"), "open", True)],
    ids=["unknown", "viewer", "admin", "updater-own-team", "updater-other-strict", "updater-other-open"],
)
def test_permissions(person: Person | None, mode: str, allowed: bool) -> None:
    assert can_update(person, act(), mode).allowed is allowed


def test_responsibility_matches_whole_words() -> None:
    action = act(responsibility="Commissioning Team and Finance Team")
    assert is_responsible(Person("x", team="Finance Team"), action)
    assert not is_responsible(Person("x", team="Finance"), act(responsibility="Community Care Finances"))
