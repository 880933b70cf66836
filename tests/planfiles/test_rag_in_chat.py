"""The file's own RAG and status words shown in chat beside our derived status (issue 16, item 2)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import make_testbot
from tests.planfiles.trackers import write_csv


def test_status_and_section_summary_show_what_the_file_said(tmp_path: Path) -> None:
    rows = [["Ref", "Action", "Lead Officer", "Target date", "RAG", "Direction of travel", "Progress update"],
            ["1", "Recruit two social workers", "Service Manager", "31/03/2027", "Amber", "Improving", "One post filled"],
            ["2", "Publish the market position statement", "Commissioning Manager", "Mar-27", "R", "Declining",
             "Delayed by data"],
            ["3", "Review the charging policy", "Finance Lead", "31.12.26", "", "", "On track"]]
    bot = make_testbot(tmp_path, example_plan=write_csv(tmp_path / "plan.csv", rows))
    try:
        status = bot.ok("status 2").text
        assert "The plan file says: RAG Red · direction declining" in status
        assert "Status: Not started" in status  # ours, beside theirs
        summary = bot.ok("summary 1").text
        assert "(file RAG Amber)" in summary and "(file RAG Red)" in summary
        line_3 = next(line for line in summary.splitlines() if "charging policy" in line)
        assert "RAG" not in line_3  # no RAG in the file, none shown
        assert "The plan file says" not in bot.ok("status 3").text
    finally:
        bot.runtime.close()
