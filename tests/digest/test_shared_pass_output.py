"""A sending pass shares work between digests (bot.digest.content.DigestBasis, the renderers'
memo); what each subscriber receives must be exactly what its digest built on its own gives,
byte for byte, and exactly what it was before the pass learnt to share.

The plan is generated (two plans, a thousand actions of every state, owners with `&`, `<`,
accents and formula-like text, dates missing or later than now, history of every kind), and
each filter of FILTERS is rendered for Slack, Teams and email (no chart) and as JSON."""

from __future__ import annotations

import hashlib
import json
import random
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest

from bot.digest.content import ContractLogItem, Digest, DigestBasis, DigestFilter, build_digest
from bot.digest.delivery import RenderedDigest, render_for
from bot.digest.render_text import render_json
from bot.domain.model import Action, FieldChange, HistoryEntry, Section, State

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
TODAY = NOW.date()
PLANS = ("North Plan", "South Plan")
OWNERS = ("Commissioning Team", "Finance Team", "Service Manager", "Commissioning Team and Finance Team", None, "",
          "  ", "Finance & <Audit> Team", "finance team", "Ward Sister (Ärztin)")
UPDATES = (None, "", "returns chased; meeting booked", "=SUM(A1:A3) chased", "line one\nline two\t tabbed",
           "<!channel> & <b>bold</b> > that", "x" * 260, "Über die Rückmeldung — “quoted”", "+44 123", "@here")
TITLES = ("Review the provider's returns", "Audit <script> & fix", '=HYPERLINK("x")', "Ward visit — Ärztin",
          "Very long title " * 12, "-negative start", "Plain")
KINDS = ("slack", "teams", "email")
CONTRACT_LOG = (ContractLogItem("CL-1", "Visit <x>", "Care & Co", TODAY - timedelta(days=3), "Finance Team"),
                ContractLogItem("CL-2", "Secret", "Hidden", TODAY - timedelta(days=1), "Commissioning Team", True),
                ContractLogItem("CL-3", "Review", "Prov", None, None))

# (plan, sections, responsibility, group_by, due_soon_days, stale_days, since days ago or None)
FILTERS: dict[str, tuple[Any, ...]] = {
    "whole plan": ("North Plan", (), None, "section", 14, 30, None),
    "whole plan, other case": ("NORTH PLAN", (), None, "section", 14, 30, 3),
    "every plan": (None, (), None, "section", 14, 30, 7),
    "by owner": ("North Plan", (), None, "responsibility", 14, 30, None),
    "due in 0 days": ("North Plan", (), None, "section", 0, 30, 2),
    "due in 365 days": ("South Plan", (), None, "section", 365, 30, None),
    "no update in 0 days": ("South Plan", (), None, "section", 14, 0, 9),
    "no update in 1000 days": ("North Plan", (), None, "responsibility", 7, 1000, None),
    "one section": ("North Plan", ("1.2",), None, "section", 14, 30, None),
    "sections typed with AP": ("North Plan", ("AP1.2", "ap2.1"), None, "section", 30, 60, 1),
    "sections of every plan": (None, ("1.2", "3.4"), None, "responsibility", 14, 30, None),
    "finance": ("North Plan", (), "finance", "section", 14, 30, None),
    "finance, by owner": ("North Plan", (), "FINANCE", "responsibility", 1, 7, 4),
    "ampersand": ("South Plan", (), "&", "section", 14, 30, None),
    "accent": (None, (), "ärztin", "section", 14, 30, None),
    "no such owner": ("North Plan", (), "zzz", "section", 14, 30, None),
    "section and owner": ("North Plan", ("1.2", "2.1", "1.3"), "commissioning", "section", 14, 30, 6),
    "no such section": ("South Plan", ("9.9",), None, "section", 14, 30, None),
}


def plan_and_history() -> tuple[list[Action], list[Section], list[HistoryEntry]]:
    rng = random.Random(18)
    actions: list[Action] = []
    sections: list[Section] = []
    history: list[HistoryEntry] = []
    states = tuple(State)
    for plan in PLANS:
        for s in range(1, 14):
            code = f"{s // 4 + 1}.{s % 4 + 1}"
            sections.append(Section(plan, code, f"Section {code} <{plan[:5]}> & co", rng.choice((None, 10, 55))))
            if s == 13:
                continue  # a section with no actions
            for a in range(1, rng.randrange(2, 80)):
                state = rng.choice(states)
                progress = rng.choice((None, 0, 10, 25, 50, 75, 100))
                updated: datetime | None = NOW - timedelta(days=rng.randrange(120), hours=rng.randrange(24))
                if rng.random() < 0.05:
                    updated = None
                elif rng.random() < 0.02:
                    updated = NOW + timedelta(hours=3)  # later than now (a pinned clock)
                action = Action(
                    code=f"{plan[0]}P AP{code}.{a}{rng.choice(('', 'a', 'b'))}", title=f"{rng.choice(TITLES)} {a}",
                    plan=plan, section_code=code, section_title=sections[-1].title, responsibility=rng.choice(OWNERS),
                    due_date=None if rng.random() < 0.1 else date(2026, 6, 1) + timedelta(days=rng.randrange(400)),
                    progress=progress, state=state, latest_update=rng.choice(UPDATES), updated_at=updated,
                    id=len(actions) + 1)
                actions.append(action)
                for _ in range(rng.choice((0, 0, 1, 2, 3))):
                    history.append(HistoryEntry(
                        action_code=action.code, at=NOW - timedelta(days=rng.randrange(12), minutes=rng.randrange(999)),
                        actor="test", channel="console", kind="update", changes=rng.choice(_CHANGES),
                        action_id=action.id, plan=plan))
    history.sort(key=lambda e: e.at)
    return actions, sections, history


