"""The log's storage on SQLite and PostgreSQL (the same contract): numbered actions, earlier
entries linked to a newly registered provider, monitoring records and schedule, and
`uow.monitoring.due_items`, what the digest and the reminders list."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timezone
from pathlib import Path

from bot.domain.concerns import Category, Concern, ConcernAction, Provider, Restriction, Source
from bot.domain.model import Person, Role
from bot.domain.monitoring import Activity, VisitRecord
from bot.domain.providers import LogDueItem
from storage import SqlUnitOfWork
from tests.mail_samples import make_mail, make_mailbot
from tests.storage_fixtures import database_url, engine, migrated_engine, new_uow  # noqa: F401

TODAY = date(2026, 11, 30)
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)


def _entry(uow: SqlUnitOfWork, summary: str, *, provider: Provider | None = None, proposed: str | None = None,
           email: str | None = None, category: Category = Category.QUERY) -> Concern:
    reference, _ = uow.concerns.allocate_reference(2026)
    confidential = category is Category.SAFEGUARDING
    return uow.concerns.add(Concern(
        reference=reference, category=category, summary=summary, body=summary, source=Source.EMAIL,
        reporter="Jane Smith", reporter_email=email, received_at=NOW, provider=provider.name if provider else proposed,
        provider_proposed=proposed is not None, logged_at=NOW,
        restriction=Restriction.RESTRICTED if confidential else Restriction.NONE,
    ), provider_id=provider.id if provider else None)


def test_actions_are_numbered_within_their_entry_and_done_ones_leave_the_open_list(
        new_uow: Callable[[], SqlUnitOfWork]) -> None:  # noqa: F811
    with new_uow() as uow:
        first, second = _entry(uow, "missed calls"), _entry(uow, "late visits")
        a1 = uow.concerns.add_action(first, ConcernAction("chase rota", "Sam Patel", date(2026, 12, 4)))
        b1 = uow.concerns.add_action(second, ConcernAction("call family", "Sam Patel", date(2026, 12, 1)))
        a2 = uow.concerns.add_action(first, ConcernAction("audit", "Contracts", date(2026, 12, 20)))
        assert (a1.number, b1.number, a2.number) == (1, 1, 2)
        uow.concerns.update_action(first, replace(a1, done=True, done_at=NOW, done_note="sorted"))
        uow.commit()
    with new_uow() as uow:
        stored = uow.concerns.get(first.reference)
        assert [(a.number, a.done, a.done_note) for a in stored.actions] == [(1, True, "sorted"), (2, False, None)]
        assert [a.reference(c.reference) for c, a in uow.concerns.open_actions()] == [
            f"{second.reference}/1", f"{first.reference}/2"]
        assert [a.reference(c.reference) for c, a in uow.concerns.open_actions(owners=["contracts"])] == [
            f"{first.reference}/2"]


def test_registering_a_provider_links_the_earlier_entries_that_name_it(
        new_uow: Callable[[], SqlUnitOfWork]) -> None:  # noqa: F811
    with new_uow() as uow:
        _entry(uow, "missed calls", proposed="Brightwell Homecare Ltd")
        _entry(uow, "rota", email="office@brightwell.example")
        _entry(uow, "unrelated", proposed="Oakwood Care Home")
        provider = uow.providers.add(Provider("Brightwell Homecare", ("Brightwell",), ("brightwell.example",),
                                              registered_on=TODAY, officer="Sam Patel", risk="high"))
        assert uow.concerns.link_earlier(provider) == 2
        uow.commit()
    with new_uow() as uow:
        assert [c.summary for c in uow.concerns.list(open_only=False, provider=provider)] == ["missed calls", "rota"]
        assert [(c.provider, c.provider_proposed) for c in uow.concerns.unlinked()] == [("Oakwood Care Home", True)]
        stored = uow.providers.get("brightwell homecare")
        assert (stored.officer, stored.risk, stored.registered_on) == ("Sam Patel", "high", TODAY)
        assert [p.name for p in uow.providers.find("Brightwell Homecare Limited")] == ["Brightwell Homecare"]


def test_due_items_list_log_actions_and_visits_safeguarding_by_reference(
        new_uow: Callable[[], SqlUnitOfWork]) -> None:  # noqa: F811
    with new_uow() as uow:
        uow.people.add(Person(name="Sam Patel", role=Role.UPDATER, team="Contracts"))
        provider = uow.providers.add(Provider("Acme Care", registered_on=date(2025, 11, 1), officer="Sam Patel"))
        open_entry = _entry(uow, "missed calls", provider=provider)
        secret = _entry(uow, "bruising", provider=provider, category=Category.SAFEGUARDING)
        uow.concerns.add_action(open_entry, ConcernAction("chase rota", "Contracts", date(2026, 11, 25)))
        uow.concerns.add_action(secret, ConcernAction("strategy meeting", "Sam Patel", date(2026, 12, 2)))
        uow.concerns.add_action(open_entry, ConcernAction("far off", "Sam Patel", date(2027, 6, 1)))
        uow.monitoring.record(provider, VisitRecord("Acme Care", Activity.CALLS, date(2026, 11, 3), None, "Sam Patel"),
                              NOW, ("calls.xlsx", b"data"))
        uow.commit()
    with new_uow() as uow:
        items = uow.monitoring.due_items(TODAY, within_days=7)
        person_id = uow.people.get("Sam Patel").id
    assert [(i.kind, i.reference, i.due) for i in items] == [
        ("visit", "Acme Care: provider forum", date(2026, 2, 1)),
        ("visit", "Acme Care: focused visit", date(2026, 5, 1)),
        ("visit", "Acme Care: liaison meeting", date(2026, 11, 1)),
        ("visit", "Acme Care: monitoring visit", date(2026, 11, 1)),
        ("log action", f"{open_entry.reference}/1", date(2026, 11, 25)),
        ("log action", f"{secret.reference}/1", date(2026, 12, 2)),
        ("visit", "Acme Care: call-monitoring review", date(2026, 12, 3)),
    ]
    by_ref = {i.reference: i for i in items}
    hidden = by_ref[f"{secret.reference}/1"]
    assert hidden == LogDueItem("log action", f"{secret.reference}/1", "", None, date(2026, 12, 2), "Sam Patel",
                                person_id, restricted=True)
    assert hidden.safe_line(False) == f"{secret.reference}/1 (confidential) due 02 Dec 2026"
    assert by_ref[f"{open_entry.reference}/1"].overdue(TODAY) and by_ref[f"{open_entry.reference}/1"].title == (
        "chase rota")
    assert f"{open_entry.reference}/2" not in by_ref, "beyond the window"
    with new_uow() as uow:
        mine = {i.reference for i in uow.monitoring.due_items(TODAY, owner="sam patel", within_days=7)}
        assert f"{open_entry.reference}/1" in mine, "the team's action counts as the owner's"
        assert "Acme Care: focused visit" in mine
        [record] = uow.monitoring.records(provider)
        assert record.report_filename == "calls.xlsx"


def test_a_week_of_the_log_from_chat_and_mail_on_each_backend(tmp_path: Path, database_url: str) -> None:  # noqa: F811
    """The whole path (chat handlers, the mail pipeline, storage) on SQLite and PostgreSQL."""
    mb = make_mailbot(tmp_path, database_url=database_url)
    try:
        bot = mb.bot
        result = mb.receive(make_mail("Brightwell Homecare <rota@brightwell-homecare.example>", "Missed calls",
                                      "Two calls were missed.", message_id="<pg1@brightwell.example>"))
        reference = result.reference
        assert mb.entry(reference).provider_proposed
        assert "1 earlier entry" not in bot.ok(f"{reference} provider Brightwell Homecare").text
        bot.ok(f"{reference} action chase rota @Sam Patel by Friday")
        bot.ok(f"{reference}/1 due 10/10/2023")
        assert "Did you mean Sam Patel?" in bot.refused(f"{reference}/1 owner Sa Patel").text
        bot.ok(f"{reference}/1 done rota fixed")
        bot.ok(f"{reference} close resolved")
        bot.ok(f"{reference} reopen")
        bot.ok("provider Brightwell risk high")
        bot.ok("provider Brightwell visit done 20/09/2023 - report filed")
        page = bot.ok("provider Brightwell").text
        assert "monitoring visit (every 12 months): last 20 Sep 2023" in page
        assert "focused visit (every 3 months)" in page
        with bot.runtime.new_uow() as uow:
            assert uow.monitoring.due_items(date(2023, 9, 27), within_days=400)
    finally:
        mb.bot.runtime.close()
