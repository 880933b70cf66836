"""Rendering replies as Block Kit within Slack's limits, the modal's text, Slack's text forms,
and the channel's settings. Pure functions: no network."""

from __future__ import annotations

from datetime import date

import pytest

from bot.channels.slack.blocks import (
    MAX_MESSAGE_BLOCKS,
    MAX_SECTION_CHARS,
    MAX_VIEW_BLOCKS,
    UNDO_ACTION_ID,
    fallback_text,
    reply_blocks,
)
from bot.channels.slack.home import home_view, modal_text, update_modal
from bot.channels.slack.slack_settings import SlackSettings
from bot.channels.slack.translate import has_action_code, message_ref, plain_text, strip_mentions
from bot.domain.model import Action, ActionChange, FieldChange, SectionRollup, State, Status
from bot.messages import ActionLine, Reply
from config.settings import SettingsError


def action(n: int, title: str = "Contracts & <agreements>") -> Action:
    return Action(code=f"HSCM COMM AP2.{n}.1", title=title, plan="P", section_code="2.5",
                  section_title="Sample Testing", responsibility="Commissioning Team", due_date=date(2025, 2, 28),
                  progress=40, state=State.IN_PROGRESS)


def rollup() -> SectionRollup:
    return SectionRollup("P", "2.5", "Sample Testing", 68, {Status.IN_PROGRESS: 2, Status.COMPLETED: 3},
                         overdue=1, action_count=5, latest_due=date(2025, 2, 28))


def texts(blocks: list[dict]) -> str:
    out = []
    for block in blocks:
        if "text" in block:
            out.append(block["text"]["text"])
        out += [e["text"] for e in block.get("elements", []) if isinstance(e.get("text"), str)]
    return "\n".join(out)


def test_a_change_shows_old_to_new_the_rollup_and_an_undo_button() -> None:
    change = ActionChange("HSCM COMM AP2.5.1", (FieldChange("progress", 25, 40), FieldChange("state", State.NOT_STARTED,
                                                                                             State.IN_PROGRESS),
                                                FieldChange("latest_update", None, "x")), "six <signed>")
    blocks = reply_blocks(Reply(text="t", title="Updated", changes=[change], rollups=[rollup()], undo_batch="b1"))
    assert blocks[0] == {"type": "header", "text": {"type": "plain_text", "text": "Updated"}}
    body = texts(blocks)
    assert "*AP2.5.1*  progress 25% → *40%*, state not started → *in progress*" in body
    assert "six &lt;signed&gt;" in body and "update" not in body.split("\n")[1]
    assert "Section 2.5 Sample Testing: *68%* (5 actions: 2 in progress, 3 completed)" in body
    button = blocks[-1]["elements"][0]
    assert (button["action_id"], button["value"]) == (UNDO_ACTION_ID, "b1")


def test_a_summary_is_a_compact_card_and_one_line_per_action() -> None:
    lines = [ActionLine(action(n), "Overdue" if n == 1 else "In progress", 30 if n == 1 else 0) for n in range(1, 6)]
    blocks = reply_blocks(Reply(text="t", title="Summary 2.5", rollups=[rollup()], lines=lines))
    card = blocks[1]
    assert [f["text"] for f in card["fields"]] == [
        "*Progress*\n68%", "*Actions*\n5: 2 in progress, 3 completed", "*Overdue*\n1", "*Latest due*\n28 Feb 2025"]
    assert len(blocks) == 2 + 5
    assert ":red_circle: *AP2.1.1* 40% Overdue" in blocks[2]["text"]["text"] and "30 days overdue" in blocks[2]["text"]["text"]
    assert "Contracts &amp; &lt;agreements&gt;" in blocks[2]["text"]["text"]


def test_a_long_answer_keeps_to_50_blocks_and_says_how_many_more() -> None:
    lines = [ActionLine(action(n), "In progress") for n in range(200)]
    blocks = reply_blocks(Reply(text="t", title="Overdue", lines=lines, more=40))
    assert len(blocks) == MAX_MESSAGE_BLOCKS
    # 1 header + 48 actions shown: 152 of the 200 lines cut here, 40 more cut by the handler
    assert "…and 192 more actions not shown" in blocks[-1]["elements"][0]["text"]


def test_no_section_text_is_longer_than_3000_characters() -> None:
    giant = "x" * 50_000
    for reply in (Reply(text=giant), Reply(text=giant, is_error=True),
                  Reply(text="t", lines=[ActionLine(action(1, title=giant), "In progress")]),
                  Reply(text="\n".join(["y" * 900] * 40))):
        blocks = reply_blocks(reply)
        assert len(blocks) <= MAX_MESSAGE_BLOCKS
        assert all(len(b["text"]["text"]) <= MAX_SECTION_CHARS for b in blocks if b.get("text"))
    assert len(fallback_text(Reply(text=giant))) <= 3000


def test_an_error_is_a_warning_section() -> None:
    blocks = reply_blocks(Reply.error("Progress must be 0–100%; AP2.9.1a is still 50%."))
    assert blocks == [{"type": "section", "text": {"type": "mrkdwn",
                                                   "text": ":warning: Progress must be 0–100%; AP2.9.1a is still 50%."}}]


