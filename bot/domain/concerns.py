"""The contract-monitoring log: entries (`PQ-2026-0042`), providers, and who may see what.

Plain objects and plain functions: no SQL, no clock, no mail. Storage maps its rows to these;
handlers and the mail pipeline work on them only.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from bot.domain.model import Person, Role
from bot.domain.safeguarding import Assessment, Signal, assess

REFERENCE_PREFIX = "PQ"
REFERENCE_PATTERN = r"PQ-(\d{4})-(\d{1,6})"
_REFERENCE = re.compile(REFERENCE_PATTERN, re.IGNORECASE)
_SUBJECT_REFERENCE = re.compile(r"\[\s*(" + REFERENCE_PATTERN + r")\s*\]", re.IGNORECASE)
SAFEGUARDING_ROLE = "safeguarding"


class Category(str, enum.Enum):
    QUERY = "query"
    ALERT = "alert"
    COMPLAINT = "complaint"
    SAFEGUARDING = "safeguarding"
    INSPECTORATE = "inspectorate correspondence"
    SOCIAL_WORK = "social work concern"
    PACKAGE_OF_CARE = "package-of-care change"


class EntryState(str, enum.Enum):
    OPEN = "open"
    IN_PROGRESS = "in progress"
    CLOSED = "closed"


class Restriction(str, enum.Enum):
    """How far an entry is kept from people without the safeguarding role."""

    NONE = "none"
    PENDING = "pending review"  # a weak signal: confidential until the role has looked at it
    RESTRICTED = "restricted"


class Source(str, enum.Enum):
    EMAIL = "email"
    CHAT = "chat"
    CONSOLE = "console"


# What people type for each category (`category complaint`, `category social work`).
_CATEGORY_WORDS: dict[str, Category] = {
    "query": Category.QUERY, "question": Category.QUERY,
    "alert": Category.ALERT, "incident": Category.ALERT,
    "complaint": Category.COMPLAINT,
    "safeguarding": Category.SAFEGUARDING,
    "inspectorate": Category.INSPECTORATE, "inspectorate correspondence": Category.INSPECTORATE,
    "inspection": Category.INSPECTORATE,
    "social work": Category.SOCIAL_WORK, "social work concern": Category.SOCIAL_WORK,
    "package of care": Category.PACKAGE_OF_CARE, "package-of-care": Category.PACKAGE_OF_CARE,
    "package-of-care change": Category.PACKAGE_OF_CARE, "package of care change": Category.PACKAGE_OF_CARE,
    "poc": Category.PACKAGE_OF_CARE, "care package": Category.PACKAGE_OF_CARE,
}

# Words that point to a category, strongest first. Safeguarding is not among them: it comes from
# the vocabulary in bot.domain.safeguarding, and wins over everything, since a safeguarding
# concern must never be filed (and shown) as an ordinary query.
_GUESS_RULES: tuple[tuple[Category, re.Pattern[str]], ...] = (
    (Category.INSPECTORATE, re.compile(r"\b(care inspectorate|inspectorate|cqc|inspection report|inspector)\b", re.I)),
    (Category.COMPLAINT, re.compile(r"\b(complain\w*|dissatisfied|unhappy with|not happy)\b", re.I)),
    (Category.SOCIAL_WORK, re.compile(r"\b(social work\w*|social worker|care manager)\b", re.I)),
    (Category.PACKAGE_OF_CARE, re.compile(
        r"\b(package of care|care package|poc change|(increase|reduce|change)\w* (in |of |to )?(the )?hours)\b", re.I)),
    (Category.ALERT, re.compile(
        r"\b(alert|missed (visit|call)s?|incident|urgent|staff shortage|unable to cover|closure)\b", re.I)),
)


def category_from_words(text: str) -> Category | None:
    """`complaint`, `social work`, `package of care` -> the category; None if not one."""
    return _CATEGORY_WORDS.get(" ".join(text.lower().replace("_", " ").split()))


def category_names() -> str:
    return ", ".join(c.value for c in Category)


def guess_category(text: str, screened: bool = False) -> Category:
    """The category the words of a message point to; `query` when nothing does. A strong
    safeguarding signal makes it safeguarding (a weak one leaves the category and restricts the
    entry pending review: see `restriction_for`). `screened`: the caller knows `text` has no
    safeguarding signal (see safeguarding.matches_stay_within_lines)."""
    if not screened and assess(text).signal is Signal.STRONG:
        return Category.SAFEGUARDING
    for category, pattern in _GUESS_RULES:
        if pattern.search(text):
            return category
    return Category.QUERY


def format_reference(year: int, sequence: int) -> str:
    return f"{REFERENCE_PREFIX}-{year:04d}-{sequence:04d}"


def normalise_reference(text: str) -> str | None:
    """`pq-2026-42` -> `PQ-2026-0042`; None when `text` is not a reference."""
    match = _REFERENCE.fullmatch(text.strip())
    return format_reference(int(match.group(1)), int(match.group(2))) if match else None


def reference_in_subject(subject: str) -> str | None:
    """The `[PQ-2026-0042]` tag our acknowledgements put in the subject, if a reply kept it."""
    match = _SUBJECT_REFERENCE.search(subject or "")
    return normalise_reference(match.group(1)) if match else None


@dataclass(frozen=True)
class Provider:
    name: str
    aliases: tuple[str, ...] = ()
    email_domains: tuple[str, ...] = ()
    id: int | None = None
    officer: str | None = None  # the Contract Monitoring Officer allocated to the provider
    risk: str | None = None  # "high" | "medium" | "low" (bot.domain.monitoring.Risk)
    registered_on: date | None = None  # the monitoring schedule counts from here until a first visit

    def answers_to(self, text: str) -> bool:
        wanted = " ".join(text.casefold().split())
        return any(wanted == " ".join(n.casefold().split()) for n in (self.name, *self.aliases))


def provider_for_email(providers: list[Provider], address: str | None) -> Provider | None:
    """The provider whose email domain the address is at (subdomains count: a provider with
    domain acme.org owns mail from care.acme.org)."""
    if not address or "@" not in address:
        return None
    domain = address.rsplit("@", 1)[1].strip().lower().rstrip(".")
    for provider in providers:
        for owned in provider.email_domains:
            owned = owned.lower().lstrip("@")
            if domain == owned or domain.endswith("." + owned):
                return provider
    return None


def provider_named(providers: list[Provider], text: str) -> Provider | None:
    """The one provider `text` names (exactly, or with its Ltd/Limited/Care/Homecare variants);
    None when none or several do (see bot.domain.providers.matching for the list)."""
    for provider in providers:
        if provider.answers_to(text):
            return provider
    from bot.domain.providers import matching, same_provider

    found = [p for p in matching(providers, text) if same_provider(p, text)]
    return found[0] if len(found) == 1 else None


@dataclass(frozen=True)
class ConcernAction:
    """An action allocated on an entry: what, who, by when. Numbered within its entry in the
    order allocated: `PQ-2026-0042/1`."""

    description: str
    owner: str
    due_date: date | None = None
    due_text: str | None = None
    done: bool = False
    id: int | None = None
    number: int = 0
    done_at: datetime | None = None
    done_note: str | None = None

    def reference(self, entry: str) -> str:
        return f"{entry}/{self.number}"

    def overdue(self, today: date) -> bool:
        return not self.done and self.due_date is not None and self.due_date < today


@dataclass(frozen=True)
class AttachmentInfo:
    filename: str
    content_type: str
    size: int
    stored: bool  # False: over the size limit, only this note is kept
    note: str | None = None
    id: int | None = None
    restricted: bool = False  # arrived while the entry was confidential


@dataclass
class Concern:
    reference: str
    category: Category
    summary: str
    body: str
    source: Source
    reporter: str
    received_at: datetime
    provider: str | None = None
    reporter_email: str | None = None
    action_code: str | None = None
    state: EntryState = EntryState.OPEN
    message_id: str | None = None  # the email that opened it, if any
    actions: list[ConcernAction] = field(default_factory=list)
    attachments: list[AttachmentInfo] = field(default_factory=list)
    id: int | None = None
    restriction: Restriction = Restriction.NONE
    # The entry's own text (summary, body, first attachments) was written while it was
    # restricted: it stays hidden from people without the role even after a downgrade.
    body_restricted: bool = False
    # A downgrade asked for by one safeguarding-role person, waiting for a second.
    downgrade_requested_by: str | None = None
    downgrade_to: Category | None = None
    closed_at: datetime | None = None
    anonymised_at: datetime | None = None
    # Migration 0010. `received_at` is the mail's own Date (bounded); `logged_at` when the
    # entry was written. A provider name seen but not on the register is `provider_proposed`.
    logged_at: datetime | None = None
    provider_proposed: bool = False
    acknowledged_at: datetime | None = None
    responded_at: datetime | None = None
    complaint_stage: int | None = None

    @property
    def open_actions(self) -> list[ConcernAction]:
        return [a for a in self.actions if not a.done]

    @property
    def provider_label(self) -> str | None:
        """The provider as a listing shows it: `Brightwell Homecare (proposed)` until confirmed."""
        if not self.provider:
            return None
        return f"{self.provider} (proposed)" if self.provider_proposed else self.provider

    @property
    def is_confidential(self) -> bool:
        return self.category is Category.SAFEGUARDING or self.restriction is not Restriction.NONE


@dataclass(frozen=True)
class ConcernEvent:
    """One append-only record of what happened to an entry (like an action's history)."""

    reference: str
    at: datetime
    actor: str
    channel: str
    kind: str  # "logged" | "action" | "close" | "category" | "reply" | "note" | "reopen"
    changes: tuple[tuple[str, str | None, str | None], ...] = ()
    note: str | None = None
    source_ref: str | None = None
    id: int | None = None
    restricted: bool = False  # written while the entry was confidential: stays confidential


@dataclass(frozen=True)
class ConcernAccess:
    """One view (or refused view) of a confidential entry: who, when, where, what."""

    reference: str
    person: str
    at: datetime
    channel: str
    place: str | None  # the conversation; None for a private place (DM, console, email)
    what: str
    allowed: bool


def has_safeguarding_role(person: Person | None) -> bool:
    return person is not None and SAFEGUARDING_ROLE in person.roles_extra


def may_see(person: Person | None, concern: Concern) -> bool:
    """Confidential entries (safeguarding, restricted or pending review) are seen only by people
    with the safeguarding role (not even admins without it); everything else by anyone who may
    ask questions."""
    if not concern.is_confidential:
        return True
    return has_safeguarding_role(person)


def may_see_event(person: Person | None, concern: Concern, event: ConcernEvent) -> bool:
    """What was written while an entry was confidential stays confidential after a downgrade."""
    return may_see(person, concern) and (not event.restricted or has_safeguarding_role(person))


def may_see_body(person: Person | None, concern: Concern) -> bool:
    return may_see(person, concern) and (not concern.body_restricted or has_safeguarding_role(person))


# --- restriction: up with any signal, down only with two people -----------------------------

def restriction_for(category: Category, assessment: Assessment) -> Restriction:
    """A new entry's restriction: safeguarding or a strong signal restricts it, a weak one
    restricts it pending review."""
    if category is Category.SAFEGUARDING or assessment.signal is Signal.STRONG:
        return Restriction.RESTRICTED
    if assessment.signal is Signal.WEAK:
        return Restriction.PENDING
    return Restriction.NONE


def raised_restriction(current: Restriction, assessment: Assessment) -> Restriction:
    """After a reply, note or attachment: a later message can restrict an entry, never the
    reverse."""
    wanted = {Signal.STRONG: Restriction.RESTRICTED, Signal.WEAK: Restriction.PENDING}.get(assessment.signal)
    order = [Restriction.NONE, Restriction.PENDING, Restriction.RESTRICTED]
    if wanted is None or order.index(wanted) <= order.index(current):
        return current
    return wanted


def downgrade_refusal(person: Person | None, concern: Concern) -> str | None:
    """None when `person` may ask for (or confirm) taking the entry out of safeguarding."""
    if not has_safeguarding_role(person):
        return (f"Only people with the safeguarding role may take {concern.reference} out of safeguarding; "
                "nothing was changed.")
    if not concern.is_confidential:
        return f"{concern.reference} is not confidential; there is nothing to downgrade."
    return None


def confirmation_refusal(person: Person, concern: Concern) -> str | None:
    """None when `person` is the second safeguarding-role person a downgrade needs."""
    why = downgrade_refusal(person, concern)
    if why:
        return why
    if concern.downgrade_requested_by is None:
        return (f"Nobody has asked to take {concern.reference} out of safeguarding. To ask, type "
                f"`{concern.reference} unrestrict` or `{concern.reference} category complaint`.")
    if concern.downgrade_requested_by == person.name:
        return (f"You asked for this downgrade; a second person with the safeguarding role must confirm it "
                f"with `{concern.reference} confirm downgrade`. {concern.reference} stays confidential.")
    return None


def may_change(person: Person | None, concern: Concern) -> str | None:
    """None when the person may allocate, close or re-categorise the entry; else why not."""
    if person is None:
        return ("I don't know who you are yet, so I can't change the log. Ask an admin to add you "
                "with `actionbot people add`.")
    if person.role is Role.VIEWER:
        return f"{person.name} has the viewer role, which may not change the log."
    if not may_see(person, concern):
        return (f"{concern.reference} is a confidential entry; only people with the "
                "safeguarding role may work on it.")
    return None


def state_after_allocation(state: EntryState) -> EntryState:
    """Allocating an action to an open entry means someone is working on it."""
    return EntryState.IN_PROGRESS if state is EntryState.OPEN else state


def redacted_line(concern: Concern) -> str:
    """What a channel or digest may show of an entry whoever is looking."""
    if concern.is_confidential:
        return f"{concern.reference} (confidential)"
    provider = concern.provider_label or "provider unknown"
    summary = "(written while confidential)" if concern.body_restricted else concern.summary
    return f"{concern.reference} [{concern.category.value}] {provider}: {summary}"


ANONYMISED = "(anonymised under the retention policy)"


def due_for_purge(concern: Concern, now: datetime, retention_years: dict[str, int], default_years: int) -> bool:
    """A closed entry whose content has outlived its category's retention period."""
    if concern.state is not EntryState.CLOSED or concern.anonymised_at is not None or concern.closed_at is None:
        return False
    years = retention_years.get(concern.category.value, default_years)
    try:
        cutoff = now.replace(year=now.year - years)
    except ValueError:  # 29 February
        cutoff = now.replace(year=now.year - years, day=28)
    return concern.closed_at <= cutoff


def summary_from_text(text: str, limit: int = 120) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "\u2026"
