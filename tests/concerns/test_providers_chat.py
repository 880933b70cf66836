"""Providers from chat: proposed names confirmed with `PQ-… provider NAME`, earlier entries
linked, a name that matches two providers, the provider's page, the monitoring schedule."""

from __future__ import annotations

import pytest

from bot.domain.concerns import Provider
from tests.conftest import TestBot


def _register(bot: TestBot, *providers: Provider) -> None:
    with bot.runtime.new_uow() as uow:
        for provider in providers:
            uow.providers.add(provider)
        uow.commit()


def test_a_proposed_provider_is_shown_as_proposed_and_confirming_it_links_earlier_entries(logbot: TestBot) -> None:
    logbot.ok("concern Brightwell Homecare: missed calls on Tuesday")
    logbot.ok("concern Brightwell Homecare Ltd: late visits at weekends")
    listing = logbot.ok("concerns open").text
    assert "PQ-2026-0001 [alert] Brightwell Homecare (proposed): missed calls" in listing
    assert "unknown" not in listing
    shown = logbot.ok("PQ-2026-0001").text
    assert "Brightwell Homecare (proposed: confirm with `PQ-2026-0001 provider Brightwell Homecare`)" in shown
    confirmed = logbot.ok("PQ-2026-0001 provider Brightwell Homecare").text
    assert confirmed == ("PQ-2026-0001: provider Brightwell Homecare (added to the register). 1 earlier entry "
                         "naming it was linked.")
    entries = logbot.ok("concerns Brightwell Homecare").text
    assert "PQ-2026-0001 [alert] Brightwell Homecare: missed calls" in entries
    assert "PQ-2026-0002 [query] Brightwell Homecare: late visits" in entries and "proposed" not in entries


def test_correcting_a_provider_to_one_on_the_register(logbot: TestBot) -> None:
    _register(logbot, Provider("Acme Care", ("Acme",)), Provider("Brightwell Homecare Ltd"))
    logbot.ok("concern Acme: missed calls")
    assert logbot.ok("PQ-2026-0001 provider brightwell homecare limited").text.startswith(
        "PQ-2026-0001: provider Brightwell Homecare Ltd.")
    assert "Brightwell Homecare Ltd" in logbot.ok("concerns Brightwell").text


@pytest.mark.parametrize("text, says", [
    ("PQ-2026-0001 provider Riverside", "'Riverside' matches 2 providers: Riverside Care Services, Riverside Nursing"),
    ("provider Riverside", "'Riverside' matches 2 providers: Riverside Care Services, Riverside Nursing"),
    ("provider Riverside risk high", "matches 2 providers"),
    ("concerns Riverside", "matches 2 providers"),
    ("provider Nowhere Care", "There is no provider called 'Nowhere Care' on the register. Providers on the "
                              "register: Acme Care, Riverside Care Services, Riverside Nursing."),
    ("provider Acme visit done 12/12/2026", "12 Dec 2026 is in the future"),
    ("provider Acme risk extreme", "'extreme' is not a risk level; use high, medium or low"),
    ("provider Acme officer Fion", "Did you mean Fiona Grant?"),
    ("PQ-2026-0099 provider Acme", "There is no entry PQ-2026-0099"),
])
def test_bad_provider_input_is_one_sentence_and_changes_nothing(logbot: TestBot, text: str, says: str) -> None:
    _register(logbot, Provider("Acme Care", ("Acme",)), Provider("Riverside Care Services"),
              Provider("Riverside Nursing"))
    logbot.ok("concern Acme: missed calls")

    def snapshot():  # type: ignore[no-untyped-def]
        with logbot.runtime.new_uow() as uow:
            return uow.providers.list(), uow.concerns.list(open_only=False), uow.monitoring.records()

    before = snapshot()
    assert says in logbot.refused(text).text
    assert snapshot() == before


