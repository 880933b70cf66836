"""Errors storage raises, so callers can answer a person without knowing SQLAlchemy.

This module imports nothing but the standard library: a fake unit of work and the handlers
can raise and catch the same errors without loading SQLAlchemy.
"""

from __future__ import annotations


class StorageError(Exception):
    """Something storage could not do; the message is a sentence a person can read."""


class NotFound(StorageError, LookupError):
    """The plan, action or person named does not exist."""


class Duplicate(StorageError, ValueError):
    """A row with the same unique key (plan name, action code, person name) exists."""


class DuplicateIdentity(Duplicate):
    """A chat or mail identity is already linked to a person."""


class SchemaTooNew(StorageError):
    """The database was migrated by a newer actionbot than this one."""


def is_connection_lost(exc: BaseException) -> bool:
    """True when `exc` (or what caused it) says the database connection broke: the server
    restarted, an administrator ended the session, the network dropped. SQLAlchemy marks such
    errors `connection_invalidated` and drops the connection from its pool; the unit of work
    they interrupted was rolled back by the server, so it can be run again as a whole."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if getattr(current, "connection_invalidated", False):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False
