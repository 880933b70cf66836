"""`slack_service(runtime)`: the factory `actionbot run` calls (bot/app.py SERVICE_FACTORIES).

Returns None unless SLACK_BOT_TOKEN is set. Socket Mode (SLACK_APP_TOKEN) by default, HTTP
mode (SLACK_SIGNING_SECRET, POST /slack/events) otherwise. Under `actionbot run` HTTP mode is
a route on the one HTTP server (`mount`); started on its own (tests, benches) the service
serves /slack/events on an aiohttp server of its own at SlackSettings' host and port.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bot.channels.slack.channel import Dispatch
from bot.channels.slack.slack_settings import SlackSettings
from config.settings import SettingsError

log = logging.getLogger(__name__)

# How long stop() waits for replies still being posted to Slack's Web API.
_STOP_WAIT_S = 5.0


class SlackService:
    name = "slack"
    is_chat = True

    def __init__(self, settings: SlackSettings, dispatch: Dispatch) -> None:
        self.settings = settings
        self.dispatch = dispatch
        self.app: Any = None
        self.channel: Any = None
        self._front: Any = None  # the HTTP server /slack/events is mounted on (HTTP mode)
        self._own_front: Any = None  # ... when this service started it itself
        self._socket: Any = None
        self._executor = ThreadPoolExecutor(max_workers=8, thread_name_prefix="slack-listener")
        self._requests: ThreadPoolExecutor | None = None

    @property
    def http_address(self) -> tuple[str, int] | None:
        return self._front.bound[0] if self._front is not None and self._front.bound else None

    def mount(self, front: Any) -> None:
        """HTTP mode: serve POST /slack/events on `front` (before it starts)."""
        if self.settings.mode != "http":
            return
        from bot.channels.slack.http_server import EVENTS_PATH, REQUEST_THREADS, slack_events_handler

        self._requests = ThreadPoolExecutor(max_workers=REQUEST_THREADS, thread_name_prefix="slack-request")
        front.add_route("POST", EVENTS_PATH, slack_events_handler(lambda: self.app, self._requests))
        self._front = front

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
            if self._front is None:
                from bot.http.server import HttpFront

                self._own_front = HttpFront([(self.settings.http_host, self.settings.http_port)])
                self.mount(self._own_front)
                self._own_front.start()
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

    def health(self) -> str | None:
        """None when fine; a sentence when Socket Mode has lost Slack (its client reconnects)."""
        if self._socket is not None and not self._socket.client.is_connected():
            return "Slack Socket Mode is not connected"
        return None

    def stop(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None
        if self._own_front is not None:
            self._own_front.stop()
            self._own_front = None
        # Requests in flight finish (the shared server waits for them before services stop);
        # replies already queued for the Web API are posted, for a bounded time.
        for executor in (self._requests, self._executor):
            if executor is not None:
                waiter = threading.Thread(target=executor.shutdown, name="slack-stop", daemon=True)
                waiter.start()
                waiter.join(_STOP_WAIT_S)
        log.info("slack stopped")


def slack_service(runtime: Any) -> SlackService | None:
    settings = SlackSettings.from_environ(runtime.environ)
    if settings is None:
        return None
    return SlackService(settings, runtime.dispatcher.handle)
