"""`actionbot concerns access-log` and `actionbot concerns purge`, run as a user runs them (a
subprocess) on a log built through the real chat commands."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from dataclasses import replace
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from bot.concerns_retention import RetentionSettings, anonymise_all, entries_due
from bot.domain.concerns import ANONYMISED, AttachmentInfo, ConcernAccess, Provider
from bot.domain.model import Person, Role
from config.settings import SettingsError
from tests.conftest import TestBot, make_testbot

LOGGED_ON = date(2020, 1, 15)
SECRET = "unexplained bruising on Mrs B's arm"

RETENTION_TOML = """
[concerns]
retention_years = 6

[concerns.retention_years_by_category]
complaint = 3
"""


def actionbot(folder: Path, today: str, *args: str, config: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ACTIONBOT_DATABASE_URL": f"sqlite:///{folder / 'bot.db'}", "ACTIONBOT_TODAY": today}
    env.pop("ACTIONBOT_CONFIG", None)
    if config is not None:
        (folder / "actionbot.toml").write_text(config, encoding="utf-8")
        env["ACTIONBOT_CONFIG"] = str(folder / "actionbot.toml")
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=folder, env=env, capture_output=True,
                          text=True, timeout=60)


def _people(bot: TestBot) -> None:
    with bot.runtime.new_uow() as uow:
        uow.people.add(Person(name="Jo Reid", role=Role.UPDATER, roles_extra=("safeguarding",)), {"console": "Jo Reid"})
        uow.providers.add(Provider("Acme Care", ("Acme",), ("acmecare.example",)))
        uow.commit()


def _close(bot: TestBot, reference: str, note: str, as_person: str = "Console Admin") -> None:
    """Close through the chat command. Until handle_close records the closing time itself,
    set closed_at from the close event, as migration 0008 does for older entries."""
    bot.ok(f"{reference} close anyway {note}", as_person)  # open actions or not
    with bot.runtime.new_uow() as uow:
        concern = uow.concerns.get(reference)
        if concern.closed_at is None:
            closed = [e.at for e in uow.concerns.events(concern) if e.kind == "close"][-1]
            uow.concerns.update(replace(concern, closed_at=closed))
            uow.commit()


@pytest.fixture
def old_log(tmp_path: Path) -> Path:
    """Entries logged and (mostly) closed on 15 Jan 2020:
    0001 complaint closed, 0002 alert closed, 0003 complaint open, 0004 safeguarding closed
    (with an attachment and a mail thread)."""
    bot = make_testbot(tmp_path, today=LOGGED_ON)
    try:
        _people(bot)
        bot.ok("complaint Acme: family not told of the visit change")
        bot.ok("PQ-2020-0001 action phone the daughter @Jo by Friday")
        bot.ok("PQ-2020-0001 note daughter says her mother was upset")
        _close(bot, "PQ-2020-0001", "apology sent to the daughter")
        bot.ok("concern Acme: missed calls on Tuesday")
        _close(bot, "PQ-2020-0002", "rota fixed")
        bot.ok("complaint Acme: still open complaint about meals")
        bot.ok(f"safeguarding Acme: {SECRET}", "Jo Reid")
        with bot.runtime.new_uow() as uow:
            concern = uow.concerns.get("PQ-2020-0004")
            uow.concerns.add_attachment(concern, AttachmentInfo("body-map.pdf", "application/pdf", 5, True),
                                        b"%PDF-")
            uow.concerns.link_message(concern, "<alert-1@acmecare.example>")
            uow.commit()
        _close(bot, "PQ-2020-0004", "s.42 enquiry concluded", "Jo Reid")
    finally:
        bot.runtime.close()
    return tmp_path


def _entry(folder: Path, reference: str, today: date = LOGGED_ON):  # type: ignore[no-untyped-def]
    bot = make_testbot(folder, today=today)
    try:
        with bot.runtime.new_uow() as uow:
            concern = uow.concerns.get(reference)
            events = uow.concerns.events(concern)
            data = [uow.concerns.attachment_data(a.id) for a in concern.attachments]
            thread = uow.concerns.find_by_messages(["<alert-1@acmecare.example>"])
        return concern, events, data, thread
    finally:
        bot.runtime.close()


def test_purge_dry_run_lists_what_is_due_and_changes_nothing(old_log: Path) -> None:
    result = actionbot(old_log, "2024-06-01", "concerns", "purge", "--dry-run", config=RETENTION_TOML)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "Would anonymise 1 entry (retention 6 years after closing; complaint 3); nothing was changed:",
        "PQ-2020-0001\tcomplaint\tclosed 2020-01-15",
    ]
    concern, events, _, _ = _entry(old_log, "PQ-2020-0001")
    assert concern.anonymised_at is None and "visit change" in concern.body
    assert any(e.note == "apology sent to the daughter" for e in events)


def test_purge_anonymises_closed_entries_past_their_categorys_period(old_log: Path) -> None:
    result = actionbot(old_log, "2024-06-01", "concerns", "purge", config=RETENTION_TOML)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Anonymised 1 entry (retention 6 years after closing; complaint 3).\n"

    complaint, events, _, _ = _entry(old_log, "PQ-2020-0001")
    assert complaint.anonymised_at is not None and complaint.anonymised_at.date() == date(2024, 6, 1)
    assert (complaint.reference, complaint.category.value, complaint.state.value) == ("PQ-2020-0001", "complaint",
                                                                                      "closed")
    assert complaint.received_at.date() == LOGGED_ON and complaint.closed_at is not None
    assert complaint.summary == ANONYMISED and complaint.body == "" and complaint.reporter == ANONYMISED
    assert complaint.provider == "Acme Care"
    assert [a.description for a in complaint.actions] == [ANONYMISED]
    assert events and all(e.note is None and e.actor == ANONYMISED for e in events)
    assert [e.kind for e in events] == ["logged", "action", "note", "close"]

    # Within their period: the alert (6 years), the open complaint (never), safeguarding (6).
    alert, alert_events, _, _ = _entry(old_log, "PQ-2020-0002")
    assert alert.anonymised_at is None and alert.summary == "missed calls on Tuesday"
    assert any(e.note == "rota fixed" for e in alert_events)
    assert _entry(old_log, "PQ-2020-0003")[0].summary == "still open complaint about meals"
    assert SECRET in _entry(old_log, "PQ-2020-0004")[0].body

    again = actionbot(old_log, "2024-06-02", "concerns", "purge", config=RETENTION_TOML)
    assert again.returncode == 0 and again.stdout.startswith("Anonymised 0 entries"), again.stdout + again.stderr


def test_purge_at_the_default_period_removes_attachments_and_threads(old_log: Path) -> None:
    result = actionbot(old_log, "2026-06-01", "concerns", "purge")  # no settings file: 6 years for all
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Anonymised 3 entries (retention 6 years after closing).\n"
    assert SECRET not in result.stdout + result.stderr
    concern, events, data, thread = _entry(old_log, "PQ-2020-0004")
    assert concern.category.value == "safeguarding" and concern.is_confidential
    assert SECRET not in concern.body + concern.summary and concern.anonymised_at is not None
    assert [a.filename for a in concern.attachments] == [ANONYMISED] and data == [None]
    assert thread is None
    assert all(e.note is None for e in events)
    assert _entry(old_log, "PQ-2020-0003")[0].anonymised_at is None  # still open


def test_an_anonymised_entry_still_shows_reference_category_and_dates(old_log: Path) -> None:
    assert actionbot(old_log, "2024-06-01", "concerns", "purge", config=RETENTION_TOML).returncode == 0
    bot = make_testbot(old_log, today=date(2024, 6, 1))
    try:
        shown = bot.ok("PQ-2020-0001").text
    finally:
        bot.runtime.close()
    assert shown.startswith("PQ-2020-0001 [complaint] closed")
    assert "15 Jan 2020" in shown and ANONYMISED in shown
    assert "visit change" not in shown and "daughter" not in shown


@pytest.mark.parametrize("config, says", [
    ("[concerns]\nretention_years = 0\n", "[concerns] retention_years = 0 is not a number of years"),
    ("[concerns]\nretention_years = \"six\"\n", "[concerns] retention_years = 'six' is not a number of years"),
    ("[concerns]\nretention_years = true\n", "is not a number of years"),
    ("[concerns.retention_years_by_category]\ngossip = 2\n", "'gossip' is not a category; the categories are: query"),
    ("[concerns.retention_years_by_category]\ncomplaint = 2.5\n", "complaint = 2.5 is not a number of years"),
    ("concerns = 3\n", "[concerns] in the settings file must be a table"),
], ids=["zero", "words", "boolean", "unknown-category", "fraction", "not-a-table"])
def test_invalid_retention_settings_are_refused(config: str, says: str) -> None:
    import tomllib

    with pytest.raises(SettingsError) as refused:
        RetentionSettings.from_extra(tomllib.loads(config))
    assert says in str(refused.value)


def test_retention_categories_may_be_named_as_people_type_them() -> None:
    settings = RetentionSettings.from_extra({"concerns": {"retention_years_by_category": {
        "social_work": 8, "package of care": 2}}})
    assert settings.by_category == {"social work concern": 8, "package-of-care change": 2}
    assert settings.years_for("complaint") == 6


def test_purge_with_invalid_settings_says_so_and_changes_nothing(old_log: Path) -> None:
    result = actionbot(old_log, "2030-01-01", "concerns", "purge",
                       config="[concerns.retention_years_by_category]\ncomplaint = -1\n")
    assert result.returncode == 2 and result.stdout == ""
    assert "complaint = -1 is not a number of years; use a whole number from 1 to 100" in result.stderr
    assert _entry(old_log, "PQ-2020-0001")[0].anonymised_at is None


def test_a_purge_that_fails_half_way_changes_nothing(old_log: Path) -> None:
    bot = make_testbot(old_log, today=date(2030, 1, 1))
    now = bot.runtime.clock.now()

    def fail_on_the_second(count: int) -> None:
        if count == 2:
            raise RuntimeError("disk full")

    try:
        with pytest.raises(RuntimeError), bot.runtime.new_uow() as uow:
            due = entries_due(uow.concerns.closed_entries(), now, RetentionSettings())
            assert len(due) == 3
            anonymise_all(uow, due, now, fail_on_the_second)
            uow.commit()
        with bot.runtime.new_uow() as uow:
            assert len(uow.concerns.closed_entries()) == 3  # none anonymised
    finally:
        bot.runtime.close()


# --- the access log ----------------------------------------------------------------------

VIEWS = [
    # (at, person, channel, place, what, allowed)
    (datetime(2020, 1, 16, 9, 30, tzinfo=timezone.utc), "Jo Reid", "slack", None, "show", True),
    (datetime(2020, 1, 20, 14, 5, tzinfo=timezone.utc), "Sam Patel", "teams", "19:abc@thread.tacv2", "show", False),
    (datetime(2020, 1, 22, 8, 0, tzinfo=timezone.utc), "=HYPERLINK(\"http://x\")", "email", None, "list", False),
]


@pytest.fixture
def viewed_log(tmp_path: Path) -> Path:
    bot = make_testbot(tmp_path, today=LOGGED_ON)
    try:
        _people(bot)
        bot.ok(f"safeguarding Acme: {SECRET}", "Jo Reid")
        with bot.runtime.new_uow() as uow:
            concern = uow.concerns.get("PQ-2020-0001")
            for at, person, channel, place, what, allowed in reversed(VIEWS):  # stored out of order
                uow.concerns.record_access(concern, ConcernAccess("PQ-2020-0001", person, at, channel, place, what,
                                                                  allowed))
            uow.commit()
    finally:
        bot.runtime.close()
    return tmp_path


def test_access_log_prints_every_view_oldest_first_without_content(viewed_log: Path) -> None:
    result = actionbot(viewed_log, "2020-02-01", "concerns", "access-log")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "reference\tat_utc\tperson\tchannel\tplace\twhat\tallowed",
        "PQ-2020-0001\t2020-01-16 09:30:00 UTC\tJo Reid\tslack\tprivate\tshow\tallowed",
        "PQ-2020-0001\t2020-01-20 14:05:00 UTC\tSam Patel\tteams\t19:abc@thread.tacv2\tshow\trefused",
        "PQ-2020-0001\t2020-01-22 08:00:00 UTC\t=HYPERLINK(\"http://x\")\temail\tprivate\tlist\trefused",
    ]
    assert "bruising" not in result.stdout + result.stderr


@pytest.mark.parametrize("since", ["2020-01-20", "12 days ago"])
def test_access_log_since_a_day(viewed_log: Path, since: str) -> None:
    result = actionbot(viewed_log, "2020-02-01", "concerns", "access-log", "--since", since)
    assert result.returncode == 0, result.stderr
    assert [line.split("\t")[2] for line in result.stdout.splitlines()[1:]] == ["Sam Patel", "=HYPERLINK(\"http://x\")"]


def test_access_log_since_with_no_views(viewed_log: Path) -> None:
    result = actionbot(viewed_log, "2020-02-01", "concerns", "access-log", "--since", "2020-01-23")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "No views of confidential entries are recorded since 2020-01-23 00:00 UTC.\n"


def test_access_log_csv_cells_are_inert(viewed_log: Path) -> None:
    result = actionbot(viewed_log, "2020-02-01", "concerns", "access-log", "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["person"] for r in rows] == ["Jo Reid", "Sam Patel", "'=HYPERLINK(\"http://x\")"]
    assert rows[1] == {"reference": "PQ-2020-0001", "at_utc": "2020-01-20 14:05:00 UTC", "person": "Sam Patel",
                       "channel": "teams", "place": "19:abc@thread.tacv2", "what": "show", "allowed": "refused"}


@pytest.mark.parametrize("args, says", [
    (["--since", "the other day"], "--since 'the other day' is not a date I can read; use the form 2026-11-01"),
    (["--since", "2020-02-30"], "--since '2020-02-30' is not a date I can read"),
    (["--format", "xlsx"], "unknown format 'xlsx'; choose one of: text, csv."),
], ids=["words", "no-such-day", "format"])
def test_access_log_refuses_what_it_cannot_read(viewed_log: Path, args: list[str], says: str) -> None:
    result = actionbot(viewed_log, "2020-02-01", "concerns", "access-log", *args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip() == f"Error: {says}" or says in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr


@pytest.mark.parametrize("cell, shown", [
    ("=1+1", "'=1+1"), ("+44 1343", "'+44 1343"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("Jo Reid", "Jo Reid"), ("", ""),
])
def test_inert_cell(cell: str, shown: str) -> None:
    from bot.concerns_cli import inert_cell

    assert inert_cell(cell) == shown


def test_the_example_settings_file_gives_the_default_retention() -> None:
    from config.settings import load_settings
    from tests.conftest import REPO

    settings = load_settings(REPO / "config" / "actionbot.example.toml", environ={})
    assert RetentionSettings.from_extra(settings.extra) == RetentionSettings(6, {})
