"""Read a provider list (CSV or xlsx) for `actionbot providers import FILE`.

One provider per row; a header row names the columns, in any order and case:

| column            | also accepted as                                   | holds                          |
|-------------------|----------------------------------------------------|--------------------------------|
| name              | provider, provider name, organisation              | the provider's name (required) |
| aliases           | alias, also known as, other names                  | other names, `;`-separated     |
| domains           | domain, email domains, email domain, email         | mail domains, `;`-separated    |
| allocated officer | officer, cmo, contract monitoring officer, owner   | a person's name                |
| risk              | risk level, risk rating                            | high, medium or low            |

A row that cannot be used (no name, a risk that is not one of the three, a domain that is not
a domain, a name twice in the file) is named by its line and left out; the rest is imported.
Reading is pure: nothing here touches the database.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from bot.domain.monitoring import risk_from_words
from bot.domain.providers import domain_from_text

MAX_ROWS = 20_000
MAX_FILE_BYTES = 20_000_000
_COLUMNS: dict[str, str] = {
    "name": "name", "provider": "name", "provider name": "name", "organisation": "name", "organization": "name",
    "aliases": "aliases", "alias": "aliases", "also known as": "aliases", "other names": "aliases",
    "domains": "domains", "domain": "domains", "email domains": "domains", "email domain": "domains",
    "email": "domains", "mail domains": "domains",
    "allocated officer": "officer", "officer": "officer", "cmo": "officer", "owner": "officer",
    "contract monitoring officer": "officer",
    "risk": "risk", "risk level": "risk", "risk rating": "risk",
}
_SPLIT = re.compile(r"\s*[;|\n]\s*|\s*,\s*")


class ProviderFileError(ValueError):
    """The file as a whole cannot be read (the message says why and what to do)."""


@dataclass(frozen=True)
class ProviderLine:
    line: int
    name: str
    aliases: tuple[str, ...]
    domains: tuple[str, ...]
    officer: str | None
    risk: str | None


@dataclass(frozen=True)
class BadLine:
    line: int
    why: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.why}"


def _cell(value: object) -> str:
    return "" if value is None else " ".join(str(value).split()) if not isinstance(value, str) else value.strip()


def _many(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p.strip() for p in _SPLIT.split(text) if p.strip()))


def _rows_of(path: Path) -> list[tuple[int, list[str]]]:
    if not path.is_file():
        raise ProviderFileError(f"there is no file {path}.")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ProviderFileError(f"{path.name} is over {MAX_FILE_BYTES:,} bytes; a provider list is far smaller.")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_rows(path)
    if suffix not in (".csv", ".txt", ".tsv"):
        raise ProviderFileError(f"{path.name} is not a CSV or xlsx file; save the list as .csv or .xlsx.")
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes nearly anything
        raise ProviderFileError(f"{path.name} is not text.")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [(n, [_cell(c) for c in row]) for n, row in enumerate(csv.reader(io.StringIO(text), dialect), start=1)]


def _xlsx_rows(path: Path) -> list[tuple[int, list[str]]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise ProviderFileError(f"{path.name} could not be read as an xlsx workbook ({type(exc).__name__}).") from None
    try:
        sheet = book.worksheets[0]
        out = []
        for n, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            if n > MAX_ROWS + 50:
                break
            out.append((n, [_cell(c) for c in row]))
        return out
    finally:
        book.close()


def read_provider_file(path: Path) -> tuple[list[ProviderLine], list[BadLine]]:
    """The usable rows and the bad ones (by line). ProviderFileError when there is no header."""
    rows = _rows_of(path)
    header_at, columns = None, {}
    for n, cells in rows[:20]:
        found = {i: _COLUMNS[c.lower()] for i, c in enumerate(cells) if c.lower() in _COLUMNS}
        if "name" in found.values():
            header_at, columns = n, found
            break
    if header_at is None:
        raise ProviderFileError(f"{path.name} has no header row with a 'name' column (expected columns: name, "
                                "aliases, domains, allocated officer, risk).")
    good: list[ProviderLine] = []
    bad: list[BadLine] = []
    seen: dict[str, int] = {}
    for n, cells in rows:
        if n <= header_at or not any(cells):
            continue
        if len(good) + len(bad) >= MAX_ROWS:
            bad.append(BadLine(n, f"the file has more than {MAX_ROWS:,} providers; the rest was not read"))
            break
        values = {field: cells[i] if i < len(cells) else "" for i, field in columns.items()}
        problem = _problem(values, seen)
        if problem:
            bad.append(BadLine(n, problem))
            continue
        seen[values["name"].casefold()] = n
        domains = tuple(d for d in (domain_from_text(t) for t in _many(values.get("domains", ""))) if d)
        risk = values.get("risk", "").strip().lower() or None
        good.append(ProviderLine(n, " ".join(values["name"].split())[:200], _many(values.get("aliases", "")),
                                 domains, values.get("officer", "").strip() or None, risk))
    return good, bad


def _problem(values: dict[str, str], seen: dict[str, int]) -> str | None:
    name = " ".join(values.get("name", "").split())
    if not name:
        return "no provider name"
    if len(name) > 200:
        return "the name is over 200 characters"
    if name.casefold() in seen:
        return f"{name} is already on line {seen[name.casefold()]}"
    risk = values.get("risk", "").strip()
    if risk and risk_from_words(risk) is None:
        return f"risk '{risk}' is not one of high, medium, low"
    for text in _many(values.get("domains", "")):
        if domain_from_text(text) is None:
            return f"'{text}' is not an email domain (e.g. brightwell.co.uk)"
    return None
