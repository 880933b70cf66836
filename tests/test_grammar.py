"""The one grammar every channel uses, read against a pinned Monday 23 November 2026."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from datetime import date

import pytest

from bot.commands import (
    AddNote,
    Cancel,
    Help,
    MarkDone,
    MarkStarted,
    NotACommand,
    ParseError,
    SetDue,
    SetOwner,
    SetProgress,
    ShowDue,
    ShowHistory,
    ShowMine,
    ShowOverdue,
    ShowStatus,
    Summary,
    Undo,
    UpdateBatch,
)
from bot.grammar import ParseEnv, parse, register_keyword, register_prefix_rule
from bot.grammar import rules as rule_table

TODAY = date(2026, 11, 23)  # a Monday


def one(update: object) -> UpdateBatch:
    return UpdateBatch((update,))  # type: ignore[arg-type]


UPDATES = [
    ("AP2.5.1 now 40%", SetProgress("AP2.5.1", 40)),
    ("AP2.5.1 40%", SetProgress("AP2.5.1", 40)),
    ("AP2.5.1 -> 40%", SetProgress("AP2.5.1", 40)),
    ("AP2.5.1 \u2192 40%", SetProgress("AP2.5.1", 40)),
    ("AP2.5.1 at 40", SetProgress("AP2.5.1", 40)),
    ("AP2.5.1 to 40%", SetProgress("AP2.5.1", 40)),
    ("AP2.5.1 40 %", SetProgress("AP2.5.1", 40)),
    ("AP2.5.1 40", SetProgress("AP2.5.1", 40)),
    ("AP2.5.1: 40%", SetProgress("AP2.5.1", 40)),
    ("AP2.5.1 is now at 40% - board agreed", SetProgress("AP2.5.1", 40, "board agreed")),
    ("AP2.5.1 40% - note", SetProgress("AP2.5.1", 40, "note")),
    ("AP2.5.1 40% \u2013 note", SetProgress("AP2.5.1", 40, "note")),
    ("AP2.5.1 40% \u2014 note", SetProgress("AP2.5.1", 40, "note")),
    ("AP2.5.1 40%: note", SetProgress("AP2.5.1", 40, "note")),
    ("AP2.5.1 40%, note", SetProgress("AP2.5.1", 40, "note")),
    ("AP2.5.1 at 40 - note", SetProgress("AP2.5.1", 40, "note")),
    (
        "AP2.5.1 now 40% six priority contracts signed",
        SetProgress("AP2.5.1", 40, "six priority contracts signed"),
    ),
    ("AP2.5.1 40% - six signed, two pending", SetProgress("AP2.5.1", 40, "six signed, two pending")),
    ("AP2.5.1 140%", SetProgress("AP2.5.1", 140)),
    ("AP2.5.1 -5%", SetProgress("AP2.5.1", -5)),
    ("AP2.5.1 0%", SetProgress("AP2.5.1", 0)),
    ("HSCM COMM AP2.5.1 40%", SetProgress("HSCM COMM AP2.5.1", 40)),
    ("ap2.5.1 40%", SetProgress("AP2.5.1", 40)),  # the code in its canonical form
    ("2.5.1 40%", SetProgress("2.5.1", 40)),
    ("AP2.1.1a 40%", SetProgress("AP2.1.1a", 40)),
    ("AP2.10.1b 40%", SetProgress("AP2.10.1b", 40)),
    ("  AP2.5.1 40%  ", SetProgress("AP2.5.1", 40)),
    ("AP2.5.1 done", MarkDone("AP2.5.1")),
    ("AP2.5.1 DONE", MarkDone("AP2.5.1")),
    ("AP2.5.1 complete", MarkDone("AP2.5.1")),
    ("AP2.5.1 completed - signed off", MarkDone("AP2.5.1", "signed off")),
    ("AP2.5.1 finished contracts all signed", MarkDone("AP2.5.1", "contracts all signed")),
    ("AP2.5.1 is now complete", MarkDone("AP2.5.1")),
    ("AP2.5.1 started", MarkStarted("AP2.5.1")),
    ("AP2.5.1 in progress - kick-off held", MarkStarted("AP2.5.1", "kick-off held")),
    ("AP2.5.1 underway", MarkStarted("AP2.5.1")),
    ("AP2.5.1 cancelled", Cancel("AP2.5.1")),
    ("AP2.5.1 canceled because merged into 2.5.2", Cancel("AP2.5.1", "merged into 2.5.2")),
    ("AP2.5.1 cancel - no longer needed", Cancel("AP2.5.1", "no longer needed")),
    ("AP2.5.1 cancelled because: no funding", Cancel("AP2.5.1", "no funding")),
    ("AP2.5.1 due 31/03/2026", SetDue("AP2.5.1", date(2026, 3, 31), "31/03/2026")),
    ("AP2.5.1 due 31-Mar-2026", SetDue("AP2.5.1", date(2026, 3, 31), "31-Mar-2026")),
    ("AP2.5.1 due end of March", SetDue("AP2.5.1", date(2027, 3, 31), "end of March")),
    ("AP2.5.1 due next Friday", SetDue("AP2.5.1", date(2026, 11, 27), "next Friday")),
    ("AP2.5.1 due Q4 2025/26", SetDue("AP2.5.1", date(2026, 3, 31), "Q4 2025/26")),
    (
        "AP2.5.1 due 31/03/2026 - revised at board",
        SetDue("AP2.5.1", date(2026, 3, 31), "31/03/2026", "revised at board"),
    ),
    (
        "AP2.5.1 due end of March pending sign-off",
        SetDue("AP2.5.1", date(2027, 3, 31), "end of March", "pending sign-off"),
    ),
    ("AP2.5.1 due date: 31/03/2026", SetDue("AP2.5.1", date(2026, 3, 31), "31/03/2026")),
    ("AP2.5.1 due by Friday", SetDue("AP2.5.1", date(2026, 11, 27), "by Friday")),
    ("AP2.5.1 owner Finance Team", SetOwner("AP2.5.1", "Finance Team")),
    ("AP2.5.1 owner: Finance Team", SetOwner("AP2.5.1", "Finance Team")),
    ("AP2.5.1 owner Finance Team - agreed at board", SetOwner("AP2.5.1", "Finance Team", "agreed at board")),
    ("AP2.5.1 assign to Jo Bloggs", SetOwner("AP2.5.1", "Jo Bloggs")),
    ("AP2.5.1 assigned to Service Manager, Commissioning", SetOwner("AP2.5.1", "Service Manager, Commissioning")),
    ("AP2.5.1 responsibility HR", SetOwner("AP2.5.1", "HR")),
    ("AP2.5.1 note met finance today", AddNote("AP2.5.1", "met finance today")),
    ("AP2.5.1 note: met finance", AddNote("AP2.5.1", "met finance")),
    ("AP2.5.1 update - draft sent", AddNote("AP2.5.1", "draft sent")),
    ("AP2.5.1 comment 40% is optimistic", AddNote("AP2.5.1", "40% is optimistic")),
]


@pytest.mark.parametrize(("text", "update"), UPDATES, ids=[t for t, _ in UPDATES])
def test_single_update_is_wrapped_in_a_batch(text: str, update: object) -> None:
    assert parse(text, TODAY) == one(update)


BATCHES = [
    (
        "AP2.2.2c 75%, AP2.4.2a 100%",
        (SetProgress("AP2.2.2c", 75), SetProgress("AP2.4.2a", 100)),
    ),
    (
        "AP2.2.2c 75%; AP2.4.2a done",
        (SetProgress("AP2.2.2c", 75), MarkDone("AP2.4.2a")),
    ),
    (
        "AP2.2.2c 75% - slides drafted\nAP2.4.2a due end of March\nHSCM COMM AP2.5.1 owner HR",
        (
            SetProgress("AP2.2.2c", 75, "slides drafted"),
            SetDue("AP2.4.2a", date(2027, 3, 31), "end of March"),
            SetOwner("HSCM COMM AP2.5.1", "HR"),
        ),
    ),
    (
        "AP2.5.1 40% - six signed, two pending, AP2.5.2 done",
        (SetProgress("AP2.5.1", 40, "six signed, two pending"), MarkDone("AP2.5.2")),
    ),
    (
        "AP2.5.1 40%\n\n  \nAP2.5.2 done;",
        (SetProgress("AP2.5.1", 40), MarkDone("AP2.5.2")),
    ),
    (
        "AP2.5.1 40%\r\nAP2.5.2 done",
        (SetProgress("AP2.5.1", 40), MarkDone("AP2.5.2")),
    ),
]


@pytest.mark.parametrize(("text", "updates"), BATCHES, ids=[t.replace("\n", "|") for t, _ in BATCHES])
def test_batches(text: str, updates: tuple[object, ...]) -> None:
    assert parse(text, TODAY) == UpdateBatch(updates)  # type: ignore[arg-type]


QUERIES = [
    ("summary", Summary()),
    ("summary 2.5", Summary("2.5")),
    ("summary AP2.5", Summary("AP2.5")),
    ("summary HSCM COMM AP2.5", Summary("HSCM COMM AP2.5")),
    ("Summary for 2.5?", Summary("2.5")),
    ("2.5 summary", Summary("2.5")),
    ("AP2.5 summary", Summary("AP2.5")),
    ("status AP2.5.1", ShowStatus("AP2.5.1")),
    ("STATUS AP2.5.1", ShowStatus("AP2.5.1")),
    ("status HSCM COMM AP2.5.1?", ShowStatus("HSCM COMM AP2.5.1")),
    ("AP2.5.1?", ShowStatus("AP2.5.1")),
    ("AP2.5.1 ?", ShowStatus("AP2.5.1")),
    ("AP2.5.1 status", ShowStatus("AP2.5.1")),
    ("AP2.5.1", ShowStatus("AP2.5.1")),
    ("history AP2.5.1", ShowHistory("AP2.5.1")),
    ("AP2.5.1 history", ShowHistory("AP2.5.1")),
    ("overdue", ShowOverdue()),
    ("overdue?", ShowOverdue()),
    ("overdue 2.5", ShowOverdue("2.5")),
    ("overdue Finance Team", ShowOverdue("Finance Team")),
    ("overdue for Finance Team", ShowOverdue("Finance Team")),
    ("due this week", ShowDue("this week", date(2026, 11, 23), date(2026, 11, 29))),
    ("Due next week?", ShowDue("next week", date(2026, 11, 30), date(2026, 12, 6))),
    ("due this month", ShowDue("this month", date(2026, 11, 1), date(2026, 11, 30))),
    ("due next month", ShowDue("next month", date(2026, 12, 1), date(2026, 12, 31))),
    ("due today", ShowDue("today", TODAY, TODAY)),
    ("mine", ShowMine()),
    ("my actions", ShowMine()),
    ("My actions?", ShowMine()),
    ("undo", Undo()),
    ("undo that", Undo()),
    ("help", Help()),
    ("help due", Help("due")),
    ("HELP Summary?", Help("summary")),
    ("?", Help()),
]


@pytest.mark.parametrize(("text", "command"), QUERIES, ids=[t for t, _ in QUERIES])
def test_queries(text: str, command: object) -> None:
    assert parse(text, TODAY) == command


def test_due_this_week_runs_monday_to_sunday_midweek() -> None:
    assert parse("due this week", date(2026, 11, 26)) == ShowDue(
        "this week", date(2026, 11, 23), date(2026, 11, 29)
    )


ERRORS = [
    ("AP2.5.1 40.5%", r"whole number from 0 to 100.*`AP2\.5\.1 40%`"),
    (
        "AP2.5.1 due xyz",
        r"^I couldn't read 'xyz' as a date for AP2\.5\.1\. Try `AP2\.5\.1 due 31/03/2026`, "
        r"`due end of March` or `due Q4 2025/26`\.$",
    ),
    ("AP2.5.1 due 31/02/2026", r"couldn't read '31/02/2026' as a date"),
    ("AP2.5.1 due", r"When is AP2\.5\.1 due"),
    ("AP2.5.1 owner", r"Who should own AP2\.5\.1"),
    ("AP2.5.1 note", r"What should the note on AP2\.5\.1 say"),
    ("AP2.5.1 note  - ", r"What should the note"),
    ("AP2.5.1 40%\nxyz", r"^I couldn't read line 2, 'xyz': "),
    ("AP2.5.1 40%\nAP2.5.2 due soonish", r"^I couldn't read line 2, 'AP2\.5\.2 due soonish': I couldn't read 'soonish'"),
    ("AP2.5.1 40%; AP2.5.2 is a tricky one", r"^I couldn't read part 2, .*To update it"),
    ("AP2.2.2c 75%, AP2.4.2a 40.5%", r"^I couldn't read part 2, .*whole number"),
    ("AP2.5.1 40%\nAP2.5.2?", r"line 2.*only updates can be sent together"),
    ("Update from me:\nAP2.5.1 40%", r"^I couldn't read line 1, 'Update from me:'"),
    ("due", r"due this week"),
    ("due tomorrow", r"put the code first"),
    ("status", r"Which action\? Type `status AP2\.5\.1`"),
]


@pytest.mark.parametrize(("text", "pattern"), ERRORS, ids=[t.replace("\n", "|") for t, _ in ERRORS])
def test_parse_errors(text: str, pattern: str) -> None:
    result = parse(text, TODAY)
    assert isinstance(result, ParseError), result
    assert re.search(pattern, result.message), result.message


def test_batch_error_means_nothing_is_applied() -> None:
    result = parse("AP2.5.1 40%\nAP2.5.2 done\nAP2.5.3 maybe", TODAY)
    assert isinstance(result, ParseError)
    assert "line 3" in result.message and "Nothing was changed" in result.message


def test_more_than_fifty_updates_is_refused() -> None:
    text = "\n".join(f"AP2.5.{n} done" for n in range(1, 52))
    result = parse(text, TODAY)
    assert isinstance(result, ParseError)
    assert "51" in result.message and "50" in result.message


def test_fifty_updates_are_fine() -> None:
    text = "\n".join(f"AP2.5.{n} done" for n in range(1, 51))
    result = parse(text, TODAY)
    assert isinstance(result, UpdateBatch) and len(result.updates) == 50


def test_long_message_is_refused_with_its_length() -> None:
    result = parse("AP2.5.1 40% " + "x" * 5000, TODAY)
    assert result == ParseError(
        "That message is 5,012 characters; I read at most 4,000. Send the updates in smaller messages."
    )


NOT_COMMANDS = [
    "",
    "   ",
    "hello there",
    "thanks all, see you at board",
    "We discussed 2.5 yesterday",
    "AP2",
    "40%",
    "due to staff sickness the meeting moved",
    "status of the project is fine",
    "undo the knot",
    "mine is the blue one",
    "I think AP2.5.1 is 40%; AP2.6 too",
]


@pytest.mark.parametrize("text", NOT_COMMANDS, ids=[repr(t) for t in NOT_COMMANDS])
def test_chatter_is_not_a_command(text: str) -> None:
    result = parse(text, TODAY)
    assert isinstance(result, NotACommand), result


HINTS = [
    "AP2.5.1 is a tricky one",
    "AP2.5.1 40 people came",
    "AP2.5.1 is 3 weeks late",
    "AP2.5.1 not started",
]


@pytest.mark.parametrize("text", HINTS, ids=HINTS)
def test_code_with_unknown_words_explains_the_update_forms(text: str) -> None:
    result = parse(text, TODAY)
    assert isinstance(result, NotACommand) and result.hint is not None
    assert "`AP2.5.1 40%`" in result.hint and "`AP2.5.1 done`" in result.hint


CODES = [
    ("HSCM COMM AP2.5.1 done", "HSCM COMM AP2.5.1"),
    ("HSCM  COMM AP2.5.1 done", "HSCM  COMM AP2.5.1"),
    ("AP2.5.1 done", "AP2.5.1"),
    ("ap2.5.1 done", "AP2.5.1"),
    ("2.5.1 done", "2.5.1"),
    ("AP2.1.1a done", "AP2.1.1a"),
    ("AP2.10.1b done", "AP2.10.1b"),
    ("hscm comm AP2.5.1 done", None),  # prefix words are typed in capitals
    ("AB CD EF GH AP2.5.1 done", None),  # at most three prefix words
    ("AP2.5.1abc done", None),
    ("ABCDEFG2.5.1 done", None),
    ("25 done", "25"),  # a plain numeric ref, as many trackers number their actions (issue 16)
    ("25 done, 3 to go", None),  # ... but only where it plainly leads an update
]


@pytest.mark.parametrize(("text", "code"), CODES, ids=[t for t, _ in CODES])
def test_code_tokens(text: str, code: str | None) -> None:
    result = parse(text, TODAY)
    if code is None:
        assert isinstance(result, NotACommand)
    else:
        assert result == one(MarkDone(code))


CLEANING = [
    ("AP2.5.1\t40%", SetProgress("AP2.5.1", 40)),
    ("AP2.5.1\x0040%", SetProgress("AP2.5.1", 40)),
    ("AP2.5.1\u00a040% - ok\x07", SetProgress("AP2.5.1", 40, "ok")),
    ("\u200bAP2.5.1 40%", SetProgress("AP2.5.1", 40)),
]


@pytest.mark.parametrize(("text", "update"), CLEANING, ids=["tab", "nul", "nbsp-bell", "zero-width"])
def test_control_characters_are_spaces(text: str, update: object) -> None:
    assert parse(text, TODAY) == one(update)


ADVERSARIAL = {
    "digits": "1" * 4000,
    "dots": "1." * 2000,
    "code-dots": "AP" + "1." * 1999,
    "capitals": "ABCD " * 800,
    "commas": ", " * 2000,
    "comma-codes": "AP1.1 1%, " * 400,
    "spaced-codes": "1.1 " * 1000,
    "semicolons": "AP1.1;" * 666,
    "percents": "AP1.1 " + "%" * 3994,
    "due-numbers": "AP1.1 due " + "5 " * 1995,
    "due-months": "AP1.1 due " + "march " * 665,
    "dashes": "AP1.1 40% " + "- " * 1995,
    "capital-commas": "AP1.1 1%" + ", HSCM HSCM HSCM" * 249,
    "arrows": "AP1.1 " + "->" * 1997,
    "newlines": "\n" * 4000,
    "huge-number": "AP1.1 " + "9" * 3993 + "%",
    "lead-words": "AP1.1 " + "now at " * 570,
    "fifty-dates": "\n".join(f"AP1.{n} due Friday 13 March - x" for n in range(50)),
}


# Typically under 5 ms; catastrophic backtracking would take seconds. The margin is for a
# loaded two-core CI machine.
PARSE_BUDGET_S = 0.25


def parsed_within_budget(text: str, today: date) -> object:
    """Parse hostile text (at most a message's 4,000 characters), failing if it takes longer
    than PARSE_BUDGET_S; dateparser is warmed first (this phrase reaches it) so its import is
    not timed."""
    parse("AP1.1 due next tuesday week", today)
    assert len(text) <= 4000
    started = time.perf_counter()
    result = parse(text, today)
    assert time.perf_counter() - started < PARSE_BUDGET_S
    return result


@pytest.mark.parametrize("text", list(ADVERSARIAL.values()), ids=list(ADVERSARIAL))
def test_adversarial_text_is_fast_and_never_raises(text: str) -> None:
    parsed_within_budget(text, TODAY)


def test_a_failing_rule_becomes_a_parse_error() -> None:
    def broken(rest: str, env: ParseEnv) -> object:
        raise RuntimeError("bug")

    register_keyword("explode", broken)
    try:
        result = parse("explode now", TODAY)
    finally:
        rule_table._KEYWORDS.pop("explode")
    assert isinstance(result, ParseError)


def test_registered_keyword_and_prefix_rules() -> None:
    seen: list[tuple[str, str | None]] = []

    def concern(rest: str, env: ParseEnv) -> object:
        seen.append((rest, env.match.group(0) if env.match else None))
        return Help("concern")

    def pq(rest: str, env: ParseEnv) -> object | None:
        assert env.match is not None and env.today == TODAY
        seen.append((rest, env.match.group(0)))
        return Help("pq") if rest.lower().startswith("close") else None

    register_keyword("raise concern", concern)
    # ZQ-, not the log's real PQ- references (bot.grammar.concerns registers those).
    register_prefix_rule(r"ZQ-\d{4}-\d{4}\b", pq)
    try:
        assert parse("Raise concern: about AP2.5.1", TODAY) == Help("concern")
        assert parse("ZQ-2026-0042 close - answered", TODAY) == Help("pq")
        assert isinstance(parse("ZQ-2026-0042 hello", TODAY), NotACommand)  # None: not mine
    finally:
        rule_table._KEYWORDS.pop("raise concern")
        rule_table._PREFIXES[:] = [p for p in rule_table._PREFIXES if p[1] is not pq]
    assert seen[0] == ("about AP2.5.1", "Raise concern")
    assert seen[1] == ("close - answered", "ZQ-2026-0042")


def test_registering_a_taken_keyword_needs_replace() -> None:
    with pytest.raises(ValueError):
        register_keyword("summary", lambda rest, env: None)
    with pytest.raises(ValueError):
        register_keyword("two-words!", lambda rest, env: None)


def test_importing_the_grammar_does_not_import_dateparser() -> None:
    code = (
        "import sys, datetime, bot.grammar;"
        "bot.grammar.parse('AP2.5.1 due 31/03/2026', datetime.date(2026, 11, 23));"
        "sys.exit('dateparser' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
