"""Digests to a local fake Slack API: posted once, files in the thread, retried with back-off
after failures, missed periods sent or skipped by the grace window, crashed senders replaced."""

from __future__ import annotations

import json
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from bot.digest.model import DeliveryRecord, DeliveryState
from tests.conftest import TestBot, make_testbot
from tests.digest_fixtures import FIRST_MONDAY, fake_slack, slack_sender, subscribe  # noqa: F401
from tests.fakes.slack_api import FakeSlackApi


def _rows(testbot: TestBot) -> list[DeliveryRecord]:
    with testbot.runtime.new_uow() as uow:
        return uow.digests.deliveries(limit=50)


def test_a_due_digest_is_posted_once_with_the_csv_and_chart_in_its_thread(
    testbot: TestBot, fake_slack: FakeSlackApi
) -> None:
    subscribe(testbot.runtime.new_uow)
    sender = slack_sender(testbot.runtime.new_uow, fake_slack, with_chart=True)
    assert sender.send_due(FIRST_MONDAY - timedelta(minutes=1)).sent == []  # 08:59 London: not yet
    report = sender.send_due(FIRST_MONDAY + timedelta(minutes=1))
    assert report.sent == [(1, "2023-10-02T09:00")]
    [post] = fake_slack.calls_to("chat.postMessage")
    assert post.headers["authorization"] == "Bearer xoxb-test-token"
    assert post.args["channel"] == "C0DIGEST"
    assert post.args["blocks"][0]["type"] == "header"
    assert "3 overdue" in post.args["text"]
    assert len(fake_slack.calls_to("files.getUploadURLExternal")) == 2
    uploads = fake_slack.calls_to("upload")
    assert uploads[0].args["bytes"].startswith(b"part,code,plan")  # the CSV
    assert uploads[1].args["bytes"].startswith(b"\x89PNG")  # the chart
    [complete] = fake_slack.calls_to("files.completeUploadExternal")
    assert complete.args["channel_id"] == "C0DIGEST"
    [message] = fake_slack.messages["C0DIGEST"]
    assert complete.args["thread_ts"] == message["ts"]
    # Later passes, and a restarted instance, send nothing more for that Monday.
    assert sender.send_due(FIRST_MONDAY + timedelta(minutes=30)).sent == []
    restarted = slack_sender(testbot.runtime.new_uow, fake_slack, owner="instance-after-restart")
    assert restarted.send_due(FIRST_MONDAY + timedelta(hours=2)).sent == []
    assert len(fake_slack.calls_to("chat.postMessage")) == 1
    [row] = _rows(testbot)
    assert (row.state, row.attempts, row.progress["message_ts"]) == (DeliveryState.SENT, 1, message["ts"])


def test_a_delivery_failing_twice_is_retried_with_back_off_then_sent_once(
    testbot: TestBot, fake_slack: FakeSlackApi
) -> None:
    subscribe(testbot.runtime.new_uow)
    for _ in range(2):
        fake_slack.fail_next("chat.postMessage", status=500, error="internal_error")
    sender = slack_sender(testbot.runtime.new_uow, fake_slack)
    now = FIRST_MONDAY + timedelta(minutes=1)
    first = sender.send_due(now)
    assert first.sent == [] and "internal_error" in first.failed[0][2]
    [row] = _rows(testbot)
    assert (row.state, row.attempts, row.next_attempt_at) == (DeliveryState.FAILED, 1, now + timedelta(minutes=1))
    assert "internal_error" in (row.last_error or "")
    assert sender.send_due(now + timedelta(seconds=30)).failed == []  # back-off: not yet
    assert len(sender.send_due(now + timedelta(minutes=1)).failed) == 1  # second failure
    [row] = _rows(testbot)
    assert (row.attempts, row.next_attempt_at) == (2, now + timedelta(minutes=3))  # 1 min, then 2 min
    assert sender.send_due(now + timedelta(minutes=2)).sent == []
    assert sender.send_due(now + timedelta(minutes=3)).sent == [(1, "2023-10-02T09:00")]
    [row] = _rows(testbot)
    assert (row.state, row.attempts, row.last_error) == (DeliveryState.SENT, 3, None)
    assert len(fake_slack.calls_to("chat.postMessage")) == 3  # two refused, one accepted
    assert sender.send_due(now + timedelta(hours=1)).sent == []


