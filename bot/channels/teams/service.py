"""`actionbot run`'s Teams service: the aiohttp app serving POST /api/messages.

Every request passes the SDK's JWT middleware first (Bot Framework tokens: signature against
the published keys, audience = our app id, issuer/tenant binding). Then this module refuses
what the SDK lets through but actionbot must not act on: an activity from a tenant that is
not configured, a serviceUrl that differs from the one the token was issued for (the bot
would send its own token there), and bodies that are not activities. Anonymous requests are
accepted only when ACTIONBOT_TEAMS_ALLOW_ANONYMOUS=1, with a warning at start-up.

Under `actionbot run` this app is mounted at /api on the one HTTP server (`mount`); started on
its own (tests, benches) the service runs an aiohttp server of its own at ACTIONBOT_TEAMS_HOST
and _PORT. Either way the server runs on its own event loop in its own thread, so `start()`
returns at once.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import warnings
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from microsoft_agents.activity import Activity
from microsoft_agents.hosting.aiohttp import CloudAdapter, jwt_authorization_middleware
from microsoft_agents.hosting.core import TurnContext
from pydantic import ValidationError

from bot.channels.teams.agent import ActionbotAgent, Dispatch, Remember, card_activity
from bot.channels.teams.auth import auth_configuration, connection_manager
from bot.channels.teams.config import TeamsConfig, TeamsConfigError, teams_config_from_env
from bot.channels.teams.proactive import LoadReference, TeamsProactiveSender
from bot.channels.teams.translate import tenant_id

log = logging.getLogger(__name__)

ANONYMOUS_WARNING = (
    "WARNING: ACTIONBOT_TEAMS_ALLOW_ANONYMOUS=1: /api/messages accepts requests WITHOUT "
    "authentication. Anyone who can reach the port can act as any Teams user. Use this only "
    "for local development; never expose this port."
)
MESSAGES_PREFIX = "/api"  # the app's one route, /messages, is /api/messages


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def _host(url: str | None) -> str:
    return (urlsplit(url).hostname or "").lower() if url else ""


@web.middleware
async def _log_refusals(request: web.Request, handler: Any) -> web.StreamResponse:
    """One WARNING per refused request (401/403), whoever refused it: the SDK answers a
    request with no Authorization header without logging anything. Never the body or token."""
    response: web.StreamResponse = await handler(request)
    if response.status in (401, 403):
        log.warning("teams request refused", extra={
            "status": response.status, "remote": request.remote, "path": request.path,
            "has_authorization": "Authorization" in request.headers})
    return response


def build_app(config: TeamsConfig, adapter: CloudAdapter, agent: ActionbotAgent) -> web.Application:
    """The app to mount at MESSAGES_PREFIX: its middlewares (JWT first) guard only its route."""
    configuration = auth_configuration(config.app_id, config.app_secret, config.tenant_id, config.allow_anonymous)
    # The SDK's middleware (1.9) uses plain string keys ("agent_configuration" on the app,
    # "claims_identity" on each request) where aiohttp 3.12+ recommends AppKey/RequestKey
    # instances and warns on every request; the keys are the SDK's to choose.
    warnings.filterwarnings("ignore", category=web.NotAppKeyWarning, module=r"microsoft_agents\.hosting\.aiohttp")
    app = web.Application(middlewares=[_log_refusals, jwt_authorization_middleware])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", web.NotAppKeyWarning)
        app["agent_configuration"] = configuration

    async def messages(request: web.Request) -> web.StreamResponse:
        try:
            body = await request.json()
            activity = Activity.model_validate(body)
            if not activity.conversation or not activity.conversation.id:
                raise ValueError("no conversation")
        except (json.JSONDecodeError, UnicodeDecodeError, ValidationError, TypeError, ValueError):
            return _error(400, "The request body is not a Bot Framework activity (JSON with type and conversation).")
        tenant = tenant_id(activity)
        if not config.tenant_allowed(tenant):
            log.warning("activity from an unknown tenant refused", extra={"tenant": tenant, "type": activity.type})
            return _error(403, "This bot is not available to your organisation (its tenant is not allowed).")
        claims = request.get("claims_identity")
        claimed_url = claims.get_claim_value("serviceurl") if claims is not None else None
        if claimed_url and _host(claimed_url) != _host(activity.service_url):
            log.warning("serviceUrl differs from the token's", extra={"activity_host": _host(activity.service_url)})
            return _error(401, "The activity's serviceUrl is not the one its token was issued for.")
        response = await adapter.process(request, agent)
        return response if response is not None else web.Response(status=202)

    app.router.add_post("/messages", messages)
    return app


def make_adapter(config: TeamsConfig) -> CloudAdapter:
    configuration = auth_configuration(config.app_id, config.app_secret, config.tenant_id, config.allow_anonymous)
    adapter = CloudAdapter(connection_manager=connection_manager(configuration, config.oauth_token_url,
                                                                 config.app_certificate))

    async def on_turn_error(context: TurnContext, error: Exception) -> None:
        # The SDK's default sends the exception text to the user; say a sentence instead.
        log.error("teams turn failed", exc_info=error, extra={"channel": "teams"})
        await context.send_activity(card_activity(None, "Something went wrong on my side and nothing was changed. "
                                                        "Please try again in a minute."))

    adapter.on_turn_error = on_turn_error
    return adapter


class TeamsService:
    """`actionbot run` mounts this on its HTTP server; start() returns once it is listening."""

    name = "Teams"
    is_chat = True

    def __init__(self, config: TeamsConfig, dispatch: Dispatch, remember: Remember,
                 load_reference: LoadReference) -> None:
        self.config = config
        self.adapter = make_adapter(config)
        self.port: int | None = None
        self._front: Any = None  # the HTTP server /api/messages is mounted on
        self._own_front: Any = None  # ... when this service started it itself
        self.sender = TeamsProactiveSender(self.adapter, config.app_id, load_reference,
                                           config.service_url_override, lambda: self._loop)
        # Private answers asked in a channel or group chat go to the asker's personal chat.
        self.agent = ActionbotAgent(dispatch, remember, self.sender.send_personal_async)

    @property
    def _loop(self) -> asyncio.AbstractEventLoop | None:
        return self._front.loop if self._front is not None else None

    def mount(self, front: Any) -> None:
        """Serve POST /api/messages on `front` (before it starts)."""
        front.add_subapp(MESSAGES_PREFIX, build_app(self.config, self.adapter, self.agent))
        self._front = front

    def start(self) -> None:
        if self.config.allow_anonymous:
            log.warning(ANONYMOUS_WARNING)
            print(ANONYMOUS_WARNING, file=sys.stderr, flush=True)
        if self._front is None:
            from bot.http.server import HttpFront

            self._own_front = HttpFront([(self.config.host, self.config.port)])
            self.mount(self._own_front)
            try:
                self._own_front.start()
            except RuntimeError as exc:
                self._front = self._own_front = None
                raise RuntimeError(f"Teams could not listen on {self.config.host}:{self.config.port} ({exc}).") from None
        host, self.port = self._front.bound[0]
        self.name = f"Teams (http://{host}:{self.port}/api/messages)"

    def stop(self) -> None:
        if self._own_front is not None:
            self._own_front.stop()
            self._own_front = None
        log.info("teams stopped")


def _reference_loader(runtime: Any) -> LoadReference:
    def load_reference(key: str) -> dict[str, Any] | None:
        with runtime.new_uow() as uow:
            found = uow.teams_conversations.get(key)
        return found.reference if found is not None else None

    return load_reference


def teams_proactive_sender(runtime: Any) -> TeamsProactiveSender | None:
    """A sender for digests and other proactive posts that needs no running Teams service
    (each `send` runs the SDK on a short-lived event loop in the caller's thread); None
    when Teams is not configured."""
    config = teams_config_from_env(runtime.environ)
    if config is None:
        return None
    return TeamsProactiveSender(make_adapter(config), config.app_id, _reference_loader(runtime),
                                config.service_url_override)


def teams_service(runtime: Any) -> TeamsService | None:
    """SERVICE_FACTORIES entry: the Teams service, or None when Teams is not configured."""
    from bot.http.addresses import LOOPBACK_HOSTS, listen_addresses

    config = teams_config_from_env(runtime.environ)
    if config is None:
        return None
    if config.allow_anonymous:
        exposed = [host for host, _ in listen_addresses(runtime.environ) if host not in LOOPBACK_HOSTS]
        if exposed:
            raise TeamsConfigError(
                f"ACTIONBOT_TEAMS_ALLOW_ANONYMOUS=1 serves /api/messages without authentication, so the HTTP "
                f"server listens only on 127.0.0.1, not on {', '.join(exposed)}. Unset one of the two.")

    def remember(key: str, tenant: str | None, kind: str | None, service_url: str, reference: dict[str, Any]) -> None:
        with runtime.new_uow() as uow:
            uow.teams_conversations.save(key, service_url=service_url, reference=reference, tenant_id=tenant,
                                         conversation_type=kind, at=runtime.clock.now())
            uow.commit()

    return TeamsService(config, runtime.dispatcher.handle, remember, _reference_loader(runtime))
