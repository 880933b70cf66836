"""Many people updating at once on the default SQLite file: every update is applied once,
nobody gets "database is locked", and a file another process keeps locked gets a retry and,
if it stays locked, a clear answer with nothing changed."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

import bot.dispatcher as dispatcher_module
import storage.engine as engine_module
from bot.channels.console import console_message
from bot.messages import InboundMessage
from storage.errors import DatabaseBusy
from storage.writer_gate import WriterGate
from tests.conftest import TestBot, make_testbot

CODES = ["AP2.1.1a", "AP2.1.1b", "AP2.2.1a", "AP2.4.2a", "AP2.5.1", "AP2.5.4b"]


def slack_like(text: str, n: int) -> InboundMessage:
    message = console_message(text, "Console Admin")
    return InboundMessage(**{**message.__dict__, "message_id": f"load-{n}"})


def test_fifty_concurrent_senders_on_one_sqlite_file_all_get_applied(testbot: TestBot) -> None:
    senders, each = 50, 8
    replies: list[tuple[int, bool, str]] = []
    lock = threading.Lock()
    start = threading.Barrier(senders)

    def sender(i: int) -> None:
        start.wait()
        for k in range(each):
            n = i * each + k
            reply = testbot.runtime.dispatcher.handle(slack_like(f"{CODES[n % len(CODES)]} {n % 100}% - load {n}", n))
            with lock:
                replies.append((n, reply is not None and not reply.is_error, reply.text if reply else ""))

    threads = [threading.Thread(target=sender, args=(i,)) for i in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    refused = [(n, text) for n, ok, text in replies if not ok]
    assert refused == []
    assert len(replies) == senders * each
    notes = []
    with testbot.runtime.new_uow() as uow:
        for code in CODES:
            entries = uow.history.for_action(uow.actions.find(code)[0].id, limit=1000)
            notes += [entry.note for entry in entries if entry.note and entry.note.startswith("load ")]
    assert len(notes) == senders * each == len(set(notes))


def test_a_file_locked_by_another_process_for_a_moment_is_waited_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "SQLITE_BUSY_TIMEOUT_MS", 200)
    monkeypatch.setattr(dispatcher_module, "RECONNECT_DELAYS_S", (0.1, 0.2, 0.4, 0.8))
    bot = make_testbot(tmp_path)
    try:
        other = sqlite3.connect(tmp_path / "bot.db", isolation_level=None, check_same_thread=False)
        other.execute("BEGIN IMMEDIATE")  # e.g. `actionbot import` in another terminal
        threading.Timer(0.6, other.execute, args=("COMMIT",)).start()
        started = time.monotonic()
        reply = bot.ok("AP2.5.1 40% six priority contracts signed")
        assert time.monotonic() - started >= 0.5
        assert "40%" in reply.text
        assert bot.action("AP2.5.1").progress == 40
        other.close()
    finally:
        bot.runtime.close()


def test_a_file_that_stays_locked_gets_a_clear_answer_and_nothing_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "SQLITE_BUSY_TIMEOUT_MS", 100)
    monkeypatch.setattr(dispatcher_module, "RECONNECT_DELAYS_S", (0.05, 0.05))
    bot = make_testbot(tmp_path)
    try:
        before = bot.action("AP2.5.1").progress
        other = sqlite3.connect(tmp_path / "bot.db", isolation_level=None, check_same_thread=False)
        other.execute("BEGIN IMMEDIATE")
        try:
            reply = bot.refused("AP2.5.1 40% six priority contracts signed")
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert "nothing was changed" in reply.text
        assert bot.action("AP2.5.1").progress == before
        # The message was not claimed either: sent again once the file is free, it applies.
        assert "40%" in bot.ok("AP2.5.1 40% six priority contracts signed").text
    finally:
        bot.runtime.close()


def test_the_gate_serves_waiters_in_arrival_order() -> None:
    gate = WriterGate()
    gate.acquire(1)
    order: list[int] = []
    threads = []
    for i in range(10):
        def waiter(i: int = i) -> None:
            gate.acquire(5)
            order.append(i)
            gate.release()
        thread = threading.Thread(target=waiter)
        thread.start()
        threads.append(thread)
        while gate.waiting < i + 1:  # each is queued before the next arrives
            time.sleep(0.001)
    gate.release()
    for thread in threads:
        thread.join(5)
    assert order == list(range(10))


def test_the_gate_is_reentrant_and_a_timed_out_waiter_leaves_the_queue() -> None:
    gate = WriterGate()
    gate.acquire(1)
    gate.acquire(1)  # a unit of work opened inside another, in the same thread
    gate.release()
    outcome: list[object] = []

    def impatient() -> None:
        try:
            gate.acquire(0.05)
            outcome.append("got it")
        except DatabaseBusy as exc:
            outcome.append(exc)

    thread = threading.Thread(target=impatient)
    thread.start()
    thread.join(5)
    assert isinstance(outcome[0], DatabaseBusy) and "nothing was changed" in str(outcome[0])
    assert gate.waiting == 0
    gate.release()
    gate.acquire(0.05)  # free again for the next comer
    gate.release()
    with pytest.raises(RuntimeError):
        gate.release()
