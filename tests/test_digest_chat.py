"""Digests by chat and by the command line: subscribe this channel (admins only), unsubscribe,
preview; `actionbot digest subscribe|list|preview|send-due` as a user runs them."""

from __future__ import annotations

import email
import json
from email import policy
from pathlib import Path

from bot.domain.model import Role
from tests.conftest import TestBot
from tests.test_cli import actionbot, loaded  # noqa: F401

SUBSCRIBE = "subscribe this channel to weekly digest"


def in_slack(testbot: TestBot, text: str, user: str = "UADMIN", channel: str = "C0TEAM"):  # type: ignore[no-untyped-def]
    return testbot.say(text, as_person=user, channel="slack", conversation_id=channel, is_direct=False)


def subscriptions(testbot: TestBot, channel: str = "C0TEAM"):  # type: ignore[no-untyped-def]
    with testbot.runtime.new_uow() as uow:
        return uow.digests.for_destination("slack", channel)


def test_an_admin_subscribes_a_slack_channel_once(testbot: TestBot) -> None:
    testbot.add_person("Ada Admin", Role.ADMIN, identities={"slack": "UADMIN"})
    reply = in_slack(testbot, SUBSCRIBE)
    assert reply is not None and not reply.is_error, reply
    assert "Subscribed this channel to the weekly digest of every plan" in reply.text
    assert "Mondays at 09:00 Europe/London" in reply.text
    [sub] = subscriptions(testbot)
    assert (sub.destination_kind, sub.destination, sub.schedule, sub.active) == ("slack", "C0TEAM", "0 9 * * 1", True)
    again = in_slack(testbot, "Subscribe this channel to the weekly digest.")
    assert again is not None and "already gets the weekly digest" in again.text
    assert len(subscriptions(testbot)) == 1


def test_only_admins_may_subscribe_or_unsubscribe(testbot: TestBot) -> None:
    testbot.add_person("Uma Updater", Role.UPDATER, identities={"slack": "UUPDATER"})
    for text, user in ((SUBSCRIBE, "UUPDATER"), (SUBSCRIBE, "USTRANGER"), ("unsubscribe this channel", "UUPDATER")):
        reply = in_slack(testbot, text, user=user)
        assert reply is not None and reply.is_error
        assert "Only an admin can" in reply.text
    assert subscriptions(testbot) == []


def test_unsubscribe_stops_the_digest_and_preview_shows_it(testbot: TestBot) -> None:
    testbot.add_person("Ada Admin", Role.ADMIN, identities={"slack": "UADMIN"})
    in_slack(testbot, SUBSCRIBE)
    preview = in_slack(testbot, "digest preview", user="USOMEONE")
    assert preview is not None and not preview.is_error
    assert "Overdue (3), most overdue first" in preview.text
    reply = in_slack(testbot, "unsubscribe this channel")
    assert reply is not None and "Unsubscribed" in reply.text
    assert [s.active for s in subscriptions(testbot)] == [False]
    assert "no digest subscription" in (in_slack(testbot, "unsubscribe this channel") or preview).text
    assert "Subscribed" in (in_slack(testbot, SUBSCRIBE) or preview).text  # the same row comes back
    assert [s.active for s in subscriptions(testbot)] == [True]


def test_the_console_cannot_be_subscribed_and_says_how_to(testbot: TestBot) -> None:
    reply = testbot.refused(SUBSCRIBE)
    assert "actionbot digest subscribe --slack" in reply.text
    assert "Overdue (3)" in testbot.ok("digest preview").text


def test_chatter_that_starts_with_subscribe_is_not_a_command(testbot: TestBot) -> None:
    assert in_slack(testbot, "subscribe to the provider newsletter, it is good") is None


def test_cli_subscribe_list_preview_and_send_due_to_the_maildrop(loaded: Path) -> None:  # noqa: F811
    (loaded / "actionbot.toml").write_text("[digest]\ngrace_hours = 48\n", encoding="utf-8")
    config = str(loaded / "actionbot.toml")
    made = actionbot(loaded, "--config", config, "digest", "subscribe", "--email", "Team@Example.org",
                     "--plan", "moray commissioning team improvement plan 2023")
    assert made.returncode == 0, made.stderr
    assert "Next digest: 2023-10-02 09:00 Europe/London" in made.stdout
    listed = actionbot(loaded, "--config", config, "digest", "list")
    assert "email:team@example.org — Moray Commissioning Team Improvement Plan 2023" in listed.stdout
    shown = actionbot(loaded, "--config", config, "digest", "preview", "--subscription", "1", "--today",
                      "2023-10-02", "--format", "json")
    assert shown.returncode == 0, shown.stderr
    content = json.loads(shown.stdout)
    assert [g["group"] for g in content["overdue"]] == ["2.2 Roles and Responsibilities", "2.4 Process Documentation"]
    # Tuesday: Monday's 09:00 digest is due (grace 48 hours) and goes to the maildrop outbox.
    env = {"ACTIONBOT_TODAY": "2023-10-03", "ACTIONBOT_MAILDROP": str(loaded / "maildrop")}
    import os

    os.environ.update(env)
    try:
        sent = actionbot(loaded, "--config", config, "--today", "2023-10-03", "digest", "send-due")
        again = actionbot(loaded, "--config", config, "--today", "2023-10-03", "digest", "send-due")
    finally:
        for key in env:
            os.environ.pop(key, None)
    assert sent.returncode == 0, sent.stderr
    assert "sent\t1\t2023-10-02T09:00" in sent.stdout
    assert again.stdout == "" and "0 sent" in again.stderr
    [eml] = list((loaded / "maildrop" / "outbox").glob("*.eml"))
    message = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert message["To"] == "team@example.org"
    assert "3 overdue" in message["Subject"]
    bad = actionbot(loaded, "digest", "subscribe", "--slack", "C1", "--schedule", "0 9 * *")
    assert bad.returncode == 2 and "five fields" in bad.stderr


def test_a_bad_digest_setting_is_a_sentence(loaded: Path) -> None:  # noqa: F811
    (loaded / "bad.toml").write_text('[digest]\ngrace_hours = "soon"\n', encoding="utf-8")
    result = actionbot(loaded, "--config", str(loaded / "bad.toml"), "digest", "send-due")
    assert result.returncode == 2
    assert "[digest] grace_hours must be a number of 0 or more, not 'soon'." in result.stderr
