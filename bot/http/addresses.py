"""Where `actionbot run`'s HTTP server listens, from the environment.

The rule (the README's "Running it as a service" says the same):

- ACTIONBOT_HTTP_HOST / ACTIONBOT_HTTP_PORT name the server's address (default 127.0.0.1:3978);
- the older per-channel addresses keep working: ACTIONBOT_SLACK_HOST / ACTIONBOT_SLACK_PORT
  (Slack HTTP mode) and ACTIONBOT_TEAMS_HOST / ACTIONBOT_TEAMS_PORT, when set, are listened on
  too, and when only they are set they replace the default;
- every endpoint answers on every address; an address named twice is listened on once.

A host left out is 127.0.0.1: nothing is reachable from other machines unless asked for.
"""

from __future__ import annotations

from collections.abc import Mapping

from config.settings import SettingsError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 3978
READ_TIMEOUT_VARIABLE = "ACTIONBOT_HTTP_READ_TIMEOUT"
LOOPBACK_HOSTS = ("127.0.0.1", "::1", "localhost")

# (host variable, port variable, the port when only the host is set); the first is the server's own.
_PAIRS = (
    ("ACTIONBOT_HTTP_HOST", "ACTIONBOT_HTTP_PORT", DEFAULT_PORT),
    ("ACTIONBOT_SLACK_HOST", "ACTIONBOT_SLACK_PORT", 3000),  # Slack HTTP mode's port before there was one server
    ("ACTIONBOT_TEAMS_HOST", "ACTIONBOT_TEAMS_PORT", 3978),
)


def _port(name: str, text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) < 65536:
        raise SettingsError(f"{name} is '{text}'; use a port number such as {DEFAULT_PORT}.")
    return int(text)


def listen_addresses(environ: Mapping[str, str]) -> list[tuple[str, int]]:
    addresses: list[tuple[str, int]] = []
    for host_name, port_name, default_port in _PAIRS:
        host = environ.get(host_name, "").strip()
        port = environ.get(port_name, "").strip()
        if host or port:
            addresses.append((host or DEFAULT_HOST, _port(port_name, port) if port else default_port))
    return list(dict.fromkeys(addresses)) or [(DEFAULT_HOST, DEFAULT_PORT)]


def read_timeout(environ: Mapping[str, str], default: float) -> float:
    text = environ.get(READ_TIMEOUT_VARIABLE, "").strip()
    if not text:
        return default
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds <= 3600:
        raise SettingsError(f"{READ_TIMEOUT_VARIABLE} is '{text}'; use a number of seconds such as {default:g}.")
    return seconds
