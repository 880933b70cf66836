"""`actionbot import` / `actionbot export` on the seeds, as a user runs them (subprocess)."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl

from tests.test_cli import actionbot, loaded  # noqa: F401
from tests.test_plan_readers import SEED_000, SEED_001, SEED_002, SEED_003


def test_dry_run_of_seed_000_shows_mapping_changes_rollups_and_the_split_row(tmp_path: Path) -> None:
    result = actionbot(tmp_path, "import", "--dry-run", str(SEED_000))

    assert result.returncode == 1  # one row was not read: the split row, named on stderr
    out = result.stdout
    assert "'Agency' -> responsibility (who is responsible)" in out
    assert "'Status Icon' -> not imported" in out
    assert "Would import 'Moray Commissioning Team Improvement Plan 2023' from 000_9c76384fbf5439a1.txt: 34 new" in out
    assert "2.6 Strategy: the file reports 50% but its 1 action gives 100% (100%)." in out
    assert "line 37:" in result.stderr and "split off HSCM COMM AP2.1.2b" in result.stderr
    assert json.loads(actionbot(tmp_path, "export", "--format", "json").stdout) == []  # nothing written


def test_reimporting_seed_000_over_the_example_plan_updates_in_place(loaded: Path) -> None:  # noqa: F811
    result = actionbot(loaded, "import", str(SEED_000))

    assert "0 new" in result.stdout
    rows = json.loads(actionbot(loaded, "export", "--format", "json").stdout)
    assert len(rows) == 34


def test_seeds_without_codes_import_and_say_so(tmp_path: Path) -> None:
    improvement = actionbot(tmp_path, "import", str(SEED_002), "--plan", "IJB Improvement Plan")
    tasks = actionbot(tmp_path, "import", str(SEED_003))

    assert improvement.returncode == 0, improvement.stderr
    assert "63 new" in improvement.stdout and "63 rows had no code" in improvement.stdout
    assert "AP1.2.3: due 'In place' is not a date; kept as text." in improvement.stdout
    assert tasks.returncode == 0 and "12 new" in tasks.stdout
    status = actionbot(tmp_path, "say", "status AP1.1.1")
    assert "Mechanism to be developed" in status.stdout


def test_prose_is_a_clear_no_actions_found(tmp_path: Path) -> None:
    result = actionbot(tmp_path, "import", str(SEED_001))

    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "No actions found" in result.stderr


def test_map_overrides_a_column_and_bad_maps_are_explained(tmp_path: Path) -> None:
    plan = tmp_path / "plan.csv"
    plan.write_text("Ref,Thing,Who,When\nQA AP1.1,Audit files,Quality Team,Aug-23\n", encoding="utf-8")

    mapped = actionbot(tmp_path, "import", str(plan), "--plan", "QA", "--map", "Thing=title", "--dry-run")
    assert "'Thing' -> title (action title) [--map]" in mapped.stdout and "1 new" in mapped.stdout
    bad = actionbot(tmp_path, "import", str(plan), "--map", "Thing=colour")
    assert bad.returncode == 2 and "'colour' is not a field" in bad.stderr
    sheet = actionbot(tmp_path, "import", str(plan), "--sheet", "Plan")
    assert sheet.returncode == 2 and "--sheet only applies to Excel workbooks" in sheet.stderr


def test_export_xlsx_and_report_forms(loaded: Path) -> None:  # noqa: F811
    workbook = loaded / "plan.xlsx"
    assert actionbot(loaded, "export", "--format", "xlsx", "--out", str(workbook)).returncode == 0
    book = openpyxl.load_workbook(workbook, read_only=True)
    assert book.sheetnames == ["Moray Commissioning Team Improv", "Rollups"]
    book.close()
    again = actionbot(loaded, "import", str(workbook))
    assert "0 new, 0 updated, 34 unchanged" in again.stdout

    markdown = actionbot(loaded, "export", "--format", "report")
    assert markdown.stdout.startswith("# Moray Commissioning Team Improvement Plan 2023")
    for name in ("report.md", "report.html", "report.pdf"):
        result = actionbot(loaded, "export", "--format", "report", "--out", str(loaded / name), "--plan",
                           "Moray Commissioning Team Improvement Plan 2023")
        assert result.returncode == 0 and (loaded / name).stat().st_size > 1000, result.stderr
    assert (loaded / "report.pdf").read_bytes().startswith(b"%PDF")

    no_out = actionbot(loaded, "export", "--format", "xlsx")
    assert no_out.returncode == 2 and "--out plan.xlsx" in no_out.stderr
    docx = actionbot(loaded, "export", "--format", "report", "--out", str(loaded / "r.docx"))
    assert docx.returncode == 2 and ".md, .html or .pdf" in docx.stderr
