"""Times a person reads are in the team's zone, named: BST in summer, GMT in winter."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from bot.domain.model import Person, Role
from bot.domain.concerns import Provider
from handlers.formatting import fmt_time
from tests.conftest import make_testbot

UTC = timezone.utc


@pytest.mark.parametrize(("at", "zone", "shown"), [
    (datetime(2026, 7, 14, 9, 5, tzinfo=UTC), "Europe/London", "14 Jul 2026 10:05 BST"),
    (datetime(2026, 1, 14, 9, 5, tzinfo=UTC), "Europe/London", "14 Jan 2026 09:05 GMT"),
    (datetime(2026, 3, 29, 0, 59, tzinfo=UTC), "Europe/London", "29 Mar 2026 00:59 GMT"),
    (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), "Europe/London", "29 Mar 2026 02:00 BST"),
    (datetime(2026, 10, 25, 0, 59, tzinfo=UTC), "Europe/London", "25 Oct 2026 01:59 BST"),
    (datetime(2026, 10, 25, 1, 0, tzinfo=UTC), "Europe/London", "25 Oct 2026 01:00 GMT"),
    (datetime(2026, 7, 14, 23, 30, tzinfo=UTC), "Europe/London", "15 Jul 2026 00:30 BST"),
    (datetime(2026, 7, 14, 9, 5), "Europe/London", "14 Jul 2026 10:05 BST"),  # naive: stored UTC
    (datetime(2026, 7, 14, 9, 5, tzinfo=UTC), "UTC", "14 Jul 2026 09:05 UTC"),
], ids=["summer", "winter", "before-spring-change", "after-spring-change", "before-autumn-change",
        "after-autumn-change", "next-day-in-london", "naive-is-utc", "a-utc-team"])
def test_fmt_time_names_the_zone(at: datetime, zone: str, shown: str) -> None:
    assert fmt_time(at, zone) == shown


@pytest.mark.parametrize(("today", "zone"), [(date(2026, 7, 14), "BST"), (date(2026, 1, 14), "GMT")],
                         ids=["summer-BST", "winter-GMT"])
def test_history_and_changes_show_the_team_zone(tmp_path: Path, today: date, zone: str) -> None:
    bot = make_testbot(tmp_path, today=today)
    try:
        bot.ok("AP2.5.1 40% - six signed")
        bot.ok("AP2.5.2 note checked")
        bot.ok("undo")  # its history note names the undone change's time, in the team's zone
        stamp = re.compile(rf"^{today.day} {today:%b %Y} \d\d:\d\d {zone} ")
        history = bot.ok("history AP2.5.1").text.splitlines()
        assert all(stamp.match(line) for line in history[1:]), history
        undone = bot.ok("history AP2.5.2").text
        assert re.search(rf"Undid the change of {today.day} {today:%b %Y} \d\d:\d\d {zone}", undone), undone
        changes = bot.ok("what changed today?").text.splitlines()
        assert all(stamp.match(line) for line in changes[1:]), changes
        assert "UTC" not in "\n".join(history + changes)
        assert f"Times are shown in {zone} (Europe/London)." in bot.ok("help dates").text
    finally:
        bot.runtime.close()


@pytest.mark.parametrize(("today", "zone"), [(date(2026, 7, 14), "BST"), (date(2026, 1, 14), "GMT")],
                         ids=["summer-BST", "winter-GMT"])
def test_concern_entries_and_access_lines_show_the_team_zone(tmp_path: Path, today: date, zone: str) -> None:
    bot = make_testbot(tmp_path, today=today)
    try:
        with bot.runtime.new_uow() as uow:
            uow.people.add(Person(name="Jo Reid", role=Role.UPDATER, roles_extra=("safeguarding",)), {"console": "Jo Reid"})
            uow.providers.add(Provider("Acme Care", ("Acme",), ("acmecare.example",)))
            uow.commit()
        bot.ok("safeguarding Acme: family worried about a resident", as_person="Jo Reid")
        reference = f"PQ-{today.year}-0001"
        bot.ok(f"{reference} close resolved", as_person="Jo Reid")
        entry = bot.ok(reference, as_person="Jo Reid").text
        when = rf"{today.day} {today:%b %Y} \d\d:\d\d {zone}"
        assert re.search(rf"Closed {when}\.", entry), entry
        assert re.search(rf"by console, {when}", entry), entry
        assert "History:" in entry and re.search(rf"^  {when} Jo Reid \(console\) logged", entry, re.M), entry
        assert "UTC" not in entry
        access = bot.ok(f"{reference} access", as_person="Jo Reid").text
        assert access.startswith(f"Views of {reference}, oldest first:")
        assert re.search(rf"^  {when} Jo Reid, console", access, re.M), access
    finally:
        bot.runtime.close()
