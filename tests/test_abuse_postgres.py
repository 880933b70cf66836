"""PostgreSQL goes away under load: while messages flow through the dispatcher from several
threads, every server session of the bot is ended (pg_terminate_backend — what a restart or a
failover does to our connections, without restarting the cluster other test runs share).
The bot reconnects (pool_pre_ping for idle connections, the dispatcher's bounded retry of the
interrupted unit of work) and every message is applied exactly once: none lost, none twice.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from storage import make_engine
from tests.conftest import make_testbot
from tests.exactly_once import Senders
from tests.storage_fixtures import database_url  # noqa: F401 - the per-test PostgreSQL schema

MESSAGES_PER_SENDER = 60
CODES = ["AP2.5.1", "AP2.2.2c", "AP2.9.1a", "AP2.8.2b"]


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
def test_sessions_ended_under_load_lose_no_message_and_apply_none_twice(
        database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:  # noqa: F811
    caplog.set_level("WARNING", logger="bot.dispatcher")
    tag = f"actionbot_kill_{uuid.uuid4().hex[:8]}"  # our sessions only: the database is shared
    url = make_url(database_url).update_query_dict({"application_name": tag}).render_as_string(hide_password=False)
    bot = make_testbot(tmp_path, database_url=url)
    bot.ok("status AP2.5.1")  # the console admin is created on first use: before the load, not four times at once
    admin = make_engine(database_url)
    senders = Senders(bot, CODES, MESSAGES_PER_SENDER, "pg", pause_s=0.005)

    def end_our_sessions() -> int:
        with admin.connect() as conn:
            ended = conn.execute(text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                      "WHERE application_name = :tag"), {"tag": tag}).scalar_one()
            conn.commit()
        return int(ended)

    try:
        started = time.monotonic()
        senders.start()
        ended = []

        def interrupted() -> bool:
            return any("database connection lost" in r.getMessage() for r in caplog.records)

        # End our sessions every 50-150 ms while the senders run, until a unit of work in
        # flight was cut (the retry path) and a few more rounds have hit idle connections too
        # (pre-ping). A fixed few rounds could all land after a fast machine had finished.
        senders.sending.wait(10)
        rounds_after_interrupt = 0
        while senders.running() and rounds_after_interrupt < 3 and len(ended) < 400:
            time.sleep(0.05 + 0.1 * (len(ended) % 3) / 2)
            ended.append(end_our_sessions())
            rounds_after_interrupt += interrupted()
        senders.join(60)
        elapsed = time.monotonic() - started
        assert not senders.failures, senders.failures[0]
        assert sum(ended) > 0, "the test ended no session: it proved nothing"
        senders.assert_each_applied_once()
        assert elapsed < 40
        assert interrupted(), "no unit of work was interrupted; the retry path was not exercised"
    finally:
        bot.runtime.close()
        admin.dispose()
