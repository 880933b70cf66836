"""Reminders in Teams personal chats: posted proactively to the local fake Bot Connector as an
Adaptive Card with Action.Execute buttons; a press is an adaptiveCard/action invoke."""

from __future__ import annotations

import copy
import dataclasses
from datetime import datetime, timezone
from typing import Any

from bot.domain.model import Role, State
from bot.reminders.sender import ReminderSender
from bot.reminders.teams_delivery import teams_reminders
from tests.test_teams_http import (  # noqa: F401  (fixtures)
    APP_ID,
    APP_SECRET,
    CHANNEL_TENANT,
    MEGAN_AAD,
    Teams,
    microsoft,
    personal,
    rsa_key,
    teams,
)

NINE_BST = datetime(2023, 9, 27, 8, 5, tzinfo=timezone.utc)


def send(teams: Teams) -> None:
    runtime = dataclasses.replace(teams.bot.runtime, environ={
        "ACTIONBOT_TEAMS_APP_ID": APP_ID, "ACTIONBOT_TEAMS_APP_SECRET": APP_SECRET,
        "ACTIONBOT_TEAMS_TENANT_ID": CHANNEL_TENANT,
        "ACTIONBOT_TEAMS_TOKEN_URL": f"{teams.microsoft.url}/{CHANNEL_TENANT}/oauth2/v2.0/token",
        "ACTIONBOT_TEAMS_SERVICE_URL": f"{teams.microsoft.url}/"})
    delivery = teams_reminders(runtime)
    assert delivery is not None
    ReminderSender(runtime.new_uow, {"teams": delivery}, "test", runtime.settings).send_due(NINE_BST)


def said(activity: dict[str, Any]) -> str:
    """What a reply shows: its text, or its card's fallback text."""
    cards = [a["content"] for a in activity.get("attachments") or []]
    return str(activity.get("text") or "") + "".join(str(c.get("fallbackText", "")) for c in cards)


def press(card: dict[str, Any], index: int, title: str, activity: dict[str, Any], activity_id: str) -> dict[str, Any]:
    (button,) = [a for a in [b for b in card["body"] if b["type"] == "ActionSet"][index]["actions"]
                 if a["title"] == title]
    pressed = copy.deepcopy(activity)
    pressed.update(type="invoke", name="adaptiveCard/action", id=activity_id, text=None, entities=[],
                   value={"action": {"type": button["type"], "verb": button["verb"], "data": button["data"]},
                          "trigger": "manual"})
    return pressed


def megan_reminded(teams: Teams) -> dict[str, Any]:
    """Megan owns AP2.5.1 (due tomorrow) and AP2.9.1a (due in 7 working days) and has written to
    the bot once (her personal chat is on record); the reminders are sent. Her chat."""
    teams.bot.add_person("Megan Bowen", Role.UPDATER, identities={"teams": MEGAN_AAD})
    chat = personal("help")
    teams.replies(chat)
    for text in ("AP2.5.1 owner Megan Bowen", "AP2.5.1 due 28/09/2023", "AP2.9.1a owner Megan Bowen",
                 "AP2.9.1a due 06/10/2023"):
        teams.bot.ok(text)
    send(teams)
    return chat


def test_a_reminder_goes_to_the_personal_chat_and_its_buttons_work(teams: Teams) -> None:
    chat = megan_reminded(teams)
    (posted,) = teams.microsoft.posted()
    assert posted.path == f"/v3/conversations/{chat['conversation']['id']}/activities"
    card = posted.body["attachments"][0]["content"]
    assert card["version"] == "1.4"
    assert "AP2.5.1" in card["body"][1]["text"] and "due in 1 working day" in card["body"][1]["text"]
    titles = [a["title"] for a in [b for b in card["body"] if b["type"] == "ActionSet"][0]["actions"]]
    assert titles == ["Done", "Update…", "Snooze 1 week", "Not mine"]
    assert {a["type"] for b in card["body"] if b["type"] == "ActionSet" for a in b["actions"]
            if a["title"] != "Update…"} == {"Action.Execute"}

    chat["serviceUrl"] = f"{teams.microsoft.url}/"
    status, body = teams.post(press(card, 0, "Done", chat, "p1"), expect_replies=False)
    assert status == 200 and body["type"] == "application/vnd.microsoft.activity.message"
    assert "state in progress → completed" in body["value"]
    assert teams.bot.action("AP2.5.1").state is State.COMPLETED
    status, body = teams.post(press(card, 1, "Snooze 1 week", chat, "p2"), expect_replies=False)
    assert "Snoozed HSCM COMM AP2.9.1a" in body["value"]


def test_someone_else_pressing_the_button_changes_nothing(teams: Teams) -> None:
    teams.bot.add_person("Megan Bowen", Role.UPDATER, identities={"teams": MEGAN_AAD})
    chat = personal("help")
    teams.replies(chat)
    teams.bot.ok("AP2.5.1 owner Megan Bowen")
    teams.bot.ok("AP2.5.1 due 28/09/2023")
    send(teams)
    card = teams.microsoft.posted()[0].body["attachments"][0]["content"]
    other = copy.deepcopy(chat)
    other["serviceUrl"] = f"{teams.microsoft.url}/"
    other["from"] = {"id": "29:rido", "name": "Rido", "aadObjectId": "b15a9416-0ad3-4172-9210-7beb711d3f70"}
    status, body = teams.post(press(card, 0, "Done", other, "p3"), expect_replies=False)
    assert "That reminder was sent to Megan Bowen" in body["value"]
    assert teams.bot.action("AP2.5.1").state is not State.COMPLETED


