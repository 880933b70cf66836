"""Storage: SQLAlchemy tables, repositories, the unit of work and migrations.

    from storage import make_engine, ensure_schema, unit_of_work_factory

The names below load on first use, so `import storage.errors` (for a fake unit of work or a
handler that catches `NotFound`) does not load SQLAlchemy, and nothing here loads Alembic.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from storage.engine import make_engine
    from storage.schema import ensure_schema, upgrade
    from storage.unit_of_work import SqlUnitOfWork, unit_of_work_factory

__all__ = ["make_engine", "upgrade", "ensure_schema", "SqlUnitOfWork", "unit_of_work_factory"]

_HOMES = {
    "make_engine": "storage.engine",
    "upgrade": "storage.schema",
    "ensure_schema": "storage.schema",
    "SqlUnitOfWork": "storage.unit_of_work",
    "unit_of_work_factory": "storage.unit_of_work",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'storage' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value
