"""Questions as people type them parse to the same commands as the keyword forms; updates stay
updates; a question about a code that no form reads gets a hint about that code."""

from __future__ import annotations

from datetime import date

import pytest

from bot.commands import (
    Help,
    NotACommand,
    ShowChanges,
    ShowDue,
    ShowHistory,
    ShowMine,
    ShowOverdue,
    ShowOwner,
    ShowStatus,
    SetProgress,
    Summary,
    UpdateBatch,
)
from bot.grammar import parse

TODAY = date(2026, 11, 26)  # a Thursday
MONDAY = date(2026, 11, 23)


def _cases(expected: object, *texts: str) -> list[object]:
    return [pytest.param(text, expected, id=text) for text in texts]


OWNER = [
    *_cases(ShowOwner("2.2.3b"), "who is the lead on 2.2.3b", "Who is the lead for 2.2.3b?", "who's the lead on 2.2.3b",
            "who’s responsible for 2.2.3b?", "who is responsible for 2.2.3b please", "whos the owner of 2.2.3b",
            "who owns 2.2.3b", "who leads 2.2.3b?", "whose is 2.2.3b", "who has 2.2.3b", "owner of 2.2.3b?",
            "hi, who is in charge of 2.2.3b?", "can you tell me who is the lead on 2.2.3b?",
            "Could you please tell me who owns 2.2.3b, thanks"),
    *_cases(ShowOwner("AP2.5.1"), "who owns AP2.5.1?", "who is the lead officer for AP2.5.1", "who's doing AP2.5.1"),
    *_cases(ShowOwner("HSCM COMM AP2.5.1"), "who is responsible for HSCM COMM AP2.5.1?"),
]

OVERDUE = [
    *_cases(ShowOverdue("HR"), "anything overdue for HR?", "Anything overdue for HR", "what's overdue for HR?",
            "what is overdue for HR", "is anything overdue for HR?", "are there any overdue actions for HR?",
            "which actions are overdue for HR?", "show me overdue actions for HR", "anything late for HR?",
            "please, what is overdue for HR, thanks!"),
    *_cases(ShowOverdue("Finance Team"), "anything overdue for the Finance Team?", "what's late for Finance Team"),
    *_cases(ShowOverdue("2.5"), "what is overdue in 2.5?", "anything overdue in section 2.5?"),
    *_cases(ShowOverdue(), "what's overdue?", "whats overdue", "anything overdue?", "which actions are overdue?",
            "is anything overdue", "what actions are still overdue?", "list overdue actions"),
    *_cases(ShowMine(), "anything overdue for me?", "what's overdue for me"),
]

CHANGES = [
    *_cases(ShowChanges(MONDAY), "what's changed since Monday", "what has changed since monday?",
            "anything changed since Monday?", "any changes since Monday?", "what changed this week?",
            "what's changed this week", "what's new?", "changes since Monday", "changes this week"),
    *_cases(ShowChanges(TODAY), "what changed today?", "what's been updated today?", "any updates today?",
            "changes today"),
    *_cases(ShowChanges(date(2026, 11, 25)), "what changed yesterday?", "what's changed since Wednesday?"),
    *_cases(ShowChanges(date(2026, 11, 20)), "what's changed since last Friday?", "anything new since Friday?"),
    *_cases(ShowChanges(date(2026, 3, 1)), "what has changed since 1 March?", "changes since 01/03/2026"),
    *_cases(ShowChanges(date(2026, 11, 19)), "what's changed since last Thursday?", "what changed in the last 7 days?"),
    *_cases(ShowHistory("AP2.5.1"), "what changed on AP2.5.1?", "what's changed on AP2.5.1"),
]

SUMMARY = [
    *_cases(Summary("2.4"), "how is 2.4 doing", "how is 2.4 doing?", "how's section 2.4 going?",
            "how are we doing on 2.4?", "how is section 2.4 getting on", "show 2.4", "show me section 2.4 please",
            "can you show me 2.4?", "show me the summary for 2.4", "what's the progress on 2.4?",
            "where are we with 2.4?"),
    *_cases(Summary("AP2.4"), "how is AP2.4 doing?", "how's AP2.4 looking?"),
    *_cases(Summary(), "how are we doing?", "how's everything going?", "show me the summary"),
]