_CHANGES = (
    (FieldChange("progress", None, 50),),
    (FieldChange("progress", 25, 25),),
    (FieldChange("state", State.IN_PROGRESS, State.COMPLETED), FieldChange("progress", 50, 100)),
    (FieldChange("due_date", date(2026, 10, 1), date(2027, 1, 15)),),
    (FieldChange("due_date", None, date(2026, 11, 1)),),
    (FieldChange("state", None, State.NOT_STARTED),),  # created: not news
    (FieldChange("responsibility", "A", "B"),),
    (FieldChange("state", State.COMPLETED, State.IN_PROGRESS),),
)


def _filter(row: tuple[Any, ...]) -> tuple[DigestFilter, datetime | None]:
    plan, sections, owner, group_by, due_soon, stale, since = row
    flt = DigestFilter(plan=plan, sections=sections, responsibility=owner, group_by=group_by,
                       due_soon_days=due_soon, stale_days=stale)
    return flt, None if since is None else NOW - timedelta(days=since, hours=since)


def _selected(actions: list[Action], plan: str | None) -> list[Action]:
    """What the pass reads for a subscription's plan (every plan's actions for None)."""
    return [a for a in actions if plan is None or a.plan.casefold() == plan.casefold()]


def _received(rendered: RenderedDigest) -> list[Any]:
    """Everything a destination is given."""
    return [rendered.kind, rendered.subject, rendered.text, rendered.native(),
            [(a.filename, a.content_type, a.data, a.title) for a in rendered.attachments]]


def _outputs(digest: Digest) -> list[Any]:
    return [render_json(digest), *(_received(render_for(kind, digest, with_chart=False)) for kind in KINDS)]


def _shared_pass() -> dict[str, list[Any]]:
    """Every filter's digest from one basis per plan (as DigestSender builds them), rendered
    twice each (the second time from what the first left in the memo)."""
    actions, sections, history = plan_and_history()
    bases: dict[str | None, DigestBasis] = {}
    found: dict[str, list[Any]] = {}
    for name, row in [*FILTERS.items(), *FILTERS.items()]:
        flt, since = _filter(row)
        key = flt.plan.casefold() if flt.plan else None
        if key not in bases:
            bases[key] = DigestBasis(_selected(actions, flt.plan), sections, TODAY, NOW)
        digest = bases[key].digest(history, flt, since, {"quality": 2}, contract_log=CONTRACT_LOG)
        outputs = _outputs(digest)
        assert found.setdefault(name, outputs) == outputs, f"{name}: a second rendering differs from the first"
    return found


@pytest.fixture(scope="module")
def shared() -> dict[str, list[Any]]:
    return _shared_pass()


@pytest.mark.parametrize("name", list(FILTERS))
def test_a_digest_of_a_shared_pass_is_the_digest_built_on_its_own(shared: dict[str, list[Any]], name: str) -> None:
    actions, sections, history = plan_and_history()
    flt, since = _filter(FILTERS[name])
    alone = build_digest(_selected(actions, flt.plan), sections, history, flt, TODAY, NOW, since, {"quality": 2},
                         contract_log=CONTRACT_LOG)
    assert _outputs(alone) == shared[name]


# sha256 of every output above, as main rendered it before the pass shared lines, CSV rows and
# rollups (30 Nov 2026). A change of wording changes it on purpose: check the new output, then
# put the new value here (the assertion prints it).
FROZEN = "7628c6739d7d6810893f227f1cc7896d96bfb463b4651a78d065586963fd43b9"


def test_every_output_is_byte_for_byte_what_it_was(shared: dict[str, list[Any]]) -> None:
    digest = hashlib.sha256(json.dumps(shared, sort_keys=True, ensure_ascii=False, default=repr)
                            .encode("utf-8")).hexdigest()
    assert digest == FROZEN, f"the digests' output changed: sha256 {digest}"
