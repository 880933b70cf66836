"""Status words and RAG as trackers write them (issue 16, item 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain.model import State
from bot.planfiles.status_words import StatusReading, parse_config_words, read_status
from tests.planfiles.trackers import read_one, write_csv

C, P, N, X = State.COMPLETED, State.IN_PROGRESS, State.NOT_STARTED, State.CANCELLED

WORDS = [
    ("Completed", StatusReading(state=C)), ("Complete", StatusReading(state=C)), ("DONE", StatusReading(state=C)),
    ("closed", StatusReading(state=C)), ("Achieved", StatusReading(state=C)), ("Implemented", StatusReading(state=C)),
    ("In progress", StatusReading(state=P)), ("On track", StatusReading(state=P)), ("Ongoing", StatusReading(state=P)),
    ("On-going", StatusReading(state=P)), ("Started", StatusReading(state=P)),
    ("Partially implemented", StatusReading(state=P)), ("Not started", StatusReading(state=N)),
    ("Not Yet Started", StatusReading(state=N)), ("Cancelled", StatusReading(state=X)),
    ("Canceled", StatusReading(state=X)), ("Withdrawn", StatusReading(state=X)),
    ("Superseded", StatusReading(state=X)), ("No longer required", StatusReading(state=X)),
    ("Red", StatusReading(rag="Red")), ("AMBER", StatusReading(rag="Amber")), ("green", StatusReading(rag="Green")),
    ("Blue", StatusReading(rag="Blue")), ("R", StatusReading(rag="Red")), ("A", StatusReading(rag="Amber")),
    ("G", StatusReading(rag="Green")),
    ("Green - on track", StatusReading(state=P, rag="Green")),
    ("Complete (Blue)", StatusReading(state=C, rag="Blue")),
    ("Proposed for closure", StatusReading(proposed_for_closure=True)),
    ("Amber / proposed for closure", StatusReading(rag="Amber", proposed_for_closure=True)),
    ("Improving", StatusReading(direction="Improving")), ("No change", StatusReading(direction="No change")),
    ("Declining", StatusReading(direction="Declining")),
    ("Overdue", StatusReading()),  # a report derives it: nothing to keep
    ("On hold", StatusReading(unknown="On hold")),
    ("Completed - signed off by the board in May", StatusReading(
        state=C, narrative="Completed - signed off by the board in May")),
    ("New policy drafted and sent to the board", StatusReading(
        narrative="New policy drafted and sent to the board")),
]


@pytest.mark.parametrize(("text", "reading"), WORDS, ids=[t for t, _ in WORDS])
def test_status_words_as_trackers_write_them(text: str, reading: StatusReading) -> None:
    assert read_status(text) == reading


def test_a_teams_own_words_come_from_the_config() -> None:
    words = parse_config_words({"Signed off": "completed", "Parked": "not started", "In hand": "in_progress"})

    assert read_status("SIGNED OFF", words) == StatusReading(state=C)
    assert read_status("parked", words) == StatusReading(state=N)
    with pytest.raises(ValueError, match="'Shelved' = 'maybe': the state must be one of completed"):
        parse_config_words({"Shelved": "maybe"})


def test_a_file_of_status_words_imports_as_our_states_with_100_percent_when_done(tmp_path: Path) -> None:
    rows = [["Ref", "Action", "Status", "RAG", "% complete", "Direction of travel"],
            ["1", "One", "Completed", "", "", "Improving"],
            ["2", "Two", "Closed", "B", "", ""],
            ["3", "Three", "On track", "A", "40%", "No change"],
            ["4", "Four", "Withdrawn", "", "", ""],
            ["5", "Five", "Signed off", "", "", ""],
            ["6", "Six", "Frobnicated", "Purple", "", "Sideways"]]
    plan_file = read_one(write_csv(tmp_path / "plan.csv", rows), status_words={"signed off": C})

    got = [(r.code, r.state, r.progress, r.rag, r.direction, r.file_status) for r in plan_file.rows]
    assert got == [
        ("1", C, 100, None, "Improving", None), ("2", C, 100, "Blue", None, None), ("3", P, 40, "Amber", "No change", None),
        ("4", X, None, None, None, None), ("5", C, 100, None, None, None),
        ("6", None, None, "Purple", "Sideways", "Frobnicated")]
    notes = " ".join(map(str, plan_file.notes))
    assert "line 7: 6: status 'Frobnicated' is not a word I know; kept as the file's status" in notes
    assert "line 7: 6: RAG 'Purple' is not Red, Amber, Green or Blue; kept as written." in notes
    assert plan_file.problems == []