def test_a_reply_to_the_reminder_in_the_personal_chat_is_read_against_it(teams: Teams) -> None:
    teams.bot.add_person("Megan Bowen", Role.ADMIN, identities={"teams": MEGAN_AAD})  # may change any action
    chat = personal("help")
    teams.replies(chat)
    for text in ("AP2.5.1 owner Megan Bowen", "AP2.5.1 due 28/09/2023", "AP2.9.1a owner Megan Bowen",
                 "AP2.9.1a due 06/10/2023"):
        teams.bot.ok(text)
    send(teams)
    with teams.bot.runtime.new_uow() as uow:
        (record,) = uow.reminders.recent()
    posted_id = str(record.message_ref).rsplit(":", 1)[1]
    assert posted_id
    answer = personal("2 40% contracts signed", activity_id="r1")
    answer["replyToId"] = posted_id
    (reply,) = teams.replies(answer)
    assert "40%" in said(reply)
    assert teams.bot.action("AP2.9.1a").progress == 40
    wrong = personal("AP2.2.3b 90%", activity_id="r2")
    wrong["replyToId"] = posted_id
    (refused,) = teams.replies(wrong)
    assert "did not name AP2.2.3b" in said(refused)
    plain = personal("AP2.2.3b 90%", activity_id="r3")  # not a reply: an ordinary update
    teams.replies(plain)
    assert teams.bot.action("AP2.2.3b").progress == 90


def press_update(card: dict[str, Any], index: int, typed: str | None, activity: dict[str, Any],
                 activity_id: str) -> dict[str, Any]:
    """Update… opens the box under the item; Send is an Action.Execute whose data Teams merges
    with the box's value (absent when nothing was typed)."""
    (show,) = [a for a in [b for b in card["body"] if b["type"] == "ActionSet"][index]["actions"]
               if a["title"] == "Update…"]
    assert show["type"] == "Action.ShowCard"
    (box,) = show["card"]["body"]
    (send_button,) = show["card"]["actions"]
    data = dict(send_button["data"]) | ({box["id"]: typed} if typed is not None else {})
    pressed = copy.deepcopy(activity)
    pressed.update(type="invoke", name="adaptiveCard/action", id=activity_id, text=None, entities=[],
                   value={"action": {"type": "Action.Execute", "verb": send_button["verb"], "data": data},
                          "trigger": "manual"})
    return pressed


def test_update_under_an_item_takes_what_was_typed_for_that_item(teams: Teams) -> None:
    chat = megan_reminded(teams)
    card = teams.microsoft.posted()[0].body["attachments"][0]["content"]
    titles = [a["title"] for a in [b for b in card["body"] if b["type"] == "ActionSet"][1]["actions"]]
    assert titles == ["Done", "Update…", "Snooze 1 week", "Not mine"]
    chat["serviceUrl"] = f"{teams.microsoft.url}/"

    status, body = teams.post(press_update(card, 1, "40% six contracts signed", chat, "u1"), expect_replies=False)
    assert status == 200 and "40%" in body["value"]
    updated = teams.bot.action("AP2.9.1a")
    assert updated.progress == 40 and updated.latest_update == "six contracts signed"
    assert teams.bot.action("AP2.5.1").progress != 40  # the other item is untouched

    before = teams.bot.action("AP2.5.1")
    for typed, expected in ((None, "Type the update for"), ("   ", "Type the update for"),
                            ("140%", "must be 0–100%; AP2.5.1 is still 25%"),
                            ("AP2.2.3b 90%", "did not name AP2.2.3b")):
        status, body = teams.post(press_update(card, 0, typed, chat, f"u-{typed}"), expect_replies=False)
        assert status == 200 and expected in body["value"]
        assert teams.bot.action("AP2.5.1") == before


def test_log_items_have_no_update_box(teams: Teams) -> None:
    from bot.reminders.model import SendRecord, SendState
    from bot.reminders.teams_delivery import reminder_card

    record = SendRecord(person_id=1, person="Megan Bowen", day=NINE_BST.date(), scheduled_for=NINE_BST,
                        channel="teams", address=MEGAN_AAD, state=SendState.PENDING, id=7,
                        items=({"ref": "PQ-2023-0001/1", "key": "log action::PQ-2023-0001/1", "kind": "log action",
                                "plan": None, "reason": "due_soon", "restricted": False},),
                        text="Good morning Megan: 1 item needs you today.\n1. PQ-2023-0001/1 chase rota")
    (actions,) = [b["actions"] for b in reminder_card(record)["body"] if b["type"] == "ActionSet"]
    assert [a["title"] for a in actions] == ["Done", "Snooze 1 week", "Not mine"]
