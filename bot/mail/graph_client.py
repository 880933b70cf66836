"""A thin Microsoft Graph client: an app-only token from msal, then plain HTTPS with requests.

Why not msgraph-sdk: it weighs about 390 MB installed (Nov 2026) for the six calls we make.
msal and requests are imported when a client is built, never when this module is imported,
so `actionbot say` stays fast.

Throttling: Graph answers 429 (and 503/504 when busy) with a Retry-After header in seconds;
we wait that long (capped) and retry a bounded number of times, then raise GraphError.
A 401 means the token expired or was revoked early: we drop the cached token, get a new one
and retry once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from datetime import datetime, timezone
from typing import Any

from bot.client_certificate import ClientCertificate
from bot.mail.backends import MailboxUnavailable

logger = logging.getLogger(__name__)

DEFAULT_GRAPH_URL = "https://graph.microsoft.com/v1.0"
DEFAULT_AUTHORITY_HOST = "https://login.microsoftonline.com"
GRAPH_SCOPE = "https://graph.microsoft.com/.default"
RETRY_STATUSES = (429, 503, 504)


class GraphError(MailboxUnavailable):
    """Graph refused or could not be reached; the message says which call and why."""

    def __init__(self, message: str, status: int | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


@dataclass(frozen=True)
class GraphConfig:
    tenant_id: str
    client_id: str
    client_secret: str | None  # exactly one of client_secret and certificate
    mailbox: str  # the shared mailbox, e.g. contracts@council.gov.uk
    certificate: ClientCertificate | None = None
    base_url: str = DEFAULT_GRAPH_URL
    authority: str | None = None  # default: https://login.microsoftonline.com/{tenant_id}
    timeout: float = 30.0
    max_retries: int = 4  # per request, for 429/503/504
    max_retry_wait: float = 60.0  # never sleep longer than this for one Retry-After
    page_size: int = 50  # Prefer: odata.maxpagesize for delta pages
    verify: bool | str = True  # a CA bundle path for a private authority (tests, proxies)

    def __post_init__(self) -> None:
        if (self.client_secret is None) == (self.certificate is None):
            raise ValueError("GraphConfig needs exactly one of client_secret and certificate")

    def __repr__(self) -> str:  # never show the secret, even in a traceback
        credential = repr(self.certificate) if self.certificate else "client secret"
        return (f"GraphConfig(tenant_id={self.tenant_id!r}, client_id={self.client_id!r}, "
                f"mailbox={self.mailbox!r}, base_url={self.base_url!r}, authority={self.authority!r}, "
                f"credential={credential})")

    @property
    def client_credential(self) -> str | dict[str, str]:
        """msal's client_credential: the secret, or the certificate's key and certificate."""
        return self.certificate.msal_credential() if self.certificate else str(self.client_secret)

    @property
    def credential_hint(self) -> str:
        """What to check when sign-in refuses the credential."""
        if self.certificate:
            return (f"that the certificate with thumbprint {self.certificate.sha1_thumbprint} is uploaded to the "
                    f"app registration (Certificates & secrets) and has not expired "
                    f"(it is valid until {self.certificate.not_after:%Y-%m-%d})")
        return "that the client secret has not expired"

    @property
    def authority_url(self) -> str:
        return (self.authority or f"{DEFAULT_AUTHORITY_HOST}/{self.tenant_id}").rstrip("/")


def retry_after_seconds(value: str | None, attempt: int, now: datetime | None = None) -> float:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date); without one,
    back off exponentially from 1 s."""
    if value:
        value = value.strip()
        if value.isdigit():
            return float(value)
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            when = None
        if when is not None:
            now = now or datetime.now(timezone.utc)
            return max(0.0, (when - now).total_seconds())
    return float(2 ** attempt)


def describe_error(response: Any) -> tuple[str | None, str]:
    """Graph's {"error": {"code", "message"}} body as (code, message)."""
    try:
        error = response.json().get("error", {})
    except ValueError:
        return None, (response.text or "")[:200]
    if isinstance(error, dict):
        return error.get("code"), str(error.get("message", ""))[:300]
    return None, str(error)[:300]


