"""Reminders are a surface too. A confidential (safeguarding) entry's allocated action is
reminded to its owner by reference only, even when the owner has the safeguarding role: the
reminder is kept (`reminder_sends`, for resending and reading replies), may go by email, and
is shown at an operator's terminal by `actionbot reminders preview`, so it never holds the
entry's words. The owner reads the entry itself in a private place (`PQ-… ` in a DM).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from bot.concerns_retention import RetentionSettings, anonymise_all, entries_due
from bot.domain.model import Person, Role
from bot.domain.reminders import RESTRICTED_TITLE
from bot.mail.mailbox import OutgoingMail
from bot.reminders.email_delivery import EmailReminderDelivery
from bot.reminders.sender import ReminderSender
from tests.conftest import TestBot, make_testbot

TODAY = date(2026, 11, 30)
SECRET = "strategy meeting about Mr Example's bruising"
DUE_SOON = datetime(2026, 12, 8, 9, 5, tzinfo=timezone.utc)  # 09:05 in London, a working day before 9 Dec
WORDS = ("strategy", "bruising", "Acme")


@pytest.fixture
def ruth(tmp_path: Path) -> Iterator[TestBot]:
    """Ruth Safe has the safeguarding role and gets reminders by email; she owns an action of a
    confidential entry, due Wednesday 9 Dec 2026."""
    bot = make_testbot(tmp_path, today=TODAY)
    with bot.runtime.new_uow() as uow:
        uow.people.add(Person(name="Ruth Safe", role=Role.UPDATER, roles_extra=("safeguarding",),
                              email="ruth@council.example"), {"console": "Ruth Safe", "email": "ruth@council.example"})
        uow.commit()
    bot.ok("safeguarding Acme Care: unexplained bruising on Mr Example", as_person="Ruth Safe")
    bot.ok(f"PQ-2026-0001 action {SECRET} @Ruth Safe by 9/12/2026", as_person="Ruth Safe")
    yield bot
    bot.runtime.close()


def _send(bot: TestBot) -> list[OutgoingMail]:
    sent: list[OutgoingMail] = []
    ReminderSender(bot.runtime.new_uow, {"email": EmailReminderDelivery(sent.append, "inbox@council.example")},
                   "test-instance", bot.runtime.settings).send_due(DUE_SOON)
    return sent


def test_a_safeguarding_owners_reminder_names_the_item_by_reference_only(ruth: TestBot) -> None:
    sent = _send(ruth)
    assert [m.to for m in sent] == [("ruth@council.example",)]
    mailed = sent[0].subject + "\n" + sent[0].text
    assert f"PQ-2026-0001/1 ({RESTRICTED_TITLE})" in mailed
    assert not any(word in mailed for word in WORDS)
    with ruth.runtime.new_uow() as uow:
        [kept] = uow.reminders.recent(person="Ruth Safe")
    assert kept.refs() == ["PQ-2026-0001/1"] and not any(word in kept.text for word in WORDS)
    # so the retention purge has nothing to take out of kept reminders
    ruth.ok("PQ-2026-0001 close anyway s.42 enquiry concluded", as_person="Ruth Safe")
    later = datetime(2033, 1, 4, tzinfo=timezone.utc)
    with ruth.runtime.new_uow() as uow:
        due = entries_due(uow.concerns.closed_entries(limit=100), later, RetentionSettings())
        assert [c.reference for c in due] == ["PQ-2026-0001"]
        anonymise_all(uow, due, later)
        uow.commit()
    with ruth.runtime.new_uow() as uow:
        assert [r.text for r in uow.reminders.recent(person="Ruth Safe")] == [kept.text]


def _cli(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ACTIONBOT_DATABASE_URL": f"sqlite:///{folder / 'bot.db'}", "ACTIONBOT_TODAY": "2026-12-08"}
    env.pop("ACTIONBOT_CONFIG", None)
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=folder, env=env, capture_output=True,
                          text=True, timeout=60)


def _access_log(bot: TestBot) -> list[tuple[str, str, str]]:
    with bot.runtime.new_uow() as uow:
        concern = uow.concerns.get("PQ-2026-0001")
        return [(a.person, a.what, a.channel) for a in uow.concerns.access_log(concern)]


def test_preview_at_a_terminal_shows_a_confidential_item_by_reference_only(ruth: TestBot, tmp_path: Path) -> None:
    before = _access_log(ruth)
    done = _cli(tmp_path, "reminders", "preview", "--today", "2026-12-08")
    assert done.returncode == 0, done.stderr
    assert "=== To Ruth Safe by email" in done.stdout and "PQ-2026-0001/1" in done.stdout
    assert f"PQ-2026-0001/1 ({RESTRICTED_TITLE})" in done.stdout
    assert not any(word in done.stdout for word in WORDS)
    assert _access_log(ruth) == before  # nothing confidential was shown
