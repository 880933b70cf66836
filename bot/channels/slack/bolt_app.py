"""The Bolt app: one App whose listeners hand Slack's payloads to a SlackChannel.

Commit, then acknowledge, then reply: with process_before_response=True Bolt answers Slack
only when the listener returns, and the listener returns as soon as the dispatcher has
committed the change (milliseconds); the reply is posted to the Web API afterwards, on the
executor, so the 3-second deadline never waits for Slack's own API. Acknowledging first
(Bolt's default) loses an update when the process dies between the ack and the commit: Slack
never resends an acknowledged event (bench/ and tests/test_abuse_crash.py showed it under
kill -9). A resend of an event whose first delivery is still being handled is claimed once
(the dispatcher's message-id claim), so a slow database costs a retry, never a double update.
The modal's input check travels with the ack too: it is pure validation, no I/O.
"""

from __future__ import annotations

import logging
import re
from concurrent.futures import Executor
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from bot.channels.slack.blocks import HOME_UPDATE_ACTION_ID, UNDO_ACTION_ID, UPDATE_MODAL_ID
from bot.channels.slack.channel import Dispatch, SlackChannel
from bot.channels.slack.slack_settings import SlackSettings

log = logging.getLogger(__name__)

# 429s: wait the Retry-After Slack sends and try again, up to this many times, so a reply is
# not lost to a burst; connection resets are retried too.
RATE_LIMIT_RETRIES = 5


def make_web_client(settings: SlackSettings) -> WebClient:
    return WebClient(
        token=settings.bot_token,
        base_url=settings.api_url,
        retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=2),
                        RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES)],
    )


def build_app(settings: SlackSettings, dispatch: Dispatch, executor: Executor) -> tuple[App, SlackChannel]:
    client = make_web_client(settings)
    identity = client.auth_test()  # fails fast on a wrong token; gives the workspace URL and bot id
    app = App(
        client=client,
        signing_secret=settings.signing_secret or "",
        # Socket Mode frames arrive on the app-token websocket and carry no signature.
        request_verification_enabled=settings.mode == "http",
        process_before_response=True,  # ack after the commit (see the module docstring)
        listener_executor=executor,
        logger=logging.getLogger("slack_bolt"),
    )
    channel = SlackChannel(client, dispatch, team_url=identity.get("url"), bot_user_id=identity.get("user_id"),
                           post_later=executor.submit)
    register_listeners(app, channel, settings.command)
    return app, channel


def register_listeners(app: App, channel: SlackChannel, command: str) -> None:
    @app.event("message")
    def message(event: dict[str, Any], body: dict[str, Any]) -> None:
        channel.on_message(event, body)

    @app.event("app_mention")
    def mention(event: dict[str, Any], body: dict[str, Any]) -> None:
        channel.on_mention(event, body)

    @app.event("app_home_opened")
    def home_opened(event: dict[str, Any]) -> None:
        channel.on_home_opened(event)

    @app.command(command)
    def slash(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        ack()
        channel.on_command(command, respond)

    @app.action(UNDO_ACTION_ID)
    def undo(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        channel.on_undo(body)

    @app.action(HOME_UPDATE_ACTION_ID)
    def open_update(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        channel.on_home_update(body)

    @app.action(re.compile(r"^actionbot_reminder_(done|snooze|not_mine)$"))
    def reminder_button(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        channel.on_reminder_button(body)

    @app.view(UPDATE_MODAL_ID)
    def submit_update(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        errors = channel.check_modal(view)
        if errors:
            ack(response_action="errors", errors=errors)
            return
        ack()
        channel.on_modal_submit(body, view)

    @app.error
    def failed(error: Exception, body: dict[str, Any]) -> None:
        log.error("slack listener failed", exc_info=error,
                  extra={"event_id": (body or {}).get("event_id"), "type": (body or {}).get("type")})
