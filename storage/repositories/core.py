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

from sqlalchemy import CursorResult, Executable
from sqlalchemy.orm import Session


def core(session: Session, statement: Executable, params: Mapping[str, Any] | None = None) -> CursorResult[Any]:
    session.flush()  # a no-op unless ORM objects are pending
    return session.connection().execute(statement, dict(params) if params else None)


def dialect_insert(session: Session) -> Any:
    """`insert` of the session's own dialect (for ON CONFLICT), imported on first use: a
    SQLite command never loads SQLAlchemy's PostgreSQL dialect (a fifth of its import time)."""
    name = "postgresql" if session.get_bind().dialect.name == "postgresql" else "sqlite"
    return importlib.import_module(f"sqlalchemy.dialects.{name}").insert
