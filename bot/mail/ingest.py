"""The mail pipeline: every message lands somewhere, exactly once.

For each message a backend hands over:

1. parse it (bytes that are not an email -> "Needs attention" + triage notice);
2. skip it if the mail log has its key (Message-ID, or a hash of the bytes) - it was handled
   before a crash, and only the move was lost;
3. classify: bounces, auto-replies, read receipts, our own mail and senders over the rate
   limit are recorded and filed, never answered;
4. route: a staff sender whose mail authenticates, with an update -> the same dispatcher as
   chat; a staff address that fails authentication -> an alert entry, never applied; a reply
   in an entry's thread -> appended; anything else -> a new entry, acknowledged;
5. commit the effect, the mail-log record and any reply (outbox) in one transaction, then
   move the message, then send the outbox. A crash anywhere redelivers, and step 2 or the
   dispatcher's own de-duplication make the second delivery change nothing.

Nothing here logs a subject, a body or a sender's name: only keys, outcomes and references.
A mail with a safeguarding signal, or a reply to a confidential entry, is not even named by
its Message-ID or sender in logs, triage notices or `mail poll` output: only its reference.
"""

from __future__ import annotations

import enum
import logging
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from bot.clock import Clock
from bot.commands import NotACommand, ParseError
from bot.domain.concerns import Category, Concern, reference_in_subject
from bot.domain.safeguarding import assess
from bot.grammar import MAX_MESSAGE_CHARS, parse
from bot.mail.bodies import strip_reply
from bot.mail.classify import MailKind, authentication_passes, classify
from bot.mail.entries import (
    EntryWritten,
    append_reply,
    bare_subject,
    new_entry,
    queue_acknowledgement,
    queue_reply,
    will_acknowledge,
)
from bot.mail.mailbox import FILED, NEEDS_ATTENTION, PROCESSED, Mailbox, MailItem, MailRecord
from bot.mail.outgoing import from_payload
from bot.mail.parsing import ParsedMail, UnreadableMail, content_key, parse_mail
from bot.mail.settings import MailSettings
from bot.messages import InboundMessage, Reply
from bot.metrics import NO_METRICS, Metrics

log = logging.getLogger(__name__)


class Outcome(str, enum.Enum):
    NEW_ENTRY = "new entry"
    APPENDED = "appended"
    UPDATE = "update"
    UPDATE_REFUSED = "update refused"
    SPOOFED = "spoofed sender"
    BOUNCE = "bounce"
    AUTO_REPLY = "auto-reply"
    READ_RECEIPT = "read receipt"
    OWN_MAIL = "own mail"
    RATE_LIMITED = "rate limited"
    UNREADABLE = "unreadable"
    ALREADY_HANDLED = "already handled"


_FILED_OUTCOMES = {
    MailKind.BOUNCE: Outcome.BOUNCE, MailKind.AUTO_REPLY: Outcome.AUTO_REPLY,
    MailKind.READ_RECEIPT: Outcome.READ_RECEIPT, MailKind.OWN_MAIL: Outcome.OWN_MAIL,
}


@dataclass(frozen=True)
class TriageNotice:
    """A post for the triage channel. `text` never holds safeguarding content."""

    kind: str  # "new entry", "reply", "spoofed", "unreadable", "rate limited"
    text: str
    reference: str | None = None


TriageNotifier = Callable[[TriageNotice], None]


