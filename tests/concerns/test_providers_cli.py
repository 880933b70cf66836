"""`actionbot providers …` and `actionbot export --log` as a user runs them (a subprocess on a
database the test set up through chat)."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from bot.providers_import import read_provider_file
from tests.concerns.conftest import TODAY, add_staff
from tests.conftest import TestBot, make_testbot

SECRET = "unexplained bruising on Mr Example"


def actionbot(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("ACTIONBOT_CONFIG", "ACTIONBOT_MAILDROP")}
    env.update({"ACTIONBOT_DATABASE_URL": f"sqlite:///{folder / 'bot.db'}", "ACTIONBOT_TODAY": TODAY.isoformat()})
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=folder, env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.fixture
def chatted(tmp_path: Path) -> Iterator[Path]:
    """Entries logged by chat before any provider was registered, one of them safeguarding."""
    bot = make_testbot(tmp_path, today=TODAY)
    try:
        add_staff(bot)
        bot.ok("concern Brightwell Homecare: missed calls on Tuesday")
        bot.ok("PQ-2026-0001 action chase rota @sam by Friday")
        bot.ok("complaint Riverside Care: family not told of the visit change")
        bot.ok(f"safeguarding Brightwell Homecare: {SECRET}", as_person="Jo Reid")
        bot.ok("PQ-2026-0003 action strategy meeting @Jo Reid by Friday", as_person="Jo Reid")
    finally:
        bot.runtime.close()
    yield tmp_path


PROVIDER_CSV = (
    "Name,Aliases,Domains,Allocated officer,Risk\n"
    "Brightwell Homecare,Brightwell;BHC,brightwell.example,Sam Patel,high\n"  # line 2
    ",no name here,,,\n"  # line 3
    "Riverside Care Services,Riverside,riverside.example,Fiona Grant,severe\n"  # line 4: bad risk
    "Oakwood Care Home,,not a domain,,low\n"  # line 5
    "Brightwell Homecare,,,,\n"  # line 6: twice
    "Sunrise Nursing Agency,Sunrise,sunrise.example,Nobody Known,low\n"  # line 7: officer unknown (a note)
)


def test_a_provider_file_with_bad_rows_names_them_and_imports_the_rest(chatted: Path) -> None:
    (chatted / "providers.csv").write_text(PROVIDER_CSV, encoding="utf-8")
    result = actionbot(chatted, "providers", "import", "providers.csv")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ("Imported providers.csv: 2 added, 0 updated. 2 earlier entries were linked to "
                                     "their provider.")
    assert "Not imported, line 3: no provider name." in result.stderr
    assert "Not imported, line 4: risk 'severe' is not one of high, medium, low." in result.stderr
    assert "Not imported, line 5: 'not a domain' is not an email domain" in result.stderr
    assert "Not imported, line 6: Brightwell Homecare is already on line 2." in result.stderr
    assert "Note, line 7: officer 'Nobody Known' is not a known person" in result.stderr
    listed = actionbot(chatted, "providers", "list").stdout.splitlines()
    assert listed == ["Brightwell Homecare\tBrightwell, BHC\tbrightwell.example\tSam Patel\thigh",
                      "Sunrise Nursing Agency\tSunrise\tsunrise.example\t-\tlow"]
    page = actionbot(chatted, "providers", "show", "Brightwell")
    assert page.returncode == 0, page.stderr
    assert "Open entries (2): 1 alert; 1 confidential (seen only with the safeguarding role)" in page.stdout
    assert "PQ-2026-0003/1 (confidential)" in page.stdout and SECRET not in page.stdout
    assert "strategy" not in page.stdout


def test_an_xlsx_provider_list_reads_like_the_csv(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Provider list, November 2026"])
    sheet.append(["Provider", "Email domain", "Risk level"])
    sheet.append(["Brightwell Homecare Ltd", "@Brightwell.example", "High"])
    sheet.append(["Riverside", "riverside.example", "extreme"])
    book.save(tmp_path / "providers.xlsx")
    good, bad = read_provider_file(tmp_path / "providers.xlsx")
    assert [(g.line, g.name, g.domains, g.risk) for g in good] == [
        (3, "Brightwell Homecare Ltd", ("brightwell.example",), "high")]
    assert [str(b) for b in bad] == ["line 4: risk 'extreme' is not one of high, medium, low"]


def test_add_links_earlier_entries_and_bad_options_change_nothing(chatted: Path) -> None:
    added = actionbot(chatted, "providers", "add", "Brightwell Homecare Ltd", "--domain", "brightwell.example",
                      "--officer", "Sam Patel", "--risk", "high")
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip().endswith("2 earlier entries naming it were linked.")
    for args, says in [
        (("providers", "add", "Oakwood", "--risk", "severe"), "risk 'severe' is not one of high, medium, low"),
        (("providers", "add", "Oakwood", "--officer", "Fion"), "there is no person called 'Fion'"),
        (("providers", "add", "Oakwood", "--domain", "brightwell.example"), "already belongs to Brightwell Homecare Ltd"),
        (("providers", "show", "Nowhere"), "There is no provider called 'Nowhere'"),
        (("providers", "schedule", "--due-within", "-3"), "--due-within is a number of days"),
    ]:
        result = actionbot(chatted, *args)
        assert result.returncode != 0 and says in result.stderr, (args, result.stderr)
    assert [line.split("\t")[0] for line in actionbot(chatted, "providers", "list").stdout.splitlines()] == [
        "Brightwell Homecare Ltd"]
    schedule = actionbot(chatted, "providers", "schedule", "--due-within", "31").stdout.splitlines()
    assert schedule == ["due\tprovider\tactivity\towner\tlast done\tstatus",
                        "2026-12-30\tBrightwell Homecare Ltd\tcall-monitoring review\tSam Patel\t-\tdue"]


def test_export_the_log_for_a_committee(chatted: Path) -> None:
    actionbot(chatted, "providers", "add", "Brightwell Homecare", "--domain", "brightwell.example")
    result = actionbot(chatted, "export", "--log", "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    entries = {r["reference"]: r for r in rows if r["record"] == "entry"}
    assert set(entries) == {"PQ-2026-0001", "PQ-2026-0002", "PQ-2026-0003"}
    assert entries["PQ-2026-0001"]["provider"] == "Brightwell Homecare"
    assert entries["PQ-2026-0002"]["provider"] == "Riverside Care (proposed)"
    assert entries["PQ-2026-0003"]["category"] == "safeguarding"
    assert entries["PQ-2026-0003"]["provider"] == "" and entries["PQ-2026-0003"]["text"] == ""
    assert SECRET not in result.stdout and "strategy" not in result.stdout
    actions = {r["reference"]: r for r in rows if r["record"] == "action"}
    assert actions["PQ-2026-0001/1"]["owner"] == "Sam Patel" and actions["PQ-2026-0003/1"]["text"] == "(confidential)"
    one = actionbot(chatted, "export", "--log", "--format", "csv", "--provider", "Riverside Care", "--from",
                    "2026-11-01", "--to", "2026-11-30")
    assert one.returncode != 0 and "There is no provider called 'Riverside Care'" in one.stderr

    assert actionbot(chatted, "export", "--log", "-f", "xlsx", "--out", "log.xlsx").returncode == 0
    book = openpyxl.load_workbook(chatted / "log.xlsx")
    assert book.sheetnames == ["Entries", "Actions", "Visits", "Timescales by provider", "Timescales by category"]
    assert [c.value for c in book["Entries"]["A"]][1:] == ["PQ-2026-0001", "PQ-2026-0002", "PQ-2026-0003"]
    for name in ("log.md", "log.html", "log.pdf"):
        made = actionbot(chatted, "export", "--log", "-f", "report", "--out", name)
        assert made.returncode == 0, made.stderr
        assert (chatted / name).stat().st_size > 500
    report = (chatted / "log.md").read_text(encoding="utf-8")
    assert "1 confidential entry is shown by reference and category only." in report and SECRET not in report
    assert "## Timescales met" in report


def test_only_the_safeguarding_role_exports_restricted_entries_and_it_is_recorded(chatted: Path) -> None:
    refused = actionbot(chatted, "export", "--log", "--include-restricted", "--as", "Sam Patel")
    assert refused.returncode != 0 and "needs a person with the safeguarding role" in refused.stderr
    assert "Nothing was written." in refused.stderr and refused.stdout == ""
    full = actionbot(chatted, "export", "--log", "--include-restricted", "--as", "Jo Reid")
    assert full.returncode == 0, full.stderr
    assert SECRET in full.stdout and "strategy meeting" in full.stdout
    log = actionbot(chatted, "concerns", "access-log").stdout
    assert "PQ-2026-0003\t" in log and "\tJo Reid\tcli\tprivate\texport\tallowed" in log


def test_the_chat_and_the_cli_show_the_same_page(chatted: Path) -> None:
    actionbot(chatted, "providers", "add", "Brightwell Homecare")
    bot: TestBot = make_testbot(chatted, today=TODAY)
    try:
        chat = bot.ok("provider Brightwell", as_person="Sam Patel").text
    finally:
        bot.runtime.close()
    assert actionbot(chatted, "providers", "show", "Brightwell").stdout.strip() == chat.strip()
