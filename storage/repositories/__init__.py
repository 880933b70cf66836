"""Repositories: each maps one group of tables to `bot.domain.model` objects and back.

The names load on first use (`from storage.repositories import DigestRepository` works), so
importing one repository does not load every other's tables.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from storage.repositories.actions import ActionRepository
    from storage.repositories.concerns import ConcernRepository, ProviderRepository
    from storage.repositories.digests import DigestRepository
    from storage.repositories.history import HistoryRepository
    from storage.repositories.inbound import InboundRepository
    from storage.repositories.mail import MailRepository
    from storage.repositories.people import PeopleRepository
    from storage.repositories.plans import PlanRepository

_HOMES = {
    "ActionRepository": "storage.repositories.actions",
    "ConcernRepository": "storage.repositories.concerns",
    "DigestRepository": "storage.repositories.digests",
    "HistoryRepository": "storage.repositories.history",
    "InboundRepository": "storage.repositories.inbound",
    "MailRepository": "storage.repositories.mail",
    "PeopleRepository": "storage.repositories.people",
    "PlanRepository": "storage.repositories.plans",
    "ProviderRepository": "storage.repositories.concerns",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'storage.repositories' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value
