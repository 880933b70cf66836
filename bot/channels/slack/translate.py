"""Slack's native shapes -> the platform-neutral message: mentions, Slack's text escapes,
message references. Pure functions, no network."""

from __future__ import annotations

import re

from bot.grammar import CODE_PATTERN

_MENTION = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>")
# <https://x|label>, <mailto:a@b|a@b>, <#C123|general>, <!here>
_LINK = re.compile(r"<([^<>|]{1,2000})(?:\|([^<>]{0,2000}))?>")
_CODE = re.compile(CODE_PATTERN)


def strip_mentions(text: str) -> str:
    """The text without `<@U…>` mentions (of the bot or anyone)."""
    return " ".join(_MENTION.sub(" ", text).split(" ")).strip()


def plain_text(text: str) -> str:
    """Slack message text as the person typed it: links to their labels, escapes undone."""

    def label(match: re.Match[str]) -> str:
        target, shown = match.group(1), match.group(2)
        if shown:
            return ("#" + shown) if target.startswith("#C") else shown
        if target.startswith("!"):
            return "@" + target[1:]
        return target.removeprefix("mailto:")

    text = _LINK.sub(label, strip_mentions(text))
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").strip()


def mentions(text: str, user_id: str | None) -> bool:
    return bool(user_id) and f"<@{user_id}" in text


def has_action_code(text: str) -> bool:
    """Channel messages are only looked at when they name an action code (cheap, no lookups)."""
    return _CODE.search(text[:4000]) is not None


def message_ref(team_url: str | None, channel: str, ts: str) -> str:
    """A message's permalink, built the documented way from the workspace URL (auth.test),
    so it costs no API call and is the same for the message and its later edits; without a
    workspace URL, `slack:{channel}:{ts}`."""
    if team_url:
        return f"{team_url.rstrip('/')}/archives/{channel}/p{ts.replace('.', '')}"
    return f"slack:{channel}:{ts}"
