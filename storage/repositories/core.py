"""Running a prebuilt Core statement inside a unit of work.

The hot path of a status update (claim the message, identify, find the action, list its
section for the rollup, save it, append history) runs a handful of statements per message.
Built once at import with bind parameters, each is compiled once and its cache key computed
once; executed on the session's connection, it skips the ORM's per-statement set-up. The
session stays the unit of work: the statement runs in its transaction, after it has flushed
anything the ORM still holds, so reads see every earlier write of the same unit of work.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Executable
from sqlalchemy.orm import Session

from storage.repositories.prebuilt import Prebuilt


def core(session: Session, statement: Executable | Prebuilt, params: Mapping[str, Any] | None = None) -> Any:
    """The statement's result (a CursorResult, or for a `Prebuilt` on SQLite its `Rows`)."""
    session.flush()  # a no-op unless ORM objects are pending
    if isinstance(statement, Prebuilt):  # the statements of every chat update (see prebuilt)
        return statement.execute(session.connection(), params or {})
    return session.connection().execute(statement, dict(params) if params else None)


def dialect_insert(session: Session) -> Any:
    """`insert` of the session's own dialect (for ON CONFLICT), imported on first use: a
    SQLite command never loads SQLAlchemy's PostgreSQL dialect (a fifth of its import time)."""
    name = "postgresql" if session.get_bind().dialect.name == "postgresql" else "sqlite"
    return importlib.import_module(f"sqlalchemy.dialects.{name}").insert