def test_the_providers_page_and_schedule(logbot: TestBot) -> None:
    _register(logbot, Provider("Brightwell Homecare", ("Brightwell",), ("brightwell.example",)))
    logbot.ok("concern Brightwell: missed calls")
    logbot.ok("complaint Brightwell: family not told")
    logbot.ok("PQ-2026-0001 action chase rota @sam by Friday")
    logbot.ok("safeguarding Brightwell: unexplained bruising on Mr Example", as_person="Jo Reid")
    assert "risk medium → high. Focused visits every 3 months; the next is due 28 Feb 2027." in logbot.ok(
        "provider Brightwell risk high").text
    assert logbot.ok("provider Brightwell officer Sam").text.startswith(
        "Brightwell Homecare: officer none → Sam Patel.")
    visit = logbot.ok("provider Brightwell visit done 12/11/2026 - report filed").text
    assert visit == ("Brightwell Homecare: monitoring visit recorded on 12 Nov 2026 — report filed. Next monitoring "
                     "visit due 12 Nov 2027.")
    logbot.ok("provider Brightwell liaison meeting held on 3 November 2026")
    for asker in ("Sam Patel", "Jo Reid"):
        page = logbot.ok("provider Brightwell", as_person=asker).text
        assert page.startswith("Brightwell Homecare — risk high; officer Sam Patel")
        assert "Open entries (3): 1 alert; 1 complaint; 1 confidential (seen only with the safeguarding role)" in page
        assert "bruising" not in page and "PQ-2026-0003" not in page
        assert "Open actions: 1, overdue: 0" in page
        assert "monitoring visit (every 12 months): last 12 Nov 2026; next due 12 Nov 2027" in page
        assert "liaison meeting (every 12 months): last 3 Nov 2026; next due 3 Nov 2027" in page
        assert "focused visit (every 3 months): not yet done; next due 28 Feb 2027" in page
        assert "12 Nov 2026 monitoring visit (Console Admin): report filed" in page
    listing = logbot.ok("providers").text
    assert "Brightwell Homecare — risk high; officer Sam Patel" in listing


def test_the_provider_of_a_confidential_entry_is_confirmed_privately(logbot: TestBot) -> None:
    logbot.ok("safeguarding Brightwell Homecare: unexplained bruising on Mr Example", as_person="Jo Reid")
    assert "confidential" in logbot.refused("PQ-2026-0001 provider Brightwell Homecare", as_person="Sam Patel").text
    reply = logbot.ok("PQ-2026-0001 provider Brightwell Homecare", as_person="Jo Reid")
    assert reply.private and reply.text.startswith("PQ-2026-0001: provider Brightwell Homecare")


def test_adding_a_domain_in_chat_links_the_earlier_mail_from_it(logbot: TestBot) -> None:
    _register(logbot, Provider("Brightwell Homecare"), Provider("Acme Care", email_domains=("acme.example",)))
    with logbot.runtime.new_uow() as uow:  # two entries from the domain, logged before anyone knew it
        from datetime import datetime, timezone

        from bot.domain.concerns import Category, Concern, Source
        for n in (1, 2):
            reference, _ = uow.concerns.allocate_reference(2026)
            uow.concerns.add(Concern(reference, Category.QUERY, f"rota {n}", "hello", Source.EMAIL, "Office",
                                     datetime(2026, 11, 20, tzinfo=timezone.utc),
                                     reporter_email=f"office{n}@mail.brightwell.example"))
        uow.commit()
    assert logbot.ok("provider Brightwell domain @brightwell.example").text == (
        "Brightwell Homecare: mail from brightwell.example names it from now on. 2 earlier entries naming it were "
        "linked.")
    assert "Entries for Brightwell Homecare (2)" in logbot.ok("concerns Brightwell Homecare").text
    assert "already belongs to Acme Care" in logbot.refused("provider Brightwell domain acme.example").text
    assert "shared mail service" in logbot.refused("provider Brightwell domain gmail.com").text
    assert "not an email domain" in logbot.refused("provider Brightwell domain brightwell").text