def test_the_home_tab_has_an_update_button_per_action_and_keeps_to_100_blocks() -> None:
    lines = [ActionLine(action(n), "In progress") for n in range(150)]
    view = home_view(Reply(text="t", title="Open actions for Wendy", lines=lines, as_of=date(2023, 9, 27)), "W111")
    assert view["type"] == "home" and len(view["blocks"]) == MAX_VIEW_BLOCKS
    assert view["blocks"][2]["accessory"]["value"] == "HSCM COMM AP2.0.1"
    assert "…and 53 more" in view["blocks"][-1]["elements"][0]["text"]


def test_the_modal_asks_for_progress_due_date_and_note() -> None:
    modal = update_modal("HSCM COMM AP2.5.1")
    assert modal["private_metadata"] == "HSCM COMM AP2.5.1" and len(modal["title"]["text"]) <= 24
    assert [b.get("block_id") for b in modal["blocks"][1:]] == ["progress", "due", "note"]


def _values(progress: str | None = None, due: str | None = None, note: str | None = None) -> dict:
    return {"progress": {"value": {"type": "number_input", "value": progress}},
            "due": {"value": {"type": "datepicker", "selected_date": due}},
            "note": {"value": {"type": "plain_text_input", "value": note}}}


@pytest.mark.parametrize("values, expected", [
    (_values("40", note="six signed"), "AP2.5.1 40% - six signed"),
    (_values("40"), "AP2.5.1 40%"),
    (_values(due="2026-03-31"), "AP2.5.1 due 31/03/2026"),
    (_values("55", "2026-03-31", "with legal;\nsoon"), "AP2.5.1 due 31/03/2026\nAP2.5.1 55% - with legal, soon"),
    (_values(note="waiting for Procurement"), "AP2.5.1 note waiting for Procurement"),
], ids=["progress+note", "progress", "due", "all three", "note only"])
def test_a_submitted_modal_becomes_the_text_a_person_would_type(values: dict, expected: str) -> None:
    assert modal_text("AP2.5.1", values) == (expected, {})


@pytest.mark.parametrize("values, block", [
    (_values(), "progress"), (_values("140"), "progress"), (_values("forty"), "progress"),
    (_values(due="31/03/2026"), "due"),
], ids=["empty", "140", "words", "bad date"])
def test_a_modal_that_cannot_be_read_says_which_input_is_wrong(values: dict, block: str) -> None:
    text, errors = modal_text("AP2.5.1", values)
    assert text is None and block in errors and errors[block].endswith((".", ")."))


@pytest.mark.parametrize("raw, expected", [
    ("<@UBOT0001> summary 2.5", "summary 2.5"),
    ("<@UBOT0001|actionbot>   AP2.5.1 40%", "AP2.5.1 40%"),
    ("AP2.5.1 note see <https://council.example/doc|the contract> &amp; <mailto:a@b.example|a@b.example>",
     "AP2.5.1 note see the contract & a@b.example"),
    ("AP2.5.1 note &lt;draft&gt; in <#C123|contracts> <!here>", "AP2.5.1 note <draft> in #contracts @here"),
], ids=["mention", "labelled mention", "links", "escapes"])
def test_slack_text_becomes_what_the_person_typed(raw: str, expected: str) -> None:
    assert plain_text(raw) == expected


def test_mentions_codes_and_message_refs() -> None:
    assert strip_mentions("<@U1> <@W2> hi") == "hi"
    assert has_action_code("morning all, AP2.5.1 now 40%") and not has_action_code("lunch at 1?")
    assert message_ref("https://x.slack.com/", "C1", "1700000000.000100") == "https://x.slack.com/archives/C1/p1700000000000100"
    assert message_ref(None, "C1", "1700000000.000100") == "slack:C1:1700000000.000100"


def test_settings_come_from_the_environment_and_say_what_is_missing() -> None:
    assert SlackSettings.from_environ({}) is None
    socket = SlackSettings.from_environ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1",
                                         "SLACK_SIGNING_SECRET": "s"})
    assert socket is not None and socket.mode == "socket" and socket.api_url == "https://slack.com/api/"
    http = SlackSettings.from_environ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s",
                                       "ACTIONBOT_SLACK_API_URL": "http://127.0.0.1:9/api", "ACTIONBOT_SLACK_PORT": "8080"})
    assert http is not None and (http.mode, http.api_url, http.http_port) == ("http", "http://127.0.0.1:9/api/", 8080)
    assert "xoxb" not in repr(http) and "'s'" not in repr(http)
    with pytest.raises(SettingsError, match="SLACK_APP_TOKEN"):
        SlackSettings.from_environ({"SLACK_BOT_TOKEN": "xoxb-1"})
    with pytest.raises(SettingsError, match="SLACK_SIGNING_SECRET"):
        SlackSettings.from_environ({"SLACK_BOT_TOKEN": "xoxb-1", "ACTIONBOT_SLACK_MODE": "http"})
    with pytest.raises(SettingsError, match="port"):
        SlackSettings.from_environ({"SLACK_BOT_TOKEN": "x", "SLACK_APP_TOKEN": "y", "ACTIONBOT_SLACK_PORT": "80000"})
