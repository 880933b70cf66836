"""The `actionbot` command as a user runs it, in a subprocess, on a database in a temp folder."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE_CSV

EXPORT_FIELDS = ["code", "plan", "section_code", "section_title", "title", "responsibility", "due_date",
                 "original_due_date", "progress", "state", "overdue", "latest_update", "updated_at", "updated_by",
                 "rag", "direction", "priority", "recommendation", "recurring", "proposed_for_closure"]


def actionbot(tmp_path: Path, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ACTIONBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "ACTIONBOT_TODAY": "2023-09-27"}
    env.pop("ACTIONBOT_CONFIG", None)
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=tmp_path, env=env, input=input,
                          capture_output=True, text=True, timeout=60)


@pytest.fixture
def loaded(tmp_path: Path) -> Path:
    result = actionbot(tmp_path, "import", str(EXAMPLE_CSV))
    assert result.returncode == 0, result.stderr
    assert "new" in result.stdout
    return tmp_path


def test_say_prints_the_reply_and_exits_0(loaded: Path) -> None:
    result = actionbot(loaded, "say", "AP2.5.1 now 40% six priority contracts signed")
    assert result.returncode == 0, result.stderr
    assert "25% → 40%" in result.stdout


def test_say_exits_1_on_an_error_reply(loaded: Path) -> None:
    result = actionbot(loaded, "say", "AP2.9.1a 140%")
    assert result.returncode == 1
    assert "Progress must be 0–100%; AP2.9.1a is still 50%." in result.stdout


def test_say_as_an_unknown_person_is_refused(loaded: Path) -> None:
    result = actionbot(loaded, "say", "--as", "Nobody", "AP2.5.1 40%")
    assert result.returncode == 1 and "not record changes" in result.stdout


def test_export_json_has_every_field(loaded: Path) -> None:
    actionbot(loaded, "say", "AP2.5.1 40%")
    result = actionbot(loaded, "export", "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) >= 30
    assert list(rows[0]) == EXPORT_FIELDS
    row = next(r for r in rows if r["code"] == "HSCM COMM AP2.5.1")
    assert row["progress"] == 40 and row["state"] == "in_progress" and row["overdue"] is False
    assert row["due_date"] == "2025-02-28" and row["updated_by"] == "Console Admin"
    overdue = {r["code"].split()[-1] for r in rows if r["overdue"]}
    assert overdue == {"AP2.2.2c", "AP2.4.2a", "AP2.4.3"}


def test_export_csv_to_a_file(loaded: Path) -> None:
    out = loaded / "plan.csv"
    result = actionbot(loaded, "export", "--format", "csv", "--out", str(out))
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert rows and list(rows[0]) == EXPORT_FIELDS


def test_export_rejects_an_unknown_format(loaded: Path) -> None:
    result = actionbot(loaded, "export", "--format", "docx")
    assert result.returncode == 2 and "unknown format 'docx'" in result.stderr


def test_people_add_and_list(loaded: Path) -> None:
    assert actionbot(loaded, "people", "add", "Sam Patel", "--team", "Commissioning Team",
                     "--email", "sam@example.org", "--slack", "U0SAM").returncode == 0
    listing = actionbot(loaded, "people", "list").stdout
    assert "Sam Patel\tupdater\tCommissioning Team\tsam@example.org" in listing and "slack:U0SAM" in listing
    assert actionbot(loaded, "say", "--as", "Sam Patel", "AP2.5.1 30%").returncode == 0
    bad = actionbot(loaded, "people", "add", "X", "--role", "boss")
    assert bad.returncode == 2 and "not one of" in bad.stderr


def test_db_upgrade_and_bad_today(tmp_path: Path) -> None:
    result = actionbot(tmp_path, "db", "upgrade")
    assert result.returncode == 0 and "up to date" in result.stdout
    bad = actionbot(tmp_path, "--today", "31/02/2026", "say", "help")
    assert bad.returncode == 2 and "not a date" in bad.stderr


def test_run_on_a_terminal_loads_the_example_plan_and_opens_the_console(tmp_path: Path) -> None:
    import pty

    # The console opens only when someone is at a terminal: give `run` one for its stdin.
    terminal, typist = pty.openpty()
    try:
        os.write(terminal, b"summary 2.5\nquit\n")
        env = {**os.environ, "ACTIONBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "ACTIONBOT_TODAY": "2023-09-27"}
        env.pop("ACTIONBOT_CONFIG", None)
        result = subprocess.run([sys.executable, "-m", "bot.cli", "run"], cwd=tmp_path, env=env, stdin=typist,
                                capture_output=True, text=True, timeout=60)
    finally:
        os.close(terminal)
        os.close(typist)
    assert result.returncode == 0, result.stderr
    assert "Loaded the example plan" in result.stdout
    assert "2.5 Sample Testing: 65%" in result.stdout
    assert "All services stopped." in result.stderr


def test_chat_reads_lines(loaded: Path) -> None:
    result = actionbot(loaded, "chat", input="AP2.5.1 40%\nstatus AP2.5.1\n")
    assert "progress 40%" in result.stdout


@pytest.mark.parametrize("command", [[], ["say"], ["export"], ["import"], ["people", "add"], ["run"], ["db", "upgrade"]])
def test_every_command_has_help(tmp_path: Path, command: list[str]) -> None:
    result = actionbot(tmp_path, *command, "--help")
    assert result.returncode == 0 and "Usage" in result.stdout


def test_config_file_with_a_secret_is_refused(tmp_path: Path) -> None:
    cfg = tmp_path / "bot.toml"
    cfg.write_text('[slack]\nbot_token = "xoxb-123"\n', encoding="utf-8")
    result = actionbot(tmp_path, "--config", str(cfg), "say", "help")
    assert result.returncode == 2 and "looks like a secret" in result.stderr and "xoxb-123" not in result.stderr
