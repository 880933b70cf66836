"""Teams Activity -> InboundMessage: who wrote what, where, stripped of the bot's @mention.

Only translation happens here: no handlers, no storage, no network. The functions read the
SDK's `Activity` model (microsoft_agents.activity) by attribute and never import it, so this
module stays cheap to import.
"""

from __future__ import annotations

import hashlib
import html
import re
from typing import Any

from bot.channels.teams.cards import UNDO_VERB
from bot.grammar.reminders import MAX_UPDATE_CHARS, REMINDER_VERB, UPDATE_INPUT, reminder_button_text
from bot.grammar.buttons import undo_batch_text
from bot.messages import InboundMessage

CHANNEL = "teams"
CARD_ACTION_INVOKE = "adaptiveCard/action"  # the invoke an Action.Execute sends
_AT_TAG = re.compile(r"<at[^>]*>(.*?)</at>", re.IGNORECASE | re.DOTALL)
_THREAD_SUFFIX = ";messageid="
_SPACES = re.compile(r"[ \t\u00a0]+")
_MAX_MESSAGE_ID = 500  # storage's inbound_messages.message_id column


def _get(value: Any, *names: str) -> Any:
    """value.a.b.c for models or dicts; None as soon as a step is missing."""
    for name in names:
        if value is None:
            return None
        value = value.get(name) if isinstance(value, dict) else getattr(value, name, None)
    return value


def channel_data(activity: Any) -> dict[str, Any]:
    data = getattr(activity, "channel_data", None)
    if isinstance(data, dict):
        return data
    if data is not None and hasattr(data, "model_dump"):
        dumped: dict[str, Any] = data.model_dump(by_alias=True, exclude_none=True)
        return dumped
    return {}


def tenant_id(activity: Any) -> str | None:
    """The Microsoft Entra tenant the activity comes from (conversation, then channelData)."""
    found = _get(activity, "conversation", "tenant_id") or _get(channel_data(activity), "tenant", "id")
    return str(found).lower() if found else None


def conversation_type(activity: Any) -> str | None:
    found = _get(activity, "conversation", "conversation_type")
    if found:
        return str(found)
    conversation_id = _get(activity, "conversation", "id") or ""
    if _get(channel_data(activity), "channel", "id") or _THREAD_SUFFIX in conversation_id:
        return "channel"
    return None


def conversation_key(activity: Any) -> str | None:
    """The conversation a reply thread belongs to, as digests and plan bindings name it.

    In a channel, Teams gives each thread its own conversation id, "<channel id>;messageid=
    <root message id>"; posting to the bare channel id starts a new thread there, which is
    what a weekly digest should do. Personal and group chats have one id each.
    """
    conversation_id = _get(activity, "conversation", "id")
    if not conversation_id:
        return None
    base = str(conversation_id).split(_THREAD_SUFFIX, 1)[0]
    if conversation_type(activity) == "channel":
        return str(_get(channel_data(activity), "channel", "id") or base)
    return base


def is_bot_mentioned(activity: Any) -> bool:
    bot_id = _get(activity, "recipient", "id")
    return bool(bot_id) and any(_get(m, "mentioned", "id") == bot_id for m in _mentions(activity))


def _mentions(activity: Any) -> list[Any]:
    get_mentions = getattr(activity, "get_mentions", None)
    if callable(get_mentions):
        return list(get_mentions())
    return [e for e in (getattr(activity, "entities", None) or []) if _get(e, "type") == "mention"]


def addressed_text(activity: Any) -> str:
    """The message text with the bot's own `<at>…</at>` mention removed and other people's
    mentions turned into their plain names, so the shared grammar sees what was typed
    (`<at>actionbot</at> AP2.5.1 owner <at>Sam Patel</at>` -> `AP2.5.1 owner Sam Patel`)."""
    text = str(getattr(activity, "text", None) or "")
    bot_id = _get(activity, "recipient", "id")
    bot_names = {str(_get(activity, "recipient", "name") or "").strip().lower()}
    for mention in _mentions(activity):
        if bot_id is None or _get(mention, "mentioned", "id") != bot_id:
            continue
        bot_names.add(str(_get(mention, "mentioned", "name") or "").strip().lower())
        mention_text = _get(mention, "text")
        if mention_text:  # the entity's text is exactly what appears in activity.text
            text = text.replace(str(mention_text), " ")
    bot_names.discard("")

    def keep_name(match: re.Match[str]) -> str:
        # Teams' own docs show entity texts that differ from the message text ("<at>@Name</at>"),
        # so any tag left over that names the bot is dropped too.
        inner = html.unescape(match.group(1)).strip()
        return " " if inner.lstrip("@").strip().lower() in bot_names else inner

    text = _AT_TAG.sub(keep_name, text)
    text = html.unescape(text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.replace("\r\n", "\n").split("\n")]
    return "\n".join(lines).strip()


