"""Grammar of the contract-monitoring log, registered on the one parser.

`concern Acme Care: missed calls`, `complaint …`, `safeguarding …`, `concerns open`,
`concerns Acme Care`, and reference-led commands: `PQ-2026-0042`,
`PQ-2026-0042 action chase rota @sam by Friday`, `PQ-2026-0042 close resolved …`,
`PQ-2026-0042 category complaint`, `PQ-2026-0042 note …`, `PQ-2026-0042 restrict`,
`PQ-2026-0042 unrestrict`, `PQ-2026-0042 confirm downgrade`, `PQ-2026-0042 access`.
"""

from __future__ import annotations

import re

from bot.commands import NotACommand, ParseError
from bot.concern_commands import (
    AddConcernNote,
    AllocateConcernAction,
    CloseConcern,
    ConcernActionDone,
    ConfirmDowngrade,
    LinkConcern,
    ListConcerns,
    ListConcernsDue,
    LogConcern,
    RecordConcernMilestone,
    ReopenConcern,
    ReopenConcernAction,
    RestrictConcern,
    SetComplaintStage,
    SetConcernActionDue,
    SetConcernActionOwner,
    SetConcernCategory,
    SetConcernProvider,
    ShowConcern,
    ShowConcernAccess,
    ShowTimescales,
    UnrestrictConcern,
)
from bot.domain.concerns import REFERENCE_PATTERN, Category, category_from_words, category_names, normalise_reference
from bot.domain.dates import parse_date_phrase
from bot.grammar.rules import ParseEnv, register_keyword, register_prefix_rule
from bot.grammar.tokens import full_code, strip_note

_MAX_PROVIDER_CHARS = 80
_PROVIDER_SPLIT = re.compile(r"^([^:\n]{1,80}?)\s*:\s*(.+)$", re.DOTALL)
_OWNER = re.compile(r"@([\w.'-]++(?:[ \t]++(?!by\b)[A-Z][\w.'-]*+)?)")
_BY = re.compile(r"\s(?:by|due)\s++(.+)$", re.IGNORECASE)
_VERB = re.compile(r"([A-Za-z]++)\b[ \t:]*+(.*)$", re.DOTALL)
_TRAILING = "?.! \t"

_USAGE = (
    "To log a concern, type `concern PROVIDER: what happened`, e.g. "
    "`concern Acme Care: missed calls on Tuesday` (or start with `complaint` or `safeguarding`)."
)
_REF_USAGE = (
    "After a reference I understand `{ref}` (show it), `{ref} action chase rota @sam by Friday`, "
    "`{ref} close resolved at liaison meeting`, `{ref} category complaint`, `{ref} link AP2.5.1`, `{ref} note …`, "
    "`{ref} restrict`, `{ref} unrestrict`, `{ref} confirm downgrade`, `{ref} access`, `{ref} provider NAME`, "
    "`{ref} reopen`, `{ref} acknowledged`, `{ref} responded`, `{ref} stage 2`, and for its actions "
    "`{ref}/1 done`, `{ref}/1 reopen`, `{ref}/1 due 15/12/2026`, `{ref}/1 owner Sam Patel`."
)
_ACTION_NUMBER = re.compile(r"/\s*(\d{1,4})\b[ \t:]*+(.*)$", re.DOTALL)
_ACTION_WORD_NUMBER = re.compile(r"(\d{1,4})\b[ \t:]*+(.*)$", re.DOTALL)
_DUE_WORDS = re.compile(r"^(?:due|by)\b\s*(?:on\s+|by\s+)?", re.IGNORECASE)


def _log_rule(category: Category | None):  # type: ignore[no-untyped-def]
    def rule(rest: str, env: ParseEnv) -> object:
        text = rest.strip()
        if not text:
            return ParseError(_USAGE)
        provider = None
        split = _PROVIDER_SPLIT.match(text)
        if split and len(split.group(1)) <= _MAX_PROVIDER_CHARS and split.group(2).strip():
            provider, text = split.group(1).strip(), split.group(2).strip()
        return LogConcern(text=text, provider=provider, category=category.value if category else None)

    return rule


