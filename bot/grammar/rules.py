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
"""

from __future__ import annotations

import re
from collections.abc import Callable
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

    Prefix rules are tried before keywords, in the order registered. Keep the pattern
    anchored by shape (no unbounded nested repeats): it runs on every message.
    """
    compiled = re.compile(pattern, re.IGNORECASE) if isinstance(pattern, str) else pattern
    if any(existing.pattern == compiled.pattern and r is rule for existing, r in _PREFIXES):
        return  # re-importing a module must not register a rule twice
    _PREFIXES.append((compiled, rule))


def keyword_rule(key: str) -> Rule | None:
    return _KEYWORDS.get(key)


def prefix_rules() -> tuple[tuple[re.Pattern[str], Rule], ...]:
    return tuple(_PREFIXES)
