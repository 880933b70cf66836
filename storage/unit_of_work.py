"""One unit of work per inbound message: one session, one transaction."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from storage.engine import WRITER_GATE_TIMEOUT_S, writer_gate
from storage.repositories import (
    ActionRepository,
    ConcernRepository,
    DigestRepository,
    HistoryRepository,
    InboundRepository,
    MailRepository,
    PeopleRepository,
    PlanRepository,
    ProviderRepository,
)
from storage.repositories.monitoring import MonitoringRepository
from storage.repositories.reminders import ReminderRepository
from storage.repositories.teams_conversations import TeamsConversationRepository


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
        self._session: Session | None = None
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
        session = Session(self._engine, expire_on_commit=False)
        self._session = session
        self.plans = PlanRepository(session)
        self.actions = ActionRepository(session)
        self.history = HistoryRepository(session)
        self.people = PeopleRepository(session)
        self.inbound = InboundRepository(session)
        self.teams_conversations = TeamsConversationRepository(session)
        self.concerns = ConcernRepository(session)
        self.providers = ProviderRepository(session)
        self.mail = MailRepository(session)
        self.digests = DigestRepository(session)
        self.monitoring = MonitoringRepository(session)
        self.reminders = ReminderRepository(session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        session, self._session = self._session, None
        if session is not None:
            try:
                session.rollback()  # a no-op after commit()
            finally:
                try:
                    session.close()
                finally:
                    if self._gate is not None:
                        self._gate.release()

    def commit(self) -> None:
        self._open_session().commit()

    def rollback(self) -> None:
        self._open_session().rollback()

    def _open_session(self) -> Session:
        if self._session is None:
            raise RuntimeError("use the unit of work inside `with`")
        return self._session


def unit_of_work_factory(engine: Engine) -> Callable[[], SqlUnitOfWork]:
    """What the composition root hands the dispatcher: call it once per inbound message."""

    def new_unit_of_work() -> SqlUnitOfWork:
        return SqlUnitOfWork(engine)

    return new_unit_of_work
