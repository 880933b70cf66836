"""Words for states, punctuation and emoji after them, and completion dates."""

from __future__ import annotations

from datetime import date

import pytest

from bot.commands import AddNote, MarkDone, MarkStarted, ParseError, SetProgress, UpdateBatch
from bot.grammar import parse

TODAY = date(2026, 11, 27)  # a Friday

DONE_WORDS = [
    ("done", "AP2.5.1 done"), ("done-bang", "AP2.5.1 done!"), ("done-emoji", "AP2.5.1 done \u2705"),
    ("done-emoji-stuck", "AP2.5.1 done\u2705"), ("done-stop", "AP2.5.1 done."), ("complete", "AP2.5.1 complete"),
    ("complete-stop", "AP2.5.1 complete."), ("completed", "AP2.5.1 completed"), ("finished", "AP2.5.1 finished"),
    ("closed", "AP2.5.1 closed"), ("closed-capitals", "AP2.5.1 CLOSED!!"), ("signed-off", "AP2.5.1 signed off"),
    ("signed-off-hyphen", "AP2.5.1 signed-off \U0001f389"), ("is-complete", "AP2.5.1 is now complete"),
    ("has-been-closed", "AP2.5.1 has been closed."), ("colon", "AP2.5.1: done \U0001f44d"),
    ("dash", "ap 2.5.1 - finished :)"),
    ("emoji-first", "AP2.5.1 \u2705 done"), ("tick-emoji", "AP2.5.1 - done \u2714\ufe0f"),
    ("restated-percent", "AP2.5.1 complete 100%"), ("capital-stop", "ap2.5.1 Done."),
]


@pytest.mark.parametrize("text", [t for _, t in DONE_WORDS], ids=[i for i, _ in DONE_WORDS])
def test_words_for_done_leave_no_punctuation_note(text: str) -> None:
    assert parse(text, TODAY) == UpdateBatch((MarkDone("AP2.5.1"),))


NOTES_KEPT = [
    ("done-with-note", "AP2.5.1 done - all six signed!", MarkDone("AP2.5.1", "all six signed!")),
    ("closed-with-note", "AP2.5.1 closed, agreed at board", MarkDone("AP2.5.1", "agreed at board")),
    ("done-may", "AP2.5.1 done, may need review", MarkDone("AP2.5.1", "may need review")),
    ("done-number-note", "AP2.5.1 done 6 contracts signed", MarkDone("AP2.5.1", "6 contracts signed")),
    ("on-hold", "AP2.5.1 on hold", AddNote("AP2.5.1", "on hold")),
    ("on-hold-reason", "AP2.5.1 on hold - awaiting funding", AddNote("AP2.5.1", "on hold - awaiting funding")),
    ("is-on-hold", "AP2.5.1 is on hold until April", AddNote("AP2.5.1", "is on hold until April")),
    ("reopened", "AP2.5.1 reopened", MarkStarted("AP2.5.1", reopen=True)),
    ("re-opened-note", "AP2.5.1 re-opened - audit found gaps", MarkStarted("AP2.5.1", "audit found gaps", reopen=True)),
    ("percent-stop", "AP2.5.1 65%.", SetProgress("AP2.5.1", 65)),
    ("percent-bang", "AP2.5.1 65%!", SetProgress("AP2.5.1", 65)),
    ("percent-emoji", "AP2.5.1 now 65% \U0001f44d", SetProgress("AP2.5.1", 65)),
    ("bare-number-stop", "AP2.5.1 65.", SetProgress("AP2.5.1", 65)),
    ("percent-ellipsis", "AP2.5.1 65% ...", SetProgress("AP2.5.1", 65)),
    ("emoji-then-percent", "AP2.5.1 \U0001f44d 60%", SetProgress("AP2.5.1", 60)),
    ("hundred-complete", "AP2.5.1 100% complete", SetProgress("AP2.5.1", 100)),
    ("done-hundred-of", "AP2.5.1 done - 100% of contracts", MarkDone("AP2.5.1", "100% of contracts")),
]


@pytest.mark.parametrize(("text", "update"), [(t, u) for _, t, u in NOTES_KEPT], ids=[i for i, _, _ in NOTES_KEPT])
def test_state_words_and_notes(text: str, update: object) -> None:
    assert parse(text, TODAY) == UpdateBatch((update,))  # type: ignore[arg-type]


COMPLETED_ON = [
    ("numeric", "AP2.4.1 done 12/11/2026", date(2026, 11, 12), None),
    ("numeric-no-year", "AP2.4.1 done 12/11", date(2026, 11, 12), None),
    ("worded", "AP2.4.1 completed 3 November", date(2026, 11, 3), None),
    ("worded-year", "AP2.4.1 completed on 3rd Nov 2026", date(2026, 11, 3), None),
    ("on-friday-said-friday", "AP2.4.1 completed on Friday", TODAY, None),
    ("on-monday", "AP2.4.1 finished on Monday", date(2026, 11, 23), None),
    ("last-friday", "AP2.4.1 done last Friday", date(2026, 11, 20), None),
    ("yesterday", "AP2.4.1 done yesterday - all signed", date(2026, 11, 26), "all signed"),
    ("today", "AP2.4.1 closed today", TODAY, None),
    ("iso", "AP2.4.1 signed off 2026-10-30, minuted", date(2026, 10, 30), "minuted"),
    ("last-year-day-month", "AP2.4.1 done 28/12", date(2025, 12, 28), None),
    ("two-digit-year", "AP2.4.1 - completed 12/11/26", date(2026, 11, 12), None),
    ("dotted", "AP2.4.1 done 12.11.2026", date(2026, 11, 12), None),
    ("ordinal", "AP2.4.1 done on 12th November", date(2026, 11, 12), None),
    ("short-day", "AP2.4.1 done on Fri", TODAY, None),
    ("day-and-date", "AP2.4.1 done Friday 20 November", date(2026, 11, 20), None),
]


@pytest.mark.parametrize(("text", "day", "note"), [(t, d, n) for _, t, d, n in COMPLETED_ON],
                         ids=[i for i, _, _, _ in COMPLETED_ON])
def test_a_completion_date_is_recorded(text: str, day: date, note: str | None) -> None:
    assert parse(text, TODAY) == UpdateBatch((MarkDone("AP2.4.1", note, completed_on=day),))


@pytest.mark.parametrize("text", ["AP2.4.1 done 12/12/2026", "AP2.4.1 completed on 1 December 2026",
                                  "AP2.4.1 done tomorrow", "AP2.4.1 finished 2027-01-04"],
                         ids=["numeric", "worded", "tomorrow", "iso"])
def test_a_completion_date_in_the_future_is_refused_with_a_sentence(text: str) -> None:
    result = parse(text, TODAY)
    assert isinstance(result, ParseError)
    assert "after today, Fri 27 Nov 2026" in result.message and "`AP2.4.1 done`" in result.message