def read_concerns(rest: str, env: ParseEnv) -> object:
    words = " ".join(rest.strip(_TRAILING).split())
    lowered = words.lower()
    if lowered in ("", "open", "all open"):
        return ListConcerns(open_only=True)
    if lowered in ("all", "everything", "closed"):
        return ListConcerns(open_only=False)
    if lowered == "overdue":
        return ListConcernsDue("overdue")
    if lowered in ("due this week", "due", "due soon", "this week", "due by friday"):
        return ListConcernsDue("week")
    if lowered in ("timescales", "timescales met", "timescale", "performance"):
        return ShowTimescales()
    if lowered.startswith("for "):
        words = words[4:].strip()
    if len(words) > _MAX_PROVIDER_CHARS:
        return NotACommand(hint="To list the log, type `concerns open` or `concerns PROVIDER`.")
    return ListConcerns(open_only=False, provider=words)


def read_reference(rest: str, env: ParseEnv) -> object:
    assert env.match is not None
    reference = normalise_reference(env.match.group(0))
    if reference is None:  # the prefix pattern guarantees a reference; keep mypy honest
        return None
    text = rest.strip()
    numbered = _ACTION_NUMBER.match(text)
    if numbered:
        return _action_lifecycle(reference, int(numbered.group(1)), numbered.group(2), env)
    if not text.strip(_TRAILING):
        return ShowConcern(reference)
    verb = _VERB.match(text)
    if verb is None:
        return ParseError(_REF_USAGE.format(ref=reference))
    word, tail = verb.group(1).lower(), strip_note(verb.group(2)) or ""
    if word == "action":
        by_number = _ACTION_WORD_NUMBER.match(tail)
        if by_number:
            return _action_lifecycle(reference, int(by_number.group(1)), by_number.group(2), env)
        return _allocation(reference, tail, env)
    if word in ("close", "closed", "resolved"):
        anyway = re.match(r"anyway\b[\s:,-]*(.*)$", tail, re.IGNORECASE | re.DOTALL)
        if anyway:
            return CloseConcern(reference, anyway.group(1).strip() or None, anyway=True)
        return CloseConcern(reference, tail or None)
    if word == "reopen":
        return ReopenConcern(reference, tail or None)
    if word == "provider":
        name = " ".join(tail.strip(_TRAILING).split())
        if not name or len(name) > _MAX_PROVIDER_CHARS:
            return ParseError(f"Which provider? Type `{reference} provider Brightwell Homecare`.")
        return SetConcernProvider(reference, name)
    if word in ("acknowledged", "acknowledge", "ack", "acked"):
        return RecordConcernMilestone(reference, "acknowledged", tail or None)
    if word in ("responded", "respond", "response"):
        return RecordConcernMilestone(reference, "responded", tail or None)
    if word == "stage":
        stage = tail.strip(_TRAILING)
        if stage not in ("1", "2"):
            return ParseError(f"A complaint is at stage 1 or 2: type `{reference} stage 2`.")
        return SetComplaintStage(reference, int(stage))
    if word == "category":
        category = category_from_words(tail.strip(_TRAILING))
        if category is None:
            return ParseError(
                f"I couldn't read the category '{tail}'. Type `{reference} category complaint`; "
                f"the categories are: {category_names()}."
            )
        return SetConcernCategory(reference, category.value)
    if word == "link":
        code = full_code(tail)
        if code is None:
            return ParseError(f"Which action? Type `{reference} link AP2.5.1`.")
        return LinkConcern(reference, code)
    bare = tail.strip(_TRAILING).lower()
    if word in ("restrict", "restricted", "confidential") and not bare:
        return RestrictConcern(reference)
    if (word == "unrestrict" and not bare) or (word == "not" and bare == "safeguarding"):
        return UnrestrictConcern(reference)
    if word == "confirm" and bare in ("downgrade", "the downgrade", "unrestrict"):
        return ConfirmDowngrade(reference)
    if word in ("access", "views", "viewed") and not bare:
        return ShowConcernAccess(reference)
    if word in ("note", "update", "comment"):
        if not tail:
            return ParseError(f"What is the note? Type `{reference} note spoke to the manager`.")
        return AddConcernNote(reference, tail)
    return ParseError(f"I couldn't read '{word}' after {reference}. " + _REF_USAGE.format(ref=reference))


