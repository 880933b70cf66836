"""Kill -9 `actionbot run` (Slack in HTTP mode, the Maildir mailbox, no console, a SQLite
file) at random moments while it handles chat and mail: a sender posts signed status updates
the way Slack does — an event that was not acknowledged with HTTP 200 (connection refused or
reset, no answer within 3 s) is sent again, with X-Slack-Retry-Num, until it is; an
acknowledged event is never sent again — and staff updates arrive by email in the maildrop.
After the last restart every update, chat and mail, is in the history exactly once.
(`mail poll --once` under kill -9 alone is tests/test_mail_crash.py.)
"""

from __future__ import annotations

import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

from bot.app import build_runtime
from bot.domain.model import Person, Role
from config.settings import Settings
from storage import make_engine
from storage.tables import HistoryRow
from tests.conftest import REPO
from tests.fakes.slack_api import FakeSlackApi
from tests.mail_samples import AUTH_PASS, COUNCIL, make_mail
from tests.slack_harness import SIGNING_SECRET, sign

EVENTS = 150
MAILS = 40
KILLS = 4
# Typically 15-27 s here, most of it `actionbot run` starting again after each kill; the bound is
# there to catch a hang, with room for a loaded two-core CI machine.
DEADLINE_S = 90
SLACK_ACK_TIMEOUT_S = 3.0  # Slack resends an event not acknowledged within three seconds
CODES = ["AP2.5.1", "AP2.2.2c", "AP2.9.1a", "AP2.8.2b", "AP2.4.2a"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Delivery:
    posts: int = 0  # how many times Slack sent it
    acked_at: float | None = None
    failures: list[str] = field(default_factory=list)


class BotProcess:
    """`actionbot run` as an operator runs it, started again after each kill."""

    def __init__(self, folder: Path, env: dict[str, str], port: int) -> None:
        self.folder, self.env, self.port = folder, env, port
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        log = (self.folder / f"run-{self.starts}.log").open("wb")
        try:
            self.process = subprocess.Popen([sys.executable, "-m", "bot.cli", "run"], cwd=self.folder, env=self.env,
                                            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        finally:
            log.close()
        self.starts += 1
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            assert self.process.poll() is None, (self.folder / f"run-{self.starts - 1}.log").read_text()
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("actionbot run did not listen within 20 s")

    def kill(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def post_until_acked(port: int, n: int, delivery: Delivery, give_up_at: float) -> None:
    ts = f"1720000000.{n:06d}"
    body = json.dumps({"token": "x", "team_id": "T111", "api_app_id": "A111", "type": "event_callback",
                       "event_id": f"EvKill{n:06d}", "event_time": 1720000000,
                       "event": {"type": "message", "channel": "C111", "channel_type": "channel", "user": "U111",
                                 "text": f"{CODES[n % len(CODES)]} note kill {n}", "ts": ts, "event_ts": ts,
                                 "client_msg_id": f"kill-{n}"}})
    while time.monotonic() < give_up_at:
        stamp = int(time.time())
        headers = {"Content-Type": "application/json", "X-Slack-Request-Timestamp": str(stamp),
                   "X-Slack-Signature": sign(body, stamp, SIGNING_SECRET)}
        if delivery.posts:
            headers.update({"X-Slack-Retry-Num": str(delivery.posts), "X-Slack-Retry-Reason": "http_error"})
        delivery.posts += 1
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=SLACK_ACK_TIMEOUT_S)
        try:
            connection.request("POST", "/slack/events", body=body.encode(), headers=headers)
            response = connection.getresponse()
            response.read()
            if response.status == 200:
                delivery.acked_at = time.monotonic()
                return
            delivery.failures.append(f"HTTP {response.status}")
        except OSError as exc:  # refused while restarting, reset by the kill, or no answer in 3 s
            delivery.failures.append(type(exc).__name__)
            time.sleep(0.1)
        finally:
            connection.close()


def notes_in_history(db_url: str) -> dict[str, int]:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(HistoryRow.note, func.count())
                                .where(HistoryRow.note.like("kill %") | HistoryRow.note.like("mailkill %"))
                                .group_by(HistoryRow.note)).all()
        return {str(note): int(count) for note, count in rows}
    finally:
        engine.dispose()


def test_kill_9_at_random_moments_loses_no_update_and_applies_none_twice(tmp_path: Path) -> None:
    rng = random.Random(int(os.environ.get("ACTIONBOT_KILL_SEED", "0")) or None)
    db_url = f"sqlite:///{tmp_path / 'crash.db'}"
    runtime = build_runtime(Settings(database_url=db_url))
    with runtime.new_uow() as uow:
        uow.people.add(Person(name="Kill Admin", role=Role.ADMIN), {"slack": "U111"})
        uow.people.add(Person(name="Sam Patel", role=Role.ADMIN, email=f"sam@{COUNCIL}"), {"email": f"sam@{COUNCIL}"})
        uow.commit()
    runtime.close()
    maildrop = tmp_path / "maildrop"
    maildrop.mkdir()
    config = tmp_path / "actionbot.toml"
    config.write_text(f'[mail]\naddress = "inbox@{COUNCIL}"\npoll_seconds = 0.2\nrate_limit_messages = 10000\n',
                      encoding="utf-8")
    port = free_port()
    with FakeSlackApi() as slack:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ACTIONBOT_", "SLACK_"))}
        env.update(PYTHONPATH=str(REPO), ACTIONBOT_DATABASE_URL=db_url, ACTIONBOT_TODAY="2023-09-27",
                   ACTIONBOT_MAILDROP=str(maildrop), ACTIONBOT_CONFIG=str(config), SLACK_BOT_TOKEN="xoxb-kill-test",
                   SLACK_SIGNING_SECRET=SIGNING_SECRET, ACTIONBOT_SLACK_API_URL=slack.api_url,
                   ACTIONBOT_SLACK_HOST="127.0.0.1", ACTIONBOT_SLACK_PORT=str(port))
        bot = BotProcess(tmp_path, env, port)
        deliveries = {n: Delivery() for n in range(1, EVENTS + 1)}
        started = time.monotonic()
        give_up_at = started + DEADLINE_S - 8
        done = threading.Event()

        def sender() -> None:
            for n, delivery in deliveries.items():
                post_until_acked(port, n, delivery, give_up_at)
                time.sleep(0.01)
                if n % (EVENTS // MAILS) == 0 and n // (EVENTS // MAILS) <= MAILS:
                    i = n // (EVENTS // MAILS)
                    raw = make_mail(f"sam@{COUNCIL}", "update", f"AP2.4.2a note mailkill {i}",
                                    message_id=f"<mailkill-{i}@{COUNCIL}>", headers={"Authentication-Results": AUTH_PASS})
                    staged = tmp_path / f"mail-{i}.part"
                    staged.write_bytes(raw)
                    staged.rename(maildrop / f"mail-{i}.eml")  # delivered whole, as a mail server does
            done.set()

        bot.start()
        kills: list[float] = []
        try:
            thread = threading.Thread(target=sender, name="slack-sender")
            thread.start()
            for _ in range(KILLS):
                if done.wait(rng.uniform(0.3, 1.2)):
                    break
                bot.kill()
                kills.append(time.monotonic())
                bot.start()
            thread.join(DEADLINE_S)
            deadline = time.monotonic() + 20  # mail still in the maildrop after the last restart
            while time.monotonic() < deadline and sum(notes_in_history(db_url).values()) < EVENTS + MAILS:
                time.sleep(0.1)
        finally:
            bot.stop()
    elapsed = time.monotonic() - started
    counts = notes_in_history(db_url)
    unacked = [n for n, d in deliveries.items() if d.acked_at is None]
    twice = {note: c for note, c in counts.items() if c > 1}
    lost = [n for n in deliveries if counts.get(f"kill {n}", 0) == 0]
    lost_mail = [i for i in range(1, MAILS + 1) if counts.get(f"mailkill {i}", 0) == 0]
    resent = sum(1 for d in deliveries.values() if d.posts > 1)
    assert kills, "the sender finished before the first kill: the test proved nothing"
    assert not unacked, f"{len(unacked)} events were never acknowledged"
    assert not twice, f"applied more than once: {twice}"
    assert not lost, (f"{len(lost)} of {EVENTS} acknowledged updates are not in the history after {len(kills)} "
                      f"kills ({resent} events were resent): {lost[:10]}")
    assert not lost_mail, f"{len(lost_mail)} of {MAILS} mailed updates are not in the history: {lost_mail[:10]}"
    assert elapsed < DEADLINE_S


DIGEST_CHANNELS = [f"C0DIGEST{i:02d}" for i in range(30)]


def test_kill_9_during_a_digest_pass_sends_no_digest_twice(tmp_path: Path) -> None:
    """30 Slack digests fall due at start-up (the Monday 09:00 of 2 October 2023; today is the
    Tuesday); `actionbot run` is killed at random moments of the sending pass and restarted
    until every one is sent. Each channel gets its digest once: a crashed sender's claim is
    taken over after its lease (1 s here), and a post whose record was lost is found again in
    the channel (conversations.history) instead of being posted twice."""
    from bot.digest.model import DeliveryState
    from storage import unit_of_work_factory
    from tests.digest_fixtures import subscribe

    rng = random.Random(int(os.environ.get("ACTIONBOT_KILL_SEED", "0")) or None)
    db_url = f"sqlite:///{tmp_path / 'digest.db'}"
    runtime = build_runtime(Settings(database_url=db_url))
    runtime.close()
    engine = make_engine(db_url)
    new_uow = unit_of_work_factory(engine)
    for channel in DIGEST_CHANNELS:
        subscribe(new_uow, destination=channel, plan=None)
    config = tmp_path / "actionbot.toml"
    config.write_text("[digest]\npoll_seconds = 0.2\nlease_seconds = 1\ngrace_hours = 48\n"
                      "retry_base_seconds = 0.2\n", encoding="utf-8")
    port = free_port()

    def states() -> dict[str, int]:
        with new_uow() as uow:
            rows = uow.digests.deliveries(limit=1000)
        found: dict[str, int] = {}
        for row in rows:
            found[row.state.value] = found.get(row.state.value, 0) + 1
        return found

    started = time.monotonic()
    try:
        with FakeSlackApi() as slack:
            env = {k: v for k, v in os.environ.items() if not k.startswith(("ACTIONBOT_", "SLACK_"))}
            env.update(PYTHONPATH=str(REPO), ACTIONBOT_DATABASE_URL=db_url, ACTIONBOT_TODAY="2023-10-03",
                       ACTIONBOT_MAILDROP=str(tmp_path / "maildrop"), ACTIONBOT_CONFIG=str(config),
                       SLACK_BOT_TOKEN="xoxb-digest-kill", SLACK_SIGNING_SECRET=SIGNING_SECRET,
                       ACTIONBOT_SLACK_API_URL=slack.api_url, ACTIONBOT_SLACK_HOST="127.0.0.1",
                       ACTIONBOT_SLACK_PORT=str(port))
            bot = BotProcess(tmp_path, env, port)
            kills = 0
            at_kills: list[dict[str, int]] = []
            try:
                for _ in range(KILLS):
                    bot.start()
                    time.sleep(rng.uniform(0.0, 0.6))
                    if states().get(DeliveryState.SENT.value, 0) == len(DIGEST_CHANNELS):
                        break
                    bot.kill()
                    kills += 1
                    at_kills.append(states())
                bot.start()
                deadline = time.monotonic() + 45
                while time.monotonic() < deadline and states().get(DeliveryState.SENT.value, 0) < len(DIGEST_CHANNELS):
                    time.sleep(0.2)
            finally:
                bot.stop()
            posts = [c.args["channel"] for c in slack.calls_to("chat.postMessage")]
    finally:
        engine.dispose()
    final = states()
    assert final.get(DeliveryState.SENT.value) == len(DIGEST_CHANNELS), final
    doubled = {channel: posts.count(channel) for channel in set(posts) if posts.count(channel) > 1}
    assert kills, "every digest was sent before the first kill: the test proved nothing"
    print(f"delivery states at each kill: {at_kills}")
    assert not doubled, f"digests posted more than once after {kills} kills: {doubled}"
    assert sorted(posts) == sorted(DIGEST_CHANNELS)
    assert time.monotonic() - started < DEADLINE_S
