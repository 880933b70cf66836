"""The dispatcher: every channel's messages go through `Dispatcher.handle`, and only here.

text -> parse -> (chatter: silence or help) -> one unit of work: de-duplicate, identify the
sender, run the registered handler, commit only when the reply is not an error.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.clock import Clock
from bot.commands import MessageEditedAway, NotACommand, ParseError, UpdateBatch
from bot.context import HandlerContext
from bot.domain.model import Person, Role
from bot.domain.progress import UpdateRefused
from bot.grammar import parse
from bot.messages import InboundMessage, Reply
from bot.metrics import NO_METRICS, Metrics
from bot.registry import HandlerRegistry
from bot.reminder_commands import NotMine, ReminderReply, SnoozeReminder
from storage.errors import DatabaseHeld, retry_reason

log = logging.getLogger(__name__)

# When the database connection breaks mid-message (PostgreSQL restarted, a failover, an
# administrator ending sessions), the server has rolled the unit of work back: run it again,
# on a new connection, after these pauses (seconds; ~7.6 s in all). The same goes for a SQLite
# file another process kept locked past the busy timeout ("database is locked"). The message's
# de-duplication claim is part of the same transaction, so a retry never applies a message twice.
RECONNECT_DELAYS_S = (0.1, 0.5, 1.0, 2.0, 4.0)

# What, in a reply to a reminder, is read as an answer to it (checked against what it listed).
_ANSWERS = (NotACommand, ParseError, UpdateBatch, SnoozeReminder, NotMine)

SHORT_HELP = (
    "I track the action plan. Try `AP2.5.1 40% - note`, `AP2.5.1 done`, `AP2.5.1 due end of March`, "
    "`summary 2.5`, `overdue`, `status AP2.5.1` or `help`."
)


@dataclass(frozen=True)
class DispatchSettings:
    permission_mode: str = "strict"
    console_user: str = "Console Admin"
    timezone: str = "Europe/London"  # times in replies are shown in it, named (BST, GMT)
    max_message_chars: int = 4000
    plan_for: Callable[[str, str | None], str | None] = lambda channel, conversation: None
    # Channels whose replies are kept with the message's claim, to be sent again if the bot
    # stops between applying a message and sending its reply (the mail pipeline does this).
    keep_replies_for: frozenset[str] = frozenset({"email"})
    # The contract-monitoring log's calendar, timescales and visit frequencies
    # (bot.domain.timescales.LogSettings); None: the documented defaults.
    log_settings: Any = None


class Dispatcher:
    def __init__(
        self,
        registry: HandlerRegistry,
        new_uow: Callable[[], Any],
        clock: Clock,
        settings: DispatchSettings | None = None,
        metrics: Metrics = NO_METRICS,
    ) -> None:
        self.registry = registry
        self.new_uow = new_uow
        self.clock = clock
        self.settings = settings or DispatchSettings()
        self.metrics = metrics

    def handle(self, message: InboundMessage, command: object | None = None) -> Reply | None:
        """The reply to send, or None when the bot should stay silent.

        `command` is for native events that already name a command (an Undo button, a deleted
        message): the text is then not parsed, everything else is the same."""
        started = time.perf_counter()
        outcome = "failed"  # what an exception leaves it as
        try:
            reply, outcome = self._handle(message, command)
        finally:
            self.metrics.message_handled(message.channel, outcome, time.perf_counter() - started)
        return reply

    def _handle(self, message: InboundMessage, command: object | None) -> tuple[Reply | None, str]:
        """The reply and the outcome the metrics count it under."""
        text = message.text or ""
        today = self.clock.today()
        if command is not None:
            parsed = command
        else:
            if len(text) > self.settings.max_message_chars and not message.is_direct:
                # A long message in a channel is answered only if it starts like a command.
                if isinstance(parse(text[:200], today), NotACommand):
                    return None, "silent"
            parsed = parse(text, today)
        if message.replying_to and command is None and isinstance(parsed, _ANSWERS):
            # Questions asked in the thread stay questions; anything else answers the reminder.
            answered = self._reminder_answered(message.replying_to)
            if answered is not None:  # an answer to a reminder: read against what it listed
                parsed = ReminderReply(answered, text)
        if isinstance(parsed, NotACommand) and message.amends:
            parsed = MessageEditedAway(message.amends)  # an update edited into chatter
        if isinstance(parsed, NotACommand):
            if not message.is_direct:
                return None, "silent"
            return Reply(text=parsed.hint or SHORT_HELP, is_error=True), "refused"
        if isinstance(parsed, ParseError):
            return Reply.error(parsed.message), "refused"
        handler = self.registry.lookup(type(parsed))
        for attempt, pause in enumerate((*RECONNECT_DELAYS_S, None), start=1):
            try:
                return self._handle_once(message, parsed, handler, today)
            except Exception as exc:
                problem = retry_reason(exc)
                if problem is None:
                    raise
                self.metrics.database_retry(problem)
                log.warning(problem + "; " + ("giving up" if pause is None else "handling the message again"),
                            extra={"channel": message.channel, "message_id": message.message_id, "attempt": attempt})
                if pause is None:
                    break
                time.sleep(pause)
        return Reply.error("I can't reach the database just now, so nothing was changed. Please try again in a "
                           "minute; if it keeps happening, tell your admin."), "unavailable"

    def _handle_once(self, message: InboundMessage, parsed: object, handler: Any,
                     today: Any) -> tuple[Reply | None, str]:
        """One unit of work: claim the message id, identify, run the handler, commit or roll back."""
        now = self.clock.now()
        with self.new_uow() as uow:
            if message.message_id and not uow.inbound.claim(message.channel, message.message_id, now):
                log.info(
                    "duplicate delivery ignored",
                    extra={"channel": message.channel, "message_id": message.message_id},
                )
                return None, "duplicate"
            ctx = HandlerContext(
                uow=uow,
                person=self._identify(uow, message),
                message=message,
                today=today,
                now=now,
                permission_mode=self.settings.permission_mode,
                plan=self.settings.plan_for(message.channel, message.conversation_id),
                batch_id=uuid.uuid4().hex,
                timezone=self.settings.timezone,
                log_settings=self.settings.log_settings,
            )
            outcome = None
            try:
                reply = handler(parsed, ctx)
            except UpdateRefused as refused:
                reply = Reply.error(str(refused))
            except Exception as exc:
                if retry_reason(exc) is not None:
                    raise  # handle() runs the whole unit of work again
                if isinstance(exc, DatabaseHeld):
                    raise  # the command's whole wait is spent: its caller says so
                outcome = "failed"
                incident = uuid.uuid4().hex[:8]
                log.exception(
                    "handler failed",
                    extra={"channel": message.channel, "message_id": message.message_id, "incident": incident},
                )
                reply = Reply.error(
                    f"Something went wrong on my side and nothing was changed (incident {incident}). "
                    "Please try again; if it keeps happening, tell your admin the incident number."
                )
            if reply is None:  # the handler has nothing to say (and changed nothing)
                uow.commit()  # the message is marked as seen
            elif reply.is_error:
                uow.rollback()
            else:
                if message.message_id and message.channel in self.settings.keep_replies_for:
                    uow.inbound.remember_reply(message.channel, message.message_id, reply.text)
                uow.commit()
        log.info(
            "handled",
            extra={"channel": message.channel, "message_id": message.message_id, "command": type(parsed).__name__,
                   "error": reply is not None and reply.is_error},
        )
        if outcome is None:
            outcome = "silent" if reply is None else "refused" if reply.is_error else "applied"
        return reply, outcome

    def _reminder_answered(self, ref: str) -> int | None:
        """The id of the reminder sent as `ref` (a thread or Message-ID), if it is one."""
        with self.new_uow() as uow:
            reminders = getattr(uow, "reminders", None)
            record = reminders.by_message_ref(ref) if reminders is not None else None
        return record.id if record is not None else None

    def _identify(self, uow: Any, message: InboundMessage) -> Person | None:
        if message.channel == "console":
            person: Person | None = uow.people.get(message.sender_id)
            if person is None and message.sender_id == self.settings.console_user:
                # The console user is an admin by default.
                person = uow.people.add(Person(name=message.sender_id, role=Role.ADMIN), {"console": message.sender_id})
            return person
        person = uow.people.find_by_identity(message.channel, message.sender_id)
        if person is None and message.sender_email:
            person = uow.people.find_by_email(message.sender_email)
            if person is not None:
                uow.people.link(person.name, message.channel, message.sender_id)
        return person
