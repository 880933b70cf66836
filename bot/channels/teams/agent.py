"""The Teams agent: what happens in one turn (the SDK's `Agent.on_turn`).

- message: translate to an InboundMessage, hand it to the dispatcher (in a worker thread: the
  dispatcher and storage are synchronous), send the Reply back as an Adaptive Card. A private
  reply (confidential content) asked in a channel or group chat goes to the asker's personal
  chat instead, and the channel or group gets `PRIVATE_NOTICE`;
- invoke "adaptiveCard/action" (an Undo button, an Action.Execute): the same dispatch, and
  the answer goes back in the HTTP response as the card that replaces the pressed one
  (`undone_card`: says what was undone, no button); a refusal ("not yours to undo") comes
  back as a message to the presser and leaves the card as it was;
- conversationUpdate that adds the bot, installationUpdate "add": remember the conversation
  reference so digests can be posted there later; the first message that addresses the bot
  in a conversation does the same.

It never imports handlers/ or storage/: the composition root hands it `dispatch`,
`remember` and `send_privately`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from microsoft_agents.activity import (
    Activity,
    ActivityTypes,
    AdaptiveCardInvokeResponse,
    Attachment,
    ConversationReference,
    InvokeResponse,
)
from microsoft_agents.hosting.core import TurnContext
from microsoft_agents.hosting.core.connector import ConnectorClientBase

from bot.channels.teams.cards import CARD_CONTENT_TYPE, reply_card, shorten, summary_line, undone_card
from bot.channels.teams.translate import (
    card_action,
    conversation_key,
    conversation_type,
    inbound_message,
    tenant_id,
)
from bot.grammar.reminders import BUTTON_PREFIX
from bot.messages import PRIVATE_UNDELIVERABLE, InboundMessage, Reply

log = logging.getLogger(__name__)

Dispatch = Callable[[InboundMessage], Reply | None]
# remember(conversation_key, tenant_id, conversation_type, service_url, reference JSON)
Remember = Callable[[str, str | None, str | None, str, dict[str, Any]], None]
# send_privately(reference of the conversation asked in, card, text): post into the personal
# chat of the reference's user (TeamsProactiveSender.send_personal_async); raises on failure.
SendPrivately = Callable[[ConversationReference, dict[str, Any] | None, str], Awaitable[str | None]]

WELCOME = (
    "Hello, I'm actionbot: I keep the action plan. Mention me with an update such as "
    "`AP2.5.1 40% - six contracts signed`, or ask `summary 2.5`, `overdue` or `help`."
)
ROSTER_TIMEOUT_S = 5.0
# The response types of an adaptiveCard/action invoke (Universal Actions for Adaptive Cards).
MESSAGE_RESPONSE_TYPE = "application/vnd.microsoft.activity.message"  # a sentence shown to the presser
UNKNOWN_BUTTON = "That button is not one I know; nothing was changed. Type `undo` to revert your last change."
ALREADY_HANDLED = "That button press was already handled."
SORRY = (
    "Something went wrong on my side and nothing was changed (incident {incident}). "
    "Please try again; if it keeps happening, tell your admin the incident number."
)


def card_activity(card: dict[str, Any] | None, text: str) -> Activity:
    """A message carrying `card` (its fallbackText set to `text` if missing), or plain text."""
    if card is None:
        return Activity(type="message", text=shorten(text))
    card = {**card, "fallbackText": card.get("fallbackText") or shorten(text)}
    return Activity(
        type="message",
        summary=summary_line(text),
        attachments=[Attachment(content_type=CARD_CONTENT_TYPE, content=card)],
    )


def reply_activity(reply: Reply) -> Activity:
    return card_activity(reply_card(reply), reply.text)


def stored_reference(activity: Activity, key: str) -> dict[str, Any]:
    """The conversation reference to post into `key` later: the channel itself (a new thread),
    not the thread the bot was addressed in, and no activity to reply to."""
    reference = activity.get_conversation_reference()
    reference.activity_id = None
    reference.conversation.id = key
    if reference.conversation.tenant_id is None:
        reference.conversation.tenant_id = tenant_id(activity)
    dumped: dict[str, Any] = reference.model_dump(mode="json", by_alias=True, exclude_none=True)
    return dumped


class ActionbotAgent:
    """Implements the SDK's `Agent` protocol (`on_turn`)."""

    def __init__(self, dispatch: Dispatch, remember: Remember, send_privately: SendPrivately | None = None) -> None:
        self._dispatch = dispatch
        self._remember = remember
        self._send_privately = send_privately
        self._known: set[str] = set()  # conversation keys remembered by this process
        self._emails: dict[str, str | None] = {}  # AAD object id -> email, from the roster

    async def on_turn(self, context: TurnContext) -> None:
        activity = context.activity
        if activity.type == "message":
            await self._on_message(context)
        elif card_action(activity) is not None:
            await self._on_card_action(context)
        elif activity.type == "conversationUpdate":
            bot_id = activity.recipient.id if activity.recipient else None
            if any(member.id == bot_id for member in activity.members_added or []):
                await self._remember_conversation(activity, force=True)
        elif activity.type == "installationUpdate":
            if (activity.action or "").startswith("add"):
                await self._remember_conversation(activity, force=True)
                await context.send_activity(card_activity(None, WELCOME))

    async def _on_message(self, context: TurnContext) -> None:
        message = inbound_message(context.activity)
        if message is None:
            return
        reply = await self._handle(context, message)
        if reply is None:
            return
        if reply.private and not message.is_private:
            await self._reply_privately(context, reply)
            return
        await context.send_activity(reply_activity(reply))

    async def _on_card_action(self, context: TurnContext) -> None:
        """An Action.Execute press. Teams waits for the invoke's HTTP response and shows what it
        carries: a card replaces the pressed card, a message is shown to the presser alone."""
        message = inbound_message(context.activity)
        if message is None:
            await self._answer_invoke(context, MESSAGE_RESPONSE_TYPE, UNKNOWN_BUTTON)
            return
        reply = await self._handle(context, message)
        if reply is None:  # a redelivered invoke: the first delivery did it
            await self._answer_invoke(context, MESSAGE_RESPONSE_TYPE, ALREADY_HANDLED)
        elif reply.is_error:  # nothing changed, so the card stays as it is (its Undo still there)
            await self._answer_invoke(context, MESSAGE_RESPONSE_TYPE, reply.text)
        elif reply.private and not message.is_private:
            await self._reply_privately(context, reply)
            await self._answer_invoke(context, MESSAGE_RESPONSE_TYPE, reply.public_stand_in().text)
        elif message.text.startswith(BUTTON_PREFIX):  # a reminder's button: the card stays, the answer shows
            await self._answer_invoke(context, MESSAGE_RESPONSE_TYPE, reply.text)
        else:
            sender = context.activity.from_property
            await self._answer_invoke(context, CARD_CONTENT_TYPE, undone_card(reply, sender.name if sender else None))

    @staticmethod
    async def _answer_invoke(context: TurnContext, kind: str, value: Any) -> None:
        # The adapter keeps an invokeResponse activity for the HTTP response instead of sending it.
        body = AdaptiveCardInvokeResponse(status_code=200, type=kind, value=value)
        await context.send_activity(Activity(type=ActivityTypes.invoke_response, value=InvokeResponse(
            status=200, body=body.model_dump(mode="json", by_alias=True, exclude_none=True))))

    async def _handle(self, context: TurnContext, message: InboundMessage) -> Reply | None:
        """The dispatcher's reply (the sender's email looked up first when the bot was addressed),
        or an error reply with an incident number when the dispatcher failed."""
        if message.is_direct:
            await self._remember_conversation(context.activity)
            email = await self._sender_email(context)
            if email:
                message = dataclasses.replace(message, sender_email=email)
        try:
            return await asyncio.to_thread(self._dispatch, message)
        except Exception:
            incident = uuid.uuid4().hex[:8]
            log.exception("teams message failed", extra={"channel": "teams", "message_id": message.message_id,
                                                          "incident": incident})
            return Reply.error(SORRY.format(incident=incident))

    async def _reply_privately(self, context: TurnContext, reply: Reply) -> None:
        """The reply to the asker's personal chat, the notice where they asked; if the personal
        chat cannot be reached, `PRIVATE_UNDELIVERABLE` there, never the content."""
        activity = context.activity
        try:
            if self._send_privately is None:
                raise RuntimeError("no proactive sender to reach the personal chat")
            reference = activity.get_conversation_reference()
            if reference.conversation.tenant_id is None:
                reference.conversation.tenant_id = tenant_id(activity)
            await self._send_privately(reference, reply_card(reply), reply.text)
        except Exception as exc:  # neither the content nor the exception text (it may echo it) is logged
            log.warning("teams private reply undeliverable; the conversation was told", extra={
                "channel": "teams", "conversation": conversation_key(activity), "error": type(exc).__name__})
            await context.send_activity(reply_activity(Reply(text=PRIVATE_UNDELIVERABLE, as_of=reply.as_of)))
            return
        await context.send_activity(reply_activity(reply.public_stand_in()))

    async def _sender_email(self, context: TurnContext) -> str | None:
        """The sender's email (or UPN) from the conversation roster, so a person added with
        `actionbot people add --email` is recognised on Teams too. Message activities do not
        carry it; the roster call needs the connector, which Teams' normal delivery mode
        provides (an expectReplies request has none, and then only the AAD id identifies)."""
        activity = context.activity
        sender = activity.from_property
        aad_id = (sender.aad_object_id or "").lower() if sender else ""
        if not aad_id or not sender or not sender.id or not activity.conversation:
            return None
        if aad_id in self._emails:
            return self._emails[aad_id]
        connector = context.services.get(ConnectorClientBase)  # type: ignore[type-abstract]
        get_member = getattr(connector, "get_conversation_member", None)
        if not callable(get_member):
            return None
        try:
            member = await asyncio.wait_for(get_member(activity.conversation.id, sender.id), ROSTER_TIMEOUT_S)
        except Exception as exc:  # the message is still handled, by AAD id alone
            log.warning("teams roster lookup failed", extra={"error": type(exc).__name__})
            return None
        email = getattr(member, "email", None) or getattr(member, "user_principal_name", None)
        self._emails[aad_id] = str(email).lower() if email else None
        return self._emails[aad_id]

    async def _remember_conversation(self, activity: Activity, force: bool = False) -> None:
        key = conversation_key(activity)
        if not key or not activity.service_url or (key in self._known and not force):
            return
        try:
            await asyncio.to_thread(
                self._remember, key, tenant_id(activity), conversation_type(activity),
                activity.service_url, stored_reference(activity, key),
            )
        except Exception:  # a reply still goes out; the next message tries again
            log.exception("could not store the Teams conversation reference", extra={"conversation": key})
            return
        self._known.add(key)
        log.info("teams conversation remembered", extra={"conversation": key, "type": conversation_type(activity)})
