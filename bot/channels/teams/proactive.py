"""Proactive messages to Teams: post an Adaptive Card into a stored conversation.

`TeamsProactiveSender.send(conversation_key, card, text)` looks up the conversation reference
stored when the bot was installed there or first addressed there, then goes through the
SDK's continue-conversation path (`CloudAdapter.continue_conversation`: it makes an
authenticated connector client for the reference's serviceUrl) and posts a new message with
`POST {serviceUrl}/v3/conversations/{conversation id}/activities`. In a channel that starts
a new thread, which is what a digest should do.

`send_personal_async(reference, card, text)` posts into the personal (1:1) chat of the
reference's user instead: it asks the Bot Connector for that chat (`POST {serviceUrl}/v3/
conversations` with the bot, the user and the tenant; Teams answers the existing chat's id)
and posts there. That is where a private answer to a question asked in a channel goes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from microsoft_agents.activity import (
    ChannelAccount,
    ConversationAccount,
    ConversationParameters,
    ConversationReference,
)
from microsoft_agents.hosting.core import ClaimsIdentity, TurnContext
from microsoft_agents.hosting.core.connector import ConnectorClientBase

from bot.channels.teams.agent import card_activity

log = logging.getLogger(__name__)

LoadReference = Callable[[str], dict[str, Any] | None]
SEND_TIMEOUT_S = 30.0


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class UnknownConversation(LookupError):
    """No reference is stored for that conversation; the message says what to do."""


class ProactiveSendFailed(RuntimeError):
    """The connector refused or could not be reached; nothing was posted."""


class TeamsProactiveSender:
    def __init__(
        self,
        adapter: Any,  # the SDK's CloudAdapter
        app_id: str | None,
        load_reference: LoadReference,
        service_url_override: str | None = None,
        loop_of_service: Callable[[], asyncio.AbstractEventLoop | None] = lambda: None,
    ) -> None:
        self._adapter = adapter
        self._app_id = app_id or ""
        self._load_reference = load_reference
        self._service_url_override = service_url_override
        self._loop_of_service = loop_of_service

    def send(self, conversation_key: str, card: dict[str, Any] | None, text: str,
             timeout: float = SEND_TIMEOUT_S) -> str | None:
        """Post `card` (with `text` as its plain-text fallback) to the conversation; returns
        the new message's id. Callable from any thread (a scheduler, the CLI)."""
        loop = self._loop_of_service()
        if _running_loop() is not None:
            raise RuntimeError("TeamsProactiveSender.send blocks; inside an event loop await send_async instead")
        if loop is not None and loop.is_running():
            future = asyncio.run_coroutine_threadsafe(self.send_async(conversation_key, card, text), loop)
            return future.result(timeout)
        return asyncio.run(asyncio.wait_for(self.send_async(conversation_key, card, text), timeout))

    async def send_async(self, conversation_key: str, card: dict[str, Any] | None, text: str) -> str | None:
        stored = await asyncio.to_thread(self._load_reference, conversation_key)
        if stored is None:
            raise UnknownConversation(
                f"I have no Teams conversation '{conversation_key}' on record: the bot must be added to "
                "that team or chat (or mentioned there once) before it can post there."
            )
        reference = ConversationReference.model_validate(stored)
        reference.activity_id = None
        if self._service_url_override:
            reference.service_url = self._service_url_override
        outgoing = card_activity(card, text).apply_conversation_reference(reference)
        posted: dict[str, str | None] = {}

        async def post(context: TurnContext) -> None:
            connector = context.services.get(ConnectorClientBase)  # type: ignore[type-abstract]
            if connector is None:
                raise RuntimeError("the SDK made no connector client for this conversation")
            response = await connector.conversations.send_to_conversation(reference.conversation.id, outgoing)
            posted["id"] = getattr(response, "id", None)

        await self._continue(reference, post, conversation_key)
        log.info("proactive message posted", extra={"conversation": conversation_key, "activity_id": posted.get("id")})
        return posted.get("id")

    async def send_personal_async(self, reference: ConversationReference, card: dict[str, Any] | None,
                                  text: str) -> str | None:
        """Post `card` into the personal chat of `reference.user` with `reference.agent` (the
        asker and the bot of the conversation `reference` names); returns the new message's id.
        Raises ProactiveSendFailed when Teams refuses (e.g. the app is not installed for the
        person) or cannot be reached."""
        reference = reference.model_copy(deep=True)
        reference.activity_id = None
        if self._service_url_override:
            reference.service_url = self._service_url_override
        user, agent, conversation = reference.user, reference.agent, reference.conversation
        if user is None or not user.id or agent is None or not agent.id or conversation is None:
            raise ProactiveSendFailed("The conversation names no person and bot to open a personal chat between.")
        tenant = conversation.tenant_id
        # The documented body: {"bot": {...}, "members": [{"id": user}], "channelData": {"tenant": ...}}.
        parameters = ConversationParameters.model_validate({
            "isGroup": False, "bot": {"id": agent.id, "name": agent.name}, "members": [{"id": user.id}],
            **({"tenantId": tenant, "channelData": {"tenant": {"id": tenant}}} if tenant else {})})
        posted: dict[str, str | None] = {}

        async def post(context: TurnContext) -> None:
            connector = context.services.get(ConnectorClientBase)  # type: ignore[type-abstract]
            if connector is None:
                raise RuntimeError("the SDK made no connector client for this conversation")
            created = await connector.conversations.create_conversation(parameters)
            personal = ConversationReference(
                channel_id=reference.channel_id, service_url=reference.service_url, agent=agent,
                user=ChannelAccount(id=user.id, aad_object_id=user.aad_object_id),
                conversation=ConversationAccount(id=created.id, conversation_type="personal", tenant_id=tenant))
            outgoing = card_activity(card, text).apply_conversation_reference(personal)
            response = await connector.conversations.send_to_conversation(created.id, outgoing)
            posted["id"] = getattr(response, "id", None)

        await self._continue(reference, post, "personal chat")
        log.info("private message posted to a personal chat", extra={"activity_id": posted.get("id")})
        return posted.get("id")

    async def _continue(self, reference: ConversationReference, post: Callable[[TurnContext], Awaitable[None]],
                        label: str) -> None:
        """Run `post` with a connector client for the reference's serviceUrl, authenticated as
        the bot (or anonymous in development mode)."""
        continuation = reference.get_continuation_activity()
        failures: list[Exception] = []

        async def guarded(context: TurnContext) -> None:
            # A failure is raised below, outside the SDK's pipeline: inside it the adapter's
            # on_turn_error would swallow it and post an apology into the conversation the
            # reference names (for a private answer: the channel it was asked in).
            try:
                await post(context)
            except Exception as exc:
                failures.append(exc)

        try:
            if self._app_id:
                await self._adapter.continue_conversation(self._app_id, continuation, guarded)
            else:  # anonymous development mode: no app identity, no token
                await self._adapter.continue_conversation_with_claims(
                    ClaimsIdentity(), continuation, guarded, audience="https://api.botframework.com")
            if failures:
                raise failures[0]
        except Exception as exc:
            log.warning("proactive message failed", extra={"conversation": label, "error": type(exc).__name__})
            raise ProactiveSendFailed(
                f"Teams did not accept the message for '{label}' ({type(exc).__name__}: {exc})."
            ) from exc
