"""One unit of work per inbound message: one connection, one transaction.

The repositories share a `SessionOnDemand` (storage.session_on_demand): the connection, with
an ORM Session made only when one of them needs the ORM."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from storage.engine import WRITER_GATE_TIMEOUT_S, writer_gate
from storage.repositories.actions import ActionRepository
from storage.repositories.history import HistoryRepository
from storage.repositories.inbound import InboundRepository
from storage.repositories.people import PeopleRepository
from storage.repositories.plans import PlanRepository
from storage.session_on_demand import SessionOnDemand

if TYPE_CHECKING:
    from storage.repositories.concerns import ConcernRepository, ProviderRepository
    from storage.repositories.digests import DigestRepository
    from storage.repositories.mail import MailRepository
    from storage.repositories.monitoring import MonitoringRepository
    from storage.repositories.reminders import ReminderRepository
    from storage.repositories.teams_conversations import TeamsConversationRepository

# Repositories (and their tables) loaded the first time a unit of work asks for one: a
# message about an action never loads the concern log's, the mailbox's, the digests', the
# monitoring schedule's or the reminders' tables, a good part of a cold `actionbot say`
# (issue 18).
_LAZY = {
    "concerns": "storage.repositories.concerns:ConcernRepository",
    "providers": "storage.repositories.concerns:ProviderRepository",
    "mail": "storage.repositories.mail:MailRepository",
    "digests": "storage.repositories.digests:DigestRepository",
    "monitoring": "storage.repositories.monitoring:MonitoringRepository",
    "reminders": "storage.repositories.reminders:ReminderRepository",
    "teams_conversations": "storage.repositories.teams_conversations:TeamsConversationRepository",
}


class SqlUnitOfWork:
    """`with uow: ...; uow.commit()`. Leaving the block without commit(), or with an
    exception, rolls back everything the block wrote."""

    plans: PlanRepository
    actions: ActionRepository
    history: HistoryRepository
    people: PeopleRepository
    inbound: InboundRepository
    teams_conversations: TeamsConversationRepository
    concerns: ConcernRepository
    providers: ProviderRepository
    mail: MailRepository
    digests: DigestRepository
    monitoring: MonitoringRepository  # the providers' monitoring schedule and `due_items`
    reminders: ReminderRepository

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._session: SessionOnDemand | None = None
        self._gate = writer_gate(engine)

    def __enter__(self) -> SqlUnitOfWork:
        if self._session is not None:
            raise RuntimeError("this unit of work is already open; make a new one per message")
        if self._gate is not None:
            self._gate.acquire(WRITER_GATE_TIMEOUT_S)
        try:
            return self._open()
        except BaseException:
            if self._gate is not None:
                self._gate.release()
            raise

    def _open(self) -> SqlUnitOfWork:
        # Rows are mapped to domain objects at once, so nothing needs reloading after commit.
        # The transaction begins with the first statement (BEGIN IMMEDIATE on SQLite).
        session: Any = SessionOnDemand(self._engine.connect())  # a Session to the repositories
        self._session = session
        self.plans = PlanRepository(session)
        self.actions = ActionRepository(session)
        self.history = HistoryRepository(session)
        self.people = PeopleRepository(session)
        self.inbound = InboundRepository(session)
        for name in _LAZY:  # made again, on first use, for this session
            self.__dict__.pop(name, None)
        return self

    def __getattr__(self, name: str) -> Any:
        spec = _LAZY.get(name)
        if spec is None or self.__dict__.get("_session") is None:
            raise AttributeError(f"{type(self).__name__!r} has no attribute {name!r} (outside `with`, or unknown)")
        module_name, class_name = spec.split(":")
        repository = getattr(importlib.import_module(module_name), class_name)(self._session)
        setattr(self, name, repository)
        return repository

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        session, self._session = self._session, None
        if session is not None:
            try:
                session.close()  # rolls back what commit() did not commit
            finally:
                if self._gate is not None:
                    self._gate.release()

    def commit(self) -> None:
        self._open_session().commit()

    def rollback(self) -> None:
        self._open_session().rollback()

    def _open_session(self) -> SessionOnDemand:
        if self._session is None:
            raise RuntimeError("use the unit of work inside `with`")
        return self._session


def unit_of_work_factory(engine: Engine) -> Callable[[], SqlUnitOfWork]:
    """What the composition root hands the dispatcher: call it once per inbound message."""

    def new_unit_of_work() -> SqlUnitOfWork:
        return SqlUnitOfWork(engine)

    return new_unit_of_work
