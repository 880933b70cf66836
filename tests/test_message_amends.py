"""Edited and deleted chat messages, through the real dispatcher on the example plan:
an edit amends the update it came from (kind "edit"), a deletion leaves a note."""

from __future__ import annotations

from bot.commands import MessageDeleted, Undo
from bot.domain.model import Role, State
from bot.messages import InboundMessage, Reply
from tests.conftest import TestBot

LINK = "https://example.slack.com/archives/C111/p1700000000000100"


def post(testbot: TestBot, text: str, amends: str | None = None, message_id: str | None = None,
         command: object | None = None, sender: str = "U111") -> Reply | None:
    message = InboundMessage(text=text, channel="slack", sender_id=sender, conversation_id="C111",
                             message_id=message_id, source_ref=LINK, amends=amends)
    return testbot.runtime.dispatcher.handle(message, command)


def add_admin(testbot: TestBot) -> None:
    testbot.add_person("Alex Admin", role=Role.ADMIN, identities={"slack": "U111"})


def test_an_edit_replaces_the_update_and_is_recorded_once_as_an_edit(testbot: TestBot) -> None:
    add_admin(testbot)
    assert not post(testbot, "AP2.5.1 40% - six signed", message_id="m1").is_error  # type: ignore[union-attr]
    reply = post(testbot, "AP2.5.1 45% - seven signed", amends=LINK, message_id="m1-edit")
    assert reply is not None and not reply.is_error, reply
    assert "Edited:" in reply.text and "progress 40% → 45%" in reply.text
    action = testbot.action("AP2.5.1")
    assert (action.progress, action.latest_update) == (45, "seven signed")
    kinds = [(e.kind, [(c.field, c.old, c.new) for c in e.changes if c.field == "progress"])
             for e in testbot.history("AP2.5.1")[:2]]
    assert kinds == [("edit", [("progress", 40, 45)]), ("update", [("progress", 25, 40)])]


def test_an_edit_that_drops_an_action_puts_it_back_and_a_second_edit_builds_on_the_first(testbot: TestBot) -> None:
    add_admin(testbot)
    post(testbot, "AP2.5.1 40%; AP2.2.2c 75% - mapped", message_id="m1")
    post(testbot, "AP2.5.1 50%", amends=LINK, message_id="m1-e1")
    assert testbot.action("AP2.2.2c").progress != 75  # back to its value before the message
    assert testbot.action("AP2.5.1").progress == 50
    post(testbot, "AP2.5.1 30%", amends=LINK, message_id="m1-e2")
    assert testbot.action("AP2.5.1").progress == 30
    assert testbot.action("AP2.5.1").state is State.IN_PROGRESS
    # undo reverts the last edit only: back to what the first edit said
    testbot.runtime.dispatcher.handle(
        InboundMessage(text="undo", channel="slack", sender_id="U111", source_ref="other"))
    assert testbot.action("AP2.5.1").progress == 50


def test_an_edit_refused_leaves_the_original_update(testbot: TestBot) -> None:
    add_admin(testbot)
    post(testbot, "AP2.5.1 40%", message_id="m1")
    reply = post(testbot, "AP2.5.1 140%", amends=LINK, message_id="m1-edit")
    assert reply is not None and reply.is_error
    assert "original message stands" in reply.text and "0–100%" in reply.text
    assert testbot.action("AP2.5.1").progress == 40


def test_an_edit_after_someone_else_changed_the_action_is_refused(testbot: TestBot) -> None:
    add_admin(testbot)
    post(testbot, "AP2.5.1 40%", message_id="m1")
    testbot.ok("AP2.5.1 60%")  # the console admin, in between
    reply = post(testbot, "AP2.5.1 45%", amends=LINK, message_id="m1-edit")
    assert reply is not None and reply.is_error
    assert "has changed since your message" in reply.text and "progress is now 60%" in reply.text
    assert testbot.action("AP2.5.1").progress == 60


def test_an_edit_of_a_message_that_changed_nothing_applies_as_new(testbot: TestBot) -> None:
    add_admin(testbot)
    assert post(testbot, "AP2.5.1 400%", message_id="m1").is_error  # type: ignore[union-attr]
    reply = post(testbot, "AP2.5.1 40%", amends=LINK, message_id="m1-edit")
    assert reply is not None and not reply.is_error
    assert testbot.action("AP2.5.1").progress == 40
    assert testbot.history("AP2.5.1")[0].kind == "edit"


def test_an_unknown_sender_cannot_amend(testbot: TestBot) -> None:
    reply = post(testbot, "AP2.5.1 45%", amends=LINK, sender="U999")
    assert reply is not None and reply.is_error
    assert testbot.action("AP2.5.1").progress == 25


def test_a_deleted_message_leaves_the_change_and_adds_a_note(testbot: TestBot) -> None:
    add_admin(testbot)
    post(testbot, "AP2.5.1 40%", message_id="m1")
    reply = post(testbot, "", command=MessageDeleted(LINK), message_id="m1-deleted")
    assert reply is not None and "AP2.5.1" in reply.text
    entries = testbot.history("AP2.5.1")
    assert entries[0].kind == "delete-note" and entries[0].changes == ()
    assert entries[1].kind == "update"
    assert testbot.action("AP2.5.1").progress == 40
    # the same deletion delivered twice is noted once
    assert post(testbot, "", command=MessageDeleted(LINK), message_id="m1-deleted") is None
    assert [e.kind for e in testbot.history("AP2.5.1")].count("delete-note") == 1


def test_a_command_object_skips_the_parser(testbot: TestBot) -> None:
    add_admin(testbot)
    first = post(testbot, "AP2.5.1 40%", message_id="m1")
    assert first is not None and first.undo_batch
    post(testbot, "AP2.2.2c 75%", message_id="m2")
    reply = post(testbot, "(Undo button)", command=Undo(batch=first.undo_batch), message_id="click-1")
    assert reply is not None and not reply.is_error, reply
    assert testbot.action("AP2.5.1").progress == 25
    assert testbot.action("AP2.2.2c").progress == 75


def test_an_update_edited_into_chatter_stands_and_the_sender_is_offered_undo(testbot: TestBot) -> None:
    add_admin(testbot)
    post(testbot, "AP2.5.1 40% - six signed", message_id="m1")
    reply = post(testbot, "sorry, wrong thread", amends=LINK, message_id="m1-edit")
    assert reply is not None and not reply.is_error
    assert "no longer reads as an update" in reply.text and "AP2.5.1 40%" in reply.text
    assert testbot.action("AP2.5.1").progress == 40  # nothing changed by the edit
    assert reply.undo_batch is not None
    undone = post(testbot, "", command=Undo(batch=reply.undo_batch), message_id="undo-1")
    assert undone is not None and not undone.is_error
    assert testbot.action("AP2.5.1").progress == 25


def test_chatter_edited_into_other_chatter_gets_no_answer(testbot: TestBot) -> None:
    add_admin(testbot)
    assert post(testbot, "lunch at one?", message_id="c1") is None
    assert post(testbot, "lunch at half one?", amends=LINK, message_id="c1-edit") is None
