"""Reminders in Teams personal chats: an Adaptive Card (1.4) posted proactively into the 1:1
chat of the bot and the person, with Done, Snooze 1 week and Not mine `Action.Execute`
buttons per item (verb `reminder`), and Update… (an `Action.ShowCard` with a text box whose
Send button is an `Action.Execute` too: Teams puts the box's value in the action's data).

For the bot to post there, the app must be installed for the person (personal scope), or the
person must have written to the bot once: Teams then has a personal conversation, whose
reference the bot stores (bot.channels.teams). The person is found by their Teams id (the
Microsoft Entra object id given to `actionbot people add --teams`).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from bot.channels.teams.cards import CARD_VERSION
from bot.grammar.reminders import MAX_UPDATE_CHARS, REMINDER_VERB, UPDATE_INPUT
from bot.reminders.model import SendRecord

log = logging.getLogger(__name__)
SEND_TIMEOUT_S = 30.0


def _text(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text.replace("]", "]\u2060"), "wrap": True, **extra}


def _button(title: str, record: SendRecord, index: int, what: str) -> dict[str, Any]:
    return {"type": "Action.Execute", "title": title, "verb": REMINDER_VERB,
            "data": {"actionbot": "reminder", "reminder": record.id, "index": index, "what": what}}


def _update_button(record: SendRecord, index: int) -> dict[str, Any]:
    """Update…: opens a text box under the item; Send runs what was typed as a reply about this
    item (`40% six contracts signed`, `done - agreed at board`, `due end of March`)."""
    box = {"type": "Input.Text", "id": UPDATE_INPUT, "placeholder": "e.g. 40% six contracts signed",
           "maxLength": MAX_UPDATE_CHARS, "isRequired": True, "errorMessage": "Type the update first."}
    return {"type": "Action.ShowCard", "title": "Update…", "card": {
        "type": "AdaptiveCard", "version": CARD_VERSION, "body": [box],
        "actions": [_button("Send update", record, index, "update")]}}


def reminder_card(record: SendRecord) -> dict[str, Any]:
    lines = record.text.split("\n")
    item_lines = record.item_lines()
    body: list[dict[str, Any]] = [_text(lines[0], weight="Bolder")]
    for index, item in enumerate(record.items[:20]):
        body.append(_text(item_lines[index], separator=True))
        actions = [_button("Done", record, index, "done"), _button("Snooze 1 week", record, index, "snooze"),
                   _button("Not mine", record, index, "not_mine")]
        if item.get("kind") == "action":  # log items are updated on the log (`PQ-… done`)
            actions.insert(1, _update_button(record, index))
        body.append({"type": "ActionSet", "actions": actions})
    rest = "\n\n".join([*item_lines[20:], *(line for line in record.other_lines() if line.strip())])
    if rest:
        body.append(_text(rest, isSubtle=True))
    return {"type": "AdaptiveCard", "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "version": CARD_VERSION, "body": body}


def personal_reference(conversations: list[Any], user_id: str) -> tuple[str | None, dict[str, Any] | None]:
    """(conversation key of the person's personal chat, None) if the bot has one on record;
    else (None, any stored reference to open one from: it gives the service URL and tenant)."""
    wanted = user_id.strip().lower()
    fallback = None
    for conversation in conversations:
        reference = conversation.reference or {}
        user = reference.get("user") or {}
        ids = {str(user.get("aadObjectId") or "").lower(), str(user.get("id") or "").lower()}
        if conversation.conversation_type == "personal" and wanted in ids:
            return conversation.conversation_key, None
        fallback = fallback or reference
    return None, fallback


class TeamsReminderDelivery:
    kind = "teams"

    def __init__(self, sender: Any, conversations: Any) -> None:
        self.sender = sender  # bot.channels.teams.proactive.TeamsProactiveSender
        self.conversations = conversations  # () -> stored Teams conversations

    def _post(self, user_id: str, card: dict[str, Any] | None, text: str) -> tuple[str, str | None]:
        key, reference = personal_reference(self.conversations(), user_id)
        if key is not None:
            return key, self.sender.send(key, card, text)
        if reference is None:
            raise LookupError("the bot has no Teams conversation on record to reach this person from; install the "
                              "app for them or ask them to message the bot once")
        from microsoft_agents.activity import ChannelAccount, ConversationReference

        opened = ConversationReference.model_validate(reference)
        opened.user = ChannelAccount(id=user_id, aad_object_id=user_id)
        activity = asyncio.run(asyncio.wait_for(self.sender.send_personal_async(opened, card, text), SEND_TIMEOUT_S))
        return f"personal:{user_id}", activity

    def deliver(self, record: SendRecord, progress: Any) -> str | None:
        posted = progress.get("activity")
        if posted is None:
            conversation, activity_id = self._post(record.address, reminder_card(record), record.text[:3000])
            posted = f"teams:{conversation}:{activity_id or ''}"
            progress.record("activity", posted)
        log.info("reminder posted to teams", extra={"reminder": record.id})
        return str(posted)

    def notify(self, address: str, text: str) -> None:
        self._post(address, None, text)


def teams_reminders(runtime: Any) -> TeamsReminderDelivery | None:
    """None when Teams is not configured."""
    from bot.channels.teams.config import teams_config_from_env

    if teams_config_from_env(runtime.environ) is None:
        return None
    from bot.channels.teams.service import teams_proactive_sender

    sender = teams_proactive_sender(runtime)
    if sender is None:
        return None

    def conversations() -> list[Any]:
        with runtime.new_uow() as uow:
            return list(uow.teams_conversations.list())

    return TeamsReminderDelivery(sender, conversations)
