"""The grammar: one `parse(text, today)` for every channel.

`parse` returns a command from `bot.commands`, a `ParseError` (the text looked like a command
but could not be read; its message says what to type) or a `NotACommand` (chatter).

Features add commands by registering rules from their own modules (see `bot.grammar.rules`):

    from bot.grammar import ParseEnv, register_keyword

    def read_subscribe(rest: str, env: ParseEnv) -> object:
        return Subscribe(rest.strip() or None)

    register_keyword("subscribe", read_subscribe)

Declare the module below with `feature_grammar`, in the order its prefix rules should be tried;
name the words its messages start with (`starts`) and it is imported only when a message
could be one of its commands (see `bot.grammar.rules`).
"""

from __future__ import annotations

from bot.grammar.parser import MAX_UPDATES, parse
from bot.grammar.rules import ParseEnv, Rule, feature_grammar, register_keyword, register_prefix_rule
from bot.grammar.tokens import CODE_PATTERN, MAX_MESSAGE_CHARS

feature_grammar("bot.grammar.buttons")  # `undo batch <id>`
feature_grammar("bot.grammar.digest", starts=("subscribe", "unsubscribe", "digest", "weekly"))
feature_grammar("bot.grammar.queries")  # the question keywords
feature_grammar("bot.grammar.questions")  # questions as people ask them
# The contract-monitoring log: its keywords, and references (`PQ-2026-0042 close …`).
feature_grammar("bot.grammar.concerns", starts=("concern", "concerns", "complaint", "safeguarding", "pq"))
feature_grammar("bot.grammar.providers", starts=("provider", "providers"))
# Leave (`I'm away until …`, `on leave from … to …`), snoozes and `not mine` (also after a code:
# `AP2.5.1 snooze 2 weeks`, `AP2.5.1 not mine`), reminder buttons.
feature_grammar("bot.grammar.reminders", starts=("i", "im", "on", "away", "ooo", "snooze", "not", "reminder"),
                contains=("snooze", "not"))

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
