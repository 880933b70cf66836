"""Codes as people type them: any case, a space or dash before the number, brackets and
colons around it; read whole and kept in the plan's canonical form."""

from __future__ import annotations

from datetime import date

import pytest

from bot.commands import MarkDone, NotACommand, SetProgress, UpdateBatch
from bot.grammar import parse
from bot.grammar.tokens import full_code, read_code

TODAY = date(2026, 11, 27)  # a Friday

TYPED = [
    ("lower-case", "ap2.9.1a 60%", "AP2.9.1a"),
    ("mixed-case", "Ap2.9.1a 60%", "AP2.9.1a"),
    ("capital-suffix", "AP2.9.1A 60%", "AP2.9.1A"),
    ("space", "AP 2.9.1a 60%", "AP2.9.1a"),
    ("space-mixed-case", "Ap 2.9.1a 60%", "AP2.9.1a"),
    ("space-lower", "ap 2.9.1a 60%", "AP2.9.1a"),
    ("two-spaces", "AP  2.9.1a 60%", "AP2.9.1a"),
    ("dash", "AP-2.9.1a 60%", "AP2.9.1a"),
    ("dash-lower", "ap-2.9.1a 60%", "AP2.9.1a"),
    ("spaced-dash", "AP - 2.9.1a 60%", "AP2.9.1a"),
    ("en-dash", "AP\u20132.9.1a 60%", "AP2.9.1a"),
    ("dot", "AP.2.9.1a 60%", "AP2.9.1a"),
    ("dot-space", "ap. 2.9.1a 60%", "AP2.9.1a"),
    ("brackets", "(AP2.5.1) 60%", "AP2.5.1"),
    ("square-brackets", "[ap 2.5.1] 60%", "AP2.5.1"),
    ("colon", "AP2.5.1: 60%", "AP2.5.1"),
    ("spaced-colon", "ap 2.5.1 : 60%", "AP2.5.1"),
    ("markdown-bold", "*AP2.5.1* 60%", "AP2.5.1"),
    ("quoted", "\"AP2.5.1\" 60%", "AP2.5.1"),
    ("backticks", "`AP2.5.1` 60%", "AP2.5.1"),
    ("full-code", "HSCM COMM AP2.5.1 60%", "HSCM COMM AP2.5.1"),
    ("bare-number", "2.5.1 60%", "2.5.1"),
    ("two-digit-section", "ap 2.10.1b 60%", "AP2.10.1b"),
]


@pytest.mark.parametrize(("text", "code"), [(t, c) for _, t, c in TYPED], ids=[i for i, _, _ in TYPED])
def test_a_code_as_typed_is_read_in_canonical_form(text: str, code: str) -> None:
    assert parse(text, TODAY) == UpdateBatch((SetProgress(code, 60),))


NOT_CODES = [
    ("time", "at 2.30 we meet"),
    ("see-reference", "see 2.5 in the report"),
    ("version", "version 2.1 is out"),
    ("long-word", "thanks 2.5 people came"),
    ("lower-prefix-words", "hscm comm AP2.5.1 done"),
    ("letters-after-number", "AP2.5.1abc done"),
    ("too-many-letters", "ABCDEFG2.5.1 done"),
    ("no-dot", "AP 25 done"),
    ("abbreviation", "e.g. 2.5 is late"),
]


@pytest.mark.parametrize("text", [t for _, t in NOT_CODES], ids=[i for i, _ in NOT_CODES])
def test_chatter_with_numbers_is_not_a_code(text: str) -> None:
    assert isinstance(parse(text, TODAY), NotACommand)


WHOLE = [
    ("AP2.1", "AP2.10 done", "AP2.10"),
    ("AP2.1-spaced", "ap 2.10 done", "AP2.10"),
    ("AP2.1.1", "AP2.1.1a done", "AP2.1.1a"),
]


@pytest.mark.parametrize(("text", "code"), [(t, c) for _, t, c in WHOLE], ids=[i for i, _, _ in WHOLE])
def test_codes_are_read_whole(text: str, code: str) -> None:
    assert parse(text, TODAY) == UpdateBatch((MarkDone(code),))


@pytest.mark.parametrize(
    ("text", "code"),
    [("ap 2.5.1?", "AP2.5.1"), ("(AP-2.5.1):", "AP2.5.1"), ("Ap2.5.1.", "AP2.5.1"), ("AP2.5.1 40%", None)],
    ids=["spaced-question", "brackets-colon", "full-stop", "not-only-a-code"],
)
def test_full_code(text: str, code: str | None) -> None:
    assert full_code(text) == code


def test_read_code_reports_where_the_code_ends() -> None:
    found = read_code("(ap 2.5.1) 40%")
    assert found is not None and (found.code, found.start, found.end) == ("AP2.5.1", 0, 10)
