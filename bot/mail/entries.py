"""What a message does to the contract-monitoring log: a new entry, a reply appended to an
entry, or a spoofed-sender alert. Each function writes through the unit of work it is given;
the caller commits."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any

from bot.domain.concerns import (
    AttachmentInfo,
    Category,
    Concern,
    ConcernEvent,
    EntryState,
    Source,
    guess_category,
    raised_restriction,
    restriction_for,
    summary_from_text,
)
from bot.domain.providers import Detection, Found, detect, inline_forward
from bot.domain.safeguarding import Assessment, Signal, assess, matches_stay_within_lines
from bot.domain.model import Person
from bot.mail.bodies import strip_reply
from bot.mail.mailbox import OutgoingMail
from bot.mail.outgoing import message_id_for, reply_headers, to_payload
from bot.mail.parsing import MailAttachment, ParsedMail
from bot.mail.settings import MailSettings

MAX_BODY_CHARS = 100_000
_SUBJECT_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|wg|sv|tr)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)


def bare_subject(subject: str) -> str:
    return _SUBJECT_PREFIX.sub("", subject).strip()


CLOCK_SKEW = timedelta(minutes=10)  # a sender's clock a little ahead is still its own time


def _arrival(mail: ParsedMail, now: datetime) -> datetime:
    """When our mail server took the message: the date of the topmost Received header (the
    one it added), if it is readable and not after `now`; else `now`."""
    for header in mail.headers.get("received", [])[:1]:
        stamp = header.rsplit(";", 1)[-1].strip() if ";" in header else ""
        try:
            when = parsedate_to_datetime(stamp) if stamp else None
        except (TypeError, ValueError, IndexError):
            when = None
        if when is not None:
            when = when if when.tzinfo else when.replace(tzinfo=timezone.utc)
            if when <= now + CLOCK_SKEW:
                return min(when, now)
    return now


def received_time(mail: ParsedMail, now: datetime, max_age_days: int = 30) -> datetime:
    """An entry's received time: the mail's own Date header, bounded. Not after the mailbox got
    it (a sender's clock running fast), not more than `max_age_days` before (a wrong clock, an
    old message sent again); outside those bounds, when the mailbox got it."""
    arrived = _arrival(mail, now)
    sent = mail.date
    if sent is None or sent > arrived + CLOCK_SKEW or sent < arrived - timedelta(days=max_age_days):
        return arrived
    return min(sent, arrived)


@dataclass(frozen=True)
class EntryWritten:
    concern: Concern
    oversize: tuple[str, ...]  # notes on attachments too large to keep


def _content(mail: ParsedMail) -> ParsedMail:
    """A forwarded message (message/rfc822 part) is the concern; the outer mail is a cover note."""
    inner = mail.forwarded
    if inner is not None and (inner.text.strip() or inner.subject):
        return inner
    return mail


def _body(mail: ParsedMail, content: ParsedMail) -> str:
    """The entry's full text. Nothing is stripped from a new message (an inline forward or an
    earlier exchange below it is part of the concern); only replies to an entry are trimmed."""
    text = content.text.strip()
    if content is not mail:
        cover = mail.text.strip()
        header = f"--- Forwarded message from {content.from_name or ''} <{content.from_addr or 'unknown'}>: " \
                 f"{content.subject} ---"
        text = (cover + "\n\n" if cover else "") + header + "\n" + text
    return text[:MAX_BODY_CHARS]


def _store_attachments(uow: Any, concern: Concern, attachments: list[MailAttachment], limit: int) -> list[str]:
    oversize: list[str] = []
    for attachment in attachments:
        size = len(attachment.data)
        stored = size <= limit
        note = None if stored else f"{size:,} bytes is over the {limit:,}-byte limit; the file was not kept"
        if not stored:
            oversize.append(f"{attachment.filename}: {note}")
        uow.concerns.add_attachment(
            concern, AttachmentInfo(attachment.filename, attachment.content_type, size, stored, note), attachment.data
        )
    return oversize


def _provider_of(providers: list[Any], mail: ParsedMail, content: ParsedMail, subject: str,
                 staff: bool) -> Detection | None:
    """The concern's own sender first (a provider mail forwarded as an attachment, or quoted
    inline by a member of staff), then the outer one. A member of staff's own name and
    signature name the council, never a provider to propose."""
    inline = inline_forward(content.text) if content is mail else None
    quoted = (detect(providers, address=inline.address, display_name=inline.display_name, subject=subject,
                     body=inline.body) if inline is not None else None)
    if staff and quoted is not None:
        return quoted
    found = detect(providers, address=content.from_addr, display_name=content.from_name, subject=subject,
                   body=content.text) or quoted
    if found is None and content is not mail and not staff:
        found = detect(providers, address=mail.from_addr, display_name=mail.from_name, subject=subject,
                       body=mail.text)
    if found is not None and found.how is Found.PROPOSED and staff and content is mail:
        return None
    return found


def new_entry(uow: Any, mail: ParsedMail, *, now: datetime, today: date, settings: MailSettings,
              reporter: Person | None, category: Category | None = None, summary_prefix: str = "",
              acknowledged_at: datetime | None = None, screened: bool = False) -> EntryWritten:
    """A new entry from `mail`; `acknowledged_at`: when an acknowledgement is queued with it;
    `screened`: `assess` found no signal in the mail (the ingestor's `looks_confidential`)."""
    content = _content(mail)
    body = _body(mail, content)
    subject = bare_subject(content.subject)
    providers = uow.providers.list()
    found = _provider_of(providers, mail, content, subject, staff=reporter is not None)
    provider = found.provider if found is not None else None
    proposed = found.name if found is not None and found.how is Found.PROPOSED else None
    attachments = mail.attachments + (content.attachments if content is not mail else [])
    # `screened`: the ingestor found no signal in this mail's subject, text and attachment
    # names; the texts screened here are pieces of those (the subject without its `Re:`, the
    # text without its surrounding whitespace), so they carry none either and are not
    # screened again (safeguarding.matches_stay_within_lines says when that holds). A
    # forwarded message or a truncated text is screened as before.
    clean = (screened and content is mail and len(mail.text.strip()) <= MAX_BODY_CHARS
             and matches_stay_within_lines())
    guessed = category or guess_category(f"{subject}\n{body}", screened=clean)
    # Subject, text and attachment names all count: any signal makes the entry confidential.
    restriction = restriction_for(guessed, Assessment(Signal.NONE) if clean else assess(
        subject, mail.subject, body, *(a.filename for a in attachments)))
    reference, _ = uow.concerns.allocate_reference(today.year)
    summary = summary_prefix + summary_from_text(subject or body or "(no subject or text)")
    concern = uow.concerns.add(Concern(
        reference=reference, category=guessed, summary=summary, body=body, source=Source.EMAIL,
        reporter=reporter.name if reporter else (mail.from_name or mail.from_addr or "unknown sender"),
        reporter_email=mail.from_addr, received_at=received_time(mail, now, settings.max_date_age_days),
        logged_at=now, provider=provider.name if provider else proposed, provider_proposed=proposed is not None,
        message_id=mail.message_id, restriction=restriction, acknowledged_at=acknowledged_at,
    ), provider_id=provider.id if provider else None)
    for message_id in {mail.message_id, content.message_id} - {None}:
        uow.concerns.link_message(concern, message_id)
    oversize = _store_attachments(uow, concern, attachments, settings.max_attachment_bytes)
    uow.concerns.append_event(concern, ConcernEvent(
        reference=reference, at=now, actor=concern.reporter, channel="email", kind="logged",
        changes=(("state", None, EntryState.OPEN.value),), source_ref=mail.message_id or mail.key,
    ))
    return EntryWritten(concern, tuple(oversize))


def append_reply(uow: Any, concern: Concern, mail: ParsedMail, *, now: datetime, settings: MailSettings,
                 actor: str) -> EntryWritten:
    """A reply joins its entry's history. A safeguarding signal in it (or in an attachment's
    name) restricts the entry before the reply is written, so the reply is restricted too."""
    note = strip_reply(mail.text)[:MAX_BODY_CHARS] or bare_subject(mail.subject)
    restriction = raised_restriction(concern.restriction, assess(
        mail.subject, note, *(a.filename for a in mail.attachments)))
    if restriction is not concern.restriction:
        uow.concerns.append_event(concern, ConcernEvent(
            reference=concern.reference, at=now, actor=actor, channel="email", kind="restrict",
            changes=(("restriction", concern.restriction.value, restriction.value),),
            source_ref=mail.message_id or mail.key,
        ))
        concern = replace(concern, restriction=restriction)
        uow.concerns.update(concern)
    uow.concerns.append_event(concern, ConcernEvent(
        reference=concern.reference, at=now, actor=actor, channel="email", kind="reply", note=note,
        source_ref=mail.message_id or mail.key,
    ))
    if mail.message_id:
        uow.concerns.link_message(concern, mail.message_id)
    oversize = _store_attachments(uow, concern, mail.attachments, settings.max_attachment_bytes)
    return EntryWritten(concern, tuple(oversize))


def acknowledgement(mail: ParsedMail, written: EntryWritten, settings: MailSettings) -> OutgoingMail:
    """The acknowledgement of a new entry, to the mail's sender (who must be known); its
    Message-ID is in its headers. Safeguarding: the reference only, never the sender's words back."""
    assert mail.from_addr, "an acknowledgement needs the sender's address"
    concern = written.concern
    text = settings.ack_text.format(reference=concern.reference)
    if written.oversize:
        text += "\n\nSome attachments were too large to keep; please send them another way:\n" + "\n".join(
            f"- {note}" for note in written.oversize)
    subject = (f"[{concern.reference}] Your message has been received" if concern.is_confidential
               else f"[{concern.reference}] Re: {bare_subject(mail.subject) or 'your message'}")
    return OutgoingMail(
        to=(mail.from_addr,), subject=subject[:250], text=text, in_reply_to=mail.message_id,
        references=tuple(r for r in (*mail.references, mail.message_id) if r),
        headers={**reply_headers(settings.address), "Message-ID": message_id_for("ack", mail.key, settings.address)},
    )


def will_acknowledge(mail: ParsedMail, settings: MailSettings) -> bool:
    """Whether a new entry from this mail is acknowledged (`queue_acknowledgement` queues one)."""
    return settings.acknowledge and bool(mail.from_addr)


def queue_acknowledgement(uow: Any, mail: ParsedMail, written: EntryWritten, *, now: datetime,
                          settings: MailSettings) -> str | None:
    """Queue the acknowledgement in the outbox (sent after commit); its Message-ID joins the
    entry's thread. The entry's `acknowledged_at` is set when it is not yet (new_entry sets it
    on the new row when `will_acknowledge`, which saves an update)."""
    if not mail.from_addr:
        return None
    concern = written.concern
    outgoing = acknowledgement(mail, written, settings)
    message_id = outgoing.headers["Message-ID"]
    uow.mail.queue(message_id, to_payload(outgoing), now)
    uow.concerns.link_message(concern, message_id)
    if concern.acknowledged_at is None:  # the automatic acknowledgement meets the timescale
        uow.concerns.update(replace(concern, acknowledged_at=now))
    return message_id


def confirmation(mail: ParsedMail, text: str, settings: MailSettings) -> OutgoingMail:
    """The answer to a staff member's update (the same text chat would show), to the mail's sender."""
    assert mail.from_addr, "a confirmation needs the sender's address"
    return OutgoingMail(
        to=(mail.from_addr,), subject=f"Re: {bare_subject(mail.subject) or 'your update'}"[:250], text=text,
        in_reply_to=mail.message_id, references=tuple(r for r in (*mail.references, mail.message_id) if r),
        headers={**reply_headers(settings.address), "Message-ID": message_id_for("reply", mail.key, settings.address)},
    )


def queue_reply(uow: Any, mail: ParsedMail, text: str, *, now: datetime, settings: MailSettings) -> None:
    """Queue the answer to a staff member's update."""
    if not mail.from_addr:
        return
    outgoing = confirmation(mail, text, settings)
    uow.mail.queue(outgoing.headers["Message-ID"], to_payload(outgoing), now)
