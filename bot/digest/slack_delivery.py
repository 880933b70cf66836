"""Digests to Slack with slack_sdk's WebClient: chat.postMessage with the Block Kit blocks,
then the CSV and the chart in the message's thread via files_upload_v2
(files.getUploadURLExternal, an upload to the returned URL, files.completeUploadExternal).

Each message carries metadata naming its delivery; a retry first asks conversations.history
whether the channel already has it (scopes: chat:write, files:write, channels:history and
groups:history for private channels).

`SLACK_BOT_TOKEN` (environment only) and optionally `ACTIONBOT_SLACK_API_URL` (a Slack API
base URL, e.g. a local fake in tests). slack_sdk is imported when the delivery is built.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.digest.delivery import DeliveryProgress, RenderedDigest
from bot.digest.render_slack import escape_mrkdwn

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://slack.com/api/"
CLIENT_TIMEOUT_SECONDS = 30
METADATA_EVENT = "actionbot_digest"  # message metadata naming the delivery (subscription:period)
HISTORY_LIMIT = 200  # messages looked through on a retry (conversations.history's maximum page)


class SlackDigestDelivery:
    kind = "slack"

    def __init__(self, client: Any) -> None:
        self.client = client  # slack_sdk.WebClient

    def deliver(self, rendered: RenderedDigest, destination: str, progress: DeliveryProgress) -> None:
        ts = progress.get("message_ts")
        if ts is None and progress.attempt > 1:
            # The last try may have posted and then lost the answer (a timeout, a crash
            # before the ts was recorded): ask the channel before posting again.
            ts = self._already_posted(destination, progress)
            if ts is not None:
                progress.record("message_ts", ts)
        if ts is None:
            response = self.client.chat_postMessage(
                # The headline is the notification text, which Slack reads as mrkdwn too.
                channel=destination, text=escape_mrkdwn(rendered.subject), blocks=rendered.payload,
                unfurl_links=False, unfurl_media=False,
                metadata={"event_type": METADATA_EVENT, "event_payload": {"delivery": progress.key}},
            )
            ts = response["ts"]
            progress.record("message_ts", ts)  # a retry from here on never posts it again
        if rendered.attachments and not progress.get("files_shared"):
            self.client.files_upload_v2(
                channel=destination,
                thread_ts=ts,
                file_uploads=[{"content": a.data, "filename": a.filename, "title": a.title}
                              for a in rendered.attachments],
            )
            progress.record("files_shared", True)
        log.info("digest posted to slack", extra={"channel_id": destination, "ts": ts})

    def _already_posted(self, destination: str, progress: DeliveryProgress) -> str | None:
        """The ts of this delivery's message if the channel has it (found by its metadata)."""
        from slack_sdk.errors import SlackApiError

        try:
            response = self.client.conversations_history(
                channel=destination, oldest=f"{progress.claimed_at.timestamp():.6f}", limit=HISTORY_LIMIT,
                include_all_metadata=True,
            )
        except SlackApiError as exc:
            if exc.response.get("error") != "missing_scope":
                raise
            # Without channels:history the bot cannot check; posting again is the lesser harm
            # than never delivering. Say so once per retry, so an admin can add the scope.
            log.warning("cannot check for an earlier post of this digest (missing channels:history scope)",
                        extra={"channel_id": destination, "delivery": progress.key})
            return None
        for message in response.get("messages", []):
            metadata = message.get("metadata") or {}
            if (metadata.get("event_type") == METADATA_EVENT
                    and (metadata.get("event_payload") or {}).get("delivery") == progress.key):
                log.info("digest found already posted", extra={"channel_id": destination, "ts": message.get("ts")})
                return str(message["ts"])
        return None


def slack_web_client(token: str, base_url: str | None = None) -> Any:
    from slack_sdk import WebClient

    url = (base_url or DEFAULT_API_URL).rstrip("/") + "/"
    return WebClient(token=token, base_url=url, timeout=CLIENT_TIMEOUT_SECONDS)


def slack_delivery(runtime: Any) -> SlackDigestDelivery | None:
    """For the composition root: None when SLACK_BOT_TOKEN is not set."""
    token = runtime.environ.get("SLACK_BOT_TOKEN", "").strip()
    if not token:
        return None
    return SlackDigestDelivery(slack_web_client(token, runtime.environ.get("ACTIONBOT_SLACK_API_URL")))
