"""Grammar of providers and their monitoring schedule.

`providers`, `provider Brightwell` (its page), `provider Brightwell visit done 12/11/2026 -
report filed` (also `focused visit`, `liaison meeting`, `forum`, `call monitoring`),
`provider Brightwell risk high`, `provider Brightwell officer Sam Patel`.
"""

from __future__ import annotations

import re

from bot.commands import NotACommand, ParseError
from bot.concern_commands import (
    AddProviderDomain,
    ListProviders,
    RecordVisit,
    SetProviderOfficer,
    SetProviderRisk,
    ShowProvider,
)
from bot.domain.dates import read_date_phrase
from bot.domain.monitoring import ACTIVITY_PATTERN, activity_from_words, risk_from_words
from bot.grammar.rules import ParseEnv, register_keyword
from bot.domain.providers import domain_from_text

_MAX_NAME_CHARS = 80
MAX_NAME_WORDS = 6
_TRAILING = "?.! \t"
_DONE = re.compile(rf"^(?P<name>.+?)\s+(?P<activity>{ACTIVITY_PATTERN})\s+(?:done|held|completed|attended|took place)"
                   r"\b(?P<rest>.*)$", re.IGNORECASE | re.DOTALL)
_SETTING = re.compile(r"^(?P<name>.+?)\s+(?P<what>risk|officer|domain)\b\s*(?:is\s+|to\s+|=\s*|:\s*)?(?P<value>.*)$",
                      re.IGNORECASE | re.DOTALL)
_NOTE_SPLIT = re.compile(r"\s+(?:-|\u2013|\u2014|:)\s+|\s*[:;]\s+|\n")
_USAGE = ("For a provider I understand `provider Brightwell` (its page), `provider Brightwell visit done "
          "12/11/2026 - report filed` (or focused visit, liaison meeting, forum, call monitoring), "
          "`provider Brightwell risk high` and `provider Brightwell officer Sam Patel`.")


def _name(text: str) -> str | ParseError:
    name = " ".join(text.strip(_TRAILING).split())
    if not name:
        return ParseError(_USAGE)
    if len(name) > _MAX_NAME_CHARS:
        return ParseError(f"A provider's name is at most {_MAX_NAME_CHARS} characters. {_USAGE}")
    return name


def _visit(name: str, activity_words: str, rest: str, env: ParseEnv) -> object:
    activity = activity_from_words(activity_words)
    assert activity is not None  # the pattern lists only activity words
    rest = rest.strip()
    rest = re.sub(r"^(?:on|dated)\s+", "", rest, flags=re.IGNORECASE)
    parts = _NOTE_SPLIT.split(rest, maxsplit=1) if rest else [""]
    when_text, note = parts[0].strip(" ,"), (parts[1].strip() if len(parts) > 1 else "")
    day = None
    if when_text:
        reading = read_date_phrase(when_text, env.today, past=True)
        if reading is None:
            # no date after all: the whole rest is the note
            note, day = rest.strip(" -:"), None
        else:
            day = reading.day
    return RecordVisit(name, activity.value, day, note or None)


def read_provider(rest: str, env: ParseEnv) -> object:
    text = rest.strip()
    if not text.strip(_TRAILING):
        return ParseError(_USAGE)
    done = _DONE.match(text)
    if done:
        name = _name(done.group("name"))
        if isinstance(name, ParseError):
            return name
        return _visit(name, done.group("activity"), done.group("rest"), env)
    setting = _SETTING.match(text)
    if setting:
        name = _name(setting.group("name"))
        if isinstance(name, ParseError):
            return name
        value = " ".join(setting.group("value").strip(_TRAILING).split())
        if setting.group("what").lower() == "risk":
            if risk_from_words(value) is None:
                return ParseError(f"'{value or '(nothing)'}' is not a risk level; use high, medium or low, e.g. "
                                  f"`provider {name} risk high`. Nothing was changed.")
            return SetProviderRisk(name, value.lower())
        if setting.group("what").lower() == "domain":
            domain = domain_from_text(value)
            if domain is None:
                return ParseError(f"'{value or '(nothing)'}' is not an email domain; type e.g. `provider {name} domain "
                                  "brightwell.co.uk`. Nothing was changed.")
            return AddProviderDomain(name, domain)
        if not value or len(value) > _MAX_NAME_CHARS:
            return ParseError(f"Who is the officer? Type `provider {name} officer Sam Patel`.")
        return SetProviderOfficer(name, value.lstrip("@"))
    name = _name(text)
    if isinstance(name, ParseError):
        return name
    if len(name.split()) > MAX_NAME_WORDS or "\n" in text.strip():
        # "Provider X has raised a concern about …" is a sentence (a mail's subject), not a page asked for.
        return NotACommand(hint="To see a provider's page, type `provider NAME`.")
    return ShowProvider(name)


def read_providers(rest: str, env: ParseEnv) -> object:
    if not rest.strip(_TRAILING):
        return ListProviders()
    found = read_provider(rest, env)
    if isinstance(found, ShowProvider):  # "Providers meeting notes" is not a page asked for
        return NotACommand(hint="To see a provider's page, type `provider NAME`; `providers` lists them all.")
    return found


register_keyword("provider", read_provider)
register_keyword("providers", read_providers)
