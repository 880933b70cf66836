"""The tests run from a fresh clone with nothing beside it: no test, helper or CI step reads a
corpus from a folder next to the repository, and every fixture says where it comes from
(tests/fixtures/SOURCES.md), so what we may redistribute is checked, not remembered."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TESTS = REPO / "tests"
FIXTURES = TESTS / "fixtures"
SOURCES = FIXTURES / "SOURCES.md"

_OUTSIDE = [
    (re.compile(r"\.\.[/\\]shared\b"), "a path into the folder beside the repository"),
    (re.compile(r"\bshared[/\\](corpora|seeds)\b"), "the shared corpora or seeds"),
    (re.compile(r"""["']shared["']"""), "a path component named after the shared folder"),
    (re.compile(r"\b(REPO|ROOT)\.parents?\b"), "a folder above the repository"),
    (re.compile(r"\.parents\[\s*\d*\s*:"), "a walk up through every parent folder"),
]
# `Path(__file__).resolve()` followed by .parent, .parent, …: more steps than the file is deep
# leaves the repository. `.parents[n]` is n + 1 steps.
_PARENT_STEPS = re.compile(r"__file__\)\.resolve\(\)((?:\.parent\b)+)")
_PARENTS_INDEX = re.compile(r"__file__\)\.resolve\(\)\.parents\[\s*(\d+)\s*\]")


def _scanned_files() -> list[Path]:
    # This file is left out: its examples of what the scan catches would match. The examples
    # test below shows the patterns work on them.
    files = [p for p in TESTS.rglob("*") if p.is_file() and "__pycache__" not in p.parts
             and p.suffix != ".pyc" and p != Path(__file__).resolve()]
    return sorted(files + [REPO / ".ci" / "run"])


def _lookups_outside(relative: Path, text: str) -> list[str]:
    depth = len(relative.parts)  # tests/conftest.py: two steps up is the repository
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        where = f"{relative.as_posix()}:{number}: {line.strip()[:120]}"
        for pattern, what in _OUTSIDE:
            if pattern.search(line):
                found.append(f"{where}  ({what})")
        for steps in _PARENT_STEPS.finditer(line):
            if steps.group(1).count(".parent") > depth:
                found.append(f"{where}  (climbs out of the repository)")
        for index in _PARENTS_INDEX.finditer(line):
            if int(index.group(1)) + 1 > depth:
                found.append(f"{where}  (climbs out of the repository)")
    return found


def test_no_test_or_ci_step_reads_beside_the_repository() -> None:
    found = [hit for path in _scanned_files()
             for hit in _lookups_outside(path.relative_to(REPO), path.read_bytes().decode("utf-8", "replace"))]
    assert not found, "tests must read only what is in the repository (copy it into tests/fixtures):\n" + \
        "\n".join(found)


def test_the_scan_names_the_file_and_line_of_a_lookup_beside_the_repository() -> None:
    helper = "\n".join([
        "from pathlib import Path",
        # Assembled, so a plain search of tests/ for a lookup beside the repository finds
        # only real ones, not this example.
        'EMAILS = REPO.parent / "' + "sha" + 'red" / "corpora" / "emails"',
        "CORPUS = Path(__file__).resolve().parent.parent.parent / 'corpus'",
        "for folder in Path(__file__).resolve().parents[1:]: pass",
        "HERE = Path(__file__).resolve().parent.parent  # the repository itself: fine",
    ])
    found = _lookups_outside(Path("tests/a_helper.py"), helper)
    assert [hit.split(":")[1] for hit in found] == ["2", "2", "3", "4"], found
    assert found[0].startswith("tests/a_helper.py:2: EMAILS = REPO.parent")


def _listed_in_sources() -> set[str]:
    """The first cell of every table row in SOURCES.md: a path relative to tests/fixtures."""
    listed = set()
    for line in SOURCES.read_text(encoding="utf-8").splitlines():
        cell = re.match(r"^\|\s*`([^`]+)`\s*\|", line)
        if cell:
            listed.add(cell.group(1))
    return listed


def test_every_fixture_is_listed_in_sources_and_every_row_exists() -> None:
    present = {p.relative_to(FIXTURES).as_posix() for p in FIXTURES.rglob("*")
               if p.is_file() and p != SOURCES and "__pycache__" not in p.parts}
    listed = _listed_in_sources()
    assert not present - listed, f"fixtures with no row in tests/fixtures/SOURCES.md: {sorted(present - listed)}"
    assert not listed - present, f"rows in tests/fixtures/SOURCES.md with no file: {sorted(listed - present)}"


def test_no_gpl_sample_is_carried() -> None:
    # bestpractical/rt's sample mail is GPL-2.0; the project is MIT. Our own files cover the same cases.
    assert not sorted(FIXTURES.rglob("rt_*")), "rt_ samples (GPL-2.0) must not be carried"
