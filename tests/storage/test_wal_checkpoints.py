"""WAL checkpoints of a SQLite file run on a thread of their own, every CHECKPOINT_EVERY commits,
not inside the COMMIT of the unit of work that happens to take the log past SQLite's mark."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from storage import wal_checkpoints
from storage.engine import make_engine, wal_checkpointer


def _commit(engine: object, n: int) -> None:
    with engine.begin() as connection:  # type: ignore[attr-defined]
        connection.execute(text("INSERT INTO t (v) VALUES (:v)"), {"v": "x" * 2000 + str(n)})


def _wait_until(predicate: object, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:  # type: ignore[operator]
        time.sleep(0.01)


def test_checkpoints_run_on_their_own_thread_every_so_many_commits(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wal_checkpoints, "CHECKPOINT_EVERY", 5)
    engine = make_engine(f"sqlite:///{tmp_path / 'bot.db'}")
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"))
            # The connections only checkpoint for themselves far past SQLite's 1,000 pages.
            limit = connection.connection.driver_connection.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
        assert limit == wal_checkpoints.FALLBACK_PAGES
        checkpointer = wal_checkpointer(engine)
        assert checkpointer is not None
        threads: list[str] = []
        original = checkpointer._checkpoint

        def recorded() -> None:
            threads.append(threading.current_thread().name)
            original()

        checkpointer._checkpoint = recorded  # type: ignore[method-assign]
        for n in range(3):  # the table's commit was the first
            _commit(engine, n)
        time.sleep(0.1)
        assert checkpointer.checkpoints == 0
        _commit(engine, 3)
        _wait_until(lambda: checkpointer.checkpoints == 1)
        assert checkpointer.checkpoints == 1
        assert threads == ["sqlite-checkpoint"]
        # Everything in the log is in the database file now: a checkpoint finds nothing to copy.
        raw = engine.raw_connection()
        try:
            busy, logged, copied = raw.driver_connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        finally:
            raw.close()
        assert (busy, logged) == (0, copied)
        for expected in (2, 3):
            for n in range(5):
                _commit(engine, n)
            _wait_until(lambda: checkpointer.checkpoints == expected)
            assert checkpointer.checkpoints == expected
        assert threads == ["sqlite-checkpoint"] * 3
    finally:
        engine.dispose()


def test_disposing_of_the_engine_waits_for_a_checkpoint_under_way(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wal_checkpoints, "CHECKPOINT_EVERY", 2)
    engine = make_engine(f"sqlite:///{tmp_path / 'bot.db'}")
    checkpointer = wal_checkpointer(engine)
    assert checkpointer is not None
    started, finished = threading.Event(), threading.Event()
    original = checkpointer._checkpoint

    def slow() -> None:
        started.set()
        time.sleep(0.3)
        original()
        finished.set()

    checkpointer._checkpoint = slow  # type: ignore[method-assign]
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"))
    _commit(engine, 1)
    assert started.wait(5)
    engine.dispose()
    assert finished.is_set()


def test_the_thread_ends_when_no_checkpoint_is_due(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wal_checkpoints, "CHECKPOINT_EVERY", 2)
    monkeypatch.setattr(wal_checkpoints, "IDLE_EXIT_S", 0.1)
    engine = make_engine(f"sqlite:///{tmp_path / 'bot.db'}")
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"))
        _commit(engine, 1)
        checkpointer = wal_checkpointer(engine)
        assert checkpointer is not None
        _wait_until(lambda: checkpointer.checkpoints == 1 and checkpointer._thread is None)
        assert checkpointer._thread is None
        for n in range(2, 4):  # and starts again when one is
            _commit(engine, n)
        _wait_until(lambda: checkpointer.checkpoints == 2)
        assert checkpointer.checkpoints == 2
    finally:
        engine.dispose()


def test_an_in_memory_database_has_none() -> None:
    engine = make_engine("sqlite://")
    try:
        assert wal_checkpointer(engine) is None
    finally:
        engine.dispose()
