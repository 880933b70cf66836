"""The Slack App Home (the real Bolt app over HTTP, against the fake Web API) lists the
viewer's allocated log actions after their plan actions; a confidential entry's by reference."""

from __future__ import annotations

from bot.domain.model import Person, Role
from tests.conftest import TestBot, testbot  # noqa: F401
from tests.fakes.slack_api import FakeSlackApi
from tests.slack_harness import SlackHttpClient
from tests.test_slack_http import WENDY, block_texts, client, message_event, service, slack  # noqa: F401

SECRET = "unexplained bruising on Mr Example"


def test_the_app_home_lists_my_log_actions(testbot: TestBot, slack: FakeSlackApi,  # noqa: F811
                                           client: SlackHttpClient) -> None:  # noqa: F811
    with testbot.runtime.new_uow() as uow:
        uow.people.add(Person(name="Jo Reid", role=Role.UPDATER, roles_extra=("safeguarding",)), {"console": "Jo Reid"})
        uow.commit()
    testbot.ok("concern Acme Care: missed calls on Tuesday")
    testbot.ok("PQ-2023-0001 action chase rota @Wendy by Friday")
    testbot.ok(f"safeguarding Acme Care: {SECRET}", as_person="Jo Reid")
    testbot.ok("PQ-2023-0002 action strategy meeting @Commissioning Team by Friday", as_person="Jo Reid")
    opened = message_event("")
    opened["event"] = {"type": "app_home_opened", "user": WENDY, "channel": "D111", "tab": "home",
                       "event_ts": "1700000000.000700"}
    client.event(opened)
    view = slack.wait_for("views.publish")[0].args["view"]
    text = block_texts(view["blocks"])
    assert [b for b in view["blocks"] if b.get("accessory")], "the plan's actions keep their Update buttons"
    assert "Log actions (2):" in text
    assert "PQ-2023-0001/1 [Acme Care (proposed)] chase rota — Wendy Updater, due 29 Sep 2023" in text
    assert "PQ-2023-0002/1 (confidential), due 29 Sep 2023" in text
    assert "strategy" not in text and "bruising" not in text
