"""The log's new words, as typed: one table of text -> command, and what is not a command."""

from __future__ import annotations

from datetime import date

import pytest

from bot.commands import NotACommand, ParseError
from bot.concern_commands import (
    CloseConcern,
    ConcernActionDone,
    ListConcernsDue,
    ListProviders,
    RecordConcernMilestone,
    RecordVisit,
    ReopenConcern,
    ReopenConcernAction,
    SetComplaintStage,
    SetConcernActionDue,
    SetConcernActionOwner,
    SetConcernProvider,
    SetProviderOfficer,
    SetProviderRisk,
    ShowProvider,
    ShowTimescales,
)
from bot.grammar import parse

TODAY = date(2026, 11, 30)

GRAMMAR = [
    ("PQ-2026-0042/1 done", ConcernActionDone("PQ-2026-0042", 1)),
    ("PQ-2026-0042/1 done spoke to the manager", ConcernActionDone("PQ-2026-0042", 1, "spoke to the manager")),
    ("pq-2026-42/2 completed - rota fixed", ConcernActionDone("PQ-2026-0042", 2, "rota fixed")),
    ("PQ-2026-0002 action 1 done", ConcernActionDone("PQ-2026-0002", 1)),
    ("PQ-2026-0042/1 reopen", ReopenConcernAction("PQ-2026-0042", 1)),
    ("PQ-2026-0042/1 due 15/12/2026", SetConcernActionDue("PQ-2026-0042", 1, date(2026, 12, 15), "15/12/2026")),
    ("PQ-2026-0042/1 owner Sam Patel", SetConcernActionOwner("PQ-2026-0042", 1, "Sam Patel")),
    ("PQ-2026-0042/1 owner @sam", SetConcernActionOwner("PQ-2026-0042", 1, "sam")),
    ("PQ-2026-0042 close anyway", CloseConcern("PQ-2026-0042", None, anyway=True)),
    ("PQ-2026-0042 close anyway - resolved at liaison", CloseConcern("PQ-2026-0042", "resolved at liaison", True)),
    ("PQ-2026-0042 reopen", ReopenConcern("PQ-2026-0042")),
    ("PQ-2026-0001 provider Brightwell Homecare", SetConcernProvider("PQ-2026-0001", "Brightwell Homecare")),
    ("PQ-2026-0001 acknowledged", RecordConcernMilestone("PQ-2026-0001", "acknowledged")),
    ("PQ-2026-0001 responded letter sent", RecordConcernMilestone("PQ-2026-0001", "responded", "letter sent")),
    ("PQ-2026-0001 stage 2", SetComplaintStage("PQ-2026-0001", 2)),
    ("concerns overdue", ListConcernsDue("overdue")),
    ("concerns due this week", ListConcernsDue("week")),
    ("concerns timescales", ShowTimescales()),
    ("provider Brightwell", ShowProvider("Brightwell")),
    ("provider Brightwell visit done 12/11/2026 - report filed",
     RecordVisit("Brightwell", "monitoring visit", date(2026, 11, 12), "report filed")),
    ("provider Brightwell Homecare focused visit done yesterday",
     RecordVisit("Brightwell Homecare", "focused visit", date(2026, 11, 29), None)),
    ("provider Acme liaison meeting held on 3 November 2026: agreed new rota",
     RecordVisit("Acme", "liaison meeting", date(2026, 11, 3), "agreed new rota")),
    ("provider Acme forum attended", RecordVisit("Acme", "provider forum", None, None)),
    ("provider Acme call monitoring done 1/11/2026",
     RecordVisit("Acme", "call-monitoring review", date(2026, 11, 1), None)),
    ("provider Brightwell risk high", SetProviderRisk("Brightwell", "high")),
    ("provider Brightwell risk: Low", SetProviderRisk("Brightwell", "low")),
    ("provider Brightwell officer Sam Patel", SetProviderOfficer("Brightwell", "Sam Patel")),
    ("providers", ListProviders()),
]


@pytest.mark.parametrize("text, expected", GRAMMAR, ids=[t for t, _ in GRAMMAR])
def test_grammar(text: str, expected: object) -> None:
    assert parse(text, TODAY) == expected


@pytest.mark.parametrize("text, says", [
    ("PQ-2026-0042/1 frobnicate", "I couldn't read 'frobnicate' after PQ-2026-0042/1"),
    ("PQ-2026-0042/0 done", "numbered from 1"),
    ("PQ-2026-0042/1 due someday", "I couldn't read the date 'someday'"),
    ("PQ-2026-0042 stage 3", "stage 1 or 2"),
    ("provider Brightwell risk extreme", "'extreme' is not a risk level; use high, medium or low"),
    ("provider", "For a provider I understand"),
])
def test_grammar_errors_say_what_to_type(text: str, says: str) -> None:
    found = parse(text, TODAY)
    assert isinstance(found, ParseError) and says in found.message


@pytest.mark.parametrize("text", [
    "Provider Brightwell has raised a concern about late visits",  # a mail's subject, not a page asked for
    "Providers meeting notes",
])
def test_sentences_that_start_with_provider_are_not_commands(text: str) -> None:
    assert isinstance(parse(text, TODAY), NotACommand)


def test_a_domain_for_a_provider_is_read_from_an_address_or_a_link() -> None:
    from bot.concern_commands import AddProviderDomain

    for typed in ("brightwell.co.uk", "@Brightwell.co.uk", "https://www.brightwell.co.uk/contact"):
        assert parse(f"provider Brightwell domain {typed}", TODAY) == AddProviderDomain("Brightwell", "brightwell.co.uk")
