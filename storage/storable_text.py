"""Text every database accepts: what PostgreSQL refuses is taken out before it is sent.

PostgreSQL's text types cannot hold NUL (U+0000): psycopg refuses the parameter ("PostgreSQL
text fields cannot contain NUL (0x00) bytes") and the whole unit of work fails. Lone
surrogates (U+D800-U+DFFF) cannot be encoded as UTF-8 at all; Python's email package makes
them from bytes it cannot decode (surrogateescape). A mail with either in its body used to go
to "Needs attention" instead of becoming an entry. Neither character carries meaning a person
reads, so both are removed, on every backend (a database moved from SQLite to PostgreSQL must
not fail on rows SQLite accepted).

It happens at one point per engine, for every statement: `strip_unstorable` runs on the
parameters just before they reach the driver (ORM flushes, the prebuilt Core statements of
storage.repositories.core, text() alike), and `dumps_storable` serialises JSON columns (their
strings are escaped inside the JSON text, out of reach of the first). Bytes (attachments) are
left exactly as they are.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(text: str) -> str:
    """`text` without NUL and lone surrogates (the same object when it has neither)."""
    if text.isascii():
        return text.replace("\x00", "") if "\x00" in text else text
    return _UNSTORABLE.sub("", text) if _UNSTORABLE.search(text) else text



def _clean_row(row: Any) -> Any:
    """One statement's parameters: a dict (named) or a tuple/list (positional)."""
    if isinstance(row, Mapping):
        for value in row.values():  # a plain loop: this runs for every row of a 10,000-row import
            if isinstance(value, str) and storable(value) is not value:
                return {k: storable(v) if isinstance(v, str) else v for k, v in row.items()}
        return row
    if isinstance(row, (tuple, list)):
        for value in row:
            if isinstance(value, str) and storable(value) is not value:
                return type(row)(storable(v) if isinstance(v, str) else v for v in row)
        return row
    return row


def strip_unstorable(_connection: Any, _cursor: Any, statement: str, parameters: Any, _context: Any,
                     executemany: bool) -> tuple[str, Any]:
    """A `before_cursor_execute` listener (retval=True): the statement with storable parameters."""
    if not parameters:
        return statement, parameters
    if executemany and isinstance(parameters, Sequence) and not isinstance(parameters, (str, bytes)):
        cleaned = [_clean_row(row) for row in parameters]
        if any(new is not old for new, old in zip(cleaned, parameters)):
            return statement, type(parameters)(cleaned) if isinstance(parameters, tuple) else cleaned
        return statement, parameters
    return statement, _clean_row(parameters)


def _storable_json(value: Any) -> Any:
    if isinstance(value, str):
        return storable(value)
    if isinstance(value, Mapping):
        return {_storable_json(k): _storable_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_storable_json(v) for v in value]
    return value


def dumps_storable(value: Any) -> str:
    """json.dumps for JSON columns, with every string in `value` storable."""
    text = json.dumps(value)  # ASCII: a NUL shows as \u0000, a surrogate (lone or paired) as \udXXX
    if "\\u0000" not in text and "\\ud" not in text:
        return text  # nothing to take out: the same text, without walking the value
    return json.dumps(_storable_json(value))
