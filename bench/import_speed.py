"""Plan import speed: rows per second for a 10,000-row XLSX and CSV imported into SQLite
(read + map + write + history, committed), beside openpyxl's own read of the same workbook
(iterating every cell in read-only mode), as a ratio. The target (issue 16): the whole XLSX
import within 2x of that read. The import reads cells with python-calamine
(bot.planfiles.xlsx_cells), so reading is now well under the openpyxl figure; the rest is
writing the actions and their history (one executemany INSERT each).

    python bench/import_speed.py [--rows 10000] [--repeat 3] [--one-by-one]

`--one-by-one` also times the import without the bulk path (`uow.actions.add` and
`uow.history.append` per row, five-odd queries each) to show what `add_many` saves.
Each figure is the best of --repeat runs, each into a fresh, migrated database (migration untimed).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.planfiles.apply import import_plan  # noqa: E402
from bot.planfiles.readers import read_plan_files  # noqa: E402
from storage import make_engine, unit_of_work_factory, upgrade  # noqa: E402
from tests.plan_samples import write_sample_csv, write_sample_xlsx  # noqa: E402

sys.path.insert(0, str(REPO / "bench"))
from figures import emit  # noqa: E402

TODAY = date(2024, 1, 1)
NOW = datetime(2024, 1, 1, 9, 0, tzinfo=timezone.utc)


class _OneByOne:
    """Hides add_many / append_many so import_plan falls back to one call per row."""

    def __init__(self, inner: object) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> object:
        if name in ("add_many", "append_many"):
            raise AttributeError(name)
        return getattr(self._inner, name)


def best_of(repeat: int, run: Callable[[int], None], prepare: Callable[[int], None] | None = None) -> float:
    """Best wall time of `run(n)`; `prepare(n)` (untimed) runs before each attempt."""
    times = []
    for attempt in range(repeat):
        if prepare is not None:
            prepare(attempt)
        started = time.perf_counter()
        run(attempt)
        times.append(time.perf_counter() - started)
    return min(times)


def fresh_db(folder: Path, tag: str) -> None:
    engine = make_engine(f"sqlite:///{folder / f'{tag}.db'}")
    try:
        upgrade(engine)  # migrations are not part of an import
    finally:
        engine.dispose()


def import_into(path: Path, folder: Path, tag: str, one_by_one: bool = False) -> None:
    engine = make_engine(f"sqlite:///{folder / f'{tag}.db'}")
    try:
        new_uow = unit_of_work_factory(engine)
        with new_uow() as uow:
            if one_by_one:
                uow.actions, uow.history = _OneByOne(uow.actions), _OneByOne(uow.history)  # type: ignore[assignment]
            for plan_file in read_plan_files(path):
                report = import_plan(uow, plan_file, actor="bench", channel="import", now=NOW, today=TODAY)
                assert report.created == len(plan_file.rows) and not report.problems, report.problems[:3]
            uow.commit()
    finally:
        engine.dispose()


def openpyxl_read(path: Path) -> None:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    cell.value  # noqa: B018 - touching every value is the point
    finally:
        book.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--one-by-one", action="store_true", help="also time the import without the bulk path")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        xlsx = write_sample_xlsx(folder / "plan.xlsx", args.rows)
        csv = write_sample_csv(folder / "plan.csv", args.rows)
        floor = best_of(args.repeat, lambda _: openpyxl_read(xlsx))
        read_xlsx = best_of(args.repeat, lambda _: read_plan_files(xlsx))
        full_xlsx = best_of(args.repeat, lambda n: import_into(xlsx, folder, f"x{n}"),
                            lambda n: fresh_db(folder, f"x{n}"))
        full_csv = best_of(args.repeat, lambda n: import_into(csv, folder, f"c{n}"), lambda n: fresh_db(folder, f"c{n}"))
        rows = args.rows
        print(f"{rows:,} rows, best of {args.repeat}, SQLite, Python {sys.version.split()[0]}")
        print(f"  openpyxl read-only read of the xlsx   {floor:6.2f} s  {rows / floor:9,.0f} rows/s  (floor)")
        print(f"  xlsx read into a PlanFile             {read_xlsx:6.2f} s  {rows / read_xlsx:9,.0f} rows/s  "
              f"{read_xlsx / floor:4.1f}x the floor")
        print(f"  xlsx import (read + write + history)  {full_xlsx:6.2f} s  {rows / full_xlsx:9,.0f} rows/s  "
              f"{full_xlsx / floor:4.1f}x the floor")
        print(f"  csv import (read + write + history)   {full_csv:6.2f} s  {rows / full_csv:9,.0f} rows/s  "
              f"{full_csv / floor:4.1f}x the openpyxl floor")
        emit(f"import of a {rows:,}-row XLSX (read + write + history)", full_xlsx, "s", floor=floor,
             floor_name="openpyxl read-only read of the same workbook")
        emit(f"import of a {rows:,}-row CSV (read + write + history)", full_csv, "s", floor=floor,
             floor_name="openpyxl read-only read of the XLSX")
        if args.one_by_one:
            single = best_of(1, lambda n: import_into(xlsx, folder, f"s{n}", one_by_one=True),
                             lambda n: fresh_db(folder, f"s{n}"))
            print(f"  xlsx import, one add() per row        {single:6.2f} s  {rows / single:9,.0f} rows/s  "
                  f"{single / full_xlsx:4.1f}x the bulk import")


if __name__ == "__main__":
    main()
