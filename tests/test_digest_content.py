"""What a digest says about seed 000 (the Moray example plan) on chosen days."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

import json

from bot.digest.content import Digest, no_concern_source
from bot.digest.delivery import render_for
from bot.digest.model import Subscription
from bot.digest.render_text import render_text
from bot.digest.sender import compose_digest
from tests.conftest import TestBot
from tests.digest_fixtures import PLAN


def digest_on(testbot: TestBot, day: date, since: datetime | None = None, concerns=None, **fields: object) -> Digest:  # type: ignore[no-untyped-def]
    # 21:00 UTC: still the same day in London, and after the import the testbot did that day.
    now = datetime(day.year, day.month, day.day, 21, 0, tzinfo=timezone.utc)
    sub = Subscription("slack", "C0DIGEST", plan=fields.pop("plan", PLAN), **fields)  # type: ignore[arg-type]
    with testbot.runtime.new_uow() as uow:
        if concerns is None:
            return compose_digest(uow, sub, now, since)
        return compose_digest(uow, sub, now, since, concerns)


def overdue_codes(digest: Digest) -> list[tuple[str, list[str]]]:
    return [(g.label, [i.code.rsplit(" ", 1)[-1] for i in g.items]) for g in digest.overdue]


def test_on_the_report_day_three_actions_are_overdue_by_section(testbot: TestBot) -> None:
    digest = digest_on(testbot, date(2023, 9, 27))
    assert overdue_codes(digest) == [
        ("2.2 Roles and Responsibilities", ["AP2.2.2c"]),
        ("2.4 Process Documentation", ["AP2.4.2a", "AP2.4.3"]),
    ]
    item = digest.overdue[1].items[1]
    assert (item.owner, item.due_date, item.days_overdue, item.progress) == ("Accountancy", date(2023, 8, 31), 27, 80)
    assert digest.due_soon == [] and digest.stale == []
    rollups = {r.section_code: r.progress for r in digest.rollups}
    assert rollups["2.5"] == 65 and len(rollups) == 11
    text = render_text(digest)
    assert "AP2.4.3 80% — Accountancy, due 31 Aug 2023, 27 days overdue; updated today" in text
    assert "Provider concerns: none open." in text


def test_grouped_by_responsibility(testbot: TestBot) -> None:
    digest = digest_on(testbot, date(2023, 9, 27), group_by="responsibility")
    assert overdue_codes(digest) == [("Accountancy", ["AP2.4.3"]), ("Commissioning Team", ["AP2.2.2c", "AP2.4.2a"])]


def test_in_february_2024_two_actions_are_due_soon_and_every_open_action_needs_checking(testbot: TestBot) -> None:
    digest = digest_on(testbot, date(2024, 2, 20))
    assert [i.code.rsplit(" ", 1)[-1] for i in digest.due_soon] == ["AP2.2.3b", "AP2.9.1a"]
    assert digest.overdue[0].items[0].days_overdue == 173  # most overdue first
    assert len(digest.stale) == 9  # every open action: nothing updated since the import in September
    ages = {i.update_age_days for i in digest.stale}
    assert len(ages) == 1 and ages <= {145, 146}  # imported on 27 Sep 2023, at the test's time of day
    assert digest_on(testbot, date(2024, 2, 20), due_soon_days=7).due_soon == []


def test_what_changed_since_the_last_digest(testbot: TestBot) -> None:
    since = datetime(2023, 9, 26, tzinfo=timezone.utc)
    testbot.ok("AP2.5.1 now 40% six priority contracts signed")
    testbot.ok("AP2.4.3 done")
    testbot.ok("AP2.2.2c due 31/10/2023")
    digest = digest_on(testbot, date(2023, 10, 2), since=since)
    changes = {(c.kind, c.text) for c in digest.changes}
    assert changes == {
        ("completed", "AP2.4.3 completed"),
        ("progress", "AP2.5.1 progress 25% → 40%"),  # not AP2.4.3's 80% → 100%: it is listed as completed
        ("due", "AP2.2.2c due 31 Aug 2023 → 31 Oct 2023 (+61 days)"),
    }
    assert [c.slippage_days for c in digest.changes if c.kind == "due"] == [61]
    assert overdue_codes(digest) == [("2.4 Process Documentation", ["AP2.4.2a"])]  # the others moved on
    # A digest after those changes reports none of them again.
    assert digest_on(testbot, date(2023, 10, 9), since=datetime(2023, 10, 2, 8, tzinfo=timezone.utc)).changes == []


def test_actions_that_became_overdue_since_the_last_digest(testbot: TestBot) -> None:
    digest = digest_on(testbot, date(2024, 3, 4), since=datetime(2024, 2, 26, 8, tzinfo=timezone.utc))
    assert [c.text for c in digest.changes] == [
        "AP2.2.3b became overdue (due 29 Feb 2024)",
        "AP2.9.1a became overdue (due 29 Feb 2024)",
    ]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        pytest.param({"sections": ("2.4",)}, [("2.4 Process Documentation", ["AP2.4.2a", "AP2.4.3"])], id="section"),
        pytest.param({"responsibility": "accountancy"}, [("2.4 Process Documentation", ["AP2.4.3"])], id="owner"),
        pytest.param({"plan": "No Such Plan"}, [], id="unknown-plan"),
    ],
)
def test_filters(testbot: TestBot, fields: dict[str, object], expected: list[tuple[str, list[str]]]) -> None:
    digest = digest_on(testbot, date(2023, 9, 27), **fields)
    assert overdue_codes(digest) == expected
    if "sections" in fields:
        assert [r.section_code for r in digest.rollups] == ["2.4"]


def test_open_provider_concerns_are_counts_by_category_confidential_only_a_count(testbot: TestBot) -> None:
    testbot.ok("concern Acme Care: missed calls on Tuesday")
    testbot.ok("complaint Acme Care: the family was not told of the change")
    testbot.ok("complaint Acme Care: carer shouted at Mrs B")  # pending review: counted as confidential
    logged = testbot.ok("safeguarding Acme Care: unexplained bruising reported by a carer")
    reference = logged.text.split()[1]
    closed = testbot.ok("concern Acme Care: rota gaps at weekends").text.split()[1]
    testbot.ok(f"{closed} close rota agreed")  # closed entries are not counted
    text = render_text(digest_on(testbot, date(2023, 9, 27)))
    assert "Open provider concerns: alert 1, complaint 1, confidential 2." in text
    assert "bruising" not in text and reference not in text  # a count, nothing else
    blocks = json.dumps(render_for("slack", digest_on(testbot, date(2023, 9, 27)), with_chart=False).payload)
    assert "bruising" not in blocks and "shouted" not in blocks and "confidential 2" in blocks


def test_without_a_concern_log_the_digest_says_so(testbot: TestBot) -> None:
    text = render_text(digest_on(testbot, date(2023, 9, 27), concerns=no_concern_source))
    assert "Provider concerns: the concern log is not connected yet." in text
