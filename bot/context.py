"""What a handler is given: the unit of work, who is asking, the message, today, and the
team's time zone (every time a person reads is shown in it, named)."""

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
    timezone: str = "Europe/London"  # the team's zone (Settings.timezone), an IANA name
    # The contract-monitoring log's calendar, timescales and frequencies
    # (bot.domain.timescales.LogSettings, or a function that returns them); None: the documented defaults.
    log_settings: Any = None

    @property
    def actor(self) -> str:
        if self.person is not None:
            return self.person.name
        return self.message.sender_name or self.message.sender_id
