"""The grammar: one `parse(text, today)` for every channel.

`parse` returns a command from `bot.commands`, a `ParseError` (the text looked like a command
but could not be read; its message says what to type) or a `NotACommand` (chatter).

Features add commands by registering rules from their own modules (see `bot.grammar.rules`):

    from bot.grammar import ParseEnv, register_keyword

    def read_subscribe(rest: str, env: ParseEnv) -> object:
        return Subscribe(rest.strip() or None)

    register_keyword("subscribe", read_subscribe)

The module must be imported before the first message is parsed: add it to the imports below
or import it from the composition root.
"""

from __future__ import annotations

from bot.grammar import buttons as _buttons  # noqa: F401  (registers `undo batch <id>`)
from bot.grammar import digest as _digest  # noqa: F401  (registers the digest keywords)
from bot.grammar import queries as _queries  # noqa: F401  (registers the question keywords)
from bot.grammar import questions as _questions  # noqa: F401  (questions as people ask them)
from bot.grammar import concerns as _concerns  # noqa: F401  (the contract-monitoring log)
from bot.grammar import providers as _providers  # noqa: F401  (providers and their monitoring schedule)
from bot.grammar import reminders as _reminders  # noqa: F401  (leave, snoozes, not mine)
from bot.grammar.parser import MAX_UPDATES, parse
from bot.grammar.rules import ParseEnv, Rule, register_keyword, register_prefix_rule
from bot.grammar.tokens import CODE_PATTERN, MAX_MESSAGE_CHARS

__all__ = [
    "CODE_PATTERN",
    "MAX_MESSAGE_CHARS",
    "MAX_UPDATES",
    "ParseEnv",
    "Rule",
    "parse",
    "register_keyword",
    "register_prefix_rule",
]
