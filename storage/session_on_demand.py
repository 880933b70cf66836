"""The unit of work's connection, with an ORM Session made only when a repository needs one.

A unit of work owns one SQLAlchemy Connection and its transaction. Repositories hold a
`SessionOnDemand` where they would hold a Session: the prebuilt Core statements
(storage.repositories.core) run on the connection itself, and the first call that needs the
ORM (a `scalars(select(PlanRow))`, an `add`, a `begin_nested`) makes a real Session bound to
that connection, joined to its transaction. A chat update's statements are all prebuilt, so
it never makes a Session: the Session's set-up, its per-statement connection lookup and its
commit bookkeeping were about 12% of the dispatcher's instructions for a Slack update (issue
18, docs/benchmarks-notes.md section 5, fourth round).

What a repository sees does not change: reads after writes in one unit of work see those
writes (ORM objects still pending are flushed before a Core statement runs), and commit and
rollback cover everything the unit of work did, Core and ORM alike.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection
from sqlalchemy.orm import Session

_NOTHING_LOADED: dict[Any, Any] = {}


class SessionOnDemand:
    """Stands in for a Session; see the module docstring."""

    __slots__ = ("_connection", "_orm", "lookups")

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._orm: Session | None = None
        # What the repositories of this unit of work found and share (a plan's id by the
        # name it was asked by: storage.repositories.plans.find_plan_key).
        self.lookups: dict[Any, Any] = {}

    # --- what the Core path uses, without making a Session --------------------------------
    def connection(self) -> Connection:
        """The unit of work's connection, in a transaction (begun again after a commit, as
        a Session would)."""
        connection = self._connection
        if not connection.in_transaction():
            connection.begin()
        return connection

    def flush(self) -> None:
        if self._orm is not None:
            self._orm.flush()

    def get_bind(self, *_args: Any, **_kwargs: Any) -> Connection:
        return self._connection

    @property
    def identity_map(self) -> Any:
        """The ORM's loaded rows (empty, and falsy, while no Session was needed)."""
        return self._orm.identity_map if self._orm is not None else _NOTHING_LOADED

    # --- everything else is the ORM's -------------------------------------------------------
    @property
    def orm(self) -> Session:
        if self._orm is None:
            self.connection()  # the Session joins the unit of work's transaction
            # "rollback_only": the Session's commit never commits the unit of work's
            # transaction (the unit of work does), its rollback rolls it back.
            self._orm = Session(bind=self._connection, expire_on_commit=False,
                                join_transaction_mode="rollback_only")
        return self._orm

    def __getattr__(self, name: str) -> Any:
        return getattr(self.orm, name)

    # --- the unit of work's own ---------------------------------------------------------------
    def commit(self) -> None:
        if self._orm is not None:
            self._orm.commit()  # flushes; ends the Session's part of the transaction
        if self._connection.in_transaction():
            self._connection.commit()

    def rollback(self) -> None:
        self.lookups.clear()  # what was found may have been written in what is rolled back
        if self._orm is not None:
            self._orm.rollback()
        if self._connection.in_transaction():
            self._connection.rollback()

    def close(self) -> None:
        """Roll back what was not committed and give the connection back to the pool."""
        try:
            try:
                if self._orm is not None:
                    self._orm.close()
            finally:
                if self._connection.in_transaction():
                    self._connection.rollback()
        finally:
            self._orm = None
            self._connection.close()