def card_action(activity: Any) -> Any:
    """The pressed `Action.Execute` of an `adaptiveCard/action` invoke ({"type", "verb",
    "data"}), or None for any other activity."""
    if _get(activity, "type") != "invoke" or _get(activity, "name") != CARD_ACTION_INVOKE:
        return None
    action = _get(getattr(activity, "value", None), "action")
    return action if _get(action, "type") == "Action.Execute" else None


def _button_data(activity: Any) -> Any:
    """What an Undo button sent: an Action.Execute's `data` (an invoke), or, from cards posted
    before the button became an Action.Execute, an Action.Submit's `value` (a message)."""
    action = card_action(activity)
    if action is not None:
        return _get(action, "data") if _get(action, "verb") in (UNDO_VERB, REMINDER_VERB) else None
    return getattr(activity, "value", None)


def _button_text(activity: Any) -> str | None:
    """The command an Adaptive Card button sent."""
    value = _button_data(activity)
    if isinstance(value, dict) and value.get("actionbot") == "reminder":  # a reminder's button
        try:
            what = str(value["what"])
            typed = " ".join(str(value.get(UPDATE_INPUT) or "").split())[:MAX_UPDATE_CHARS] if what == "update" else ""
            return reminder_button_text(int(value["reminder"]), int(value["index"]), what, typed)
        except (KeyError, TypeError, ValueError):
            return None
    if not isinstance(value, dict) or value.get("actionbot") != "undo":
        return None
    batch = value.get("batch")
    return undo_batch_text(str(batch)) if batch else "undo"


def _message_id(key: str, activity_id: str) -> str:
    # Teams activity ids are per-conversation timestamps, so the conversation is part of the key.
    message_id = f"{key}/{activity_id}"
    if len(message_id) > _MAX_MESSAGE_ID:
        message_id = "sha256:" + hashlib.sha256(message_id.encode()).hexdigest()
    return message_id


def inbound_message(activity: Any) -> InboundMessage | None:
    """The InboundMessage for a message activity (typed text or an Action.Submit button) or an
    Undo button's `adaptiveCard/action` invoke, or None when there is nothing to hand the
    dispatcher."""
    kind = _get(activity, "type")
    if kind not in ("message", "invoke"):
        return None
    button = _button_text(activity)
    if kind == "invoke" and button is None:
        return None
    text = button if button is not None else addressed_text(activity)
    if not text:
        return None
    sender = getattr(activity, "from_property", None)
    sender_id = _get(sender, "aad_object_id") or _get(sender, "id")
    if not sender_id:
        return None
    key = conversation_key(activity)
    activity_id = _get(activity, "id")
    conversation_id = _get(activity, "conversation", "id")
    return InboundMessage(
        text=text,
        channel=CHANNEL,
        sender_id=str(sender_id).lower() if _get(sender, "aad_object_id") else str(sender_id),
        sender_name=_get(sender, "name"),
        conversation_id=key,
        message_id=_message_id(key or "", str(activity_id)) if activity_id else None,
        source_ref=f"teams:{conversation_id}/{activity_id}" if activity_id else None,
        is_direct=button is not None or conversation_type(activity) == "personal" or is_bot_mentioned(activity),
        # Only a personal chat is read by the sender and the bot alone: an @mention in a channel
        # or group chat is addressed to the bot, and everyone there reads the answer.
        is_private=conversation_type(activity) == "personal",
        # A reply to one of the bot's messages in a personal chat (a reminder's, maybe).
        replying_to=f"teams:{key}:{_get(activity, 'reply_to_id')}"
        if kind == "message" and conversation_type(activity) == "personal" and _get(activity, "reply_to_id")
        else None,
    )
