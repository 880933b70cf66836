"""Questions as people ask them: `who is the lead on 2.2.3b`, `anything overdue for HR?`,
`what's changed since Monday`, `how is 2.4 doing`, `what have I got due?`.

Each question is read into a command the keywords already give (`status`, `summary`,
`overdue`, `due`, `mine`, `changes`) or into `ShowOwner`, so a question and its keyword form
get the same answer. One prefix rule catches a short, one-line message that starts like a
question (`who`, `what's`, `anything`, `how`, `is`, `show me`, … after greetings and
politeness). It tidies the question (politeness, filler, the question mark), then tries the
forms below in order, each a whole-text pattern. A question none of them reads but that
names a code or a section gets a hint about it; anything else is left to the other rules.

A message that starts with a code never reaches this rule: `AP2.5.1 40%` is an update.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from functools import cache

from bot.commands import (
    Help,
    NotACommand,
    ShowChanges,
    ShowDue,
    ShowHistory,
    ShowMine,
    ShowOverdue,
    ShowOwner,
    ShowStatus,
    Summary,
)
from bot.domain import codes
from bot.grammar.queries import due_period, since_date
from bot.grammar.rules import ParseEnv, register_prefix_rule
from bot.grammar.tokens import full_code

MAX_QUESTION_CHARS = 200  # a question is a short line; longer text is left to the other rules

_FILLER = (r"hi|hey|hello|morning|good\s+morning|afternoon|good\s+afternoon|ok|okay|so|and|also|um|"
           r"erm|right|quick\s+question|question|please|pls|plz|kindly|actionbot|bot")
_ASKS = (r"who|whos|whose|what|whats|which|when|where|how|hows|anything|any|is|are|has|have|show|tell|"
         r"give|list|can|could|would|will|do|does|did|let|about|i'?d\s+like|i\s+want|i\s+wonder|"
         r"lead|owner|progress|latest|news")
QUESTION_START = rf"(?:[\s,!:;-]*+(?:{_FILLER})\b){{0,4}}[\s,!:;-]*+(?:{_ASKS})(?![\w.])"

_LEADING = re.compile(rf"(?:(?:{_FILLER})\b[\s,!:;-]*+)++", re.IGNORECASE)
_REQUEST = re.compile(
    r"(?:(?:can|could|would|will)\s+(?:you|u)\s+(?:tell\s+me|show\s+me|let\s+me\s+know|give\s+me|list|show|"
    r"check)?|do\s+you\s+know|i'?d\s+like\s+to\s+know|i\s+want\s+to\s+know|i\s+wonder|tell\s+me|"
    r"let\s+me\s+know|give\s+me)\s*", re.IGNORECASE)
_POLITE = re.compile(r"\b(?:please|pls|plz|kindly)\b", re.IGNORECASE)
_TRAILING = re.compile(
    r"(?:[\s,]*+(?:thanks|thank\s+you|thx|ta|cheers|mate|right\s+now|at\s+the\s+moment|currently|now|atm|"
    r"at\s+present|so\s+far))+$", re.IGNORECASE)
_CODE_ANYWHERE = re.compile(r"(?<![\w.])(?:[A-Za-z]{1,6})?\d{1,3}(?:\.\d{1,3}){1,4}[A-Za-z]?(?![\w]|\.\d)")

_X = r"(?:action\s+|section\s+)?(?P<x>[\w. ]+?)"
_IS = r"(?:'s|s|\s+is|\s+are)"
Build = Callable[[re.Match[str], ParseEnv], object | None]
Form = tuple[re.Pattern[str], Build]


def _tidy(text: str) -> str:
    """The question without politeness, greetings, `can you tell me` and its final `?`."""
    q = " ".join(_POLITE.sub(" ", text.replace("\u2019", "'").replace("\u2018", "'")).split())
    for _ in range(3):
        q = _TRAILING.sub("", q.rstrip("?!., ")).rstrip("?!., ").lstrip(",;:!- ")
        lead = _LEADING.match(q)
        q = (q[lead.end() :] if lead else q).lstrip(",;:!- ")
        request = _REQUEST.match(q)
        q = q[request.end() :] if request and request.end() else q
    return q


def _depth(code: str) -> int:
    return codes.code_number(code).count(".")


def _code_or_section(match: re.Match[str], env: ParseEnv) -> object | None:
    code = full_code(match.group("x"))
    if code is None:
        return None
    return Summary(section=code) if _depth(code) == 1 else ShowStatus(code)


def _action(make: Callable[[str], object]) -> Callable[[re.Match[str], ParseEnv], object | None]:
    def build(match: re.Match[str], env: ParseEnv) -> object | None:
        code = full_code(match.group("x"))
        return make(code) if code is not None and _depth(code) >= 2 else None

    return build


_MYSELF = re.compile(r"me|myself|us|my\s+team|our\s+team", re.IGNORECASE)
_ME = re.compile(r"\b(?:(?:for|to|on|by|with)\s+(?:me|myself|us|my\s+team|our\s+team)|on\s+my\s+plate|mine)\b",
                 re.IGNORECASE)


def _overdue(match: re.Match[str], env: ParseEnv) -> object | None:
    scope = (match.group("scope") or "").strip()
    if not scope:
        return ShowOverdue()
    if _MYSELF.fullmatch(scope):
        return ShowMine()  # yours, overdue first
    scope = re.sub(r"^(?:the|section)\s+", "", scope, flags=re.IGNORECASE)
    return ShowOverdue(full_code(scope) or scope)


def _due(mine: bool) -> Callable[[re.Match[str], ParseEnv], object | None]:
    def build(match: re.Match[str], env: ParseEnv) -> object | None:
        rest = " ".join((match.group("rest") or "").split())
        me = _ME.search(rest)
        wants_mine = mine or me is not None
        if me is not None:
            rest = (rest[: me.start()] + " " + rest[me.end() :]).strip()
        rest = re.sub(r"^(?:in|within|during|for)\s+", "", rest, flags=re.IGNORECASE).lower()
        rest = {"this coming week": "this week", "the next week": "next week", "soon": ""}.get(rest, rest)
        if not rest:
            return ShowMine() if wants_mine else _due_in("this week", env, False)
        return _due_in(rest, env, wants_mine)

    return build


def _due_in(period: str, env: ParseEnv, mine: bool) -> object | None:
    span = due_period(period, env.today)
    return ShowDue(period, span[0], span[1], mine=mine) if span is not None else None


_ON_ACTION = re.compile(r"(?:on|to|for|in|with)\s+(?:action\s+)?(?P<x>.+)", re.IGNORECASE)


def _changes(match: re.Match[str], env: ParseEnv) -> object | None:
    when = " ".join((match.group("when") or "").split())
    if not when:
        return ShowChanges(env.today - timedelta(days=env.today.weekday()))  # this week
    on = _ON_ACTION.fullmatch(when)
    code = full_code(on.group("x")) if on is not None else None
    if code is not None and _depth(code) >= 2:
        return ShowHistory(code)  # `what changed on AP2.5.1?`
    since = since_date(when, env.today)
    return ShowChanges(since) if since is not None else None


def _form(pattern: str, build: Build) -> tuple[str, Build]:
    return pattern, build


def _fixed(command: object) -> Callable[[re.Match[str], ParseEnv], object | None]:
    return lambda match, env: command


# (pattern, build) pairs, compiled on the first question (forms()): compiling them is most of
# this module's import, which a one-shot `actionbot say status AP2.5.1` need not pay.
_FORM_SOURCES: tuple[tuple[str, Build], ...] = (
    # who owns / who is the lead on / who's responsible for X
    _form(rf"(?:who{_IS}?|whose)\s+(?:(?:the\s+)?(?:lead(?:\s+officer)?|owner|contact|person\s+responsible|"
          rf"responsible\s+person|person\s+in\s+charge)(?:\s+(?:on|for|of|with))?|(?:responsible|accountable)\s+"
          rf"for|in\s+charge\s+of|leading|doing|handling|owning|looking\s+after|working\s+on|on|owns|leads|has|does|"
          rf"action\s+is|is)\s+{_X}", _action(ShowOwner)),
    _form(rf"(?:the\s+)?(?:owner|lead)\s+(?:of|for|on)\s+{_X}", _action(ShowOwner)),
    # status of X / what's the status of X / any news on X / when is X due / is X done
    _form(rf"(?:what{_IS}\s+)?(?:the\s+)?(?:status|latest|news|position|progress|update)\s+(?:on|of|for|with|in)\s+{_X}",
          _code_or_section),
    _form(rf"(?:any|anything)\s+(?:news|update|updates|progress)\s+(?:on|for|with|about)\s+{_X}", _code_or_section),
    _form(rf"(?:about|where\s+(?:are\s+we|is|are)\s+(?:with|on)?)\s*{_X}(?:\s+at)?", _code_or_section),
    _form(rf"when\s+(?:is|was)\s+{_X}\s+due", _action(ShowStatus)),
    _form(rf"(?:is|has)\s+{_X}\s+(?:been\s+)?(?:done|finished|complete|completed|overdue|late|on\s+track|started)",
          _action(ShowStatus)),
    # how is section X doing / show X / how are we doing
    _form(rf"how{_IS}?\s+(?:we|things|it)?\s*(?:(?:doing|getting\s+on|going|looking|progressing)\s+(?:on|with|in|for)\s+)?"
          rf"(?:the\s+)?{_X}(?:\s+(?:doing|going|getting\s+on|looking|progressing|coming\s+along))?", _code_or_section),
    _form(rf"how{_IS}?\s+(?:we|things|everything|the\s+plan|it)\s+(?:doing|going|getting\s+on|looking)(?:\s+overall)?",
          _fixed(Summary())),
    _form(rf"(?:show|list)(?:\s+me)?\s+(?:the\s+)?(?:summary\s+(?:of|for)\s+)?{_X}", _code_or_section),
    _form(r"(?:show|list)(?:\s+me)?\s+(?:the\s+)?(?:summary|plan|sections|everything|overall\s+progress)",
          _fixed(Summary())),
    _form(rf"(?:(?:the\s+)?summary\s+(?:of|for)\s+)?{_X}", _code_or_section),  # `can you show me 2.4`
    # what's overdue (for TEAM) / anything overdue for HR / which actions are late
    _form(r"(?:(?:is|are)\s+(?:there\s+)?)?(?:anything|any|what(?:'s|s|\s+is|\s+are)?|which(?:\s+actions?)?(?:\s+are)?|"
          r"show(?:\s+me)?(?:\s+the)?|list(?:\s+the)?)\s+(?:actions?\s+)?(?:(?:that\s+)?(?:is|are)\s+)?(?:still\s+)?"
          r"(?:overdue|late|behind|past\s+(?:its|their\s+)?due(?:\s+date)?)(?:\s+actions?)?"
          r"(?:\s+(?:for|in|of|with|from|on)\s+(?P<scope>.+))?", _overdue),
    # what's changed (today / this week / since DATE)
    _form(r"(?:what(?:'s|s|\s+has|\s+have)?|has\s+anything|anything|any|have\s+there\s+been\s+any|show(?:\s+me)?"
          r"(?:\s+the)?|list(?:\s+the)?)\s+(?:been\s+)?(?:changed|changes|updated|updates|new|happened|changes\s+"
          r"(?:been\s+)?made)(?P<when>\s+.+)?", _changes),
    # what's due (for me) this week / what have I got due / anything for me
    _form(r"(?:what(?:'s|s|\s+is|\s+are)?|anything|is\s+anything|any(?:thing)?|which\s+actions?\s+(?:are|is)|"
          r"show(?:\s+me)?(?:\s+what(?:'s|\s+is))?|list)\s+(?:actions?\s+)?(?:(?:are|is)\s+)?(?:coming\s+)?"
          r"(?:due|coming\s+up)(?P<rest>\s+.+)?", _due(False)),
    _form(r"(?:what|anything)\s+(?:have|has|do|did)\s+(?:i|we)\s+(?:got\s+|have\s+|get\s+)?(?:coming\s+)?"
          r"(?:due|coming\s+up)(?P<rest>\s+.+)?", _due(True)),
    _form(r"(?:do|have)\s+(?:i|we)\s+(?:have|got)\s+(?:anything|any\s+actions?)\s+(?:coming\s+)?due(?P<rest>\s+.+)?",
          _due(True)),
    _form(r"(?:is\s+there\s+)?(?:anything|any\s+actions?)\s+(?:for|on)\s+(?:me|us)(?P<rest>\s+.+)?", _due(True)),
    _form(r"(?:what(?:'s|s|\s+is|\s+are)?|show(?:\s+me)?|list|which\s+are|which\s+actions\s+are)\s+(?:on\s+my\s+plate|"
          r"mine|my\s+actions|my\s+list|assigned\s+to\s+me|my\s+jobs)", _fixed(ShowMine())),
    _form(r"what\s+(?:have|do)\s+(?:i|we)\s+(?:got|have|own|need\s+to\s+do)(?:\s+to\s+do)?(?:\s+on)?",
          _fixed(ShowMine())),
    _form(r"what\s+am\s+i\s+(?:responsible\s+for|doing|on|down\s+for)", _fixed(ShowMine())),
    # what can you do
    _form(r"what\s+(?:can|do)\s+(?:you|i)\s+(?:do|type|say|ask)|how\s+do\s+(?:i|you)\s+(?:use\s+(?:you|this|it|the\s+bot)|"
          r"ask)", _fixed(Help())),
)


@cache
def forms() -> tuple[Form, ...]:
    """The question forms, compiled, in the order they are tried."""
    return tuple((re.compile(pattern, re.IGNORECASE), build) for pattern, build in _FORM_SOURCES)


def read_question(rest: str, env: ParseEnv) -> object | None:
    """The command a question asks for; a hint for a question about a code this rule can't
    read; `None` for everything else (the keyword and code rules then have their turn)."""
    text = env.text
    if "\n" in text or len(text) > MAX_QUESTION_CHARS:
        return None
    question = _tidy(text)
    for pattern, build in forms():
        match = pattern.fullmatch(question)
        if match is not None:
            found = build(match, env)
            if found is not None:
                return found
    return _hint(question)


def _hint(question: str) -> object | None:
    named = _CODE_ANYWHERE.search(question)
    if named is None:
        return None
    code = full_code(named.group(0)) or named.group(0)
    if _depth(code) == 1:
        return NotACommand(
            hint=f"Did you mean `summary {code}`? I read questions like `how is {code} doing?` and "
            f"`anything overdue in {code}?`; type `help questions` for more."
        )
    return NotACommand(
        hint=f"Did you mean `status {code}`? I read questions like `who owns {code}?`, `when is {code} due?` and "
        f"`what's changed on {code}?`; type `help questions` for more."
    )


register_prefix_rule(QUESTION_START, read_question)
