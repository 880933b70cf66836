"""The Slack channel's settings, from the environment only (every one of them but the port is
a secret or names where secrets go)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from config.settings import SettingsError

DEFAULT_API_URL = "https://slack.com/api/"
MODES = ("socket", "http")


@dataclass(frozen=True)
class SlackSettings:
    bot_token: str
    mode: str  # "socket" (default: no public endpoint needed) or "http"
    app_token: str | None = None  # xapp-..., Socket Mode
    signing_secret: str | None = None  # HTTP mode
    api_url: str = DEFAULT_API_URL
    # Where a SlackService started on its own serves /slack/events; `actionbot run` serves it on
    # the one HTTP server instead (bot.http.addresses, which also reads these two variables).
    http_host: str = "127.0.0.1"
    http_port: int = 3000
    command: str = "/actions"

    def __repr__(self) -> str:  # never print a secret, even by accident
        return f"SlackSettings(mode={self.mode!r}, api_url={self.api_url!r}, http_port={self.http_port})"

    @classmethod
    def from_environ(cls, env: Mapping[str, str]) -> SlackSettings | None:
        """None when Slack is not configured (no SLACK_BOT_TOKEN); SettingsError when it is
        configured but cannot run, with a sentence that says what to set."""
        bot_token = env.get("SLACK_BOT_TOKEN", "").strip()
        if not bot_token:
            return None
        app_token = env.get("SLACK_APP_TOKEN", "").strip() or None
        secret = env.get("SLACK_SIGNING_SECRET", "").strip() or None
        mode = env.get("ACTIONBOT_SLACK_MODE", "").strip().lower() or ("socket" if app_token or not secret else "http")
        if mode not in MODES:
            raise SettingsError(f"ACTIONBOT_SLACK_MODE is '{mode}'; use 'socket' or 'http'.")
        if mode == "socket" and not app_token:
            raise SettingsError(
                "SLACK_BOT_TOKEN is set but Socket Mode also needs SLACK_APP_TOKEN (an xapp- token with "
                "connections:write). For HTTP mode set SLACK_SIGNING_SECRET instead."
            )
        if mode == "http" and not secret:
            raise SettingsError("HTTP mode needs SLACK_SIGNING_SECRET (Basic Information page of the Slack app).")
        api_url = env.get("ACTIONBOT_SLACK_API_URL", "").strip() or DEFAULT_API_URL
        port_text = env.get("ACTIONBOT_SLACK_PORT", "3000").strip()
        if not port_text.isdigit() or not 0 <= int(port_text) < 65536:
            raise SettingsError(f"ACTIONBOT_SLACK_PORT is '{port_text}'; use a port number such as 3000.")
        return cls(
            bot_token=bot_token,
            mode=mode,
            app_token=app_token,
            signing_secret=secret,
            api_url=api_url if api_url.endswith("/") else api_url + "/",
            http_host=env.get("ACTIONBOT_SLACK_HOST", "").strip() or "127.0.0.1",
            http_port=int(port_text),
            command=env.get("ACTIONBOT_SLACK_COMMAND", "").strip() or "/actions",
        )
