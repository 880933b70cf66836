"""`@actionbot help concerns` and `@actionbot who owns 2.2.3b?` in a Slack channel, through the
real Bolt app in HTTP mode against the local fake Slack Web API (tests/test_slack_http.py)."""

from __future__ import annotations

import pytest

from tests.fakes.slack_api import BOT_USER_ID, FakeSlackApi
from tests.slack_harness import SlackHttpClient
from tests.test_slack_http import client, message_event, service, slack  # noqa: F401  (fixtures)


@pytest.mark.parametrize(("text", "says"), [
    ("help concerns", "`concerns open`"),
    ("help digest", "`subscribe this channel to weekly digest`"),
    ("help", "help questions"),
    ("who owns 2.2.3b?", "Commissioning Team"),
    ("anything overdue for Accountancy?", "Overdue for Accountancy"),
], ids=["help-concerns", "help-digest", "help", "who-owns", "overdue-for-team"])
def test_a_mention_in_a_channel_is_answered(slack: FakeSlackApi, client: SlackHttpClient,  # noqa: F811
                                            text: str, says: str) -> None:
    mention = message_event(f"<@{BOT_USER_ID}> {text}")
    mention["event"]["type"] = "app_mention"
    client.event(mention)
    assert says in slack.wait_for("chat.postMessage")[0].args["text"]
