"""`slack_service(runtime)`: the factory `actionbot run` calls (bot/app.py SERVICE_FACTORIES).

Returns None unless SLACK_BOT_TOKEN is set. Socket Mode (SLACK_APP_TOKEN) by default, HTTP
mode (SLACK_SIGNING_SECRET, POST /slack/events on ACTIONBOT_SLACK_PORT) otherwise.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bot.channels.slack.channel import Dispatch
from bot.channels.slack.slack_settings import SlackSettings
from config.settings import SettingsError

log = logging.getLogger(__name__)


class SlackService:
    name = "slack"
    is_chat = True

    def __init__(self, settings: SlackSettings, dispatch: Dispatch) -> None:
        self.settings = settings
        self.dispatch = dispatch
        self.app: Any = None
        self.channel: Any = None
        self.http: Any = None
        self._socket: Any = None
        self._executor = ThreadPoolExecutor(max_workers=8, thread_name_prefix="slack-listener")

    @property
    def http_address(self) -> tuple[str, int] | None:
        return self.http.address if self.http is not None else None

    def start(self) -> None:
        from slack_sdk.errors import SlackApiError

        from bot.channels.slack.bolt_app import build_app

        try:
            self.app, self.channel = build_app(self.settings, self.dispatch, self._executor)
        except SlackApiError as exc:
            raise SettingsError(
                f"Slack refused the bot token ({exc.response.get('error')}): check SLACK_BOT_TOKEN and that "
                "the app is installed in the workspace."
            ) from None
        except OSError as exc:
            raise SettingsError(f"Cannot reach Slack at {self.settings.api_url}: {exc}.") from None
        if self.settings.mode == "http":
            from bot.channels.slack.http_server import SlackHttpServer

            self.http = SlackHttpServer(self.app, self.settings.http_host, self.settings.http_port)
            self.http.start()
        else:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            self._socket = SocketModeHandler(self.app, app_token=self.settings.app_token)
            try:
                self._socket.connect()  # returns once connected; frames are read on its own threads
            except SlackApiError as exc:
                raise SettingsError(
                    f"Slack refused the app-level token ({exc.response.get('error')}): check SLACK_APP_TOKEN "
                    "(an xapp- token with connections:write) and that Socket Mode is on."
                ) from None
        log.info("slack started", extra={"mode": self.settings.mode})

    def stop(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None
        if self.http is not None:
            self.http.stop()
            self.http = None
        self._executor.shutdown(wait=True)


def slack_service(runtime: Any) -> SlackService | None:
    settings = SlackSettings.from_environ(runtime.environ)
    if settings is None:
        return None
    return SlackService(settings, runtime.dispatcher.handle)
