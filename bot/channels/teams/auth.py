"""Outbound tokens for the Bot Connector: the OAuth 2.0 client-credentials grant.

The Agents SDK asks a token provider (its `AccessTokenProviderBase`) for a token before it
calls the connector (replies, proactive messages). Its own provider lives in
microsoft-agents-authentication-msal, whose MSAL client insists on an https authority and
on instance discovery at login.microsoftonline.com, so it cannot be pointed at a local fake
token endpoint in tests. This provider makes the same single request MSAL makes for a
confidential client (POST grant_type=client_credentials to the tenant's v2.0 token
endpoint) and caches the token until five minutes before it expires.

It proves the app's identity with its client secret, or with a certificate: then the request
carries a client assertion (a JWT signed with the certificate's key, made as msal makes it;
bot/client_certificate.py) instead. The SDK's own certificate support (1.9:
AgentAuthConfiguration's AuthTypes.certificate with CERT_PFX_FILE) is read only by that same
MSAL provider, so the certificate is handed to this provider directly.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import aiohttp
from microsoft_agents.hosting.core import AgentAuthConfiguration, AnonymousTokenProvider
from microsoft_agents.hosting.core.authorization import ConnectionManager

from bot.client_certificate import ASSERTION_TYPE, ClientCertificate

log = logging.getLogger(__name__)

_REFRESH_MARGIN_S = 300
_TIMEOUT = aiohttp.ClientTimeout(total=15)


class TokenUnavailable(RuntimeError):
    """The token endpoint refused or could not be reached; the message says which."""


class ClientCredentialsTokenProvider:
    """An `AccessTokenProviderBase` for an app id and its secret or certificate."""

    def __init__(self, configuration: AgentAuthConfiguration, token_url: str,
                 certificate: ClientCertificate | None = None) -> None:
        self._configuration = configuration
        self._token_url = token_url
        self._certificate = certificate
        self._cache: dict[str, tuple[str, float]] = {}

    @property
    def configuration(self) -> AgentAuthConfiguration:
        return self._configuration

    async def get_access_token(self, resource_url: str, scopes: list[str], force_refresh: bool = False) -> str:
        scope = scopes[0] if scopes else f"{resource_url.rstrip('/')}/.default"
        cached = self._cache.get(scope)
        if cached and not force_refresh and cached[1] > time.monotonic():
            return cached[0]
        client_id = self._configuration.CLIENT_ID or ""
        form = {"grant_type": "client_credentials", "client_id": client_id, "scope": scope}
        if self._certificate is not None:  # a fresh assertion each time: each has its own jti
            form["client_assertion_type"] = ASSERTION_TYPE
            form["client_assertion"] = self._certificate.client_assertion(client_id, self._token_url)
        else:
            form["client_secret"] = self._configuration.CLIENT_SECRET or ""
        try:
            async with aiohttp.ClientSession(timeout=_TIMEOUT) as session:
                async with session.post(self._token_url, data=form) as response:
                    body: Any = await response.json(content_type=None)
                    status = response.status
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise TokenUnavailable(f"the token endpoint could not be reached or answered garbage ({type(exc).__name__})") from None
        if status != 200 or not isinstance(body, dict) or not body.get("access_token"):
            error = body.get("error") if isinstance(body, dict) else None
            log.error("token request refused", extra={"status": status, "error": error, "scope": scope})
            hint = (f"; check that the certificate with thumbprint {self._certificate.sha1_thumbprint} is uploaded "
                    "to the bot's app registration and has not expired" if self._certificate is not None else "")
            raise TokenUnavailable(f"the token endpoint refused the app's credentials (HTTP {status}, "
                                   f"{error or 'no error code'}){hint}")
        token = str(body["access_token"])
        lifetime = float(body.get("expires_in") or 3600)
        self._cache[scope] = (token, time.monotonic() + max(lifetime - _REFRESH_MARGIN_S, 0))
        return token

    def get_token_credential(self) -> Any:
        raise NotImplementedError("actionbot's Teams channel does not use Azure SDK credentials")

    async def acquire_token_on_behalf_of(self, scopes: list[str], user_assertion: str) -> str:
        raise NotImplementedError("actionbot does not sign users in")


def auth_configuration(app_id: str | None, secret: str | None, tenant_id: str | None,
                       allow_anonymous: bool) -> AgentAuthConfiguration:
    return AgentAuthConfiguration(
        client_id=app_id,
        client_secret=secret,
        tenant_id=tenant_id,
        connection_name="SERVICE_CONNECTION",
        anonymous_allowed=allow_anonymous,
        # Off by default in the SDK (1.9) for backward compatibility: accept only tokens from
        # the Bot Framework, this tenant's Entra issuers and Microsoft's first-party tenants.
        validate_issuer=True,
    )


def connection_manager(configuration: AgentAuthConfiguration, token_url: str,
                       certificate: ClientCertificate | None = None) -> ConnectionManager:
    def provider(config: AgentAuthConfiguration) -> Any:
        if not config.CLIENT_ID or not (config.CLIENT_SECRET or certificate):
            return AnonymousTokenProvider()  # anonymous development mode only
        return ClientCredentialsTokenProvider(config, token_url, certificate)

    return ConnectionManager(provider, connections_configurations={"SERVICE_CONNECTION": configuration})