def console_triage(notice: TriageNotice) -> None:
    """The default triage channel: a log line and a line on the console (stderr)."""
    log.info("triage notice", extra={"kind": notice.kind, "reference": notice.reference})
    print(f"[triage] {notice.text}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class IngestResult:
    """What became of one message (safe to print: no subject or body; for a confidential mail,
    not its Message-ID either)."""

    backend_id: str
    mail_key: str  # CONFIDENTIAL_KEY for a confidential mail
    outcome: Outcome
    folder: str
    reference: str | None = None
    detail: str = ""


@dataclass
class _Decision:
    outcome: Outcome
    folder: str
    reference: str | None = None
    reason: str | None = None
    notice: TriageNotice | None = None
    confidential: bool = False


@dataclass(frozen=True)
class _Command:
    """A staff member's command, or an answer to a reminder, for the dispatcher."""

    text: str
    person: Any
    replying_to: str | None


# What logs and `mail poll` show in place of a confidential mail's Message-ID.
CONFIDENTIAL_KEY = "(confidential mail)"


def looks_confidential(mail: ParsedMail) -> bool:
    """A safeguarding signal anywhere in the mail: subject, text, a forwarded message, file names."""
    inner = mail.forwarded
    return assess(mail.subject, mail.text, *(a.filename for a in mail.attachments),
                  *((inner.subject, inner.text) if inner is not None else ())).restricts


class MailIngestor:
    def __init__(self, mailbox: Mailbox, new_uow: Callable[[], Any], dispatch: Callable[[InboundMessage], Reply | None],
                 clock: Clock, settings: MailSettings, notify: TriageNotifier = console_triage,
                 metrics: Metrics = NO_METRICS, stopping: Callable[[], bool] = lambda: False) -> None:
        self.mailbox = mailbox
        self.new_uow = new_uow
        self.dispatch = dispatch
        self.clock = clock
        self.settings = settings
        self.notify = notify
        self.metrics = metrics
        # Asked between messages: on shutdown the message in hand is finished, the rest wait
        # in the inbox for the next start (or another instance).
        self.stopping = stopping

    def poll_once(self) -> list[IngestResult]:
        """Handle everything in the inbox now, then send what is waiting in the outbox."""
        self.flush_outbox()
        results = []
        for item in self.mailbox.fetch_new():
            if self.stopping():
                break
            self.metrics.mail_polled(1)
            result = self.ingest(item)
            self.metrics.mail_classified(result.outcome.value)
            results.append(result)
        self.flush_outbox()
        return results

    def ingest(self, item: MailItem) -> IngestResult:
        try:
            mail = parse_mail(item.raw)
        except UnreadableMail as exc:
            return self._quarantine(item, content_key(item.raw), f"it could not be read as an email: {exc}")
        now = self.clock.now()
        sensitive = looks_confidential(mail)
        shown_key = CONFIDENTIAL_KEY if sensitive else mail.key
        routed: _Decision | _Command | None = None
        failure: str | None = None
        # One unit of work for what routing needs to know and what the mail then writes (its
        # effect and its mail-log record), unless it is a command: the dispatcher opens its
        # own. A failure rolls back both, and the mail is quarantined in a unit of work of its own.
        with self.new_uow() as uow:
            done, recent = uow.mail.get_with_recent(
                mail.key, mail.from_addr, now - timedelta(minutes=self.settings.rate_limit_minutes))
            person = uow.people.find_by_email(mail.from_addr) if mail.from_addr else None
            if done is None:
                try:
                    routed = self._route(uow, mail, recent, person, sensitive)
                except Exception as exc:
                    failure = self._failed(exc, shown_key)
        if done is not None:
            return self._settled(item, shown_key, Outcome.ALREADY_HANDLED, done.folder, done.reference,
                                 f"was {done.outcome} before")
        decision = None if isinstance(routed, _Command) else routed
        if isinstance(routed, _Command):
            try:
                decision = self._dispatch(mail, routed.text, routed.person, routed.replying_to)
            except Exception as exc:
                failure = self._failed(exc, shown_key)
        if failure is not None:
            return self._quarantine(item, mail.key, failure, sensitive)
        if decision is None:  # another process recorded it first
            return self._settled(item, shown_key, Outcome.ALREADY_HANDLED, PROCESSED, None, "handled concurrently")
        if decision.notice is not None:
            self.notify(decision.notice)
        if decision.confidential:
            shown_key = CONFIDENTIAL_KEY
        return self._settled(item, shown_key, decision.outcome, decision.folder, decision.reference,
                             decision.reason or "")

    def _failed(self, exc: Exception, shown_key: str) -> str:
        """Log the error being handled (with an incident number) and say why the mail is quarantined."""
        incident = uuid.uuid4().hex[:8]
        log.exception("mail handling failed", extra={"mail_key": shown_key, "incident": incident})
        return f"handling it failed ({type(exc).__name__}, incident {incident})"

    # --- routing ---------------------------------------------------------------------------

    def _route(self, uow: Any, mail: ParsedMail, recent: int, person: Any,
               sensitive: bool) -> _Decision | _Command | None:
        """Classify and write the mail's effect in `uow` (and commit it); a command is returned
        to be dispatched once `uow` has closed. None: another process recorded the mail first."""
        kind, why = classify(mail, (self.settings.address,))
        if kind is not MailKind.ORDINARY:
            return self._record_only(uow, mail, _Decision(_FILED_OUTCOMES[kind], FILED, reason=why))
        if recent >= self.settings.rate_limit_messages:
            notice = None
            if recent == self.settings.rate_limit_messages:
                sender = "one address" if sensitive else mail.from_addr
                notice = TriageNotice("rate limited", f"More than {self.settings.rate_limit_messages} messages from "
                                      f"{sender} in {self.settings.rate_limit_minutes} minutes; further "
                                      "mail from that address is filed without action for now.")
            return self._record_only(uow, mail, _Decision(
                Outcome.RATE_LIMITED, FILED, reason=f"over {self.settings.rate_limit_messages} messages in "
                f"{self.settings.rate_limit_minutes} minutes from this sender", notice=notice))
        answered = self._reminder_answered(uow, mail)
        if person is not None:
            if self.settings.require_authentication and not authentication_passes(
                    mail, self.settings.trusted_authserv_ids):
                return self._spoofed(uow, mail, sensitive)
            text = self._command_text(mail)
            if answered is not None:  # a reply to a reminder: its first paragraph is the answer
                text = (strip_reply(mail.text).split("\n\n", 1)[0].strip() if mail.text.strip() else "") or text
            if text is not None:
                return _Command(text, person, answered)
        elif answered is not None:  # not its recipient: told so, and nothing is written
            return _Command(strip_reply(mail.text)[:MAX_MESSAGE_CHARS] or "?", None, answered)
        return self._log_entry(uow, mail, person, sensitive)

    def _reminder_answered(self, uow: Any, mail: ParsedMail) -> str | None:
        """The Message-ID of the reminder this mail replies to (In-Reply-To, References), if any."""
        refs = [*mail.in_reply_to, *mail.references]
        if not refs:
            return None
        reminders = getattr(uow, "reminders", None)
        found = reminders.by_message_refs(refs) if reminders is not None else None
        return found.message_ref if found is not None else None

    def _command_text(self, mail: ParsedMail) -> str | None:
        """The part of a staff member's mail that is a command: the reply text, its first
        paragraph, or the subject. A text that looks like a command but is wrong is returned
        too, so the sender gets the same error chat would give."""
        today = self.clock.today()
        body = strip_reply(mail.text) if mail.text.strip() else ""
        paragraph = body.split("\n\n", 1)[0].strip()
        looks_wrong = None
        for candidate in (body, paragraph, bare_subject(mail.subject)):
            if not candidate or len(candidate) > MAX_MESSAGE_CHARS:
                continue  # a long letter is not a command; it may still be a concern
            parsed = parse(candidate, today)
            if isinstance(parsed, NotACommand):
                continue
            if isinstance(parsed, ParseError):
                looks_wrong = looks_wrong or candidate
                continue
            return candidate
        return looks_wrong

    def _dispatch(self, mail: ParsedMail, text: str, person: Any, replying_to: str | None = None) -> _Decision | None:
        reply = self.dispatch(InboundMessage(
            text=text, channel="email", sender_id=mail.from_addr or "", message_id=mail.key,
            source_ref=mail.message_id or mail.key, is_direct=True, is_private=True,
            sender_name=person.name if person is not None else mail.from_name, sender_email=mail.from_addr,
            replying_to=replying_to,
            attachments=tuple((a.filename, a.content_type, a.data) for a in mail.attachments
                              if len(a.data) <= self.settings.max_attachment_bytes),
        ))
        if reply is None:
            # Applied before the bot stopped, and this mail was not recorded: the confirmation
            # was never queued. Queue the one kept with the update (once: the mail log claim).
            with self.new_uow() as uow:
                confirmation = uow.inbound.reply_for("email", mail.key)
            decision = _Decision(Outcome.UPDATE, PROCESSED, reason="applied before a restart; " + (
                "confirmation sent now" if confirmation else "no confirmation was kept"))
        elif reply.is_error:
            confirmation = reply.text
            decision = _Decision(Outcome.UPDATE_REFUSED, PROCESSED, reason="refused; the sender was told why")
        else:
            confirmation = reply.text
            decision = _Decision(Outcome.UPDATE, PROCESSED, reason="applied; confirmation sent")
        now = self.clock.now()
        with self.new_uow() as uow:
            if not uow.mail.claim(self._record(mail, decision)):
                return None
            if confirmation is not None:
                queue_reply(uow, mail, confirmation, now=now, settings=self.settings)
            uow.commit()
        return decision

    def _log_entry(self, uow: Any, mail: ParsedMail, person: Any, sensitive: bool) -> _Decision | None:
        now = self.clock.now()
        existing = self._thread_entry(uow, mail)
        if existing is not None:
            actor = person.name if person else (mail.from_name or mail.from_addr or "unknown sender")
            written = append_reply(uow, existing, mail, now=now, settings=self.settings, actor=actor)
            decision = _Decision(Outcome.APPENDED, PROCESSED, existing.reference, notice=self._reply_notice(existing),
                                 confidential=written.concern.is_confidential)
        else:
            acknowledging = will_acknowledge(mail, self.settings)
            written = new_entry(uow, mail, now=now, today=self.clock.today(), settings=self.settings,
                                reporter=person, acknowledged_at=now if acknowledging else None,
                                screened=not sensitive)
            if acknowledging:
                queue_acknowledgement(uow, mail, written, now=now, settings=self.settings)
            decision = _Decision(Outcome.NEW_ENTRY, PROCESSED, written.concern.reference,
                                 reason="acknowledged" if self.settings.acknowledge else None,
                                 notice=self._new_notice(written, mail), confidential=written.concern.is_confidential)
        if written.oversize:
            decision.reason = (decision.reason or "") + f"; {len(written.oversize)} attachment(s) over the limit"
        if not uow.mail.claim(self._record(mail, decision)):
            return None
        uow.commit()
        return decision

    def _spoofed(self, uow: Any, mail: ParsedMail, sensitive: bool) -> _Decision | None:
        now = self.clock.now()
        written = new_entry(uow, mail, now=now, today=self.clock.today(), settings=self.settings, reporter=None,
                            category=None, summary_prefix="Unauthenticated mail using a staff address: ")
        if written.concern.category is Category.QUERY:
            uow.concerns.update(replace(written.concern, category=Category.ALERT))
        confidential = sensitive or written.concern.is_confidential
        sender = "a staff address" if confidential else mail.from_addr
        decision = _Decision(Outcome.SPOOFED, PROCESSED, written.concern.reference,
                             reason="From is a staff address but the mail did not authenticate; nothing applied",
                             notice=TriageNotice("spoofed", f"Mail claiming to be from {sender} failed "
                                                 "SPF/DKIM/DMARC; logged as " f"{written.concern.reference} and "
                                                 "not applied.", written.concern.reference),
                             confidential=confidential)
        if not uow.mail.claim(self._record(mail, decision)):
            return None
        uow.commit()
        return decision

    def _thread_entry(self, uow: Any, mail: ParsedMail) -> Concern | None:
        found: Concern | None = uow.concerns.find_by_messages((*mail.in_reply_to, *mail.references))
        if found is None:
            tagged = reference_in_subject(mail.subject)
            if tagged:
                found = uow.concerns.get(tagged)
        return found

    # --- notices -----------------------------------------------------------------------------

    def _new_notice(self, written: EntryWritten, mail: ParsedMail) -> TriageNotice:
        concern = written.concern
        if concern.is_confidential:
            text = f"New safeguarding entry {concern.reference} (confidential; open it with the safeguarding role)."
        else:
            text = (f"New {concern.category.value} entry {concern.reference} from {mail.from_addr or 'unknown sender'}"
                    f" ({concern.provider_label or 'provider unknown'}): {concern.summary}")
        return TriageNotice("new entry", text, concern.reference)

    def _reply_notice(self, concern: Concern) -> TriageNotice:
        closed = " (the entry is closed)" if concern.state.value == "closed" else ""
        return TriageNotice("reply", f"A reply was added to {concern.reference}{closed}.", concern.reference)

    # --- recording, moving, sending ---------------------------------------------------------

    def _record(self, mail: ParsedMail, decision: _Decision) -> MailRecord:
        return MailRecord(mail.key, self.clock.now(), mail.from_addr, decision.outcome.value, decision.folder,
                          decision.reference, decision.reason)

    def _record_only(self, uow: Any, mail: ParsedMail, decision: _Decision) -> _Decision | None:
        if not uow.mail.claim(self._record(mail, decision)):
            return None
        uow.commit()
        return decision

    def _quarantine(self, item: MailItem, key: str, reason: str, sensitive: bool = False) -> IngestResult:
        with self.new_uow() as uow:
            first = uow.mail.claim(MailRecord(key, self.clock.now(), None, Outcome.UNREADABLE.value,
                                              NEEDS_ATTENTION, None, reason))
            uow.commit()
        if first:
            self.notify(TriageNotice("unreadable", f"A message was moved to '{NEEDS_ATTENTION}': {reason}."))
        return self._settled(item, CONFIDENTIAL_KEY if sensitive else key, Outcome.UNREADABLE, NEEDS_ATTENTION, None,
                             reason)

    def _settled(self, item: MailItem, key: str, outcome: Outcome, folder: str, reference: str | None,
                 detail: str) -> IngestResult:
        self.mailbox.move(item, folder)
        log.info("mail handled", extra={"mail_key": key, "outcome": outcome.value, "folder": folder,
                                        "reference": reference})
        return IngestResult(item.backend_id, key, outcome, folder, reference, detail)

    def flush_outbox(self) -> int:
        """Send queued mail; each is marked sent after the backend accepted it."""
        sent = 0
        while not self.stopping():
            with self.new_uow() as uow:
                pending = uow.mail.unsent()
            if not pending:
                return sent
            for message_id, payload in pending:
                if self.stopping():
                    return sent
                try:
                    self.mailbox.send(from_payload(payload))
                except Exception:
                    log.exception("sending failed; will retry on the next poll", extra={"message_id": message_id})
                    return sent
                with self.new_uow() as uow:
                    uow.mail.mark_sent(message_id, self.clock.now())
                    uow.commit()
                sent += 1
        return sent
