"""Writers wait, they don't crash: real `actionbot` processes on one SQLite file that another
process holds (a long import, or a sqlite3 BEGIN IMMEDIATE standing in for one) wait for it,
say so on a terminal, and give up with one sentence and nothing changed when it lasts too
long; an import stays all-or-nothing."""

from __future__ import annotations

import os
import select
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.app import build_runtime, load_example_plan_if_empty
from config.settings import Settings, SettingsError, load_settings
from storage import make_engine, upgrade
from tests.conftest import EXAMPLE_CSV, REPO
from tests.plan_samples import write_sample_csv

WAITING = "Waiting for another actionbot process to finish with actionbot.db…"
BUSY = "actionbot.db is busy: another actionbot process (an import?) has held it for {s} s; nothing was changed."
EXIT_BUSY = 75
ROWS = 3000  # a few seconds of import: longer than nothing, short enough for the suite

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="terminals here are POSIX ptys")


def _env(db: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "ACTIONBOT_DATABASE_URL": f"sqlite:///{db}", "ACTIONBOT_TODAY": "2023-09-27",
           "PYTHONPATH": os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)}
    env.pop("ACTIONBOT_CONFIG", None)
    env.pop("ACTIONBOT_DB_WAIT_S", None)
    return {**env, **extra}


def actionbot(db: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`actionbot ARGS` with stdout and stderr captured (not a terminal)."""
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=db.parent, env=_env(db, **env),
                          capture_output=True, text=True, timeout=90)


class OnATerminal:
    """`actionbot ARGS` whose stderr is a terminal (a pty), read as it is written."""

    def __init__(self, db: Path, *args: str, **env: str) -> None:
        master, slave = os.openpty()
        self.process = subprocess.Popen([sys.executable, "-m", "bot.cli", *args], cwd=db.parent, env=_env(db, **env),
                                        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave)
        os.close(slave)
        self._master = master
        self._stderr = bytearray()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            ready, _, _ = select.select([self._master], [], [], 0.1)
            if not ready:
                if self.process.poll() is not None and not select.select([self._master], [], [], 0.2)[0]:
                    break
                continue
            try:
                chunk = os.read(self._master, 65536)
            except OSError:  # EIO: the child's side closed
                break
            if not chunk:
                break
            self._stderr += chunk

    @property
    def stderr(self) -> str:
        return bytes(self._stderr).decode("utf-8", "replace")

    def wait_for(self, text: str, timeout: float = 45) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.stderr:
            assert self.process.poll() is None, f"exited {self.process.returncode} before saying {text!r}: {self.stderr}"
            assert time.monotonic() < deadline, f"no {text!r} within {timeout} s: {self.stderr}"
            time.sleep(0.05)

    def finish(self, timeout: float = 90) -> tuple[int, str, str]:
        assert self.process.stdout is not None
        stdout = self.process.stdout.read().decode()
        self.process.stdout.close()
        code = self.process.wait(timeout)
        self._reader.join(5)
        os.close(self._master)
        return code, stdout, self.stderr


@contextmanager
def held_by_another_process(db: Path) -> Iterator[None]:
    """The file's write lock, held by another process (as a long `actionbot import` holds it)
    until the block ends."""
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sqlite3, sys\n"
         "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
         "c.execute('BEGIN IMMEDIATE'); print('held', flush=True)\n"
         "sys.stdin.readline(); c.execute('ROLLBACK')", str(db)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        yield
    finally:
        assert holder.stdin is not None and holder.stdout is not None
        holder.stdin.write("\n")
        holder.stdin.close()
        holder.wait(10)
        holder.stdout.close()


def _count(db: Path, table: str) -> int:
    with sqlite3.connect(db) as connection:
        return int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A migrated, empty database file (set up in this process: only what runs in the
    `actionbot` processes is under test)."""
    path = tmp_path / "actionbot.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    return path


@pytest.fixture
def loaded(db: Path) -> Path:
    """`db` with the example plan in it."""
    runtime = build_runtime(Settings(database_url=f"sqlite:///{db}", example_plan=EXAMPLE_CSV))
    try:
        assert load_example_plan_if_empty(runtime)
    finally:
        runtime.close()
    return db


def test_two_imports_at_once_both_finish_and_the_file_holds_one_import(db: Path, tmp_path: Path) -> None:
    plan = write_sample_csv(tmp_path / "big.csv", ROWS)
    with held_by_another_process(db):
        first, second = OnATerminal(db, "import", str(plan)), OnATerminal(db, "import", str(plan))
        first.wait_for(WAITING)
        second.wait_for(WAITING)
        time.sleep(5.5)  # longer than SQLite's busy timeout: a plain writer would fail here
    # Now one import runs, the other waits for its whole transaction.
    results = [first.finish(), second.finish()]
    for code, stdout, stderr in results:
        assert code == 0, stderr
        assert "Traceback" not in stderr
        assert stderr.count(WAITING) == 1, stderr
    outputs = sorted(stdout for _, stdout, _ in results)
    counted = f"  {ROWS} data rows: {ROWS} actions, none refused.\n"
    assert outputs == [f"Imported 'big' from big.csv: 0 new, 0 updated, {ROWS} unchanged actions.\n{counted}",
                       f"Imported 'big' from big.csv: {ROWS} new, 0 updated, 0 unchanged actions.\n{counted}"]
    assert (_count(db, "plans"), _count(db, "actions"), _count(db, "history")) == (1, ROWS, ROWS)


def test_an_import_that_waits_too_long_says_so_in_one_line_and_changes_nothing(loaded: Path, tmp_path: Path) -> None:
    db = loaded
    before = (_count(db, "plans"), _count(db, "actions"), _count(db, "history"))
    plan = write_sample_csv(tmp_path / "big.csv", 200)
    with held_by_another_process(db):
        started = time.monotonic()
        result = actionbot(db, "import", str(plan), ACTIONBOT_DB_WAIT_S="1")
        assert time.monotonic() - started >= 1
    assert result.returncode == EXIT_BUSY
    assert result.stdout == ""
    assert result.stderr.splitlines() == [f"Error: {BUSY.format(s=1)} Try again when it has finished."]
    assert (_count(db, "plans"), _count(db, "actions"), _count(db, "history")) == before


def test_say_during_an_import_waits_for_it_and_then_answers(loaded: Path) -> None:
    db = loaded
    with held_by_another_process(db):
        say = OnATerminal(db, "say", "AP2.5.1 now 40% six priority contracts signed")
        say.wait_for(WAITING)
        time.sleep(1)
    code, stdout, stderr = say.finish()
    assert code == 0, stderr
    assert "25% → 40%" in stdout
    assert stderr.count(WAITING) == 1 and "Traceback" not in stderr


def test_say_gives_up_after_the_wait_limit_with_one_sentence(loaded: Path) -> None:
    db = loaded
    with held_by_another_process(db):
        result = actionbot(db, "say", "AP2.5.1 now 40% six priority contracts signed", ACTIONBOT_DB_WAIT_S="1")
    assert result.returncode == EXIT_BUSY
    assert result.stderr.splitlines() == [f"Error: {BUSY.format(s=1)} Try again when it has finished."]
    # Not a terminal: no "Waiting…" line. Nothing changed, so the same message applies now.
    after = actionbot(db, "say", "AP2.5.1 now 40% six priority contracts signed")
    assert after.returncode == 0 and "25% → 40%" in after.stdout, after.stderr


@pytest.mark.parametrize(("value", "seconds"), [("5", 5.0), (" 0.5 ", 0.5), ("0", 0.0)])
def test_the_wait_is_read_from_the_environment(value: str, seconds: float) -> None:
    assert load_settings(environ={"ACTIONBOT_DB_WAIT_S": value}).db_wait_s == seconds


@pytest.mark.parametrize("value", ["soon", "-1", "nan", "inf"])
def test_a_wait_that_is_not_a_number_of_seconds_is_refused(value: str) -> None:
    with pytest.raises(SettingsError, match="ACTIONBOT_DB_WAIT_S is .* not a number of seconds"):
        load_settings(environ={"ACTIONBOT_DB_WAIT_S": value})
