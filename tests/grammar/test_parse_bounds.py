"""The new forms keep what holds: hostile text in them parses in bounded time, and a reply
that is an error never comes with a change (run-on updates, codes as typed, new dates)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.commands import Undo, UpdateBatch
from bot.grammar import parse
from tests.conftest import TestBot, make_testbot
from tests.test_grammar import parsed_within_budget

TODAY = date(2026, 11, 27)

ADVERSARIAL = {
    "spaced-codes-run-on": "ap 2.5.1 40% " * 307,
    "dashed-codes": "AP-2.5.1 done " * 285,
    "brackets": "(" * 2000 + "AP2.5.1" + ")" * 1990,
    "openers": "(*_ " * 1000,
    "letters-spaces": "ab " * 1333,
    "letter-number-pairs": "ab 1.1 " * 571,
    "code-no-value": "AP2.5.1 " * 500,
    "fy-run": "AP2.5.1 due " + "26/27 " * 660,
    "wc-run": "AP2.5.1 due w/c " + "w/c " * 990,
    "quarter-brackets": "AP2.5.1 due quarter 4 (" + "january to " * 360,
    "done-dates": "AP2.5.1 done " + "12/11/2026 " * 360,
    "emoji": "AP2.5.1 done " + "\u2705" * 3980,
    "run-on-fifty": " ".join(f"AP2.{n}.1 {n}%" for n in range(50)),
}


@pytest.mark.parametrize("text", list(ADVERSARIAL.values()), ids=list(ADVERSARIAL))
def test_hostile_text_in_the_new_forms_is_fast(text: str) -> None:
    assert parsed_within_budget(text, TODAY) is not None


codes = st.sampled_from(["AP2.5.1", "ap 2.5.1", "Ap-2.5.2", "(AP2.9.1a)", "AP2.2.3b:", "HSCM COMM AP2.4.1",
                         "AP2.4.2a", "AP9.9.9", "2.5.4b"])
values = st.sampled_from(["40%", "50%", "55", "done!", "done \u2705", "closed.", "signed off", "reopened",
                          "on hold", "done 12/11/2026", "completed on Friday", "done 12/12/2026", "140%",
                          "due year end", "due w/c 14/12", "due Q4 2026", "due FY26/27", "due 26/27",
                          "due before Easter", "due 31/02/2026", "owner", "?", ""])
separators = st.sampled_from([" ", ", ", "; ", "\n", " - "])
commandish = st.lists(st.tuples(codes, values, separators), min_size=1, max_size=6).map(
    lambda parts: "".join(f"{c} {v}{s}" for c, v, s in parts)
)


@pytest.fixture(scope="module")
def shared_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestBot]:
    bot = make_testbot(Path(tmp_path_factory.mktemp("new-forms")), today=TODAY)
    yield bot
    bot.runtime.close()


def snapshot(bot: TestBot) -> list[tuple[object, ...]]:
    with bot.runtime.new_uow() as uow:
        return [(a.code, a.progress, a.state, a.due_date, a.completed_on, a.responsibility, a.latest_update)
                for a in uow.actions.list()]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(commandish)
def test_an_error_reply_never_comes_with_a_change(shared_bot: TestBot, text: str) -> None:
    before = snapshot(shared_bot)
    reply = shared_bot.say(text)
    changed = snapshot(shared_bot) != before
    if changed:
        assert isinstance(parse(text, TODAY), (UpdateBatch, Undo))
        assert reply is not None and not reply.is_error
    if reply is not None and reply.is_error:
        assert not changed, f"{text!r} was refused but changed data: {reply.text}"
