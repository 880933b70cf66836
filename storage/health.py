"""What /readyz asks storage: can the database be reached, and is its schema the one this code expects."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from storage.schema import SCHEMA_HEAD, current_revision


def database_problems(engine: Engine) -> dict[str, str]:
    """{"database": sentence} or {"schema": sentence}; empty when both are fine."""
    try:
        revision = current_revision(engine)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:200]
        return {"database": f"the database cannot be reached ({type(exc).__name__}: {reason})"}
    if revision != SCHEMA_HEAD:
        return {"schema": f"the database schema is at {revision or 'no revision'}, this actionbot needs "
                          f"{SCHEMA_HEAD}; run `actionbot db upgrade`"}
    return {}
