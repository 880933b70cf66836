"""Digest subscriptions by chat: `subscribe this channel to weekly digest`,
`unsubscribe this channel`, `digest preview`.

Chatter that merely starts with these words (`subscribe to the newsletter`) is not a command.
"""

from __future__ import annotations

import re

from bot.commands import NotACommand, ParseError, PreviewDigest, SubscribeDigest, UnsubscribeDigest
from bot.grammar.rules import ParseEnv, register_keyword

_SUBSCRIBE = re.compile(
    r"(?:this channel|this chat|this conversation|here|us)?\s*(?:(?:to|for)\s+)?(?:the\s+)?"
    r"(?:weekly\s+)?(?:digests?)?", re.IGNORECASE)
_UNSUBSCRIBE = re.compile(
    r"(?:this channel|this chat|this conversation|here|us)?\s*(?:(?:from|to)\s+)?(?:the\s+)?"
    r"(?:weekly\s+)?(?:digests?)?", re.IGNORECASE)
_HERE = re.compile(r"\b(?:this channel|this chat|this conversation|here|us|digests?)\b", re.IGNORECASE)
_SUBSCRIBE_HELP = "To get the weekly digest in this channel, type `subscribe this channel to weekly digest`."


def _words(rest: str) -> str:
    return " ".join(rest.strip(" \t?.!").split())


def read_subscribe(rest: str, env: ParseEnv) -> object:
    words = _words(rest)
    if not words:
        return ParseError(_SUBSCRIBE_HELP)
    if _SUBSCRIBE.fullmatch(words) and _HERE.search(words):
        return SubscribeDigest()
    return NotACommand(hint=_SUBSCRIBE_HELP)


def read_unsubscribe(rest: str, env: ParseEnv) -> object:
    words = _words(rest)
    if not words or (_UNSUBSCRIBE.fullmatch(words) and _HERE.search(words)):
        return UnsubscribeDigest()
    return NotACommand(hint="To stop the digest in this channel, type `unsubscribe this channel`.")


def read_digest(rest: str, env: ParseEnv) -> object:
    words = _words(rest).lower()
    if words in ("", "preview", "please", "preview please"):
        return PreviewDigest()
    return NotACommand(hint="To see this channel's digest now, type `digest preview`.")


register_keyword("subscribe", read_subscribe)
register_keyword("unsubscribe", read_unsubscribe)
register_keyword("digest", read_digest)
register_keyword("weekly digest", read_digest)
