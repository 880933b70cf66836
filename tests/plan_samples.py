"""Generated plan files for tests and bench/import_speed.py: large, and deliberately messy."""

from __future__ import annotations

import atexit
import csv
import functools
import shutil
import tempfile
from datetime import date, timedelta
from pathlib import Path

SAMPLE_HEADER = ("Code", "Action Title", "Responsibility", "Due Date", "Latest Status Update", "Status Progress")
TEAMS = ("Commissioning Team", "Community Care Finance Team", "Service Manager", "HR")


def sample_rows(count: int) -> list[tuple[str, str, str, date, str, int]]:
    """`count` actions over sections 1.1 .. 1.N (100 actions each), codes SAMPLE AP1.<s>.<n>."""
    rows = []
    for index in range(count):
        section, number = divmod(index, 100)
        rows.append((
            f"SAMPLE AP1.{section + 1}.{number + 1}",
            f"Action {index + 1}: review contract {index % 97} and report to the board",
            TEAMS[index % len(TEAMS)],
            date(2024, 1, 31) + timedelta(days=index % 400),
            f"Update {index + 1}: meeting held, notes saved on the shared drive",
            (index * 5) % 105,
        ))
    return rows


def write_sample_csv(path: Path, count: int) -> Path:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(SAMPLE_HEADER)
        for code, title, team, due, update, progress in sample_rows(count):
            writer.writerow((code, title, team, due.strftime("%d-%b-%Y"), update, f"{progress}%"))
    return path


def write_sample_xlsx(path: Path, count: int, *, title: str | None = "Sample Plan") -> Path:
    """A workbook as people keep it: a title row, the header, real dates, % cells (0.25)."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Plan")
    if title:
        sheet.append([title])
    sheet.append(list(SAMPLE_HEADER))
    for code, title_text, team, due, update, progress in sample_rows(count):
        percent = WriteOnlyCell(sheet, value=progress / 100)
        percent.number_format = "0%"
        sheet.append([code, title_text, team, due, update, percent])
    workbook.save(path)
    workbook.close()
    return path


_CACHE_DIR: Path | None = None


@functools.lru_cache(maxsize=None)
def shared_sample(kind: str, count: int) -> Path:
    """One generated file per process (kind "xlsx" or "csv"), for tests that only read it."""
    global _CACHE_DIR
    if _CACHE_DIR is None:
        _CACHE_DIR = Path(tempfile.mkdtemp(prefix="actionbot-samples-"))
        atexit.register(shutil.rmtree, _CACHE_DIR, True)
    path = _CACHE_DIR / f"sample-{count}.{kind}"
    return write_sample_xlsx(path, count) if kind == "xlsx" else write_sample_csv(path, count)
