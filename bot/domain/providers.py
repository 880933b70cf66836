"""Which provider a message is about, without anyone setting anything up first.

The register (`bot.domain.concerns.Provider`: name, aliases, email domains) is matched in this
order: a registered email domain; else the sender's display name, the signature, the subject
(and the domain's own name), each matched against every name and alias of the register,
ignoring case, punctuation and the words that vary between letterheads ("Ltd", "Limited",
"Care", "Homecare", "Services" …). When nothing on the register matches, an organisation name
seen in the display name or the signature ("Brightwell Homecare Ltd") is *proposed*: shown as
proposed until someone confirms it with `PQ-… provider NAME`.

Pure: no SQL, no clock.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date

from bot.domain.concerns import Concern, Provider

# Words that a provider's name may carry or drop from one letter to the next. A name is matched
# on what is left (its "core"); a name made only of these words is matched whole.
VARIANT_WORDS = frozenset({
    "ltd", "limited", "plc", "llp", "cic", "inc", "co", "company", "uk", "the", "and",
    "care", "homecare", "home", "domiciliary", "healthcare", "health", "services", "service",
    "support", "agency", "group", "nursing", "carers", "solutions",
})
# Words that make a phrase an organisation's name rather than a person's.
_ORG_WORDS = r"(?:Home\s?[Cc]are|Homecare|Healthcare|Care|Carers|Nursing|Ltd\.?|Limited|LLP|CIC|Services|Support|Agency)"
# A job title after the word ("Senior Care Coordinator") is not an organisation.
_NOT_AFTER = (r"(?!\s+(?:Co-?ordinator|Workers?|Assistant|Manager|Officer|Lead|Supervisor|Director|Team|Plans?|"
              r"Planner|Package|Staff|Quality|Providers?|Home\s+Manager)\b)")
_ORG_PHRASE = re.compile(
    r"((?:[A-Z][\w&'\u2019.-]*\s+){1,5}?" + _ORG_WORDS + _NOT_AFTER
    + r"(?:\s+(?:Home|Agency|Services|Support|Care|Nursing|Ltd\.?|Limited|UK|LLP|CIC|Group)" + _NOT_AFTER + r")*)"
    + r"(?![\w-])"
)
# Public bodies and generic phrases are not providers, whatever words they carry.
_NOT_ORG = re.compile(r"\b(council|nhs|partnership|borough|government|department|commissioning|social work|"
                      r"social care|health and social|adult services|community care|customer care|personal care|"
                      r"day care|respite care|continuing care)\b", re.IGNORECASE)
_SIGN_OFF = re.compile(r"^\s*(kind regards|best regards|regards|many thanks|thanks|thank you|best wishes|"
                       r"yours sincerely|yours faithfully|sincerely|cheers|--)\b", re.IGNORECASE | re.MULTILINE)
# Shared mail services: their domain says nothing about which provider wrote.
FREE_MAIL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "hotmail.co.uk", "live.com", "live.co.uk",
    "yahoo.com", "yahoo.co.uk", "icloud.com", "me.com", "aol.com", "btinternet.com", "sky.com",
    "virginmedia.com", "protonmail.com", "proton.me", "nhs.net", "gov.uk", "gov.wales", "gov.scot",
})
_TOKEN = re.compile(r"[a-z0-9]+")
MAX_SCAN_CHARS = 4000  # of a signature or subject: enough for any letterhead


class Found(str, enum.Enum):
    DOMAIN = "email domain"
    NAME = "name"  # a registered name or alias, in the display name, signature or subject
    PROPOSED = "proposed"  # an organisation not on the register


@dataclass(frozen=True)
class Detection:
    """What a message says about its provider: a registered one, or a name to propose."""

    how: Found
    provider: Provider | None = None  # None: `name` is proposed, not on the register
    name: str = ""
    where: str = ""  # "display name", "signature", "subject", "domain"


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.casefold().replace("&", " and "))


def core(text: str) -> tuple[str, ...]:
    """`Brightwell Homecare Ltd` -> ("brightwell",); `Care Ltd` -> ("care", "ltd")."""
    words = tokens(text)
    kept = tuple(w for w in words if w not in VARIANT_WORDS)
    return kept or tuple(words)


_LEGAL = frozenset({"ltd", "limited", "plc", "llp", "cic", "inc", "co", "company", "uk", "the"})


def _legal_free(text: str) -> tuple[str, ...]:
    return tuple(w for w in tokens(text) if w not in _LEGAL)


def names_of(provider: Provider) -> list[tuple[str, ...]]:
    return [c for c in (core(n) for n in (provider.name, *provider.aliases)) if c]


def same_provider(provider: Provider, text: str) -> bool:
    """`Brightwell Homecare Limited` is `Brightwell Homecare` (or its alias `Brightwell`)."""
    wanted = core(text)
    return bool(wanted) and wanted in names_of(provider)


def _contains(haystack: list[str], needle: tuple[str, ...]) -> bool:
    n = len(needle)
    if n == 0 or n > len(haystack):
        return False
    if n == 1 and len(needle[0]) < 4:
        return False  # "abc" in a subject is too likely to be something else
    return any(tuple(haystack[i:i + n]) == needle for i in range(len(haystack) - n + 1))


def _capitalised_in(text: str, word: str) -> bool:
    """A one-word name counts only written as a name (`Instead`, not `instead`)."""
    return any(m.group(0)[0].isupper() or m.group(0)[0].isdigit()
               for m in re.finditer(rf"(?<![A-Za-z0-9]){re.escape(word)}(?![A-Za-z0-9])", text, re.IGNORECASE))


def named_in(providers: list[Provider], text: str) -> list[Provider]:
    """The providers whose name or alias (core words, in order) appears in `text`, the longest
    match first; equally long matches are all returned (the caller decides what two mean)."""
    text = text[:MAX_SCAN_CHARS]
    words = tokens(text)
    hits: list[tuple[int, Provider]] = []
    for provider in providers:
        best = max((len(c) for c in names_of(provider) if _contains(words, c)
                    and (len(c) > 1 or _capitalised_in(text, c[0]))), default=0)
        if best:
            hits.append((best, provider))
    if not hits:
        return []
    top = max(length for length, _ in hits)
    return [p for length, p in hits if length == top]


def matching(providers: list[Provider], text: str) -> list[Provider]:
    """Providers `text` names exactly (core words equal): for `provider NAME` and `concerns NAME`.
    When none is exact, those whose name starts with the words typed (`Brightwell`)."""
    exact = [p for p in providers if same_provider(p, text)]
    if len(exact) > 1:  # "Riverside Care Services Ltd" is not "Riverside Nursing", though both core to "riverside"
        closer = [p for p in exact if _legal_free(text) in {_legal_free(n) for n in (p.name, *p.aliases)}]
        exact = closer or exact
    if exact:
        return exact
    typed = tokens(text)
    if not typed:
        return []
    return [p for p in providers if any(tuple(tokens(n)[:len(typed)]) == tuple(typed)
                                        for n in (p.name, *p.aliases))]


def signature(body: str) -> str:
    """The end of a message: from the last sign-off on, else its last lines."""
    tail = body[-MAX_SCAN_CHARS:]
    found = list(_SIGN_OFF.finditer(tail))
    if found:
        return tail[found[-1].start():]
    return "\n".join(tail.strip().splitlines()[-8:])


def organisation_in(text: str) -> str | None:
    """An organisation's name in a display name or signature: `Jane (Brightwell Homecare Ltd)`
    -> `Brightwell Homecare Ltd`."""
    for line in text.splitlines():
        for match in _ORG_PHRASE.finditer(line):
            name = " ".join(match.group(1).split()).strip(" .,-")
            if _NOT_ORG.search(name) or core(name) == tuple(tokens(name)) and len(tokens(name)) < 2:
                continue
            if all(w in VARIANT_WORDS for w in tokens(name)):
                continue
            return name[:200]
    return None


_DOMAIN = re.compile(r"^(?=.{3,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def domain_from_text(text: str) -> str | None:
    """`@Brightwell.co.uk`, `https://www.brightwell.co.uk/` -> `brightwell.co.uk`; None if not a domain."""
    cleaned = text.strip().lower()
    cleaned = re.sub(r"^[a-z]+://", "", cleaned).split("/", 1)[0]
    cleaned = cleaned.rsplit("@", 1)[-1].removeprefix("www.").rstrip(".")
    return cleaned if _DOMAIN.match(cleaned) else None


def domain_of(address: str | None) -> str | None:
    if not address or "@" not in address:
        return None
    return address.rsplit("@", 1)[1].strip().lower().rstrip(".") or None


def _by_domain_name(providers: list[Provider], domain: str | None) -> list[Provider]:
    """`brightwell-homecare.co.uk` names Brightwell Homecare even before its domain is registered."""
    if not domain or domain in FREE_MAIL_DOMAINS:
        return []
    label = "".join(tokens(domain.split(".")[0]))
    found = []
    for provider in providers:
        for name in (provider.name, *provider.aliases):
            whole, kernel = "".join(tokens(name)), "".join(core(name))
            if label and (label == whole or (len(kernel) >= 5 and label.startswith(kernel))):
                found.append(provider)
                break
    return found


def detect(providers: list[Provider], *, address: str | None, display_name: str | None, subject: str,
           body: str, propose: bool = True) -> Detection | None:
    """The provider of a new entry, best evidence first; None when nothing points anywhere.

    Two registered providers matching equally well is not a guess we make: the first place
    that names exactly one wins, and a place that names two moves on to the next."""
    from bot.domain.concerns import provider_for_email

    by_address = provider_for_email(providers, address)
    if by_address is not None:
        return Detection(Found.DOMAIN, by_address, by_address.name, "domain")
    sign = signature(body)
    places = (("display name", display_name or ""), ("signature", sign), ("subject", subject))
    for where, text in places:
        found = named_in(providers, text)
        if len(found) == 1:
            return Detection(Found.NAME, found[0], found[0].name, where)
    by_label = _by_domain_name(providers, domain_of(address))
    if len(by_label) == 1:
        return Detection(Found.NAME, by_label[0], by_label[0].name, "domain")
    for where, text in places[:2] if propose else ():
        name = organisation_in(text)
        if name:
            return Detection(Found.PROPOSED, None, name, where)
    return None


# An inline forward's header, as Outlook, Gmail and Apple Mail write it ("From: Jane Smith
# <jane@…>", "From: Jane Smith [mailto:jane@…]", "*From:* …").
_FORWARD_FROM = re.compile(r"^[ \t>]*\*?From:\*?[ \t]*(?P<who>[^\n]{1,300})$", re.MULTILINE)


@dataclass(frozen=True)
class InlineForward:
    address: str | None
    display_name: str | None
    body: str  # what follows the forwarded header


def inline_forward(body: str) -> InlineForward | None:
    """The first forwarded message quoted in a body (a member of staff forwarding a provider's
    mail inline), or None."""
    from email.utils import parseaddr

    match = _FORWARD_FROM.search(body[:20_000])
    if match is None:
        return None
    who = re.sub(r"\[mailto:([^\]]+)\]", r"<\1>", match.group("who")).strip()
    name, address = parseaddr(who)
    if not address or "@" not in address:
        address, name = "", name or who
    return InlineForward(address.lower() or None, name.strip(" \"'") or None, body[match.end():])


# --- what the digest and the reminders list ------------------------------------------------

@dataclass(frozen=True)
class LogDueItem:
    """One thing from the contract-monitoring log that falls due: an allocated action of an
    entry (`PQ-2026-0042/1`) or a monitoring activity of a provider (`Brightwell Homecare:
    monitoring visit`). For the digest and the reminders.

    `restricted`: the entry is confidential. Show such an item by `reference` only (no
    `title`, no provider) to anyone without the safeguarding role."""

    kind: str  # "log action" | "visit"
    reference: str  # "PQ-2026-0042/1", or the activity: "Brightwell Homecare: monitoring visit"
    title: str
    provider: str | None
    due: date
    owner: str | None  # a person's or team's name
    owner_person_id: int | None
    restricted: bool = False

    def overdue(self, today: date) -> bool:
        return self.due < today

    def safe_line(self, may_see_restricted: bool) -> str:
        """The item as a line anyone may read (a confidential one by reference only)."""
        if self.restricted and not may_see_restricted:
            return f"{self.reference} (confidential) due {self.due:%d %b %Y}"
        where = f" [{self.provider}]" if self.provider else ""
        who = f" — {self.owner}" if self.owner else ""
        return f"{self.reference}{where} {self.title}{who}, due {self.due:%d %b %Y}"


def concern_names(provider: Provider, concern: Concern) -> bool:
    """Whether an entry logged before `provider` was registered (or given this domain) is its."""
    return entry_names(provider, address=concern.reporter_email, display_name=concern.reporter,
                       subject=concern.summary, body=concern.body,
                       provider_text=concern.provider if concern.id is not None else None)


def entry_names(provider: Provider, *, address: str | None, display_name: str | None, subject: str, body: str,
                provider_text: str | None) -> bool:
    """Whether an entry logged before `provider` was on the register is this provider's: its
    sender's domain, the name it was proposed under, or its display name, signature or subject."""
    if provider_text and same_provider(provider, provider_text):
        return True
    found = detect([provider], address=address, display_name=display_name, subject=subject, body=body, propose=False)
    return found is not None and found.provider is not None
