"""The text a reminder's button sends (Teams) is read back into the same ReminderButton, the
typed text of Update… included, whatever it holds."""

from __future__ import annotations

from datetime import date

import pytest

from bot.commands import ParseError
from bot.grammar.parser import parse
from bot.grammar.reminders import reminder_button_text
from bot.reminder_commands import ReminderButton


@pytest.mark.parametrize(("send_id", "index", "what", "typed", "expected"), [
    pytest.param(12, 0, "done", "", ReminderButton(12, 0, "done"), id="done"),
    pytest.param(12, 3, "snooze", "", ReminderButton(12, 3, "snooze"), id="snooze"),
    pytest.param(7, 1, "not_mine", "", ReminderButton(7, 1, "not_mine"), id="not-mine"),
    pytest.param(7, 1, "update", "40% six contracts signed", ReminderButton(7, 1, "update", "40% six contracts signed"),
                 id="update"),
    pytest.param(7, 1, "update", "done - agreed\nat board", ReminderButton(7, 1, "update", "done - agreed\nat board"),
                 id="update-two-lines"),
    pytest.param(7, 1, "update", "", ReminderButton(7, 1, "update", ""), id="update-nothing-typed"),
    pytest.param(7, 1, "update", "reminder button 9:9 done", ReminderButton(7, 1, "update", "reminder button 9:9 done"),
                 id="update-typing-a-button-text"),
])
def test_a_button_text_reads_back_as_its_button(send_id: int, index: int, what: str, typed: str,
                                                expected: ReminderButton) -> None:
    assert parse(reminder_button_text(send_id, index, what, typed), date(2026, 11, 30)) == expected


@pytest.mark.parametrize("text", ["reminder button 12:0 delete", "reminder button x:0 done",
                                  "reminder button 12:0 doneish"])
def test_a_forged_button_text_changes_nothing(text: str) -> None:
    assert isinstance(parse(text, date(2026, 11, 30)), ParseError)
