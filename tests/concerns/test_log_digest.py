"""The weekly digest's contract log section, from the log itself: overdue allocated actions
and monitoring visits due, a confidential entry's action by reference only on every surface."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

from bot.digest.delivery import render_for
from bot.digest.model import Subscription
from bot.digest.render_text import render_csv, render_text
from bot.digest.sender import compose_digest
from bot.digest.service import contract_log_source
from tests.concerns.conftest import add_staff
from tests.conftest import TestBot, make_testbot


def _rendered(bot: TestBot, day: date) -> dict[str, str]:
    now = datetime(day.year, day.month, day.day, 9, 0, tzinfo=timezone.utc)
    with bot.runtime.new_uow() as uow:
        digest = compose_digest(uow, Subscription("slack", "C0DIGEST"), now, None,
                                contract_log=contract_log_source(bot.runtime))
    out = {"text": render_text(digest), "csv": render_csv(digest).decode()}
    for kind in ("slack", "teams", "email"):
        out[kind] = render_for(kind, digest, with_chart=False).native()
    return out


def test_overdue_log_actions_are_in_the_digest_confidential_ones_by_reference(logbot: TestBot) -> None:
    logbot.ok("concern Acme Care: missed calls on Tuesday")
    logbot.ok("PQ-2026-0001 action chase rota @Sam Patel by 2/12/2026")
    logbot.ok("safeguarding Acme Care: unexplained bruising on Mr Example", as_person="Jo Reid")
    logbot.ok("PQ-2026-0002 action strategy meeting @Fiona Grant by 1/12/2026", as_person="Jo Reid")
    logbot.ok("concern Acme Care: late visits")
    logbot.ok("PQ-2026-0003 action ask for rota @Sam Patel by 31/12/2026")

    before = _rendered(logbot, date(2026, 11, 30))
    assert "Contract log" not in before["text"]  # nothing overdue yet, no visits scheduled

    after = _rendered(logbot, date(2026, 12, 7))
    text = after["text"]
    assert "Contract log: overdue actions, visits due" in text
    assert "PQ-2026-0001/1" in text and "chase rota" in text and "5 days overdue" in text
    assert "PQ-2026-0003/1" not in text  # not yet due
    for kind, payload in after.items():
        if kind != "csv":  # the CSV attachment lists the plan's actions only
            assert "PQ-2026-0002/1" in payload, kind
        assert "strategy" not in payload and "bruising" not in payload, kind


def test_the_chat_preview_shows_the_section(tmp_path: Path) -> None:
    bot = make_testbot(tmp_path / "early", today=date(2026, 11, 30))
    add_staff(bot)
    bot.ok("concern Acme Care: missed calls on Tuesday")
    bot.ok("PQ-2026-0001 action chase rota @Sam Patel by 1/12/2026")
    assert "Contract log" not in bot.ok("digest preview").text
    bot.runtime.close()
    later = make_testbot(tmp_path / "early", today=date(2026, 12, 3))
    try:
        preview = later.ok("digest preview").text
        assert "PQ-2026-0001/1" in preview and "chase rota" in preview and "2 days overdue" in preview
    finally:
        later.runtime.close()
