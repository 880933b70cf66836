"""Action codes as people type them, and how they resolve to one action.

A canonical code is `HSCM COMM AP2.5.1`. People type the full code, its tail (`AP2.5.1`,
`ap2.5.1`) or the bare number (`2.5.1`). Matching is on whole keys, never on prefixes, so
`AP2.1` never matches `AP2.10` and `AP2.1.1a` never matches `AP2.1.1b`.
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass

_SPACES = re.compile(r"\s+")
_LEADING_LETTERS = re.compile(r"^[A-Za-z]+(?=\d)")


def normalise(code: str) -> str:
    """Upper case, single spaces: the key a full code is matched on."""
    return _SPACES.sub(" ", code.strip()).upper()


def code_tail(code: str) -> str:
    """`HSCM COMM AP2.5.1` -> `AP2.5.1` (upper case)."""
    norm = normalise(code)
    return norm.rsplit(" ", 1)[-1] if norm else norm


@functools.lru_cache(maxsize=65536)
def code_number(code: str) -> str:
    """`HSCM COMM AP2.5.1a` -> `2.5.1A`: the tail without its letter prefix."""
    return _LEADING_LETTERS.sub("", code_tail(code))


def section_number(code: str) -> str:
    """`AP2.5` or `HSCM COMM AP2.5` or `2.5` -> `2.5`."""
    return code_number(code)


def key_kind(typed: str) -> str:
    """Which key a typed code is matched on: "full", "tail" or "number"."""
    norm = normalise(typed)
    if " " in norm:
        return "full"
    if _LEADING_LETTERS.match(norm):
        return "tail"
    return "number"


def typed_key(typed: str) -> tuple[str, str]:
    kind = key_kind(typed)
    if kind == "full":
        return kind, normalise(typed)
    if kind == "tail":
        return kind, code_tail(typed)
    return kind, code_number(typed)


@dataclass(frozen=True)
class CodeCandidate:
    code: str
    plan: str
    id: int | None = None


def matches(typed: str, candidate: str) -> bool:
    """Whole-key match of what was typed against one canonical code."""
    kind, key = typed_key(typed)
    if kind == "full":
        return normalise(candidate) == key
    if kind == "tail":
        return code_tail(candidate) == key
    return code_number(candidate) == key


def _display_tail(code: str) -> str:
    """The tail as the plan writes it (`AP2.1.1a`, not `AP2.1.1A`)."""
    return _SPACES.sub(" ", code.strip()).rsplit(" ", 1)[-1]


def nearest(typed: str, codes: list[str], limit: int = 3) -> list[str]:
    """The codes most like what was typed, for "did you mean" answers.

    Codes under what was typed come first (`AP2.1` -> `AP2.1.1a`, `AP2.1.2a`, …; `2.1.1` ->
    `AP2.1.1a`, `AP2.1.1b`), then codes of the same section, then spelling neighbours.
    """
    kind, key = typed_key(typed)

    def key_of(code: str) -> str:
        return normalise(code) if kind == "full" else code_tail(code) if kind == "tail" else code_number(code)

    by_key: dict[str, str] = {}
    for code in codes:
        by_key.setdefault(key_of(code), code)
    def under(candidate: str) -> bool:
        rest = candidate[len(key):] if candidate.startswith(key) else None
        return bool(rest) and (rest.startswith(".") or rest.isalpha())  # type: ignore[union-attr]

    close = [k for k in by_key if under(k)][:limit]
    if not close:
        stem = key.rsplit(".", 1)[0] + "."
        close = [k for k in by_key if k.startswith(stem)][:limit]
    if not close:
        close = difflib.get_close_matches(key, list(by_key), n=limit, cutoff=0.6)
    return [_display_tail(by_key[k]) for k in close]