def test_a_failure_after_the_message_was_posted_does_not_post_it_again(
    testbot: TestBot, fake_slack: FakeSlackApi
) -> None:
    subscribe(testbot.runtime.new_uow)
    fake_slack.fail_next("files.completeUploadExternal", status=500, error="internal_error")
    sender = slack_sender(testbot.runtime.new_uow, fake_slack)
    now = FIRST_MONDAY + timedelta(minutes=1)
    assert len(sender.send_due(now).failed) == 1
    assert sender.send_due(now + timedelta(minutes=1)).sent == [(1, "2023-10-02T09:00")]
    assert len(fake_slack.calls_to("chat.postMessage")) == 1
    completes = fake_slack.calls_to("files.completeUploadExternal")
    [message] = fake_slack.messages["C0DIGEST"]
    assert [c.args["thread_ts"] for c in completes] == [message["ts"]] * 2


def test_a_delivery_that_keeps_failing_stops_after_max_attempts_and_stays_recorded(
    testbot: TestBot, fake_slack: FakeSlackApi
) -> None:
    subscribe(testbot.runtime.new_uow)
    for _ in range(100):
        fake_slack.fail_next("chat.postMessage", status=500, error="internal_error")
    sender = slack_sender(testbot.runtime.new_uow, fake_slack)
    now = FIRST_MONDAY
    for _ in range(8):
        now += timedelta(hours=1)
        sender.send_due(now)
    [row] = _rows(testbot)
    assert (row.state, row.attempts, row.next_attempt_at) == (DeliveryState.FAILED, 5, None)
    assert len(fake_slack.calls_to("chat.postMessage")) == 5


def test_a_period_missed_while_down_is_sent_on_start_up_within_the_grace_window(
    testbot: TestBot, fake_slack: FakeSlackApi
) -> None:
    subscribe(testbot.runtime.new_uow)
    # The bot was down at 09:00 and comes back at 19:00 London time (grace: 12 hours).
    report = slack_sender(testbot.runtime.new_uow, fake_slack).send_due(FIRST_MONDAY + timedelta(hours=10))
    assert report.sent == [(1, "2023-10-02T09:00")]
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


def test_a_period_missed_beyond_the_grace_window_is_recorded_as_skipped(
    testbot: TestBot, fake_slack: FakeSlackApi
) -> None:
    subscribe(testbot.runtime.new_uow)
    sender = slack_sender(testbot.runtime.new_uow, fake_slack)
    report = sender.send_due(FIRST_MONDAY + timedelta(days=1))  # back on Tuesday morning
    assert (report.sent, report.skipped) == ([], [(1, "2023-10-02T09:00")])
    assert fake_slack.calls_to("chat.postMessage") == []
    [row] = _rows(testbot)
    assert row.state is DeliveryState.SKIPPED and "grace" in (row.last_error or "")
    # The next Monday goes out as usual.
    assert sender.send_due(FIRST_MONDAY + timedelta(days=7, minutes=1)).sent == [(1, "2023-10-09T09:00")]


def test_a_crashed_senders_claim_is_taken_over_after_its_lease(testbot: TestBot, fake_slack: FakeSlackApi) -> None:
    sub = subscribe(testbot.runtime.new_uow)
    assert sub.id is not None
    with testbot.runtime.new_uow() as uow:  # an instance claimed 09:00 and died before sending
        uow.digests.claim(DeliveryRecord(sub.id, "2023-10-02T09:00", FIRST_MONDAY, DeliveryState.PENDING, attempts=1,
                                         claimed_by="crashed", lease_until=FIRST_MONDAY + timedelta(minutes=10),
                                         created_at=FIRST_MONDAY))
        uow.commit()
    sender = slack_sender(testbot.runtime.new_uow, fake_slack, owner="survivor")
    assert sender.send_due(FIRST_MONDAY + timedelta(minutes=5)).sent == []  # lease still held
    assert sender.send_due(FIRST_MONDAY + timedelta(minutes=11)).sent == [(1, "2023-10-02T09:00")]
    [row] = _rows(testbot)
    assert (row.state, row.claimed_by, row.attempts) == (DeliveryState.SENT, "survivor", 2)
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


def test_an_unsubscribed_channel_gets_nothing(testbot: TestBot, fake_slack: FakeSlackApi) -> None:
    from dataclasses import replace

    sub = subscribe(testbot.runtime.new_uow)
    with testbot.runtime.new_uow() as uow:
        uow.digests.save(replace(sub, active=False))
        uow.commit()
    assert slack_sender(testbot.runtime.new_uow, fake_slack).send_due(FIRST_MONDAY + timedelta(minutes=1)).sent == []
    assert fake_slack.calls_to("chat.postMessage") == []


class FixedClock:
    def __init__(self, now: datetime) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now

    def today(self) -> date:
        return self._now.date()


