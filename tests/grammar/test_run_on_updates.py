"""Several updates in one line with no separator: a code followed by a value starts the
next update, so another code's update is never stored as a note."""

from __future__ import annotations

from datetime import date

import pytest

from bot.commands import AddNote, Cancel, MarkDone, SetDue, SetOwner, SetProgress, UpdateBatch
from bot.grammar import parse

TODAY = date(2026, 11, 27)  # a Friday

RUN_ON = [
    ("two-percents", "AP2.2.3b 70% AP2.9.1a 55%",
     (SetProgress("AP2.2.3b", 70), SetProgress("AP2.9.1a", 55))),
    ("bare-second-number", "AP2.2.3b 70% AP2.9.1a 55",
     (SetProgress("AP2.2.3b", 70), SetProgress("AP2.9.1a", 55))),
    ("three-mixed", "AP2.5.1 done AP2.5.2 40% ap 2.5.3 due 31/03/2027",
     (MarkDone("AP2.5.1"), SetProgress("AP2.5.2", 40), SetDue("AP2.5.3", date(2027, 3, 31), "31/03/2027"))),
    ("note-then-code", "AP2.5.1 40% six contracts signed AP2.5.2 done",
     (SetProgress("AP2.5.1", 40, "six contracts signed"), MarkDone("AP2.5.2"))),
    ("full-codes", "HSCM COMM AP2.5.1 40% HSCM COMM AP2.5.2 50%",
     (SetProgress("HSCM COMM AP2.5.1", 40), SetProgress("HSCM COMM AP2.5.2", 50))),
    ("lead-word", "AP2.5.1 now 40% AP2.5.2 now 45%",
     (SetProgress("AP2.5.1", 40), SetProgress("AP2.5.2", 45))),
    ("cancel-and-owner", "AP2.5.1 cancelled AP2.5.2 owner Finance Team",
     (Cancel("AP2.5.1"), SetOwner("AP2.5.2", "Finance Team"))),
    ("mixed-with-comma", "AP2.5.1 10%, AP2.5.2 20% AP2.5.3 30%",
     (SetProgress("AP2.5.1", 10), SetProgress("AP2.5.2", 20), SetProgress("AP2.5.3", 30))),
    ("brackets", "(AP2.5.1) 10% (AP2.5.2) closed",
     (SetProgress("AP2.5.1", 10), MarkDone("AP2.5.2"))),
    ("dashed-codes", "AP-2.5.1 10% AP-2.5.2 finished",
     (SetProgress("AP2.5.1", 10), MarkDone("AP2.5.2"))),
    ("joined-by-and", "AP2.5.1 done and AP2.5.2 40%", (MarkDone("AP2.5.1"), SetProgress("AP2.5.2", 40))),
    ("joined-by-ampersand", "AP2.5.1 40% & AP2.5.2 50%", (SetProgress("AP2.5.1", 40), SetProgress("AP2.5.2", 50))),
    ("comma-and", "AP2.5.1 40%, and ap 2.5.2 50%", (SetProgress("AP2.5.1", 40), SetProgress("AP2.5.2", 50))),
    ("joined-by-plus", "AP2.5.1 40% plus AP2.5.2 done", (SetProgress("AP2.5.1", 40), MarkDone("AP2.5.2"))),
    ("note-ending-in-and", "AP2.5.1 done - this and AP2.5.2 done", (MarkDone("AP2.5.1", "this"), MarkDone("AP2.5.2"))),
]


@pytest.mark.parametrize(("text", "updates"), [(t, u) for _, t, u in RUN_ON], ids=[i for i, _, _ in RUN_ON])
def test_a_code_followed_by_a_value_starts_a_new_update(text: str, updates: tuple[object, ...]) -> None:
    assert parse(text, TODAY) == UpdateBatch(updates)  # type: ignore[arg-type]


STAYS_A_NOTE = [
    ("code-without-value", "AP2.5.1 40% waiting on AP2.5.2", SetProgress("AP2.5.1", 40, "waiting on AP2.5.2")),
    ("code-then-words", "AP2.5.1 note depends on AP2.5.2 finance sign-off",
     AddNote("AP2.5.1", "depends on AP2.5.2 finance sign-off")),
    ("due-to-prose", "AP2.5.1 40% chasing AP2.5.2 due to staff sickness",
     SetProgress("AP2.5.1", 40, "chasing AP2.5.2 due to staff sickness")),
    ("numeric-date", "AP2.5.1 due 1.12.2026 40 people", None),
    ("bare-number-mid-line", "AP2.5.1 40% see 2.5.2 50% of it", SetProgress("AP2.5.1", 40, "see 2.5.2 50% of it")),
]


@pytest.mark.parametrize(("text", "update"), [(t, u) for _, t, u in STAYS_A_NOTE], ids=[i for i, _, _ in STAYS_A_NOTE])
def test_a_code_in_a_note_without_a_value_stays_in_the_note(text: str, update: object) -> None:
    result = parse(text, TODAY)
    if update is None:
        assert not (isinstance(result, UpdateBatch) and len(result.updates) > 1)
    else:
        assert result == UpdateBatch((update,))  # type: ignore[arg-type]
