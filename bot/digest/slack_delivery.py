"""Digests to Slack with slack_sdk's WebClient: chat.postMessage with the Block Kit blocks,
then the CSV and the chart in the message's thread via files_upload_v2
(files.getUploadURLExternal, an upload to the returned URL, files.completeUploadExternal).

`SLACK_BOT_TOKEN` (environment only) and optionally `ACTIONBOT_SLACK_API_URL` (a Slack API
base URL, e.g. a local fake in tests). slack_sdk is imported when the delivery is built.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.digest.delivery import DeliveryProgress, RenderedDigest

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://slack.com/api/"
CLIENT_TIMEOUT_SECONDS = 30


class SlackDigestDelivery:
    kind = "slack"

    def __init__(self, client: Any) -> None:
        self.client = client  # slack_sdk.WebClient

    def deliver(self, rendered: RenderedDigest, destination: str, progress: DeliveryProgress) -> None:
        ts = progress.get("message_ts")
        if ts is None:
            response = self.client.chat_postMessage(
                channel=destination, text=rendered.subject, blocks=rendered.payload,
                unfurl_links=False, unfurl_media=False,
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
