"""`actionbot import` on a tracker, as a user runs it: the counts, the team's own words."""

from __future__ import annotations

from pathlib import Path

from tests.planfiles.trackers import write_csv
from tests.test_cli import actionbot


def test_the_summary_counts_every_data_row_and_names_each_one_not_imported(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "tracker.csv", [
        ["Ref", "Action", "Lead", "% complete", "Status"],
        ["1", "Good", "A", "50%", "On track"],
        ["2", "Bad percent", "A", "140%", ""],
        ["3", "Another", "B", "", "Signed off"],
        ["", "", "", "20%", ""],
        ["", "", "C", "20%", ""],
    ])

    result = actionbot(tmp_path, "import", "--dry-run", str(path))

    assert result.returncode == 1
    assert "5 data rows: 2 actions, 1 skipped as not actions, 2 not imported (listed below)." in result.stdout
    assert "row: line 5: '20%' is a lone cell under the table, not an action; skipped." in result.stdout
    assert "line 3: 2: progress '140%' is not a whole number from 0 to 100" in result.stderr
    assert "line 6: The row has neither a code nor an action title" in result.stderr
    assert "status 'Signed off' is not a word I know; kept as the file's status" in result.stdout


def test_a_teams_own_status_words_come_from_the_config(tmp_path: Path) -> None:
    config = tmp_path / "actionbot.toml"
    config.write_text('[import.status_words]\n"Signed off" = "completed"\n', encoding="utf-8")
    path = write_csv(tmp_path / "tracker.csv", [["Plan", "Ref", "Action", "Status"], ["Board", "3", "Another",
                                                                                       "Signed off"]])

    result = actionbot(tmp_path, "--config", str(config), "import", str(path))

    assert result.returncode == 0, result.stderr
    assert "not a word I know" not in result.stdout
    exported = actionbot(tmp_path, "export", "--format", "csv").stdout
    assert ",100,completed," in exported


def test_a_bad_status_word_in_the_config_is_one_sentence_and_changes_nothing(tmp_path: Path) -> None:
    config = tmp_path / "actionbot.toml"
    config.write_text('[import.status_words]\n"Shelved" = "maybe"\n', encoding="utf-8")
    path = write_csv(tmp_path / "tracker.csv", [["Ref", "Action"], ["1", "One"]])

    result = actionbot(tmp_path, "--config", str(config), "import", str(path))

    assert result.returncode == 2
    assert "[import.status_words] 'Shelved' = 'maybe': the state must be one of completed" in result.stderr
    assert actionbot(tmp_path, "export", "--format", "csv").stdout.count("\n") == 1  # the header only


def test_restore_of_a_code_the_plan_does_not_have_is_refused(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "tracker.csv", [["Plan", "Ref", "Action"], ["Board", "1", "One"]])
    assert actionbot(tmp_path, "import", str(path)).returncode == 0

    result = actionbot(tmp_path, "restore", "99", "--plan", "Board")

    assert result.returncode == 2 and "'Board' has no action 99; nothing was restored." in result.stderr
