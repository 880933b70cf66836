"""What a handler is given: the unit of work, who is asking, the message, and today."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.domain.model import Person
from bot.messages import InboundMessage


@dataclass
class HandlerContext:
    uow: Any  # storage.SqlUnitOfWork (typed loosely so bot/ does not import storage/)
    person: Person | None
    message: InboundMessage
    today: date
    now: datetime
    permission_mode: str = "strict"
    plan: str | None = None  # the plan this conversation is bound to, if any
    batch_id: str = ""  # one id for every history entry this message writes

    @property
    def actor(self) -> str:
        if self.person is not None:
            return self.person.name
        return self.message.sender_name or self.message.sender_id
