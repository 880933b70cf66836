"""`actionbot run` under a supervisor: stdin is not a terminal, so it serves until told to stop;
its probes and metrics answer; a mail dropped meanwhile is handled; SIGTERM or SIGINT stops it
cleanly (exit 0) well inside a supervisor's 10 seconds."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.mail_samples import make_mail
from tests.service.running import RunningBot, get

METRIC_NAMES = ("actionbot_messages_total", "actionbot_handler_seconds", "actionbot_database_retries_total",
                "actionbot_mail_polled_total", "actionbot_mail_classified_total", "actionbot_digests_total")


def drop_mail(maildrop: Path, name: str, raw: bytes) -> None:
    dropped = maildrop / name
    dropped.write_bytes(raw)
    os.utime(dropped, (time.time() - 5, time.time() - 5))  # an already-finished copy


@pytest.mark.parametrize("signum, log_format", [(signal.SIGTERM, "text"), (signal.SIGINT, "json")],
                         ids=["SIGTERM", "SIGINT-json-logs"])
def test_run_without_a_terminal_serves_until_a_signal_and_stops_cleanly(tmp_path: Path, signum: int,
                                                                        log_format: str) -> None:
    config = tmp_path / "fast.toml"
    config.write_text("[mail]\npoll_seconds = 0.2\n", encoding="utf-8")
    bot = RunningBot(tmp_path, ACTIONBOT_CONFIG=str(config), ACTIONBOT_LOG_FORMAT=log_format,
                     ACTIONBOT_LOG_LEVEL="INFO")
    try:
        bot.start()
        time.sleep(1.5)  # what used to end it: stdin at EOF, read by a console nobody asked for
        assert bot.process is not None and bot.process.poll() is None, bot.stderr
        assert f"Serving http://127.0.0.1:{bot.port} (/healthz, /readyz, /metrics)." in bot.stderr

        alive = get(bot.port, "/healthz")
        assert (alive.status, alive.json()) == (200, {"status": "alive"})
        ready = get(bot.port, "/readyz")
        assert ready.status == 200, ready.body
        assert ready.json()["checks"] == {"database": "ok", "schema": "ok", "digest scheduler": "ok",
                                          "reminder scheduler": "ok",
                                          f"mail (maildir {tmp_path / 'maildrop'})": "ok"}
        metrics = get(bot.port, "/metrics").body.decode()
        for name in METRIC_NAMES:
            assert f"# TYPE {name.removesuffix('_total')}" in metrics, name

        drop_mail(tmp_path / "maildrop", "q.eml", make_mail("a@elsewhere.example", "Provider forum date", "When?"))
        processed = tmp_path / "maildrop" / ".Processed" / "cur"
        bot.wait_for(lambda: processed.is_dir() and any(processed.iterdir()), "the dropped mail being handled")
        # The mail is filed a moment before it is counted: wait for the count too.
        bot.wait_for(lambda: 'actionbot_mail_classified_total{outcome="new entry"} 1.0'
                     in get(bot.port, "/metrics").body.decode(), "the handled mail being counted")
        counted = get(bot.port, "/metrics").body.decode()
        assert 'actionbot_mail_classified_total{outcome="new entry"} 1.0' in counted
        assert "actionbot_mail_polled_total 1.0" in counted

        code, seconds = bot.stop(signum)
    finally:
        bot.kill()
    assert code == 0, bot.stderr
    assert seconds < 10, f"took {seconds:.1f} s to stop"
    for line in ("Stopped the HTTP server.", f"Stopped mail (maildir {tmp_path / 'maildrop'}).",
                 "Stopped digest scheduler.", "Stopped reminder scheduler.", "All services stopped."):
        assert line in bot.stderr
    assert "Traceback" not in bot.stderr
    if log_format == "json":
        records = [json.loads(line) for line in bot.lines if line.startswith("{")]
        assert records and all({"time", "level", "logger", "message"} <= set(r) for r in records)
        handled = [r for r in records if r["message"] == "mail handled"]
        assert handled and handled[0]["outcome"] == "new entry" and handled[0]["reference"] == "PQ-2023-0001"
        assert handled[0]["logger"] == "bot.mail.ingest" and handled[0]["level"] == "INFO"
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", handled[0]["time"])
        assert any(r["message"] == "stopping" and r["signal"] == "SIGINT" for r in records)


def test_a_port_that_is_taken_is_a_sentence_and_status_2(tmp_path: Path) -> None:
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    first = RunningBot(tmp_path / "one")
    try:
        first.start()
        second = RunningBot(tmp_path / "two", ACTIONBOT_HTTP_PORT=str(first.port))
        done = subprocess.run([sys.executable, "-m", "bot.cli", "run"], cwd=second.folder, env=second.env,
                              stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
        first.stop()
    finally:
        first.kill()
    assert done.returncode == 2
    assert f"Error: The HTTP server could not listen on 127.0.0.1:{first.port}" in done.stderr
    assert "Traceback" not in done.stderr
