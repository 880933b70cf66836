"""Choose and build the cloud mailbox backend from settings.

`[mail] backend = "maildir" | "graph" | "ews"` in the TOML, or ACTIONBOT_MAIL_BACKEND (which
wins). Secrets come only from the environment; non-secret values (mailbox, tenant, URLs) may
also sit in `[mail.graph]` / `[mail.ews]`, and the environment overrides them. Building a
backend connects to nothing: the first poll or `actionbot mail check` does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from bot.client_certificate import certificate_from_environ
from bot.mail.mailbox import CursorStore, Mailbox
from config.settings import Settings, SettingsError

BACKENDS = ("maildir", "graph", "ews")
DEFAULT_BACKEND = "maildir"


class MailboxUnavailable(RuntimeError):
    """A cloud mailbox refused a call or could not be reached (GraphError, EwsError). The
    message is a sentence naming what to check; the poll stops and the next one retries."""


class MemoryCursorStore:
    """Sync state kept in memory only (for `mail check`, which reads no new mail)."""

    def __init__(self) -> None:
        self._values: dict[str, str] = {}

    def get(self, key: str) -> str | None:
        return self._values.get(key)

    def set(self, key: str, value: str) -> None:
        self._values[key] = value


def mail_section(settings: Settings) -> dict[str, Any]:
    section = settings.extra.get("mail", {})
    if not isinstance(section, dict):
        raise SettingsError("[mail] in the config file must be a table, e.g. [mail] backend = \"graph\".")
    return section


def mail_backend_name(settings: Settings, environ: Mapping[str, str]) -> str:
    name = (environ.get("ACTIONBOT_MAIL_BACKEND") or str(mail_section(settings).get("backend", DEFAULT_BACKEND)))
    name = name.strip().lower()
    if name not in BACKENDS:
        raise SettingsError(f"The mail backend '{name}' is not one of: {', '.join(BACKENDS)}. Set [mail] backend "
                            "in the config file or ACTIONBOT_MAIL_BACKEND.")
    return name


def mailbox_from_settings(settings: Settings, environ: Mapping[str, str],
                          cursor_store: CursorStore) -> Mailbox | None:
    """The Graph or EWS mailbox the settings choose; None for "maildir" (built elsewhere).
    Missing settings raise a SettingsError naming every missing variable (never a value)."""
    name = mail_backend_name(settings, environ)
    if name == "graph":
        from bot.mail.graph import GraphMailbox

        return GraphMailbox(graph_config(settings, environ), cursor_store)
    if name == "ews":
        from bot.mail.ews import EwsMailbox

        return EwsMailbox(ews_config(settings, environ), cursor_store)
    return None


def _values(settings: Settings, environ: Mapping[str, str], table: str, prefix: str,
            keys: tuple[str, ...]) -> dict[str, str]:
    from_file = mail_section(settings).get(table, {})
    if not isinstance(from_file, dict):
        raise SettingsError(f"[mail.{table}] in the config file must be a table.")
    found: dict[str, str] = {}  # a config file with a secret-looking key was refused on loading
    for key in keys:
        value = environ.get(f"{prefix}{key.upper()}") or from_file.get(key)
        if value not in (None, ""):
            found[key] = str(value).strip()
    return found


def _require(found: dict[str, str], prefix: str, keys: tuple[str, ...], backend: str) -> None:
    missing = [f"{prefix}{key.upper()}" for key in keys if key not in found]
    if missing:
        raise SettingsError(f"The {backend} mail backend needs {', '.join(missing)} in the environment "
                            "(see the README, section on the shared mailbox); they are not set.")


def _require_one_credential(what: str, secret_variable: str, certificate_variable: str, has_secret: bool,
                            has_certificate: bool) -> None:
    """Exactly one of a client secret and a certificate, so nobody wonders which one is used."""
    if has_secret and has_certificate:
        raise SettingsError(f"The {what} has both a client secret ({secret_variable}) and a certificate "
                            f"({certificate_variable} or {certificate_variable}_PATH); unset one of them.")
    if not (has_secret or has_certificate):
        raise SettingsError(f"The {what} needs a client secret ({secret_variable}) or a certificate "
                            f"({certificate_variable}, the PEM text, or {certificate_variable}_PATH, a .pem or "
                            f".pfx file) in the environment (see the README, section on the shared mailbox); "
                            "neither is set.")


def _check_url(url: str, variable: str) -> str:
    parts = urlsplit(url)
    loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
        raise SettingsError(f"{variable} must be an https:// address (credentials must not cross the network "
                            f"in clear); got '{parts.scheme}://{parts.hostname}'.")
    return url


def graph_config(settings: Settings, environ: Mapping[str, str]) -> Any:
    from bot.mail.graph_client import DEFAULT_GRAPH_URL, GraphConfig

    prefix = "ACTIONBOT_GRAPH_"
    found = _values(settings, environ, "graph", prefix,
                    ("tenant_id", "client_id", "client_secret", "mailbox", "url", "authority",
                     "client_certificate_path"))
    _require(found, prefix, ("tenant_id", "client_id", "mailbox"), "graph")
    certificate_environ = {**environ, f"{prefix}CLIENT_CERTIFICATE_PATH": found.get("client_certificate_path", "")}
    _require_one_credential("graph mail backend", f"{prefix}CLIENT_SECRET", f"{prefix}CLIENT_CERTIFICATE",
                            "client_secret" in found, bool(certificate_environ[f"{prefix}CLIENT_CERTIFICATE_PATH"]
                                                           or environ.get(f"{prefix}CLIENT_CERTIFICATE", "").strip()))
    certificate = certificate_from_environ(certificate_environ, f"{prefix}CLIENT_CERTIFICATE")
    return GraphConfig(
        tenant_id=found["tenant_id"], client_id=found["client_id"],
        client_secret=None if certificate else found["client_secret"], certificate=certificate,
        mailbox=found["mailbox"],
        base_url=_check_url(found.get("url", DEFAULT_GRAPH_URL), f"{prefix}URL").rstrip("/"),
        authority=_check_url(found["authority"], f"{prefix}AUTHORITY") if "authority" in found else None,
    )


def ews_config(settings: Settings, environ: Mapping[str, str]) -> Any:
    from bot.mail.ews import AUTH_TYPES, EwsConfig

    prefix = "ACTIONBOT_EWS_"
    found = _values(settings, environ, "ews", prefix,
                    ("url", "mailbox", "auth", "username", "password", "client_id", "client_secret", "tenant_id"))
    auth = found.get("auth", "ntlm").lower()
    if auth not in AUTH_TYPES:
        raise SettingsError(f"{prefix}AUTH is '{auth}'; use one of: {', '.join(AUTH_TYPES)}.")
    needed = ("url", "mailbox") + (("client_id", "client_secret", "tenant_id") if auth == "oauth"
                                   else ("username", "password"))
    _require(found, prefix, needed, f"ews ({auth})")
    return EwsConfig(url=_check_url(found["url"], f"{prefix}URL"), mailbox=found["mailbox"], auth=auth,
                     username=found.get("username"), password=found.get("password"),
                     client_id=found.get("client_id"), client_secret=found.get("client_secret"),
                     tenant_id=found.get("tenant_id"))
