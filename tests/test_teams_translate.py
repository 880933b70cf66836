"""Teams activities (recorded payloads) -> InboundMessage; Reply -> Adaptive Card; settings."""

from __future__ import annotations

import json
import sys
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from microsoft_agents.activity import Activity

from bot.channels.teams.cards import reply_card, undone_card
from bot.channels.teams.config import TeamsConfigError, teams_config_from_env
from bot.channels.teams.translate import addressed_text, conversation_key, inbound_message, tenant_id
from bot.domain.model import ActionChange, FieldChange, SectionRollup
from bot.messages import Reply

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures" / "teams"
CHANNEL = "19:6848757105754c8981c67612732d9aa7@thread.tacv2"


def recorded(name: str, /, **changes: Any) -> Activity:
    data = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    data.update(changes)
    return Activity.model_validate(data)


def test_channel_thread_reply_with_mention() -> None:
    message = inbound_message(recorded("teams_channel_thread_reply_with_mention.json"))
    assert message is not None
    assert message.text == "reply to thread"
    assert message.channel == "teams"
    assert message.sender_id == "b15a9416-0ad3-4172-9210-7beb711d3f70"  # from.aadObjectId
    assert message.sender_name == "rido"
    assert message.conversation_id == CHANNEL  # the channel, for digests and plan bindings
    assert message.message_id == f"{CHANNEL}/1759944781430"
    assert message.source_ref == f"teams:{CHANNEL};messageid=1759881511856/1759944781430"
    assert message.is_direct  # the bot was @mentioned


def test_personal_chat_is_direct_without_a_mention() -> None:
    message = inbound_message(recorded("teams_docs_personal_chat_inbound.json"))
    assert message is not None and message.is_direct and message.text == "Hello Teams TestBot"
    assert message.conversation_id.startswith("a:17I0kl9EkpE1O9PH5TWrzrLNwnW")
    assert message.sender_id == "7faf8ab2-3d56-4244-b585-20c8a42ed2b8"


def test_a_message_mentioning_someone_else_is_not_addressed_to_the_bot() -> None:
    activity = recorded("teams_docs_channel_message_user_mention.json")
    message = inbound_message(activity)
    assert message is not None and not message.is_direct
    assert message.text == "Hey Pranav Smith check out this message"
    assert conversation_key(activity) == "19:aebd0ad4d6ab42c8b9ed19c251c2fc37@thread.skype"
    assert tenant_id(activity) is None  # refused by the tenant allow-list


@pytest.mark.parametrize(("text", "expected"), [
    ("<at>ridotest</at> AP2.5.1 40%", "AP2.5.1 40%"),
    ("AP2.5.1 owner <at>Sam Patel</at> <at>ridotest</at>", "AP2.5.1 owner Sam Patel"),
    ("<at>@ridotest</at>&nbsp;summary&nbsp;2.5", "summary 2.5"),
    ("<at>ridotest</at> AP2.2.2c 75%\nAP2.4.2a done", "AP2.2.2c 75%\nAP2.4.2a done"),
], ids=["leading", "other-person-kept", "entity-text-differs", "multi-line"])
def test_mentions_are_stripped_before_the_grammar(text: str, expected: str) -> None:
    assert addressed_text(recorded("teams_channel_thread_reply_with_mention.json", text=text)) == expected


def test_an_undo_button_press_becomes_undo_batch() -> None:
    batch = "0123456789abcdef0123456789abcdef"
    activity = recorded("teams_docs_personal_chat_inbound.json", text=None, value={"actionbot": "undo", "batch": batch})
    message = inbound_message(activity)
    assert message is not None and message.text == f"undo batch {batch}" and message.is_direct


def test_an_empty_or_non_message_activity_is_not_dispatched() -> None:
    assert inbound_message(recorded("teams_docs_personal_chat_inbound.json", text="   ")) is None
    assert inbound_message(recorded("teams_docs_personal_chat_inbound.json", type="typing")) is None


def test_status_change_card_shows_old_and_new_and_undo() -> None:
    reply = Reply(
        text="AP2.5.1: progress 25% → 40%. Update: six signed\nType `undo` to revert.",
        title="Updated",
        changes=[ActionChange("HSCM COMM AP2.5.1", (FieldChange("progress", 25, 40),
                                                    FieldChange("due_date", date(2025, 2, 28), date(2026, 3, 31))),
                              "six signed")],
        rollups=[SectionRollup("Plan", "2.5", "Sample Testing", 68, action_count=5, overdue=1,
                               latest_due=date(2025, 2, 28))],
        undo_batch="ab" * 16,
        as_of=date(2023, 9, 27),
    )
    card = reply_card(reply)
    facts = {f["title"]: f["value"] for b in card["body"] if b["type"] == "FactSet" for f in b["facts"]}
    assert facts["Progress"] == "25% → 40%"
    assert facts["Due"] == "Fri 28 Feb 2025 → Tue 31 Mar 2026"  # a changed date shows its weekday
    assert facts["Update"] == "six signed"
    assert facts["2.5 Sample Testing"] == "68% · 5 actions · 1 overdue · latest due 28 Feb 2025"
    data = {"actionbot": "undo", "batch": "ab" * 16}
    # Action.Execute (Universal Actions, card version 1.4): the bot's answer replaces the card.
    assert card["actions"] == [{"type": "Action.Execute", "title": "Undo", "verb": "undo", "data": data,
                                "fallback": {"type": "Action.Submit", "title": "Undo", "data": data}}]
    assert card["fallbackText"] == reply.text and card["version"] == "1.4"