def _action_lifecycle(reference: str, number: int, text: str, env: ParseEnv) -> object:
    """`PQ-2026-0042/1 done [note]`, `… reopen`, `… due 15/12/2026`, `… owner Sam Patel`."""
    ref = f"{reference}/{number}"
    usage = (f"For an allocated action I understand `{ref} done [note]`, `{ref} reopen`, "
             f"`{ref} due 15/12/2026` and `{ref} owner Sam Patel`.")
    if number < 1:
        return ParseError(f"Actions are numbered from 1 within their entry. {usage}")
    verb = _VERB.match(text.strip())
    if verb is None:
        return ParseError(usage)
    word, tail = verb.group(1).lower(), (strip_note(verb.group(2)) or "").strip()
    tail = tail.split("\n\n", 1)[0].strip()  # a mail's sign-off below a blank line is not the note
    if word in ("done", "complete", "completed", "finished"):
        return ConcernActionDone(reference, number, tail.strip(" -:,") or None)
    if word in ("reopen", "undone", "open"):
        return ReopenConcernAction(reference, number)
    if word in ("due", "by", "timescale"):
        phrase = _DUE_WORDS.sub("", tail).strip(_TRAILING) if word != "due" else tail.strip(_TRAILING)
        due = parse_date_phrase(phrase, env.today) if phrase else None
        if due is None:
            return ParseError(f"I couldn't read the date '{phrase}'. Type `{ref} due 15/12/2026`.")
        return SetConcernActionDue(reference, number, due, phrase)
    if word in ("owner", "reassign", "assign", "to"):
        owner = tail.lstrip("@").strip(_TRAILING)
        if not owner or len(owner) > _MAX_PROVIDER_CHARS:
            return ParseError(f"Who is the new owner? Type `{ref} owner Sam Patel`.")
        return SetConcernActionOwner(reference, number, owner)
    return ParseError(f"I couldn't read '{word}' after {ref}. {usage}")


def _allocation(reference: str, text: str, env: ParseEnv) -> object:
    example = f"`{reference} action chase rota @sam by Friday`"
    owner_match = _OWNER.search(text)
    if owner_match is None:
        return ParseError(f"Who will do it? Name the owner with @, e.g. {example}.")
    owner = owner_match.group(1).strip()
    remainder = (text[: owner_match.start()] + " " + text[owner_match.end() :]).strip()
    due = None
    phrase = None
    by = _BY.search(" " + remainder)
    if by is not None:
        phrase = by.group(1).strip(_TRAILING)
        due = parse_date_phrase(phrase, env.today)
        if due is None:
            return ParseError(f"I couldn't read the timescale '{phrase}'. Try {example} or `by 31/03/2027`.")
        remainder = (" " + remainder)[: by.start()].strip()
    description = remainder.strip(" -:,")
    if not description:
        return ParseError(f"What is the action? Type {example}.")
    return AllocateConcernAction(reference, description, owner, due, phrase)


register_keyword("concern", _log_rule(None))
register_keyword("complaint", _log_rule(Category.COMPLAINT))
register_keyword("safeguarding", _log_rule(Category.SAFEGUARDING))
register_keyword("concerns", read_concerns)
register_prefix_rule(rf"{REFERENCE_PATTERN}(?![\w-])", read_reference)
