"""Each destination gets the digest in its own form, within its limits."""

from __future__ import annotations

import csv
import email
import io
import json
from datetime import date, datetime, timezone
from email import policy
from pathlib import Path

from bot.digest.content import Digest, DigestFilter, DigestGroup, DigestItem
from bot.digest.delivery import render_for
from bot.digest.email_delivery import EmailDigestDelivery
from bot.mail.maildir import MaildirMailbox
from bot.digest.render_slack import MAX_BLOCKS, MAX_SECTION_CHARS
from bot.domain.model import SectionRollup

TODAY = date(2023, 10, 2)


class Steps(dict):  # type: ignore[type-arg]
    """A DeliveryProgress kept in memory (the sender keeps it on the claim row)."""

    key = "1:2023-10-02T09:00"
    attempt = 1
    claimed_at = datetime(2023, 10, 2, 8, tzinfo=timezone.utc)

    def record(self, step: str, value: object) -> None:
        self[step] = value


def big_digest(overdue: int = 2000, due_soon: int = 300, stale: int = 300, groups: int = 40) -> Digest:
    def item(n: int, days: int) -> DigestItem:
        return DigestItem(code=f"HSCM COMM AP9.{n}", title="Review the contract <register> & " + "x" * 200, plan="P",
                          section_code=f"9.{n % 40}", section_title="Contracts", owner="Finance Team",
                          due_date=date(2023, 8, 31), status="Overdue" if days else "In progress", progress=n % 100,
                          days_overdue=days, update_age_days=n % 90)

    overdue_groups = [DigestGroup(f"9.{g} Contracts", tuple(item(g * 1000 + n, 32) for n in range(overdue // groups)))
                      for g in range(groups)]
    rollups = [SectionRollup("P", f"9.{n}", "Contracts", 50, action_count=10, overdue=5) for n in range(40)]
    return Digest(title="Weekly digest", as_of=TODAY, since=None, filter=DigestFilter(plan="P"), overdue=overdue_groups,
                  due_soon=[item(n, 0) for n in range(due_soon)], stale=[item(n, 0) for n in range(stale)],
                  rollups=rollups, concerns={"safeguarding": 1}, action_count=overdue + due_soon + stale)


def test_slack_blocks_stay_within_slacks_limits_and_count_the_rest() -> None:
    rendered = render_for("slack", big_digest(), with_chart=False)
    blocks = rendered.payload
    assert len(blocks) <= MAX_BLOCKS
    for block in blocks:
        assert len(block.get("text", {}).get("text", "")) <= MAX_SECTION_CHARS
    assert len(blocks[0]["text"]["text"]) <= 150  # header
    summary = blocks[-1]["elements"][0]["text"]
    assert "more overdue" in summary and "attached CSV" in summary
    text = json.dumps(blocks)
    assert "&lt;register&gt; &amp;" in text and "<register>" not in text  # mrkdwn escaped
    [csv_file] = rendered.attachments
    rows = list(csv.DictReader(io.StringIO(csv_file.data.decode("utf-8"))))
    assert len(rows) == 2000 + 300 + 300  # every listed action is in the CSV
    assert {r["part"] for r in rows} == {"overdue", "due soon", "check progress"}


def test_a_small_digest_fits_whole_in_slack_with_no_summary_line() -> None:
    blocks = render_for("slack", big_digest(overdue=20, due_soon=3, stale=2, groups=4), with_chart=False).payload
    assert "attached CSV" not in json.dumps(blocks)
    assert sum(json.dumps(b).count("AP9.") for b in blocks) == 25


def test_teams_gets_an_adaptive_card_1_5() -> None:
    card = render_for("teams", big_digest(), with_chart=False).payload
    assert (card["type"], card["version"]) == ("AdaptiveCard", "1.5")
    assert card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
    assert [e["type"] for e in card["body"]].count("Table") == 1
    encoded = json.dumps(card, ensure_ascii=False)
    assert len(encoded.encode()) < 28_000 * 3  # capped lists: the card does not grow with the plan
    assert "…and" in encoded
    small = json.dumps(render_for("teams", big_digest(overdue=40), with_chart=False).payload, ensure_ascii=False)
    assert len(encoded) < len(small) * 2


def test_email_is_html_with_a_text_alternative_an_inline_chart_and_the_csv(tmp_path: Path) -> None:
    rendered = render_for("email", big_digest(overdue=40, due_soon=2, stale=1), with_chart=True)
    outbox = tmp_path / "maildrop" / "outbox"
    delivery = EmailDigestDelivery(MaildirMailbox(tmp_path / "maildrop", "digests@example.org").send)

    steps = Steps()
    delivery.deliver(rendered, "team@example.org", steps)
    delivery.deliver(rendered, "team@example.org", steps)  # a retry after success sends nothing
    [eml] = list(outbox.glob("*.eml"))
    message = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert message["To"] == "team@example.org" and message["Auto-Submitted"] == "auto-generated"
    assert message["Subject"].startswith("Weekly digest — P, as of 2 Oct 2023: 40 overdue")
    types = [part.get_content_type() for part in message.walk()]
    assert types[:2] == ["multipart/mixed", "multipart/alternative"]
    assert {"text/plain", "text/html", "image/png", "text/csv"} <= set(types)
    html = message.get_body(("html",)).get_content()
    image = next(p for p in message.walk() if p.get_content_type() == "image/png")
    assert f'src="cid:{image["Content-ID"].strip("<>")}"' in html
    assert "&lt;register&gt;" in html
    assert "Overdue (40)" in message.get_body(("plain",)).get_content()


def test_a_malformed_address_is_refused_and_nothing_is_sent(tmp_path: Path) -> None:
    import pytest

    sent: list[object] = []
    rendered = render_for("email", big_digest(overdue=40, due_soon=2, stale=1), with_chart=False)

    with pytest.raises(ValueError, match="not an email address"):
        EmailDigestDelivery(sent.append).deliver(rendered, "team@example.org\nBcc: x@evil", Steps())
    assert sent == []


def test_the_chart_is_a_png_drawn_headless() -> None:
    from bot.digest.chart import section_progress_png

    png = section_progress_png(big_digest().rollups, "Section progress")
    assert png is not None and png.startswith(b"\x89PNG")
    assert section_progress_png([], "nothing") is None


def test_a_large_email_lists_the_first_rows_and_counts_the_rest() -> None:
    html = render_for("email", big_digest(), with_chart=False).payload
    assert html.count("<tr><td>AP9.") == 50 + 50 + 50  # overdue, due soon, check progress
    assert "…and 1950 more overdue, every one in the attached CSV." in html
    assert "…and 250 more, every one in the attached CSV." in html
