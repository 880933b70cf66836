"""Reminders as Slack DMs: conversations.open (scope im:write) gives the DM with the person,
chat.postMessage (chat:write) posts the reminder there, one section per item with Done,
Update… (the App Home's update modal), Snooze 1 week and Not mine buttons.

A reply in the message's thread is matched to the reminder by `slack:{channel}:{ts}` (kept
on its claim row); the buttons carry `{reminder id}:{item index}`.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.channels.slack.blocks import HOME_UPDATE_ACTION_ID, escape
from bot.reminders.model import SendRecord

log = logging.getLogger(__name__)

DONE_ACTION_ID = "actionbot_reminder_done"
SNOOZE_ACTION_ID = "actionbot_reminder_snooze"
NOT_MINE_ACTION_ID = "actionbot_reminder_not_mine"
BUTTON_ACTIONS = {DONE_ACTION_ID: "done", SNOOZE_ACTION_ID: "snooze", NOT_MINE_ACTION_ID: "not_mine"}
MAX_ITEMS_WITH_BUTTONS = 20  # a message holds at most 50 blocks


def reminder_blocks(record: SendRecord) -> list[dict[str, Any]]:
    text_lines = record.text.split("\n")
    item_lines = record.item_lines()
    blocks: list[dict[str, Any]] = [{"type": "section", "text": {"type": "mrkdwn", "text": escape(text_lines[0])}}]
    for index, item in enumerate(record.items[:MAX_ITEMS_WITH_BUTTONS]):
        value = f"{record.id}:{index}"
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": escape(item_lines[index])[:2900]}})
        buttons = [
            {"type": "button", "action_id": DONE_ACTION_ID, "value": value, "style": "primary",
             "text": {"type": "plain_text", "text": "Done"}},
            {"type": "button", "action_id": SNOOZE_ACTION_ID, "value": value,
             "text": {"type": "plain_text", "text": "Snooze 1 week"}},
            {"type": "button", "action_id": NOT_MINE_ACTION_ID, "value": value,
             "text": {"type": "plain_text", "text": "Not mine"}},
        ]
        if item.get("kind") == "action":
            buttons.insert(1, {"type": "button", "action_id": HOME_UPDATE_ACTION_ID, "value": str(item["ref"]),
                               "text": {"type": "plain_text", "text": "Update…"}})
        blocks.append({"type": "actions", "block_id": f"reminder_{index}", "elements": buttons})
    rest = "\n".join(line for line in record.other_lines() if line.strip())
    if len(record.items) > MAX_ITEMS_WITH_BUTTONS:
        more = "\n".join(item_lines[MAX_ITEMS_WITH_BUTTONS:])
        rest = more + ("\n" + rest if rest else "")
    if rest:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": escape(rest)[:2900]}})
    return blocks


class SlackReminderDelivery:
    kind = "slack"

    def __init__(self, client: Any) -> None:
        self.client = client  # slack_sdk.WebClient

    def _dm(self, user: str) -> str:
        response = self.client.conversations_open(users=user)
        return str(response["channel"]["id"])

    def deliver(self, record: SendRecord, progress: Any) -> str | None:
        channel = progress.get("channel")
        if channel is None:
            channel = self._dm(record.address)
            progress.record("channel", channel)
        ts = progress.get("ts")
        if ts is None:
            response = self.client.chat_postMessage(channel=channel, text=record.text[:3000],
                                                    blocks=reminder_blocks(record), unfurl_links=False)
            ts = str(response["ts"])
            progress.record("ts", ts)
        log.info("reminder posted to slack", extra={"reminder": record.id, "channel_id": channel})
        return f"slack:{channel}:{ts}"

    def notify(self, address: str, text: str) -> None:
        self.client.chat_postMessage(channel=self._dm(address), text=text)


def slack_reminders(runtime: Any) -> SlackReminderDelivery | None:
    """None when SLACK_BOT_TOKEN is not set."""
    from bot.digest.slack_delivery import slack_web_client

    token = runtime.environ.get("SLACK_BOT_TOKEN", "").strip()
    if not token:
        return None
    return SlackReminderDelivery(slack_web_client(token, runtime.environ.get("ACTIONBOT_SLACK_API_URL")))
