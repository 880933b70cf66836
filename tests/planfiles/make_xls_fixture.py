"""Writes tests/fixtures/planfiles/audit_tracker.xls, the Excel 97-2003 workbook the .xls test reads.

Nothing in the project can write the old binary format, so the fixture is made once with xlwt
(not a dependency: `pip install --target /tmp/xlwt xlwt`, then
`PYTHONPATH=/tmp/xlwt python tests/planfiles/make_xls_fixture.py`). Its content is ours: an
internal-audit actions log as issue 16 describes one.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "fixtures" / "planfiles" / "audit_tracker.xls"


def main() -> None:
    import xlwt  # type: ignore[import-not-found]

    book = xlwt.Workbook()
    sheet = book.add_sheet("Audit actions")
    date_style = xlwt.easyxf(num_format_str="DD/MM/YYYY")
    percent_style = xlwt.easyxf(num_format_str="0%")
    rows = [
        ["Internal Audit Actions Log"],
        ["REF NO", "Date raised", "Recommendation", "Priority", "Management Action Agreed", "ACCOUNTABLE OFFICER",
         "Original Agreed Implementation Date", "Revised Implementation Date", "Status", "% Complete"],
        ["IA/01", datetime(2023, 4, 3), "Keep a register", "High", "Publish a contracts register", "Finance Director",
         datetime(2023, 9, 30), datetime(2024, 3, 31), "Complete", 1.0],
        ["IA/02", datetime(2023, 4, 3), "Report waivers", "Medium", "Report waivers quarterly", "Finance Director",
         datetime(2023, 12, 31), None, "On track", 0.5],
        ["IA/03", datetime(2023, 6, 1), "Train staff", "Low", "Train budget holders", "People Director",
         datetime(2024, 1, 31), None, "Not started", 0.0],
    ]
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, datetime):
                sheet.write(r, c, value, date_style)
            elif isinstance(value, float):
                sheet.write(r, c, value, percent_style)
            else:
                sheet.write(r, c, value)
    book.save(str(OUT))


if __name__ == "__main__":
    main()
