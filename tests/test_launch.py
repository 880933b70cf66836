"""`actionbot say` started the fast way (bot/launch.py, the console script) answers exactly as
the Typer command does, and every other command line still reaches Typer."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.launch import parse_say
from tests.conftest import EXAMPLE_CSV


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(["say", "AP2.5.1 40%"], {"text": "AP2.5.1 40%"}, id="plain"),
        pytest.param(["--db", "sqlite:///x.db", "--today=2023-09-27", "-v", "say", "summary", "--as", "Sam",
                      "--channel=team"],
                     {"db": "sqlite:///x.db", "today": "2023-09-27", "verbose": True, "text": "summary",
                      "as_person": "Sam", "channel": "team"}, id="every-option"),
        pytest.param(["say", "--help"], None, id="help-goes-to-typer"),
        pytest.param(["say"], None, id="no-text"),
        pytest.param(["say", "a", "b"], None, id="two-texts"),
        pytest.param(["say", "-5%"], None, id="text-like-an-option"),
        pytest.param(["--unknown", "say", "x"], None, id="unknown-global-option"),
        pytest.param(["say", "x", "--as"], None, id="option-without-value"),
        pytest.param(["import", "plan.csv"], None, id="another-command"),
        pytest.param([], None, id="nothing"),
    ],
)
def test_which_command_lines_take_the_fast_way(args: list[str], expected: dict[str, object] | None) -> None:
    parsed = parse_say(args)
    if expected is None:
        assert parsed is None
    else:
        assert parsed == {"verbose": False, **expected}


def run(tmp_path: Path, module: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ACTIONBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}", "ACTIONBOT_TODAY": "2023-09-27"}
    env.pop("ACTIONBOT_CONFIG", None)
    return subprocess.run([sys.executable, "-m", module, *args], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize(
    ("args", "changes_the_plan", "status"),
    [
        pytest.param(["say", "summary 2.5"], False, 0, id="question"),
        pytest.param(["say", "AP9.9.9 40%"], False, 1, id="unknown-code"),
        pytest.param(["--today", "2023-13-01", "say", "summary"], False, 2, id="bad-date"),
        pytest.param(["say", "AP2.5.1 40% six contracts signed", "--as", "Console Admin"], True, 0, id="update"),
    ],
)
def test_say_the_fast_way_answers_as_the_typer_command_does(tmp_path: Path, args: list[str], changes_the_plan: bool,
                                                             status: int) -> None:
    assert run(tmp_path, "bot.cli", "import", str(EXAMPLE_CSV)).returncode == 0
    fast = run(tmp_path, "bot.launch", *args)
    if changes_the_plan:  # compare with a second database given the same history
        other = tmp_path / "typer"
        other.mkdir()
        assert run(other, "bot.cli", "import", str(EXAMPLE_CSV)).returncode == 0
        typer = run(other, "bot.cli", *args)
    else:
        typer = run(tmp_path, "bot.cli", *args)
    assert (fast.returncode, fast.stdout, fast.stderr) == (typer.returncode, typer.stdout, typer.stderr)
    assert fast.returncode == status


def test_anything_else_reaches_the_typer_app(tmp_path: Path) -> None:
    result = run(tmp_path, "bot.launch", "say", "--help")
    assert result.returncode == 0 and "Send one message through the same pipeline" in result.stdout


def test_a_say_on_sqlite_loads_neither_the_postgresql_dialect_nor_the_channels(tmp_path: Path) -> None:
    """What a cold `say` imports is part of its start-up time (issue 18): a table option naming a
    dialect (`postgresql_where=…`) would load that dialect on every command; Alembic, Slack and
    Teams have no part in a `say` against a current database."""
    assert run(tmp_path, "bot.cli", "import", str(EXAMPLE_CSV)).returncode == 0
    probe = ("import runpy, sys\n"
             "sys.argv = ['actionbot', 'say', 'AP2.5.1 40%', '--as', 'Console Admin']\n"
             "try:\n    runpy.run_module('bot.launch', run_name='__main__')\n"
             "except SystemExit:\n    pass\n"
             "loaded = {m for m in sys.modules if m.startswith(('sqlalchemy.dialects.postgresql', 'alembic', "
             "'slack_bolt', 'slack_sdk', 'microsoft_agents', 'psycopg'))}\n"
             "print('LOADED', sorted(loaded))\n")
    env = {**os.environ, "ACTIONBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}", "ACTIONBOT_TODAY": "2023-09-27"}
    env.pop("ACTIONBOT_CONFIG", None)
    result = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True,
                            timeout=120)
    assert "Updated" in result.stdout or "AP2.5.1" in result.stdout, result.stdout + result.stderr
    assert "LOADED []" in result.stdout, result.stdout