def test_actionbot_run_sends_due_digests_itself(testbot: TestBot, fake_slack: FakeSlackApi) -> None:
    from dataclasses import replace

    from bot.app import SERVICE_FACTORIES
    from bot.digest.service import digest_service

    assert "bot.digest.service:digest_service" in SERVICE_FACTORIES
    subscribe(testbot.runtime.new_uow)
    runtime = replace(testbot.runtime, clock=FixedClock(FIRST_MONDAY + timedelta(minutes=1)),
                      environ={"SLACK_BOT_TOKEN": "xoxb-test-token", "ACTIONBOT_SLACK_API_URL": fake_slack.api_url})
    scheduler = digest_service(runtime)
    assert scheduler is not None and scheduler.is_chat is False
    scheduler.poll_seconds = 0.05
    scheduler.start()
    try:
        deadline = time.monotonic() + 20
        while not fake_slack.calls_to("files.completeUploadExternal") and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)  # a few more polls: nothing more is sent
    finally:
        scheduler.stop()
    assert len(fake_slack.calls_to("chat.postMessage")) == 1
    assert [r.state for r in _rows(testbot)] == [DeliveryState.SENT]


def test_a_post_whose_answer_was_lost_is_found_in_the_channel_not_posted_again(
    testbot: TestBot, fake_slack: FakeSlackApi
) -> None:
    subscribe(testbot.runtime.new_uow)
    fake_slack.lose_answer("chat.postMessage", times=1)  # Slack posts it; the answer never arrives
    sender = slack_sender(testbot.runtime.new_uow, fake_slack)
    assert len(sender.send_due(FIRST_MONDAY + timedelta(minutes=1)).failed) == 1
    assert sender.send_due(FIRST_MONDAY + timedelta(minutes=2)).sent == [(1, "2023-10-02T09:00")]
    assert len(fake_slack.calls_to("chat.postMessage")) == 1  # looked up, not posted again
    [history] = fake_slack.calls_to("conversations.history")
    assert history.args["channel"] == "C0DIGEST"
    [message] = fake_slack.messages["C0DIGEST"]
    assert message["metadata"] == {"event_type": "actionbot_digest", "event_payload": {"delivery": "1:2023-10-02T09:00"}}
    [complete] = fake_slack.calls_to("files.completeUploadExternal")
    assert complete.args["thread_ts"] == message["ts"]


def test_without_the_history_scope_a_retry_posts_rather_than_never_delivering(
    testbot: TestBot, fake_slack: FakeSlackApi
) -> None:
    subscribe(testbot.runtime.new_uow)
    fake_slack.fail_next("chat.postMessage", status=500, error="internal_error")
    fake_slack.fail_next("conversations.history", status=200, error="missing_scope")
    sender = slack_sender(testbot.runtime.new_uow, fake_slack)
    sender.send_due(FIRST_MONDAY + timedelta(minutes=1))
    assert sender.send_due(FIRST_MONDAY + timedelta(minutes=2)).sent == [(1, "2023-10-02T09:00")]
    assert len(fake_slack.calls_to("conversations.history")) == 1


def test_subscriptions_with_no_delivery_wait_and_say_so(testbot: TestBot, fake_slack: FakeSlackApi) -> None:
    subscribe(testbot.runtime.new_uow, kind="teams", destination="19:abc@thread.tacv2")
    report = slack_sender(testbot.runtime.new_uow, fake_slack).send_due(FIRST_MONDAY + timedelta(minutes=1))
    assert (report.sent, report.waiting) == ([], [(1, "teams")])
    assert _rows(testbot) == []  # unclaimed: the Teams delivery can still send it within the grace window


def test_each_digest_reports_what_changed_since_the_one_before(tmp_path: Path, fake_slack: FakeSlackApi) -> None:
    bot = make_testbot(tmp_path, today=date(2023, 10, 4))  # a Wednesday
    try:
        bot.ok("AP2.5.1 now 40% six priority contracts signed")
        subscribe(bot.runtime.new_uow, created_at=datetime(2023, 10, 3, tzinfo=timezone.utc))
        sender = slack_sender(bot.runtime.new_uow, fake_slack)
        for monday in (FIRST_MONDAY + timedelta(days=7), FIRST_MONDAY + timedelta(days=14)):
            assert len(sender.send_due(monday + timedelta(minutes=1)).sent) == 1
    finally:
        bot.runtime.close()
    first, second = (json.dumps(p.args["blocks"], ensure_ascii=False) for p in fake_slack.calls_to("chat.postMessage"))
    assert "AP2.5.1 progress 25% → 40%" in first
    assert "AP2.5.1 progress" not in second and "nothing recorded" in second
