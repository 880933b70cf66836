"""The weekly digest as a team lead reads it on Monday (issue 19, item 10): overdue and
stale lines quote the latest update, a completed action is not repeated under progress
moved, a filtered digest says so and leaves out what is outside its filter, the contract
log's overdue entries get their own section (restricted ones by reference only), empty
digests can be skipped, and `actionbot run` warns when email digests have no From address.
Also: digests built in one shared sending pass say exactly what each says built alone."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest

from bot.digest.content import ContractLogItem, Digest, DigestFilter, build_digest
from bot.digest.delivery import render_for
from bot.digest.email_delivery import unset_from_warning
from bot.digest.model import DeliveryState, Subscription
from bot.digest.render_text import render_csv, render_json, render_text
from bot.digest.sender import compose_digest
from bot.digest.service import startup_warnings
from bot.domain.model import Action, Section, State
from tests.conftest import TestBot
from tests.digest_fixtures import FIRST_MONDAY, PLAN, fake_slack, slack_sender, subscribe  # noqa: F401
from tests.fakes.slack_api import FakeSlackApi

KINDS = ("slack", "teams", "email")


def digest_on(testbot: TestBot, day: date, since: datetime | None = None, **fields: object) -> Digest:
    now = datetime(day.year, day.month, day.day, 21, 0, tzinfo=timezone.utc)
    sub = Subscription("slack", "C0DIGEST", plan=PLAN, **fields)  # type: ignore[arg-type]
    with testbot.runtime.new_uow() as uow:
        return compose_digest(uow, sub, now, since)


def every_rendering(digest: Digest) -> dict[str, str]:
    """What each destination receives, as text: the plain text, Block Kit, card, HTML, CSV."""
    out = {"text": render_text(digest), "csv": render_csv(digest).decode()}
    for kind in KINDS:
        out[kind] = render_for(kind, digest, with_chart=False).native()
    return out


def test_overdue_and_stale_lines_quote_the_latest_update(testbot: TestBot) -> None:
    testbot.ok("AP2.4.3 80% waiting for the finance system change")
    rendered = every_rendering(digest_on(testbot, date(2023, 11, 30)))
    for kind in ("text", "slack", "teams", "email"):
        assert "waiting for the finance system change" in rendered[kind], kind
    text = rendered["text"]
    overdue_line = next(line for line in text.splitlines() if "AP2.4.3" in line)
    assert "days overdue" in overdue_line and "latest update: waiting for the finance system change" in overdue_line


def test_an_action_completed_is_not_repeated_under_progress_moved(testbot: TestBot) -> None:
    testbot.ok("AP2.4.3 done")
    testbot.ok("AP2.5.1 now 40% six priority contracts signed")
    digest = digest_on(testbot, date(2023, 10, 2), since=datetime(2023, 9, 26, tzinfo=timezone.utc))
    text = render_text(digest)
    assert "AP2.4.3 completed" in text
    assert "AP2.4.3 progress" not in text
    assert "AP2.5.1 progress 25% → 40%" in text


@pytest.mark.parametrize(
    ("fields", "title"),
    [
        pytest.param({"sections": ("2.4",)}, "Weekly digest (section 2.4)", id="one-section"),
        pytest.param({"sections": ("2.4", "2.5")}, "Weekly digest (sections 2.4, 2.5)", id="two-sections"),
        pytest.param({"responsibility": "Accountancy"}, "Weekly digest (for Accountancy)", id="owner"),
    ],
)
def test_a_filtered_digest_says_so_and_leaves_out_concern_counts(testbot: TestBot, fields: dict[str, object],
                                                                  title: str) -> None:
    testbot.ok("concern Acme Care: missed calls on Tuesday")
    testbot.ok("complaint Acme Care: the family was not told of the change")
    whole = every_rendering(digest_on(testbot, date(2023, 9, 27)))
    assert all("concern" in whole[kind] for kind in ("text", "slack", "teams", "email"))
    digest = digest_on(testbot, date(2023, 9, 27), **fields)
    assert digest.title == title
    for kind, payload in every_rendering(digest).items():
        if kind != "csv":
            assert title in payload, kind
        assert "complaint 1" not in payload and "Provider concerns" not in payload, kind
    # AP2.2.2c is overdue, but in section 2.2 and the Commissioning Team's: outside every filter here.
    assert "AP2.2.2c" not in render_text(digest)


def contract_log() -> list[ContractLogItem]:
    return [
        ContractLogItem("CML-0007", "Monitoring visit to Acme Care", "Acme Care", date(2023, 9, 1), "Commissioning Team"),
        ContractLogItem("CML-0009", "Unexplained bruising: follow up with the provider", "Hilltop Homes",
                        date(2023, 9, 10), "Safeguarding Lead", restricted=True),
    ]


def tiny_plan() -> tuple[list[Action], list[Section]]:
    actions = [Action(code="T AP1.1", title="Review the contract", plan="T", section_code="1",
                      section_title="Contracts", responsibility="Commissioning Team", due_date=date(2023, 9, 1),
                      progress=20, state=State.IN_PROGRESS, id=1,
                      updated_at=datetime(2023, 8, 1, tzinfo=timezone.utc), latest_update="draft with legal")]
    return actions, [Section("T", "1", "Contracts")]


def test_overdue_contract_log_entries_have_their_own_section_restricted_ones_by_reference_only() -> None:
    actions, sections = tiny_plan()
    now = datetime(2023, 9, 27, 9, tzinfo=timezone.utc)
    digest = build_digest(actions, sections, [], DigestFilter(plan="T"), now.date(), now, None,
                          contract_log=contract_log())
    rendered = every_rendering(digest)
    for kind in ("text", "slack", "teams", "email"):
        payload = rendered[kind]
        assert "Contract log: overdue actions, visits due (2)" in payload, kind
        assert "CML-0007" in payload and "Monitoring visit to Acme Care" in payload, kind
        assert "CML-0009" in payload, kind
        for secret in ("bruising", "Hilltop", "Safeguarding Lead"):
            assert secret not in payload, (kind, secret)
    as_json = json.loads(render_json(digest))
    assert as_json["contract_log"][1] == {"reference": "CML-0009", "restricted": True}
    # A digest with no contract log (the default source) has no such section at all.
    plain = build_digest(actions, sections, [], DigestFilter(plan="T"), now.date(), now, None)
    assert "Contract log" not in render_text(plain)
    # Filtered to a section: log entries belong to providers, not sections, so they are left out.
    narrowed = build_digest(actions, sections, [], DigestFilter(plan="T", sections=("1",)), now.date(), now,
                            None, contract_log=contract_log())
    assert "Contract log" not in render_text(narrowed) and "CML-0007" not in render_text(narrowed)
    # Filtered to an owner: only that owner's entries.
    owner = build_digest(actions, sections, [], DigestFilter(plan="T", responsibility="commissioning"),
                         now.date(), now, None, contract_log=contract_log())
    assert [e.reference for e in owner.contract_log or []] == ["CML-0007"]


def test_an_empty_digest_is_not_sent_when_the_subscription_skips_empty_ones(
    testbot: TestBot, fake_slack: FakeSlackApi
) -> None:
    quiet = subscribe(testbot.runtime.new_uow, "C0QUIET", responsibility="Nobody Team", skip_when_empty=True)
    loud = subscribe(testbot.runtime.new_uow, "C0LOUD", responsibility="Nobody Team")
    busy = subscribe(testbot.runtime.new_uow, "C0BUSY", skip_when_empty=True)
    report = slack_sender(testbot.runtime.new_uow, fake_slack).send_due(FIRST_MONDAY + timedelta(minutes=1))
    assert sorted(report.sent) == [(loud.id, "2023-10-02T09:00"), (busy.id, "2023-10-02T09:00")]
    assert report.empty == [(quiet.id, "2023-10-02T09:00")]
    assert "C0QUIET" not in fake_slack.messages and {"C0LOUD", "C0BUSY"} <= set(fake_slack.messages)
    with testbot.runtime.new_uow() as uow:
        [row] = uow.digests.deliveries(quiet.id)
        assert uow.digests.get(quiet.id).skip_when_empty  # type: ignore[union-attr]
    assert row.state is DeliveryState.SKIPPED and "nothing to report" in (row.last_error or "")
    assert "not sent when empty" in quiet.describe()


def test_run_warns_when_email_digests_have_no_from_address(testbot: TestBot) -> None:
    assert startup_warnings(testbot.runtime) == []  # no email subscription: nothing to say
    subscribe(testbot.runtime.new_uow, "lead@council.example", kind="email")
    [warning] = startup_warnings(testbot.runtime)
    assert "[mail] address is not set" in warning and "actionbot@localhost" in warning
    assert unset_from_warning({"mail": {"address": "actions@council.example"}}, "maildir") is None
    assert unset_from_warning({}, "graph") is None  # Graph sends as the mailbox it is given


def test_digests_built_in_one_shared_pass_say_what_each_says_alone(testbot: TestBot) -> None:
    testbot.ok("AP2.5.1 now 40% six priority contracts signed")
    testbot.ok("AP2.4.3 done")
    subs = [Subscription("slack", "C1", plan=PLAN), Subscription("teams", "C2", plan=PLAN, sections=("2.4",)),
            Subscription("email", "a@b.example", plan=PLAN, responsibility="commissioning"),
            Subscription("slack", "C3", plan=PLAN, group_by="responsibility", due_soon_days=60, stale_days=3),
            Subscription("slack", "C4", plan=PLAN, sections=("2.2", "2.9"), responsibility="team")]
    now = datetime(2024, 2, 20, 21, tzinfo=timezone.utc)
    snapshot: dict = {}  # type: ignore[type-arg]
    with testbot.runtime.new_uow() as uow:
        shared = [compose_digest(uow, sub, now, None, snapshot=snapshot) for sub in subs]
    for sub, digest in zip(subs, shared):
        with testbot.runtime.new_uow() as uow:
            alone = compose_digest(uow, sub, now, None)
        assert render_text(digest) == render_text(alone), sub
        assert render_csv(digest) == render_csv(alone), sub
        assert render_for(sub.destination_kind, digest, False).payload == render_for(sub.destination_kind, alone,
                                                                                      False).payload