STATUS = [
    *_cases(ShowStatus("AP2.5.1"), "status of AP2.5.1 please", "status AP2.5.1 please", "status on AP2.5.1",
            "what's the status of AP2.5.1?", "what is the status of AP2.5.1", "any news on AP2.5.1?",
            "any update on AP2.5.1?", "when is AP2.5.1 due?", "is AP2.5.1 done?", "how is AP2.5.1 doing?",
            "tell me about AP2.5.1", "show me AP2.5.1"),
    *_cases(ShowStatus("2.2.3b"), "what's the latest on 2.2.3b?", "is 2.2.3b on track?"),
]

DUE = [
    *_cases(ShowDue("this week", MONDAY, date(2026, 11, 29)), "what's due this week?", "what is due this week",
            "anything due this week?", "what's coming up this week?", "what's due?", "which actions are due this week?"),
    *_cases(ShowDue("next month", date(2026, 12, 1), date(2026, 12, 31)), "what's due next month?",
            "what is due next month please", "morning! anything due next month?"),
    *_cases(ShowDue("this week", MONDAY, date(2026, 11, 29), mine=True), "what have I got due this week?",
            "what's due for me this week?", "anything due for me this week?", "anything for me this week?",
            "what do I have due this week?", "do I have anything due this week?"),
    *_cases(ShowDue("next month", date(2026, 12, 1), date(2026, 12, 31), mine=True),
            "what's due for me next month?", "what have I got coming up next month?"),
]

MINE = _cases(ShowMine(), "what have I got due?", "anything for me?", "Anything for me", "is there anything for me?",
              "what's on my plate?", "what are my actions?", "what have I got?", "what am I responsible for?",
              "show me my actions", "my actions please", "mine please", "what's due for me?")

HELP = _cases(Help(), "what can you do?", "what can I type?", "how do I use this?")


@pytest.mark.parametrize(("text", "expected"), OWNER + OVERDUE + CHANGES + SUMMARY + STATUS + DUE + MINE + HELP)
def test_questions_parse_to_the_existing_commands(text: str, expected: object) -> None:
    assert parse(text, TODAY) == expected


@pytest.mark.parametrize("text", [
    "AP2.5.1 40%", "AP2.5.1 now 40% - who is the lead on this?", "2.2.3b done", "AP2.5.1 note what's overdue?",
    "AP2.5.1 40%, AP2.2.3b 50%", "AP2.5.1 owner HR", "AP2.5.1 due end of March",
])
def test_updates_stay_updates(text: str) -> None:
    assert isinstance(parse(text, TODAY), UpdateBatch)


def test_an_update_is_read_as_before() -> None:
    assert parse("AP2.5.1 40%", TODAY) == UpdateBatch((SetProgress("AP2.5.1", 40),))


@pytest.mark.parametrize("text", [
    "is anyone free for lunch?", "what a day", "how about that", "any news from the board?", "who's in today?",
    "anything else?", "what's changed with the weather", "show me the money", "what's due for meetings next week?",
])
def test_chatter_that_looks_like_a_question_stays_chatter(text: str) -> None:
    assert parse(text, TODAY) == NotACommand(None)


@pytest.mark.parametrize(("text", "suggests"), [
    ("who signed off 2.2.3b?", "`status 2.2.3b`"),
    ("what's happening with AP2.5.1 and the board?", "`status AP2.5.1`"),
    ("did anyone update AP2.5.1?", "`status AP2.5.1`"),
    ("how many actions are in 2.5?", "`summary 2.5`"),
    ("what about section 2.4 and 2.5?", "`summary 2.4`"),
])
def test_a_question_naming_a_code_gets_a_hint_about_it(text: str, suggests: str) -> None:
    parsed = parse(text, TODAY)
    assert isinstance(parsed, NotACommand) and parsed.hint is not None
    assert parsed.hint.startswith(f"Did you mean {suggests}?"), parsed.hint
