"""Plain numeric refs, as many trackers number their actions, typed in chat (issue 16, item 1)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from bot.commands import MarkDone, NotACommand, SetProgress, UpdateBatch
from bot.domain.model import State
from bot.grammar.parser import parse
from tests.conftest import TestBot, make_testbot
from tests.planfiles.trackers import write_csv

TYPED = [
    ("12 50%", SetProgress("12", 50)),
    ("12: 50%", SetProgress("12", 50)),
    ("4.7 done", MarkDone("4.7")),
    ("5a 20%", SetProgress("5a", 20)),
    ("12 done - signed off by the board", MarkDone("12", note="signed off by the board")),
    ("3 more to go", None),
    ("3 done, 2 to go", None),
    ("5 cancelled meetings", None),
    ("2024 was a good year", None),
    # A tracker's lettered refs that are not dotted codes, in any case.
    ("IA-03 50%", SetProgress("IA-03", 50)),
    ("ia-03: done - agreed at committee", MarkDone("IA-03", note="agreed at committee")),
    ("BP12 20%", SetProgress("BP12", 20)),
    ("Q3 figures look good", None),
    ("A1 and A2 are both fine", None),
]


@pytest.mark.parametrize(("text", "update"), TYPED, ids=[t for t, _ in TYPED])
def test_a_plain_number_leads_an_update_only_where_it_plainly_does(text: str, update: object) -> None:
    result = parse(text, date(2024, 6, 3))
    if update is None:
        assert isinstance(result, NotACommand)
    else:
        assert result == UpdateBatch((update,))  # type: ignore[arg-type]


@pytest.fixture
def board(tmp_path: Path) -> Iterator[TestBot]:
    rows = [["Plan", "Ref", "Action", "Lead"], ["Board", "12", "Publish the report", "A"],
            ["Board", "4.7", "Review the policy", "B"], ["Board", "5", "Main action", "C"],
            ["Board", "", "Sub-action under 5", "C"]]
    bot = make_testbot(tmp_path, example_plan=write_csv(tmp_path / "board.csv", rows))
    yield bot
    bot.runtime.close()


def test_numeric_refs_update_their_action_in_chat(board: TestBot) -> None:
    board.ok("12 50%")
    board.ok("4.7 done")
    board.ok("5b 20%")

    assert board.action("12").progress == 50
    assert board.action("4.7").state is State.COMPLETED
    assert board.action("5b").progress == 20 and board.action("5b").title == "Sub-action under 5"


def test_lettered_refs_answer_status_history_and_updates(tmp_path: Path) -> None:
    rows = [["Ref", "Management Action Agreed", "Responsible Officer", "Target date"],
            ["IA-01", "Chase unsigned contracts", "Head of Commissioning", "31/03/2027"],
            ["IA-02", "Record every visit", "Contracts Manager", "30/06/2027"]]
    bot = make_testbot(tmp_path, example_plan=write_csv(tmp_path / "audit.csv", rows))
    try:
        assert "Chase unsigned contracts" in bot.ok("status IA-01").text
        bot.ok("ia-02 40% - template agreed")
        assert bot.action("IA-02").progress == 40
        assert "template agreed" in bot.ok("history IA-02").text
        assert "IA-09" in bot.refused("IA-09 50%").text and bot.action("IA-01").progress is None
    finally:
        bot.runtime.close()


def test_a_number_that_is_not_a_ref_of_the_plan_is_a_clear_answer_that_changes_nothing(board: TestBot) -> None:
    reply = board.refused("99 50%")

    assert "I can't find an action with the code '99'" in reply.text and "Nothing was changed" in reply.text