class GraphClient:
    """Authenticated, throttling-aware HTTP for one tenant and app registration."""

    def __init__(self, config: GraphConfig, sleep: Callable[[float], None] = time.sleep) -> None:
        import requests

        self.config = config
        self._sleep = sleep
        self._session = requests.Session()
        self._msal_app: Any = None

    # --- tokens -------------------------------------------------------------------------
    def _app(self) -> Any:
        if self._msal_app is None:
            import msal

            # instance_discovery=False: msal would otherwise ask login.microsoftonline.com
            # whether a non-Microsoft authority host (a sovereign cloud, a test server) is
            # known; with it off msal only reads {authority}/v2.0/.well-known/openid-configuration.
            custom = self.config.authority is not None
            try:
                self._msal_app = msal.ConfidentialClientApplication(
                    self.config.client_id,
                    client_credential=self.config.client_credential,
                    authority=self.config.authority_url,
                    instance_discovery=False if custom else None,
                    http_client=_TimeoutSession(self._session, self.config.timeout, self.config.verify),
                )
            except ValueError as exc:  # msal's message names the authority, never the secret or key
                raise GraphError(f"Cannot use the sign-in authority {self.config.authority_url}: {exc}") from None
        return self._msal_app

    def token(self, refresh: bool = False) -> str:
        """An app-only access token; msal caches it and renews it shortly before expiry.
        refresh=True drops the cached one first (after Graph answered 401)."""
        import requests

        try:
            app = self._app()
            if refresh:
                cache = app.token_cache
                for entry in list(cache.search(cache.CredentialType.ACCESS_TOKEN)):
                    cache.remove_at(entry)
            result = app.acquire_token_for_client(scopes=[GRAPH_SCOPE])
        except requests.RequestException as exc:
            raise GraphError(f"Cannot reach the Microsoft sign-in service at {self.config.authority_url}: "
                             f"{type(exc).__name__}. Check the network, a proxy, or "
                             "ACTIONBOT_GRAPH_AUTHORITY.") from None
        if "access_token" not in result:
            detail = str(result.get("error_description") or "").split("\n", 1)[0][:200]
            raise GraphError(
                f"Microsoft sign-in refused the app's client credentials ({result.get('error')}: {detail}). "
                f"Check ACTIONBOT_GRAPH_TENANT_ID, ACTIONBOT_GRAPH_CLIENT_ID and {self.config.credential_hint}.")
        return str(result["access_token"])

    # --- requests -----------------------------------------------------------------------
    def url(self, path_or_url: str) -> str:
        if path_or_url.startswith(("https://", "http://")):
            return path_or_url  # nextLink / deltaLink are complete URLs
        return f"{self.config.base_url.rstrip('/')}/{path_or_url.lstrip('/')}"

    def request(self, method: str, path_or_url: str, *, json: Any = None, data: bytes | None = None,
                params: Mapping[str, str] | None = None, headers: Mapping[str, str] | None = None) -> Any:
        """One Graph call, retried on throttling and once on 401. Returns the requests
        Response for any other status; callers decide what a 404 means."""
        import requests

        url = self.url(path_or_url)
        refreshed = False
        attempt = 0
        while True:
            all_headers = {"Authorization": f"Bearer {self.token()}", **(headers or {})}
            try:
                response = self._session.request(method, url, json=json, data=data, params=params,
                                                 headers=all_headers, timeout=self.config.timeout,
                                                 verify=self.config.verify)
            except requests.RequestException as exc:
                raise GraphError(f"Cannot reach Microsoft Graph for {method} {_path(url)}: "
                                 f"{type(exc).__name__}") from None
            if response.status_code == 401 and not refreshed:
                logger.info("graph token refused; getting a new one", extra={"path": _path(url)})
                refreshed = True
                self.token(refresh=True)
                continue
            if response.status_code in RETRY_STATUSES:
                attempt += 1
                if attempt > self.config.max_retries:
                    code, message = describe_error(response)
                    raise GraphError(
                        f"Microsoft Graph is throttling {method} {_path(url)} "
                        f"(HTTP {response.status_code}, still after {self.config.max_retries} retries): "
                        f"{message or code or 'no detail'}. The next poll will try again.",
                        status=response.status_code, code=code)
                wait = min(retry_after_seconds(response.headers.get("Retry-After"), attempt),
                           self.config.max_retry_wait)
                logger.warning("graph throttled; waiting", extra={
                    "path": _path(url), "status": response.status_code, "wait_s": wait, "attempt": attempt})
                response.close()
                self._sleep(wait)
                continue
            return response

    def check(self, response: Any, what: str, ok: tuple[int, ...] = (200,)) -> Any:
        """The response if its status is one of `ok`, else a GraphError naming `what`."""
        if response.status_code in ok:
            return response
        code, message = describe_error(response)
        hint = ""
        if response.status_code in (401, 403):
            hint = (" The app needs Mail.ReadWrite and Mail.Send on this mailbox: Exchange Online role assignments "
                    "\"Application Mail.ReadWrite\" and \"Application Mail.Send\" scoped to it (RBAC for "
                    "Applications; see the README), or, in older set-ups, the Graph application permissions "
                    "with an application access policy that includes the mailbox.")
        raise GraphError(f"Microsoft Graph refused to {what} (HTTP {response.status_code} {code or ''}): "
                         f"{message}".rstrip() + hint, status=response.status_code, code=code)

    def close(self) -> None:
        self._session.close()


def _path(url: str) -> str:
    """The URL without query string (delta tokens are long and say nothing to a reader)."""
    return url.split("?", 1)[0]


class _TimeoutSession:
    """msal's HTTP client: our session (so close() closes msal's sockets too) with a timeout.
    verify is passed on every call because requests lets REQUESTS_CA_BUNDLE override a
    session-level verify."""

    def __init__(self, session: Any, timeout: float, verify: bool | str) -> None:
        self._session = session
        self._defaults = {"timeout": timeout, "verify": verify}

    def get(self, url: str, **kwargs: Any) -> Any:
        return self._session.get(url, **{**self._defaults, **kwargs})

    def post(self, url: str, **kwargs: Any) -> Any:
        return self._session.post(url, **{**self._defaults, **kwargs})

    def close(self) -> None:  # the owner closes the session
        pass
