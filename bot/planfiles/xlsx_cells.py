"""The cells of an `.xlsx` workbook, fast: values from python-calamine, formats from the XML.

openpyxl's read-only mode builds a Python object per cell and is the slow part of a large
import. python-calamine reads the values (text, numbers, dates) in Rust, many times faster,
but not the number formats that say what a number means: 0.25 in a `0%` cell is 25%, and a
date in an `mmm-yy` cell means its month. Those come from a scan of the sheet's XML for the
few cells whose style is a percentage or a month-and-year date (styles.xml says which).

Rows come out as the other workbook reader's did: (row number, values with trailing empties
dropped, indexes of percentage cells); month-and-year dates are already their month's end.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from bot.planfiles.values import month_end

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_PERCENT_BUILTIN = {9, 10}
_MONTH_YEAR_BUILTIN = {17}  # mmm-yy
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*)>")
_REF = re.compile(rb'\br="([A-Z]{1,3})([0-9]{1,7})"')
_STYLE = re.compile(rb'\bs="([0-9]{1,6})"')
_FORMAT_NOISE = re.compile(r'\[[^\]]*\]|"[^"]*"|\\.')

Row = tuple[int, list[Any], frozenset[int]]


class CellsError(ValueError):
    """The workbook cannot be read this way (the caller falls back to openpyxl)."""


def month_year_format(number_format: str) -> bool:
    """A date format that shows a month and year but no day (`mmm-yy`, `mmmm yyyy`)."""
    shown = _FORMAT_NOISE.sub("", number_format.split(";")[0]).lower()
    return "m" in shown and "y" in shown and "d" not in shown and "h" not in shown and "s" not in shown


class FastWorkbook:
    """Sheet names and rows of one workbook; `close()` when done."""

    def __init__(self, path: Path) -> None:
        from python_calamine import CalamineWorkbook

        try:
            self._book = CalamineWorkbook.from_path(str(path))
            self._zip = zipfile.ZipFile(path)
            self._percent, self._month_year = _style_kinds(self._zip)
            self._sheet_xml = _sheet_paths(self._zip)
        except Exception as exc:  # calamine and a damaged ZIP raise many kinds of error
            raise CellsError(str(exc)) from exc
        self.sheetnames: list[str] = list(self._book.sheet_names)

    def close(self) -> None:
        self._zip.close()
        self._book.close()

    def rows(self, name: str) -> Iterator[Row]:
        try:
            grid = self._book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except Exception as exc:
            raise CellsError(f"sheet {name!r}: {exc}") from exc
        percent, month_year = self._styled_cells(name)
        for index, cells in enumerate(grid):
            number = index + 1
            values = [_value(cell) for cell in cells]
            while values and (values[-1] is None or (isinstance(values[-1], str) and not values[-1].strip())):
                values.pop()
            percent_here = frozenset(percent.get(number, ()))
            for column in month_year.get(number, ()):
                if column < len(values) and isinstance(values[column], date):
                    values[column] = month_end(values[column])
            yield number, values, frozenset(c for c in percent_here if c < len(values)
                                            and isinstance(values[c], (int, float)))

    def _styled_cells(self, name: str) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
        """Row -> columns of percentage cells, and of month-and-year cells."""
        percent: dict[int, list[int]] = {}
        month_year: dict[int, list[int]] = {}
        path = self._sheet_xml.get(name)
        if path is None or not (self._percent or self._month_year):
            return percent, month_year
        data = self._zip.read(path)
        for match in _CELL.finditer(data):
            attributes = match.group(1)
            style = _STYLE.search(attributes)
            if style is None:
                continue
            index = int(style.group(1))
            target = percent if index in self._percent else month_year if index in self._month_year else None
            if target is None:
                continue
            ref = _REF.search(attributes)
            if ref is not None:
                target.setdefault(int(ref.group(2)), []).append(_column_index(ref.group(1)))
        return percent, month_year


def _value(cell: Any) -> Any:
    """Calamine's cell as openpyxl gave it: "" -> None, whole floats -> int, dates -> datetime."""
    if cell == "" or cell is None:
        return None
    if isinstance(cell, float) and cell.is_integer():
        return int(cell)
    if isinstance(cell, datetime):
        return cell
    if isinstance(cell, date):
        return datetime.combine(cell, time(0))
    return cell


def _column_index(letters: bytes) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + letter - 64
    return index - 1


def _style_kinds(archive: zipfile.ZipFile) -> tuple[frozenset[int], frozenset[int]]:
    """Indexes of cell styles (cellXfs) that format numbers as percentages, and as month-year dates."""
    try:
        root = ElementTree.fromstring(archive.read("xl/styles.xml"))
    except KeyError:
        return frozenset(), frozenset()
    formats = {int(f.get("numFmtId", "0")): f.get("formatCode", "") for f in root.iter(f"{_MAIN}numFmt")}
    percent: set[int] = set()
    month_year: set[int] = set()
    xfs = root.find(f"{_MAIN}cellXfs")
    for index, xf in enumerate(xfs if xfs is not None else []):
        number_format = int(xf.get("numFmtId", "0"))
        code = formats.get(number_format, "")
        if number_format in _PERCENT_BUILTIN or "%" in code:
            percent.add(index)
        elif number_format in _MONTH_YEAR_BUILTIN or (code and month_year_format(code)):
            month_year.add(index)
    return frozenset(percent), frozenset(month_year)


def _sheet_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> the path of its XML in the archive."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_PKG_REL}Relationship")}
    paths = {}
    for sheet in workbook.iter(f"{_MAIN}sheet"):
        target = targets.get(sheet.get(f"{_REL}id"), "")
        if target:
            paths[sheet.get("name", "")] = target.lstrip("/") if target.startswith("/") else \
                posixpath.normpath(posixpath.join("xl", target))
    return paths