def test_the_card_that_replaces_an_undone_change_says_so_and_has_no_button() -> None:
    undone = Reply(text="Undone:\nAP2.5.1: progress 40% → 25%", title="Undone",
                   changes=[ActionChange("HSCM COMM AP2.5.1", (FieldChange("progress", 40, 25),))])
    card = undone_card(undone, "Rido [admin](https://x.example)")
    assert "actions" not in card
    texts = [b["text"] for b in card["body"] if b["type"] == "TextBlock"]
    assert texts[0] == "Undone" and texts[-1] == "Undone by Rido [admin]\u2060(https://x.example)."


UNDO_DATA = {"actionbot": "undo", "batch": "cd" * 16}


@pytest.mark.parametrize("pressed", [
    pytest.param({"type": "invoke", "name": "adaptiveCard/action", "text": None,
                  "value": {"action": {"type": "Action.Execute", "verb": "undo", "data": UNDO_DATA}}},
                 id="action-execute-invoke"),
    pytest.param({"text": None, "value": UNDO_DATA}, id="action-submit-message-from-an-older-card"),
])
def test_both_undo_button_forms_become_undo_batch(pressed: dict[str, Any]) -> None:
    message = inbound_message(recorded("teams_docs_personal_chat_inbound.json", **pressed))
    assert message is not None and message.text == f"undo batch {'cd' * 16}"
    assert message.is_direct and message.is_private


@pytest.mark.parametrize("pressed", [
    pytest.param({"verb": "refresh", "data": UNDO_DATA}, id="another-verb"),
    pytest.param({"verb": "undo", "data": {"something": "else"}}, id="not-our-data"),
])
def test_other_card_actions_are_not_messages(pressed: dict[str, Any]) -> None:
    activity = recorded("teams_docs_personal_chat_inbound.json", type="invoke", name="adaptiveCard/action",
                        value={"action": {"type": "Action.Execute", **pressed}})
    assert inbound_message(activity) is None


def test_error_card_is_the_sentence_in_attention_colour_without_undo() -> None:
    card = reply_card(Reply.error("Progress must be 0–100%; AP2.9.1a is still 50%."))
    assert card["body"] == [{"type": "TextBlock", "text": "Progress must be 0–100%; AP2.9.1a is still 50%.",
                             "wrap": True, "color": "Attention"}]
    assert "actions" not in card


def test_teams_is_off_unless_configured_and_partial_settings_are_refused() -> None:
    assert teams_config_from_env({}) is None
    with pytest.raises(TeamsConfigError, match="ACTIONBOT_TEAMS_APP_SECRET"):
        teams_config_from_env({"ACTIONBOT_TEAMS_APP_ID": "x", "ACTIONBOT_TEAMS_TENANT_ID": "t"})
    with pytest.raises(TeamsConfigError, match="port number"):
        teams_config_from_env({"ACTIONBOT_TEAMS_APP_ID": "x", "ACTIONBOT_TEAMS_APP_SECRET": "s",
                               "ACTIONBOT_TEAMS_TENANT_ID": "t", "ACTIONBOT_TEAMS_PORT": "http"})
    config = teams_config_from_env({"ACTIONBOT_TEAMS_APP_ID": "x", "ACTIONBOT_TEAMS_APP_SECRET": "s3cret",
                                    "ACTIONBOT_TEAMS_TENANT_ID": "T1, t2"})
    assert config is not None and config.port == 3978 and not config.allow_anonymous
    assert config.tenant_allowed("t1") and config.tenant_allowed("T2") and not config.tenant_allowed("t3")
    assert not config.tenant_allowed(None)
    assert "s3cret" not in repr(config)


def test_importing_the_cli_dispatcher_handlers_and_storage_does_not_load_the_sdk() -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import sys, bot.cli, bot.app, bot.dispatcher, handlers, storage\n"
                               "print(sorted({m.split('.')[0] for m in sys.modules} & {'microsoft_agents', 'aiohttp'}))"],
        cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_a_very_long_answer_is_shortened_to_fit_a_teams_message() -> None:
    card = reply_card(Reply(text="AP2.5.1 note\n" * 5000))
    assert len(json.dumps(card)) < 28_000
    assert card["fallbackText"].endswith("ask about one section or action to see the rest)")
