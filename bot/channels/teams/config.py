"""Teams settings, from the environment only (the app secret or certificate is a secret).

| variable | meaning |
|---|---|
| ACTIONBOT_TEAMS_APP_ID | the bot's Microsoft App ID (Azure Bot resource) |
| ACTIONBOT_TEAMS_APP_SECRET | its client secret, or instead a certificate: |
| ACTIONBOT_TEAMS_APP_CERTIFICATE | PEM text: the private key and the certificate |
| ACTIONBOT_TEAMS_APP_CERTIFICATE_PATH | or a .pem / .pfx file holding them |
| ACTIONBOT_TEAMS_APP_CERTIFICATE_PASSWORD | the .pfx's (or an encrypted key's) password |
| ACTIONBOT_TEAMS_TENANT_ID | the bot's tenant; more tenant ids, comma-separated, are also accepted |
| ACTIONBOT_TEAMS_PORT | port of /api/messages (default 3978) |
| ACTIONBOT_TEAMS_HOST | address to listen on (default 127.0.0.1, behind a TLS reverse proxy) |
| ACTIONBOT_TEAMS_ALLOW_ANONYMOUS | `1`: local development without authentication (loud warning) |
| ACTIONBOT_TEAMS_TOKEN_URL | OAuth token endpoint (default Entra's, for the bot's tenant) |
| ACTIONBOT_TEAMS_SERVICE_URL | send proactive messages here instead of the stored serviceUrl |
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.client_certificate import ClientCertificate, certificate_from_environ
from config.settings import SettingsError

DEFAULT_PORT = 3978
TRUE_WORDS = ("1", "true", "yes", "on")
CERTIFICATE = "ACTIONBOT_TEAMS_APP_CERTIFICATE"


class TeamsConfigError(SettingsError):
    """A Teams setting that cannot be used; the message says which and what to do."""


@dataclass(frozen=True)
class TeamsConfig:
    app_id: str | None
    app_secret: str | None
    tenant_ids: tuple[str, ...]  # the first is the bot's own tenant
    app_certificate: ClientCertificate | None = None  # instead of app_secret
    port: int = DEFAULT_PORT
    host: str = "127.0.0.1"
    allow_anonymous: bool = False
    token_url: str | None = None
    service_url_override: str | None = None

    @property
    def tenant_id(self) -> str | None:
        return self.tenant_ids[0] if self.tenant_ids else None

    @property
    def oauth_token_url(self) -> str:
        return self.token_url or f"https://login.microsoftonline.com/{self.tenant_id}/oauth2/v2.0/token"

    def tenant_allowed(self, tenant: str | None) -> bool:
        """Activities from tenants not configured are refused; with no tenant configured
        (only possible in anonymous development mode) every tenant is accepted."""
        if not self.tenant_ids:
            return self.allow_anonymous
        return tenant is not None and tenant.lower() in self.tenant_ids

    def __repr__(self) -> str:  # never print the secret
        return (f"TeamsConfig(app_id={self.app_id!r}, tenant_ids={self.tenant_ids!r}, port={self.port}, "
                f"allow_anonymous={self.allow_anonymous}, certificate={self.app_certificate!r})")


def teams_config_from_env(environ: Mapping[str, str]) -> TeamsConfig | None:
    """The Teams settings, or None when Teams is not configured at all."""
    app_id = environ.get("ACTIONBOT_TEAMS_APP_ID", "").strip() or None
    secret = environ.get("ACTIONBOT_TEAMS_APP_SECRET", "").strip() or None
    tenants = tuple(t.strip().lower() for t in environ.get("ACTIONBOT_TEAMS_TENANT_ID", "").split(",") if t.strip())
    anonymous = environ.get("ACTIONBOT_TEAMS_ALLOW_ANONYMOUS", "").strip().lower() in TRUE_WORDS
    has_certificate = bool(environ.get(CERTIFICATE, "").strip() or environ.get(f"{CERTIFICATE}_PATH", "").strip())
    if not (app_id or secret or has_certificate or tenants or anonymous):
        return None
    if secret and has_certificate:
        raise TeamsConfigError(
            f"Teams has both a client secret (ACTIONBOT_TEAMS_APP_SECRET) and a certificate ({CERTIFICATE} or "
            f"{CERTIFICATE}_PATH); unset one of them.")
    missing = [name for name, value in (("ACTIONBOT_TEAMS_APP_ID", app_id),
                                        ("ACTIONBOT_TEAMS_APP_SECRET", secret or has_certificate),
                                        ("ACTIONBOT_TEAMS_TENANT_ID", tenants)) if not value]
    if missing and not anonymous:
        alternative = (f" A certificate ({CERTIFICATE}, the PEM text, or {CERTIFICATE}_PATH, a .pem or .pfx file) "
                       "can stand in for ACTIONBOT_TEAMS_APP_SECRET." if not (secret or has_certificate) else "")
        raise TeamsConfigError(
            f"Teams is partly configured: {', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set. "
            f"Set all three (see the README's Teams section), or none to run without Teams.{alternative}"
        )
    try:
        certificate = certificate_from_environ(environ, CERTIFICATE)
    except SettingsError as exc:
        raise TeamsConfigError(str(exc)) from None
    port_text = environ.get("ACTIONBOT_TEAMS_PORT", "").strip() or str(DEFAULT_PORT)
    try:
        port = int(port_text)
        if not 0 <= port <= 65535:
            raise ValueError
    except ValueError:
        raise TeamsConfigError(f"ACTIONBOT_TEAMS_PORT is '{port_text}'; it must be a port number such as 3978.") from None
    host = environ.get("ACTIONBOT_TEAMS_HOST", "").strip() or "127.0.0.1"
    if anonymous and host not in ("127.0.0.1", "::1", "localhost"):
        raise TeamsConfigError(
            f"ACTIONBOT_TEAMS_ALLOW_ANONYMOUS=1 serves /api/messages without authentication, so it listens "
            f"only on 127.0.0.1, not on ACTIONBOT_TEAMS_HOST={host}. Unset one of the two."
        )
    return TeamsConfig(
        app_id=app_id,
        app_secret=secret,
        app_certificate=certificate,
        tenant_ids=tenants,
        port=port,
        host=host,
        allow_anonymous=anonymous,
        token_url=environ.get("ACTIONBOT_TEAMS_TOKEN_URL", "").strip() or None,
        service_url_override=environ.get("ACTIONBOT_TEAMS_SERVICE_URL", "").strip() or None,
    )
