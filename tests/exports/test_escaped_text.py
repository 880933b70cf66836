"""What a person typed is shown as text wherever the bot writes it: the Markdown committee
report escapes HTML, Slack shows a typed `<!channel>` instead of broadcasting it, and a Teams
card shows a typed Markdown link instead of linking it."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.channels.slack.blocks import MAX_FALLBACK_CHARS, fallback_text
from bot.channels.teams.agent import reply_activity
from bot.messages import Reply
from bot.planfiles.plan_report import build_plan_reports
from bot.planfiles.report_text import render_markdown
from tests.conftest import REPORT_DAY, TestBot
from tests.fakes.slack_api import FakeSlackApi
from tests.slack_harness import SlackHttpClient
from tests.test_slack_http import block_texts, client, message_event, service, slack  # noqa: F401

CODE = "HSCM COMM AP2.5.1"


@pytest.mark.parametrize(("field", "typed", "shown"), [
    pytest.param("responsibility", "<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;", id="owner"),
    pytest.param("title", "Contracts & <b>agreements</b>", "Contracts &amp; &lt;b&gt;agreements&lt;/b&gt;",
                 id="title"),
    pytest.param("latest_update", "see [the register](http://evil.example)",
                 r"see \[the register\](http://evil.example)", id="note-link"),
    pytest.param("latest_update", "split | cells", r"split \| cells", id="note-pipe"),
])
def test_the_markdown_report_shows_typed_markup_as_text(testbot: TestBot, field: str, typed: str,
                                                       shown: str) -> None:
    with testbot.runtime.new_uow() as uow:
        action = uow.actions.find(CODE)[0]
        uow.actions.save(replace(action, **{field: typed}))
        uow.commit()
        markdown = render_markdown(build_plan_reports(uow, REPORT_DAY))

    assert shown in markdown
    assert typed not in markdown


SLACK_MARKUP = "<!channel> <@U123> <https://evil.example|x>"
ESCAPED = "&lt;!channel&gt; &lt;@U123&gt; &lt;https://evil.example|x&gt;"


def test_a_slack_reply_shows_typed_mentions_and_links_as_text(slack: FakeSlackApi,  # noqa: F811
                                                               client: SlackHttpClient) -> None:  # noqa: F811
    # Slack delivers what a person typed with &, < and > escaped; the bot reads it as typed.
    assert client.event(message_event(f"AP2.5.1 40% - {ESCAPED} &amp; more")).status == 200

    post = slack.wait_for("chat.postMessage")[0].args
    assert f"{ESCAPED} &amp; more" in post["text"]  # the notification / fallback text
    assert f"{ESCAPED} &amp; more" in block_texts(post["blocks"])
    for shown in (post["text"], block_texts(post["blocks"])):
        assert "<!channel>" not in shown and "<@U123>" not in shown and "<https://" not in shown
        assert "&amp;lt;" not in shown  # escaped once, not twice


def test_a_stored_note_with_slack_markup_is_escaped_in_the_fallback(testbot: TestBot) -> None:
    reply = testbot.ok(f"AP2.5.1 40% - {SLACK_MARKUP}")  # typed in the console, shown later in Slack

    assert ESCAPED in fallback_text(reply)
    assert "<!channel>" not in fallback_text(reply)


def test_a_long_fallback_is_cut_between_entities() -> None:
    text = "x" * (MAX_FALLBACK_CHARS - 3) + "<<<<"

    shown = fallback_text(Reply(text=text))

    assert len(shown) <= MAX_FALLBACK_CHARS and shown.endswith("x…")


@pytest.mark.parametrize("typed", [
    pytest.param("see [the register](http://evil.example)", id="inline-link"),
    pytest.param("see [the register][1]", id="reference-link"),
])
def test_a_teams_card_shows_a_typed_markdown_link_as_text(testbot: TestBot, typed: str) -> None:
    reply = testbot.ok(f"AP2.5.1 40% - {typed}")

    card = reply_activity(reply).attachments[0].content
    texts = [block.get("text", "") for block in card["body"]]
    texts += [fact["value"] for block in card["body"] for fact in block.get("facts", [])]
    shown = "\n".join(texts)
    assert "the register" in shown
    assert "](" not in shown and "][" not in shown
    assert shown.replace("\u2060", "").count(typed) == 1  # the same characters, nothing visible added
