"""Cells we write to CSV and Excel stay inert: text is never read back as a formula.

A spreadsheet treats a cell that starts with `=`, `+`, `-` or `@` as a formula, and so (after
trimming) one that starts with a tab or a carriage return: a status note typed as
`=HYPERLINK("http://evil.example/x","click")` would become a live link in the committee's
workbook. OWASP's advice (https://owasp.org/www-community/attacks/CSV_Injection, as of 2025):
put a single quote before such a cell, and quote every cell (the csv module does the quoting).

Only text is touched. A number written as a number (a progress of 40, a count of -2 days) or a
date stays what it is; "-5 days late" typed as text gets the quote. Our importers take the
quote off again (`restore_cell`), so an export imports back unchanged.
"""

from __future__ import annotations

from typing import Any

FORMULA_TRIGGERS = frozenset("=+-@\t\r")
QUOTE = "'"


def inert_cell(value: Any) -> Any:
    """Text starting with a formula trigger gets a leading `'`; anything else is returned as is."""
    if isinstance(value, str) and value[:1] in FORMULA_TRIGGERS:
        return QUOTE + value
    return value


def restore_cell(text: str) -> str:
    """The text `inert_cell` was given: the quote before a formula trigger comes off."""
    if text[:1] == QUOTE and text[1:2] in FORMULA_TRIGGERS and len(text) > 1:
        return text[1:]
    return text


def inert_sheet_cell(cell: Any) -> None:
    """An openpyxl cell made inert in place: text is stored as text (data_type "s"), never as a
    formula, and quoted as `inert_cell` does so that a copy saved as CSV stays inert too.

    openpyxl reads any string starting with "=" as a formula when it is assigned, so the type is
    set after the value; numbers, dates and booleans keep their own type."""
    if isinstance(cell.value, str):
        cell.value = inert_cell(cell.value)
        cell.data_type = "s"
