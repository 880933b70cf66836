"""One instance at a time does a job (polling the shared mailbox) when several `actionbot run`
share one database.

PostgreSQL: a session advisory lock (`pg_try_advisory_lock`) taken on a connection of its own,
outside the pool, and held while leading. PostgreSQL releases it when that connection ends -
the leader's process died, its network dropped, an administrator ended the session - so
another instance's next try takes it. The leader checks its connection before each pass: one
whose connection is gone has lost the lock, lets two tries pass so another instance takes over,
and leads again only if it wins the lock back. (Between
that check and the pass the lock can change hands, so two instances may both poll once; the
mail log's Message-ID claim keeps that harmless, it only costs a second fetch.)

Advisory locks belong to one database; the key also names the schema, so two deployments in
two schemas of one database each have their own leader.

SQLite: a database file is not shared between machines, so one instance is assumed and it
always leads.
"""

from __future__ import annotations

import hashlib
import logging

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)


# After losing the lead, this many tries (one per poll period) are skipped.
HOLD_OFF_TRIES = 2


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for `name` (advisory locks are numbered)."""
    return int.from_bytes(hashlib.sha256(f"actionbot:{name}".encode()).digest()[:8], "big", signed=True)


class Leadership:
    def __init__(self, engine: Engine, job: str) -> None:
        self.job = job
        self.key: int | None = None  # known at the first connection (it names the schema)
        self._shared = engine.dialect.name == "postgresql"
        # Its own engine without a pool: the lock's connection is never handed to a unit of
        # work, and closing it really ends the session (and so the lock).
        self._engine = create_engine(engine.url, poolclass=NullPool) if self._shared else None
        self._connection: Connection | None = None
        # Tries to skip after losing the lead: an instance whose lock connection ended (often
        # its own network trouble) lets the others take over first rather than racing them.
        self._hold_off = 0

    @property
    def shared(self) -> bool:
        return self._shared

    def try_lead(self) -> bool:
        """True while this instance leads: keeps the lock it holds (its connection still
        answers) or tries to take it. Raises when the database cannot be reached at all."""
        if not self._shared:
            return True
        if self._connection is not None:
            try:
                self._connection.execute(text("SELECT 1"))
                return True
            except SQLAlchemyError:
                log.warning("lost the lead: the lock's database connection ended", extra={"job": self.job})
                self._drop()
                self._hold_off = HOLD_OFF_TRIES
        if self._hold_off:
            self._hold_off -= 1
            return False
        assert self._engine is not None
        # Autocommit: holding the lock must not hold a transaction open for hours.
        connection = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            if self.key is None:
                schema = connection.execute(text("SELECT current_schema()")).scalar()
                self.key = lock_key(f"{schema}:{self.job}")
            won = bool(connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}).scalar())
        except BaseException:
            connection.close()
            raise
        if not won:
            connection.close()
            return False
        self._connection = connection
        return True

    def release(self) -> None:
        """Stop leading now (shutdown): another instance's next try takes over."""
        if self._connection is not None:
            try:
                self._connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
            except SQLAlchemyError:
                pass  # the connection is gone, and the lock with it
            self._drop()
        if self._engine is not None:
            self._engine.dispose()

    def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.close()
            except SQLAlchemyError:
                pass
