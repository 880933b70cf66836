"""PostgreSQL restarted under load, for real: a private cluster (tests/private_postgres.py) is
shut down (fast: every session ended, open transactions rolled back), left down for a while so
that new connections are refused, and started again, three times, while four threads send
updates through the dispatcher. The bot reconnects and every message is applied exactly once,
none refused, none lost, none twice.

The shared server on 127.0.0.1:5432 is never restarted: other tests and runs use it.
(`test_abuse_postgres.py` ends the bot's sessions on that server instead.)
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.conftest import make_testbot
from tests.exactly_once import Senders
from tests.private_postgres import private_cluster, why_no_private_cluster
from tests.storage_fixtures import PG_SKIP_REASON, PG_URL_VARIABLE

MESSAGES_PER_SENDER = 80
CODES = ["AP2.5.1", "AP2.2.2c", "AP2.9.1a", "AP2.8.2b"]
RESTARTS = (0.2, 1.0, 2.5)  # seconds down each time: up to a third of the dispatcher's retry window

pytestmark = [
    pytest.mark.postgres,
    # It brings its own server, but it is PostgreSQL's test: it runs in the PostgreSQL lane.
    pytest.mark.skipif(not os.environ.get(PG_URL_VARIABLE, "").strip(), reason=PG_SKIP_REASON),
    pytest.mark.skipif(why_no_private_cluster() is not None,
                       reason=f"cannot start a private PostgreSQL cluster here: {why_no_private_cluster()}"),
]


def test_postgres_restarted_under_load_loses_no_message_and_applies_none_twice(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("WARNING", logger="bot.dispatcher")
    with private_cluster() as cluster:
        bot = make_testbot(tmp_path, database_url=cluster.url)
        try:
            bot.ok("status AP2.5.1")  # the console admin is created on first use, before the load
            senders = Senders(bot, CODES, MESSAGES_PER_SENDER, "restart", pause_s=0.01)
            started = time.monotonic()
            senders.start()
            assert senders.sending.wait(30)
            done_before: list[int] = []
            for down_for in RESTARTS:
                time.sleep(0.3)
                done_before.append(senders.answered())
                cluster.restart(down_for=down_for)
            senders.join(120)
            elapsed = time.monotonic() - started

            assert not senders.failures, senders.failures[0]
            assert done_before[-1] < len(CODES) * MESSAGES_PER_SENDER, "the load ended before the last restart"
            senders.assert_each_applied_once()
            assert elapsed < 90
            assert any("database connection lost" in r.getMessage() for r in caplog.records), \
                "no unit of work was interrupted; the restart path was not exercised"
        finally:
            bot.runtime.close()
