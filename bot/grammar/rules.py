"""The rule tables the parser consults before it reads code-led updates.

A feature adds a command by registering a rule from its own module, never by editing the
parser:

- `register_keyword("overdue", rule)`: the message starts with that word (or words).
- `register_prefix_rule(r"PQ-\\d{4}-\\d{4}", rule)`: the message starts with a regex match.

A rule is `rule(rest, env) -> object`. `rest` is the text after the keyword or match, with
leading spaces and one `:` removed (it may span lines). `env.today` is the date to read
relative dates against, `env.text` the whole cleaned message, `env.match` the keyword or
prefix match. A rule returns a command from `bot.commands`, a `ParseError`, a `NotACommand`,
or `None` for "not mine after all", which lets the parser carry on as if there were no rule.

A feature's grammar module is declared with `feature_grammar` (bot.grammar lists them). One
that names the words its messages start with is imported only when a message could be one of
its commands: a one-shot `actionbot say status AP2.5.1` then never builds the contract-monitoring
log's commands (start-up, docs/benchmarks-notes.md section 4). Which modules are loaded never
changes what a message parses to (tests/grammar/test_lazy_grammar.py parses the grammar tests'
texts both ways): a module is loaded before any message one of its rules could read is parsed,
and prefix rules are tried in the order the modules are declared, whatever order they loaded in.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class ParseEnv:
    """What a rule may need besides its own text."""

    today: date
    text: str
    match: re.Match[str] | None = None


Rule = Callable[[str, ParseEnv], object]

_KEYWORDS: dict[str, Rule] = {}
_PREFIXES: list[tuple[re.Pattern[str], Rule]] = []
_KEYWORD_SHAPE = re.compile(r"[a-z]+(?: [a-z]+){0,2}")
MAX_KEYWORD_WORDS = 3


@dataclass(frozen=True)
class _WaitingGrammar:
    module: str
    starts: frozenset[str]
    contains: tuple[str, ...]


_GRAMMAR_ORDER: list[str] = []  # feature grammar modules, in the order their prefix rules are tried
_WAITING: list[_WaitingGrammar] = []
_LOADING = threading.Lock()
# The first word, after what a prefix rule may skip (QUESTION_START skips `[\s,!:;-]`).
_FIRST_WORD = re.compile(r"[\s,!:;-]*+([A-Za-z]*+)")


def feature_grammar(module: str, starts: Iterable[str] | None = None, contains: Iterable[str] = ()) -> None:
    """Declare a feature's grammar module; declarations give the order prefix rules are tried in.

    Without `starts` the module is imported now. With it, the module is imported before the
    first message whose first word (letters, any case, after leading spaces and `,!:;-`) is one
    of `starts`, or that has one of `contains` anywhere (any case; for rules led by an action
    code, `AP2.5.1 snooze`). Every rule the module registers must need one of those words there:
    a keyword's first word, a prefix pattern's leading literal.
    """
    _GRAMMAR_ORDER.append(module)
    if starts is None:
        __import__(module)  # (not importlib.import_module: `python -X importtime` shows these)
    else:
        _WAITING.append(_WaitingGrammar(module, frozenset(w.lower() for w in starts),
                                        tuple(w.lower() for w in contains)))


def load_grammars_for(text: str) -> None:
    """Import every declared grammar module whose rules could read `text` (the cleaned message)."""
    if not _WAITING:
        return
    waiting = tuple(_WAITING)
    if text.isascii():
        first = _FIRST_WORD.match(text)
        word = first.group(1).lower() if first else ""
        lowered = text.lower()
        waiting = tuple(g for g in waiting if word in g.starts or any(w in lowered for w in g.contains))
    # else: case-insensitive patterns also match a few letters outside ASCII (`ſ` for `s`, the
    # Kelvin sign for `k`), so a message with any of them loads every module.
    if not waiting:
        return
    with _LOADING:  # another thread's message waits until a module it may need has registered all its rules
        for grammar in waiting:
            if grammar in _WAITING:
                __import__(grammar.module)
                _WAITING.remove(grammar)


def load_all_grammars() -> None:
    """Import every declared grammar module now (a long-running service, or a test comparing)."""
    with _LOADING:
        for grammar in tuple(_WAITING):
            __import__(grammar.module)
            _WAITING.remove(grammar)


def _rank(rule: Rule) -> int:
    module = getattr(rule, "__module__", None)
    return _GRAMMAR_ORDER.index(module) if module in _GRAMMAR_ORDER else len(_GRAMMAR_ORDER)


def register_keyword(word: str, rule: Rule, *, replace: bool = False) -> None:
    """Route messages that start with `word` (one to three words, any case) to `rule`."""
    key = " ".join(word.lower().split())
    if not _KEYWORD_SHAPE.fullmatch(key):
        raise ValueError(f"a keyword is one to three words of letters, not {word!r}")
    if key in _KEYWORDS and not replace and _KEYWORDS[key] is not rule:
        raise ValueError(f"keyword {key!r} already has a rule; pass replace=True to change it")
    _KEYWORDS[key] = rule


def register_prefix_rule(pattern: str | re.Pattern[str], rule: Rule) -> None:
    """Route messages whose start matches `pattern` (case-insensitive) to `rule`.

    Prefix rules are tried before keywords: a declared feature grammar's in the order the
    modules are declared (`feature_grammar`), each module's in the order registered, then any
    other in the order registered. Keep the pattern anchored by shape (no unbounded nested
    repeats): it runs on every message.
    """
    compiled = re.compile(pattern, re.IGNORECASE) if isinstance(pattern, str) else pattern
    if any(existing.pattern == compiled.pattern and r is rule for existing, r in _PREFIXES):
        return  # re-importing a module must not register a rule twice
    rank = _rank(rule)
    at = len(_PREFIXES)
    while at and _rank(_PREFIXES[at - 1][1]) > rank:
        at -= 1
    _PREFIXES.insert(at, (compiled, rule))


def keyword_rule(key: str) -> Rule | None:
    return _KEYWORDS.get(key)


def prefix_rules() -> tuple[tuple[re.Pattern[str], Rule], ...]:
    return tuple(_PREFIXES)
