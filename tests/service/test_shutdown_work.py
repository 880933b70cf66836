"""What a shutdown leaves behind: the unit of work in hand is finished, the rest is left for
another instance (digest claims released at once, mail left in the inbox), and what the
metrics count."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from bot.app import build_runtime
from bot.channels.console import console_message
from bot.digest.email_delivery import EmailDigestDelivery
from bot.digest.sender import DigestSender
from bot.http.prometheus import PrometheusMetrics
from bot.mail.mailbox import OutgoingMail
from config.settings import Settings
from tests.conftest import EXAMPLE_CSV, REPORT_DAY, TestBot
from tests.digest_fixtures import TEST_SETTINGS, subscribe

MONDAY_AFTER = datetime(2023, 10, 2, 9, 30, tzinfo=timezone.utc)  # the first Monday digest is due


def test_a_sender_told_to_stop_finishes_the_digest_in_hand_and_releases_the_rest(testbot: TestBot) -> None:
    new_uow = testbot.runtime.new_uow
    for team in ("a", "b", "c"):
        subscribe(new_uow, kind="email", destination=f"team-{team}@example.org")
    outbox: list[OutgoingMail] = []
    stopping = False

    def deliver_then_signal(mail: OutgoingMail) -> None:
        nonlocal stopping
        outbox.append(mail)
        stopping = True  # SIGTERM arrives while the first digest is being delivered

    metrics = PrometheusMetrics()
    leaving = DigestSender(new_uow, {"email": EmailDigestDelivery(deliver_then_signal)}, "leaving", TEST_SETTINGS,
                           with_chart=False, metrics=metrics, stopping=lambda: stopping)
    report = leaving.send_due(MONDAY_AFTER)
    assert len(report.sent) == 1 and len(outbox) == 1 and not report.failed
    assert 'actionbot_digests_total{outcome="sent"} 1.0' in metrics.render().decode()

    # Another instance takes the released claims over at once, not when the 10-minute lease ends.
    staying = DigestSender(new_uow, {"email": EmailDigestDelivery(outbox.append)}, "staying", TEST_SETTINGS,
                           with_chart=False)
    taken = staying.send_due(MONDAY_AFTER + timedelta(seconds=1))
    assert len(taken.sent) == 2 and len(outbox) == 3
    assert sorted(mail.to[0] for mail in outbox) == [f"team-{t}@example.org" for t in "abc"]
    with new_uow() as uow:
        records = [r for s in uow.digests.list() for r in uow.digests.deliveries(s.id)]
    assert sorted((r.claimed_by, r.attempts) for r in records) == [("leaving", 1), ("staying", 1), ("staying", 1)]


def test_the_dispatcher_counts_messages_by_channel_and_outcome(tmp_path: Path) -> None:
    from bot.app import load_example_plan_if_empty

    metrics = PrometheusMetrics()
    runtime = build_runtime(Settings(database_url=f"sqlite:///{tmp_path / 'bot.db'}", today=REPORT_DAY,
                                     example_plan=EXAMPLE_CSV), environ={}, metrics=metrics)
    try:
        load_example_plan_if_empty(runtime)
        for text in ("AP2.5.1 40%", "AP2.9.1a 140%", "lunch?"):
            runtime.dispatcher.handle(console_message(text, "Console Admin"))
    finally:
        runtime.close()
    shown = metrics.render().decode()
    # The console is a direct conversation: chatter gets the short help, counted as refused.
    assert 'actionbot_messages_total{channel="console",outcome="applied"} 1.0' in shown
    assert 'actionbot_messages_total{channel="console",outcome="refused"} 2.0' in shown
    assert 'actionbot_handler_seconds_count{channel="console"} 3.0' in shown
