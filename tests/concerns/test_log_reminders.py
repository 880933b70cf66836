"""The log's allocated actions reach their owners in the reminder pass, confidential ones by
reference only (the reminders' own rules: due soon, due today, overdue)."""

from __future__ import annotations

from datetime import date

from bot.domain.model import Person, Role
from bot.reminders.passes import preview, render_text
from bot.reminders.settings import ReminderSettings
from tests.conftest import TestBot


def _reminder(bot: TestBot, person: str, day: date) -> str:
    with bot.runtime.new_uow() as uow:
        snapshot, result = preview(uow, day, bot.runtime.settings, ReminderSettings(), person)
    message = result.messages.get(person)
    return render_text(message, snapshot) if message and not message.is_empty else ""


def _add_eli(bot: TestBot) -> None:
    """Eli has an email address, so reminders reach him (the console staff have no channel)."""
    with bot.runtime.new_uow() as uow:
        uow.people.add(Person(name="Eli Moss", role=Role.UPDATER, email="eli@council.example"),
                       {"console": "Eli Moss", "email": "eli@council.example"})
        uow.commit()


def test_an_allocated_action_is_reminded_to_its_owner(logbot: TestBot) -> None:
    _add_eli(logbot)
    logbot.ok("concern Acme Care: missed calls on Tuesday")
    logbot.ok("PQ-2026-0001 action chase rota @Eli Moss by 9/12/2026")
    # Wednesday 9 Dec 2026 is due; 7 working days before is Monday 30 Nov; 1 before is 8 Dec.
    assert "PQ-2026-0001/1" in _reminder(logbot, "Eli Moss", date(2026, 11, 30))
    assert _reminder(logbot, "Eli Moss", date(2026, 12, 2)) == ""
    due_soon = _reminder(logbot, "Eli Moss", date(2026, 12, 8))
    assert "PQ-2026-0001/1" in due_soon and "chase rota" in due_soon
    assert "PQ-2026-0001/1" in _reminder(logbot, "Eli Moss", date(2026, 12, 10))  # overdue
    logbot.ok("PQ-2026-0001/1 done")
    assert _reminder(logbot, "Eli Moss", date(2026, 12, 10)) == ""


def test_a_confidential_entrys_action_is_reminded_by_reference_only(logbot: TestBot) -> None:
    _add_eli(logbot)
    logbot.ok("safeguarding Acme Care: unexplained bruising on Mr Example", as_person="Jo Reid")
    logbot.ok("PQ-2026-0001 action strategy meeting @Eli Moss by 9/12/2026", as_person="Jo Reid")
    text = _reminder(logbot, "Eli Moss", date(2026, 12, 8))
    assert "PQ-2026-0001/1" in text
    assert "strategy" not in text and "bruising" not in text and "Acme" not in text
