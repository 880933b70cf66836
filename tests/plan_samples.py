"""Generated plan files for tests and bench/import_speed.py: large, and deliberately messy."""

from __future__ import annotations

import csv
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

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Plan")
    if title:
        sheet.append([title])
    sheet.append(list(SAMPLE_HEADER))
    for code, title_text, team, due, update, progress in sample_rows(count):
        sheet.append([code, title_text, team, due, update, progress / 100])
    workbook.save(path)
    workbook.close()
    # write-only sheets cannot style cells; set the % format so the reader sees percentages
    book = openpyxl.load_workbook(path)
    for row in book["Plan"].iter_rows(min_row=3 if title else 2, min_col=6, max_col=6):
        row[0].number_format = "0%"
    book.save(path)
    book.close()
    return path
