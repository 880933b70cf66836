"""Rows deleted from a re-imported file (issue 16, item 7): named, and with --prune removed from
the plan (kept with their history, out of listings and rollups, and reversible).

Storage runs on SQLite and, in the `postgres` lane, PostgreSQL (tests.storage_fixtures).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bot.planfiles.apply import restore_actions
from bot.planfiles.plan_report import build_plan_reports
from tests.planfiles.trackers import TODAY, import_into, write_csv
from tests.storage_fixtures import database_url, engine, migrated_engine, new_uow  # noqa: F401
from tests.test_cli import actionbot

LATER = datetime(2024, 6, 10, 9, 0, tzinfo=timezone.utc)
HEADER = ["Plan", "Ref", "Action", "Lead", "% complete"]
ROWS = [["Board", "1", "Keep", "A", "50%"], ["Board", "2", "Delete me", "B", "20%"], ["Board", "3", "Keep too", "C", "0%"]]


def _file(tmp_path: Path, rows: list[list[str]], name: str = "board.csv") -> Path:
    return write_csv(tmp_path / name, [HEADER, *rows])


def _codes(uow: Any, **options: Any) -> list[str]:
    return [a.code for a in uow.actions.list(plan="Board", **options)]


def test_reimport_names_the_actions_no_longer_in_the_file_and_keeps_them(new_uow: Callable[[], Any],  # noqa: F811
                                                                          tmp_path: Path) -> None:
    import_into(new_uow, _file(tmp_path, ROWS))

    [report] = import_into(new_uow, _file(tmp_path, [ROWS[0], ROWS[2]], "fewer.csv"))

    assert (report.missing_codes, report.pruned) == (["2"], False)
    with new_uow() as uow:
        assert _codes(uow) == ["1", "2", "3"]


def test_prune_removes_them_from_listings_and_rollups_and_reimport_brings_them_back(
        new_uow: Callable[[], Any], tmp_path: Path) -> None:  # noqa: F811
    import_into(new_uow, _file(tmp_path, ROWS))

    [report] = import_into(new_uow, _file(tmp_path, [ROWS[0], ROWS[2]], "fewer.csv"), prune=True, now=LATER)

    assert (report.missing_codes, report.pruned) == (["2"], True)
    with new_uow() as uow:
        assert _codes(uow) == ["1", "3"]
        assert _codes(uow, include_removed=True) == ["1", "2", "3"]
        assert uow.actions.count("Board") == 2
        [plan] = build_plan_reports(uow, TODAY, "Board")
        assert plan.action_count == 2 and plan.sections[0].rollup.progress == 25  # (50 + 0) / 2, not 23
        removed = uow.actions.list(plan="Board", include_removed=True)[1]
        assert removed.removed_at == LATER and removed.title == "Delete me" and removed.progress == 20
        assert uow.history.for_action(removed.id)[0].note.startswith("No longer in the file")  # newest first

    [again] = import_into(new_uow, _file(tmp_path, ROWS))

    assert again.restored_codes == ["2"] and again.missing_codes == []
    with new_uow() as uow:
        assert _codes(uow) == ["1", "2", "3"]


def test_a_removed_action_gets_no_reminders(new_uow: Callable[[], Any], tmp_path: Path) -> None:  # noqa: F811
    import_into(new_uow, _file(tmp_path, ROWS))
    import_into(new_uow, _file(tmp_path, [ROWS[0], ROWS[2]], "fewer.csv"), prune=True)

    with new_uow() as uow:
        assert sorted(row["code"] for row in uow.reminders.open_actions()) == ["1", "3"]


def test_restore_brings_a_removed_action_back_without_a_file(new_uow: Callable[[], Any],  # noqa: F811
                                                             tmp_path: Path) -> None:
    import_into(new_uow, _file(tmp_path, ROWS))
    import_into(new_uow, _file(tmp_path, [ROWS[0]], "one.csv"), prune=True)

    with new_uow() as uow:
        result = restore_actions(uow, "Board", ["2", "1", "99"], actor="Admin", channel="import", now=LATER)
        uow.commit()

    assert (result.restored, result.not_removed, result.unknown) == (["2"], ["1"], ["99"])
    with new_uow() as uow:
        assert _codes(uow) == ["1", "2"]


def test_the_cli_names_missing_rows_prunes_them_and_restores_them(tmp_path: Path) -> None:
    assert actionbot(tmp_path, "import", str(_file(tmp_path, ROWS))).returncode == 0
    fewer = _file(tmp_path, [ROWS[0], ROWS[2]], "fewer.csv")

    kept = actionbot(tmp_path, "import", str(fewer))
    assert "No longer in the file, still in the plan (1): 2. Re-import with --prune to remove them" in kept.stdout
    pruned = actionbot(tmp_path, "import", "--prune", str(fewer))
    assert "No longer in the file, removed from the plan (1): 2." in pruned.stdout
    exported = actionbot(tmp_path, "export", "--format", "csv").stdout
    assert "Delete me" not in exported and "Keep too" in exported
    restored = actionbot(tmp_path, "restore", "2", "--plan", "Board")
    assert restored.returncode == 0 and "Back in 'Board': 2." in restored.stdout
    assert "Delete me" in actionbot(tmp_path, "export", "--format", "csv").stdout


def test_prune_is_refused_when_some_row_was_not_read(tmp_path: Path) -> None:
    assert actionbot(tmp_path, "import", str(_file(tmp_path, ROWS))).returncode == 0
    broken = _file(tmp_path, [ROWS[0], ["Board", "3", "Keep too", "C", "140%"]], "broken.csv")

    result = actionbot(tmp_path, "import", "--prune", str(broken))

    assert result.returncode == 2
    assert "--prune needs a file every row of which was read" in result.stderr
    assert "Delete me" in actionbot(tmp_path, "export", "--format", "csv").stdout  # nothing changed


def test_a_removed_action_is_out_of_chat_summaries_and_overdue_lists(tmp_path: Path) -> None:
    from tests.conftest import make_testbot

    header = ["Plan", "Ref", "Action", "Lead", "Due date", "% complete"]
    rows = [["Board", "1", "Still here", "A", "31/01/2020", "10%"], ["Board", "2", "Gone from the file", "B",
                                                                     "31/01/2020", "20%"]]
    bot = make_testbot(tmp_path, example_plan=write_csv(tmp_path / "board.csv", [header, *rows]))
    try:
        assert "Gone from the file" in bot.ok("overdue").text
        with bot.runtime.new_uow() as uow:
            from bot.planfiles.apply import import_plan
            from bot.planfiles.readers import read_plan_files

            [plan_file] = read_plan_files(write_csv(tmp_path / "fewer.csv", [header, rows[0]]))
            import_plan(uow, plan_file, actor="Admin", channel="import", now=LATER, today=TODAY, prune=True)
            uow.commit()

        overdue, summary = bot.ok("overdue").text, bot.ok("summary").text
        assert "Still here" in overdue and "Gone from the file" not in overdue
        assert "10% (1 action" in summary and "2 actions" not in summary  # the rollup leaves it out
        refused = bot.refused("2 50%")  # a removed action is not updated from chat
        assert "I can't find an action with the code '2'" in refused.text and "Nothing was changed" in refused.text
    finally:
        bot.runtime.close()


def test_a_removed_action_is_out_of_the_digest(tmp_path: Path) -> None:
    header = ["Plan", "Ref", "Action", "Lead", "Due date", "% complete"]
    rows = [["Board", "1", "Still here", "A", "31/01/2020", "10%"],
            ["Board", "2", "Gone from the file", "B", "31/01/2020", "20%"]]
    assert actionbot(tmp_path, "import", str(write_csv(tmp_path / "board.csv", [header, *rows]))).returncode == 0
    before = actionbot(tmp_path, "digest", "preview", "--plan", "Board")
    assert before.returncode == 0, before.stderr
    assert "Gone from the file" in before.stdout

    fewer = write_csv(tmp_path / "fewer.csv", [header, rows[0]])
    assert actionbot(tmp_path, "import", "--prune", str(fewer)).returncode == 0
    after = actionbot(tmp_path, "digest", "preview", "--plan", "Board")

    assert "Still here" in after.stdout and "Gone from the file" not in after.stdout


def test_sheets_of_one_workbook_that_share_a_plan_never_prune_each_other(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    for index, (name, rows) in enumerate([("Open actions", [["7", "Still open", "A"]]),
                                          ("Closed actions", [["3", "Done already", "B"]])]):
        sheet = book.active if index == 0 else book.create_sheet()
        sheet.title = name
        sheet.append(["Board Action Log"])
        sheet.append(["Ref", "Action", "Lead"])
        for row in rows:
            sheet.append(row)
    path = tmp_path / "log.xlsx"
    book.save(path)

    assert actionbot(tmp_path, "import", str(path)).returncode == 0
    again = actionbot(tmp_path, "import", "--prune", str(path))

    assert again.returncode == 0, again.stderr
    assert "No longer in the file" not in again.stdout
    exported = actionbot(tmp_path, "export", "--format", "csv").stdout
    assert "Still open" in exported and "Done already" in exported
