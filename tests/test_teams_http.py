"""Teams end to end over HTTP: recorded Teams activities POSTed to /api/messages on a loopback
port, authenticated with Bot Framework JWTs signed by a test key that the SDK's real validator
fetches from a local JWKS; replies come back in the HTTP response (deliveryMode
expectReplies) or go to a local fake Bot Connector; digests are posted proactively to it.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.channels.teams.service import TeamsService, teams_service
from bot.domain.model import Role
from tests.conftest import TestBot
from tests.teams_fakes import (BOT_FRAMEWORK_ISSUER, CONNECTOR_TOKEN, FakeMicrosoft, key_id, mint_token, new_rsa_key,
                               post_json)

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "teams"
APP_ID = "28c1a9e5-5f0e-4d8a-9d5e-0b5d3c1e2f70"
APP_SECRET = "test-only-secret"
CHANNEL_TENANT = "50612dbb-0237-4969-b378-8d42590f9c00"  # teams_channel_thread_reply_with_mention.json
PERSONAL_TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"  # teams_docs_personal_chat_inbound.json
RIDO_AAD = "b15a9416-0ad3-4172-9210-7beb711d3f70"
MEGAN_AAD = "7faf8ab2-3d56-4244-b585-20c8a42ed2b8"
CHANNEL_ID = "19:6848757105754c8981c67612732d9aa7@thread.tacv2"


def corpus(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return data


def channel_mention(text: str, activity_id: str = "1759944781430") -> dict[str, Any]:
    """The recorded channel thread reply, with what follows the bot's <at> mention replaced."""
    activity = corpus("teams_channel_thread_reply_with_mention.json")
    activity["text"] = f"<at>ridotest</at> {text}"
    activity["id"] = activity_id
    return activity


def personal(text: str, activity_id: str = "1485983408511") -> dict[str, Any]:
    activity = corpus("teams_docs_personal_chat_inbound.json")
    activity["text"] = text
    activity["id"] = activity_id
    return activity


@pytest.fixture(scope="module")
def rsa_key():  # type: ignore[no-untyped-def]
    return new_rsa_key()


@pytest.fixture
def microsoft(rsa_key, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeMicrosoft]:  # type: ignore[no-untyped-def]
    from microsoft_agents.hosting.core.authorization import _entra_issuers

    fake = FakeMicrosoft(rsa_key, APP_ID, APP_SECRET)
    fake.start()
    # The SDK looks Bot Framework signing keys up at a fixed URL (login.botframework.com);
    # point that one entry at the local JWKS. Validation itself is the SDK's, unchanged.
    monkeypatch.setitem(_entra_issuers.BOTFRAMEWORK_JWKS_URIS, BOT_FRAMEWORK_ISSUER, fake.jwks_url)
    yield fake
    fake.stop()


@dataclasses.dataclass
class Teams:
    bot: TestBot
    microsoft: FakeMicrosoft
    service: TeamsService
    key: Any

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.service.port}/api/messages"

    def post(self, activity: dict[str, Any], *, expect_replies: bool = True, token: str | None | bool = True,
             ) -> tuple[int, Any]:
        body = copy.deepcopy(activity)
        if expect_replies:
            body["deliveryMode"] = "expectReplies"
        if token is True:
            token = mint_token(self.key, APP_ID, body.get("serviceUrl"))
        return post_json(self.url, body, token or None)

    def replies(self, activity: dict[str, Any]) -> list[dict[str, Any]]:
        status, body = self.post(activity)
        assert status == 200, (status, body)
        activities: list[dict[str, Any]] = body["activities"]
        return activities


def card_of(reply: dict[str, Any]) -> dict[str, Any]:
    (attachment,) = reply["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card: dict[str, Any] = attachment["content"]
    return card


def card_texts(card: dict[str, Any]) -> str:
    parts = []
    for block in card["body"]:
        if block["type"] == "TextBlock":
            parts.append(block["text"])
        elif block["type"] == "FactSet":
            parts += [f"{fact['title']}: {fact['value']}" for fact in block["facts"]]
    return "\n".join(parts)


def start_teams(testbot: TestBot, microsoft: FakeMicrosoft, **env: str) -> TeamsService:
    environ = {
        "ACTIONBOT_TEAMS_APP_ID": APP_ID,
        "ACTIONBOT_TEAMS_APP_SECRET": APP_SECRET,
        "ACTIONBOT_TEAMS_TENANT_ID": f"{CHANNEL_TENANT},{PERSONAL_TENANT}",
        "ACTIONBOT_TEAMS_PORT": "0",
        "ACTIONBOT_TEAMS_TOKEN_URL": f"{microsoft.url}/{CHANNEL_TENANT}/oauth2/v2.0/token",
        **env,
    }
    service = teams_service(dataclasses.replace(testbot.runtime, environ=environ))
    assert service is not None
    service.start()
    return service


@pytest.fixture
def teams(testbot: TestBot, microsoft: FakeMicrosoft, rsa_key) -> Iterator[Teams]:  # type: ignore[no-untyped-def]
    service = start_teams(testbot, microsoft, ACTIONBOT_TEAMS_SERVICE_URL=f"{microsoft.url}/")
    testbot.add_person("Rido", Role.UPDATER, team="Commissioning Team", identities={"teams": RIDO_AAD})
    yield Teams(testbot, microsoft, service, rsa_key)
    service.stop()


# --- messages ------------------------------------------------------------------------------


def test_channel_mention_updates_the_action_and_answers_with_a_card(teams: Teams) -> None:
    (reply,) = teams.replies(channel_mention("AP2.5.1 40% six priority contracts signed"))
    card = card_of(reply)
    shown = card_texts(card)
    assert "AP2.5.1" in shown and "Progress: 25% → 40%" in shown
    assert "Update: six priority contracts signed" in shown
    assert "2.5 Sample Testing: 68%" in shown  # the section summary as a fact
    assert card["fallbackText"].startswith("AP2.5.1: progress 25% → 40%")
    (undo,) = card["actions"]
    assert undo["type"] == "Action.Execute" and undo["verb"] == "undo" and undo["data"]["actionbot"] == "undo"
    action = teams.bot.action("AP2.5.1")
    assert action.progress == 40 and action.updated_by == "Rido"
    entry = teams.bot.history("AP2.5.1")[0]
    assert entry.channel == "teams"
    assert entry.source_ref == f"teams:{CHANNEL_ID};messageid=1759881511856/1759944781430"


def test_the_mention_is_stripped_so_the_shared_grammar_reads_the_recorded_text(teams: Teams) -> None:
    # The recorded message is "<at>ridotest</at> reply to thread": chatter after the mention,
    # which in a channel gets the short help because the bot was addressed.
    (reply,) = teams.replies(corpus("teams_channel_thread_reply_with_mention.json"))
    assert "I track the action plan" in card_of(reply)["fallbackText"]
    assert "ridotest" not in card_of(reply)["fallbackText"]


def test_channel_chatter_that_does_not_mention_the_bot_gets_no_reply(teams: Teams) -> None:
    # Teams' docs example: a channel message mentioning a person, not the bot (with the
    # resource-specific permission the bot receives these too).
    activity = corpus("teams_docs_channel_message_user_mention.json")
    activity["channelData"] = {"tenant": {"id": CHANNEL_TENANT}}
    activity["id"] = "1481567603816"
    status, body = teams.post(activity)
    assert status == 200 and body["activities"] == []


def test_thread_reply_answers_in_the_thread(teams: Teams) -> None:
    (reply,) = teams.replies(channel_mention("summary 2.5"))
    assert reply["conversation"]["id"] == f"{CHANNEL_ID};messageid=1759881511856"
    assert reply["replyToId"] == "1759944781430"
    shown = card_texts(card_of(reply))
    assert "2.5 Sample Testing" in shown and "AP2.5.1" in shown


def test_personal_chat_needs_no_mention_and_identifies_by_aad_object_id(teams: Teams) -> None:
    teams.bot.add_person("Megan Bowen", Role.VIEWER, identities={"teams": MEGAN_AAD})
    (reply,) = teams.replies(personal("AP2.5.1 50%"))
    assert card_of(reply)["fallbackText"] == "Megan Bowen has the viewer role, which may not change actions."
    assert teams.bot.action("AP2.5.1").progress == 25
    (reply,) = teams.replies(personal("Hello Teams TestBot", activity_id="1485983408512"))
    assert "I track the action plan" in card_of(reply)["fallbackText"]  # direct chatter gets help


def test_an_unknown_teams_user_may_ask_but_not_change(teams: Teams) -> None:
    (reply,) = teams.replies(personal("AP2.5.1 50%"))
    card = card_of(reply)
    assert card["body"][0].get("color") == "Attention" and "actions" not in card
    assert teams.bot.action("AP2.5.1").progress == 25
    (reply,) = teams.replies(personal("status AP2.5.1", activity_id="1485983408599"))
    assert "AP2.5.1" in card_of(reply)["fallbackText"] and "25%" in card_of(reply)["fallbackText"]


def test_a_redelivered_activity_is_handled_once(teams: Teams) -> None:
    teams.replies(channel_mention("AP2.5.1 40%"))
    assert teams.replies(channel_mention("AP2.5.1 40%")) == []
    assert len([e for e in teams.bot.history("AP2.5.1") if e.kind == "update"]) == 1


def press_undo(card: dict[str, Any], activity: dict[str, Any], activity_id: str) -> dict[str, Any]:
    """The adaptiveCard/action invoke Teams sends when `card`'s Undo (an Action.Execute) is
    pressed in `activity`'s conversation; its serviceUrl is the local fake connector's, as
    Teams' normal delivery (not expectReplies) may call the connector during the turn."""
    (undo,) = card["actions"]
    press = copy.deepcopy(activity)
    press.update(type="invoke", name="adaptiveCard/action", id=activity_id, text=None, entities=[],
                 replyToId=activity["id"], value={"action": {"type": undo["type"], "verb": undo["verb"],
                                                             "data": undo["data"]}, "trigger": "manual"})
    return press


def test_undo_action_execute_answers_with_the_refreshed_card(teams: Teams) -> None:
    asked = channel_mention("AP2.5.1 40% six priority contracts signed", activity_id="1")
    (first,) = teams.replies(asked)
    teams.replies(channel_mention("AP2.2.2c 75%", activity_id="2"))  # a later change of Rido's
    asked["serviceUrl"] = f"{teams.microsoft.url}/"
    status, body = teams.post(press_undo(card_of(first), asked, "3"), expect_replies=False)
    assert status == 200, body
    # Teams replaces the pressed card with the one in the invoke response.
    assert body["statusCode"] == 200 and body["type"] == "application/vnd.microsoft.card.adaptive"
    refreshed = body["value"]
    assert refreshed["type"] == "AdaptiveCard" and "actions" not in refreshed
    shown = card_texts(refreshed)
    assert shown.startswith("Undone\n") and "Progress: 40% → 25%" in shown and shown.endswith("Undone by rido.")
    assert refreshed["fallbackText"].startswith("Undone:")
    assert teams.bot.action("AP2.5.1").progress == 25
    assert teams.bot.action("AP2.2.2c").progress == 75  # the later change stays
    assert [e.kind for e in teams.bot.history("AP2.5.1")][:2] == ["undo", "update"]
    assert teams.microsoft.posted() == []  # the answer was the HTTP response, nothing else was sent
    # Pressed again (another client still showing the old card): the card is left alone and
    # the presser is told why.
    status, again = teams.post(press_undo(card_of(first), asked, "4"), expect_replies=False)
    assert status == 200 and again == {
        "statusCode": 200, "type": "application/vnd.microsoft.activity.message",
        "value": "That change is not yours to undo, or it has been undone already."}
    assert teams.bot.action("AP2.5.1").progress == 25


def test_someone_elses_undo_action_execute_leaves_the_card(teams: Teams) -> None:
    (first,) = teams.replies(channel_mention("AP2.5.1 40%", activity_id="1"))
    teams.bot.add_person("Megan Bowen", Role.ADMIN, identities={"teams": MEGAN_AAD})
    asked = personal("", activity_id="2")  # Megan presses the button Rido's card carried
    asked["serviceUrl"] = f"{teams.microsoft.url}/"
    status, body = teams.post(press_undo(card_of(first), asked, "3"), expect_replies=False)
    assert status == 200 and body["type"] == "application/vnd.microsoft.activity.message"
    assert "not yours to undo" in body["value"]
    assert teams.bot.action("AP2.5.1").progress == 40


def test_an_unknown_card_action_is_answered_not_acted_on(teams: Teams) -> None:
    asked = channel_mention("", activity_id="1")
    asked["serviceUrl"] = f"{teams.microsoft.url}/"
    press = press_undo({"actions": [{"type": "Action.Execute", "verb": "approve", "data": {"x": 1}}]}, asked, "2")
    status, body = teams.post(press, expect_replies=False)
    assert status == 200 and body["type"] == "application/vnd.microsoft.activity.message"
    assert "not one I know" in body["value"]


def test_undo_button_from_an_older_card_action_submit_still_works(teams: Teams) -> None:
    # Cards posted before the button became an Action.Execute carry an Action.Submit, which
    # Teams delivers as a message activity whose value is the button's data (the same data the
    # Action.Execute's fallback carries now).
    (first,) = teams.replies(channel_mention("AP2.5.1 40%", activity_id="1"))
    submitted = card_of(first)["actions"][0]["fallback"]
    assert submitted["type"] == "Action.Submit"
    batch = submitted["data"]["batch"]
    teams.replies(channel_mention("AP2.2.2c 75%", activity_id="2"))  # a later change of Rido's
    press = channel_mention("", activity_id="3")
    press.update(text=None, entities=[], value=submitted["data"])
    (reply,) = teams.replies(press)
    assert "Undone" in card_of(reply)["fallbackText"]
    assert teams.bot.action("AP2.5.1").progress == 25
    assert teams.bot.action("AP2.2.2c").progress == 75  # the later change stays
    (again,) = teams.replies({**press, "id": "4"})
    assert "not yours to undo, or it has been undone already" in card_of(again)["fallbackText"]
    assert batch


def test_someone_elses_older_undo_button_does_nothing(teams: Teams) -> None:
    (first,) = teams.replies(channel_mention("AP2.5.1 40%", activity_id="1"))
    press = personal("", activity_id="2")  # Megan presses the button Rido's older card carried
    teams.bot.add_person("Megan Bowen", Role.ADMIN, identities={"teams": MEGAN_AAD})
    press.update(text=None, value=card_of(first)["actions"][0]["fallback"]["data"])
    (reply,) = teams.replies(press)
    assert "not yours to undo" in card_of(reply)["fallbackText"]
    assert teams.bot.action("AP2.5.1").progress == 40


def test_normal_delivery_posts_the_reply_to_the_connector_and_maps_email(
        testbot: TestBot, microsoft: FakeMicrosoft, rsa_key) -> None:  # type: ignore[no-untyped-def]
    testbot.add_person("Megan Bowen", Role.ADMIN, identities={"email": "meganb@contoso.example"},
                       email="meganb@contoso.example")
    activity = personal("AP2.5.1 done")
    activity["serviceUrl"] = f"{microsoft.url}/"
    microsoft.members[activity["from"]["id"]] = {
        "id": activity["from"]["id"], "name": "Megan Bowen", "aadObjectId": MEGAN_AAD,
        "email": "MeganB@contoso.example", "userPrincipalName": "meganb@contoso.example"}
    service = start_teams(testbot, microsoft)
    try:
        harness = Teams(testbot, microsoft, service, rsa_key)
        status, _ = harness.post(activity, expect_replies=False)
        assert status == 202
    finally:
        service.stop()
    assert testbot.action("AP2.5.1").progress == 100
    assert testbot.action("AP2.5.1").updated_by == "Megan Bowen"  # found by email, then linked
    (posted,) = microsoft.posted()
    assert posted.path == f"/v3/conversations/{activity['conversation']['id']}/activities/1485983408511"
    assert posted.headers["Authorization"] == f"Bearer {CONNECTOR_TOKEN}"
    assert "AP2.5.1" in posted.body["attachments"][0]["content"]["fallbackText"]
    with testbot.runtime.new_uow() as uow:
        assert uow.people.find_by_identity("teams", MEGAN_AAD).name == "Megan Bowen"


# --- security ------------------------------------------------------------------------------


def _nothing_changed(teams: Teams) -> None:
    assert teams.bot.action("AP2.5.1").progress == 25
    assert [e for e in teams.bot.history("AP2.5.1") if e.kind == "update"] == []
    with teams.bot.runtime.new_uow() as uow:
        assert uow.teams_conversations.list() == []


def test_a_request_without_a_token_is_refused_in_production(teams: Teams) -> None:
    status, body = teams.post(channel_mention("AP2.5.1 40%"), token=None)
    assert status == 401 and "Authorization" in body["error"]
    _nothing_changed(teams)


@pytest.mark.parametrize("forge", ["other-key", "other-key-posing-as-ours", "wrong-audience", "expired", "not-a-jwt",
                                   "basic-auth"])
def test_forged_tokens_are_refused(teams: Teams, forge: str) -> None:
    activity = channel_mention("AP2.5.1 40%")
    service_url = activity["serviceUrl"]
    token = {
        "other-key": lambda: mint_token(new_rsa_key(), APP_ID, service_url),
        "other-key-posing-as-ours": lambda: mint_token(new_rsa_key(), APP_ID, service_url, kid=key_id(teams.key)),
        "wrong-audience": lambda: mint_token(teams.key, "another-bot", service_url),
        "expired": lambda: mint_token(teams.key, APP_ID, service_url, lifetime_s=-3600),
        "not-a-jwt": lambda: "abc.def.ghi",
        "basic-auth": lambda: "x",
    }[forge]()
    if forge == "basic-auth":
        body = {**activity, "deliveryMode": "expectReplies"}
        status, _ = post_json(teams.url, body, authorization="Basic dXNlcjpwYXNz")
    else:
        status, _ = teams.post(activity, token=token)
    assert status == 401
    _nothing_changed(teams)


def test_an_activity_from_an_unknown_tenant_is_refused(teams: Teams) -> None:
    activity = channel_mention("AP2.5.1 40%")
    activity["conversation"]["tenantId"] = activity["channelData"]["tenant"]["id"] = "0a0a0a0a-1111-2222-3333-444444444444"
    status, body = teams.post(activity)
    assert status == 403 and "tenant" in body["error"]
    _nothing_changed(teams)


def test_a_service_url_other_than_the_tokens_is_refused(teams: Teams) -> None:
    activity = channel_mention("AP2.5.1 40%")
    token = mint_token(teams.key, APP_ID, "https://smba.trafficmanager.net/amer/")
    activity["serviceUrl"] = "https://attacker.example/"
    status, _ = teams.post(activity, token=token)
    assert status == 401
    _nothing_changed(teams)


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"type": "message"}', b"\xff\xfe"])
def test_a_body_that_is_not_an_activity_gets_400(teams: Teams, body: bytes) -> None:
    status, answer = post_json(teams.url, body, mint_token(teams.key, APP_ID, None))
    assert status == 400 and "activity" in answer["error"]


def test_a_50000_character_message_gets_a_sentence(teams: Teams) -> None:
    (reply,) = teams.replies(personal("AP2.5.1 40% " + "x" * 50_000))
    assert "characters" in card_of(reply)["fallbackText"]
    assert teams.bot.action("AP2.5.1").progress == 25


# --- proactive digest delivery -------------------------------------------------------------


def test_installation_stores_the_reference_and_a_digest_is_posted_proactively(teams: Teams) -> None:
    install = channel_mention("")
    install.update(type="installationUpdate", action="add", text=None, entities=None, id="f:install-1")
    install["conversation"]["id"] = CHANNEL_ID
    (welcome,) = teams.replies(install)
    assert "actionbot" in welcome["text"]
    with teams.bot.runtime.new_uow() as uow:
        stored = uow.teams_conversations.get(CHANNEL_ID)
    assert stored is not None and stored.tenant_id == CHANNEL_TENANT
    assert stored.service_url.startswith("https://smba.trafficmanager.net/")  # as Teams sent it

    card = {"type": "AdaptiveCard", "version": "1.4", "body": [{"type": "TextBlock", "text": "Weekly digest"}]}
    message_id = teams.service.sender.send(CHANNEL_ID, card, "Weekly digest: 3 overdue actions")
    (posted,) = teams.microsoft.posted()
    assert posted.path == f"/v3/conversations/{CHANNEL_ID}/activities"  # a new thread, not a reply
    assert posted.headers["Authorization"] == f"Bearer {CONNECTOR_TOKEN}"
    attachment = posted.body["attachments"][0]
    assert attachment["content"]["body"][0]["text"] == "Weekly digest"
    assert attachment["content"]["fallbackText"] == "Weekly digest: 3 overdue actions"
    assert posted.body["conversation"]["id"] == CHANNEL_ID
    assert posted.body["from"]["id"] == "28:0b6fe6d1-fece-44f7-9a48-56465e2d5ab8"
    assert message_id == "1700000000001"
    (token_request,) = teams.microsoft.token_requests()
    assert token_request.body["scope"] == "https://api.botframework.com/.default"
    assert token_request.body["client_id"] == APP_ID


def test_bot_added_to_a_team_is_remembered_but_not_when_someone_else_joins(teams: Teams) -> None:
    update = channel_mention("")
    update.update(type="conversationUpdate", text=None, entities=None, id="f:update-1",
                  membersAdded=[{"id": "29:someone-else", "aadObjectId": MEGAN_AAD}])
    update["conversation"]["id"] = CHANNEL_ID
    update["channelData"]["eventType"] = "teamMemberAdded"
    assert teams.replies(update) == []
    with teams.bot.runtime.new_uow() as uow:
        assert uow.teams_conversations.list() == []
    update.update(id="f:update-2", membersAdded=[{"id": update["recipient"]["id"]}])
    assert teams.replies(update) == []  # no greeting in a channel: installationUpdate greets
    with teams.bot.runtime.new_uow() as uow:
        (stored,) = uow.teams_conversations.list()
    assert stored.conversation_key == CHANNEL_ID


def test_first_mention_in_a_channel_stores_the_channel_not_the_thread(teams: Teams) -> None:
    teams.replies(channel_mention("overdue"))
    with teams.bot.runtime.new_uow() as uow:
        (stored,) = uow.teams_conversations.list()
    assert stored.conversation_key == CHANNEL_ID and stored.conversation_type == "channel"
    assert "activityId" not in stored.reference


def test_a_digest_sender_without_the_running_service_posts_too(teams: Teams) -> None:
    from bot.channels.teams.cards import reply_card
    from bot.channels.teams.service import teams_proactive_sender
    from bot.messages import Reply

    teams.replies(channel_mention("overdue"))  # first addressed here: reference stored
    runtime = dataclasses.replace(teams.bot.runtime, environ={
        "ACTIONBOT_TEAMS_APP_ID": APP_ID, "ACTIONBOT_TEAMS_APP_SECRET": APP_SECRET,
        "ACTIONBOT_TEAMS_TENANT_ID": CHANNEL_TENANT,
        "ACTIONBOT_TEAMS_TOKEN_URL": f"{teams.microsoft.url}/{CHANNEL_TENANT}/oauth2/v2.0/token",
        "ACTIONBOT_TEAMS_SERVICE_URL": f"{teams.microsoft.url}/"})
    sender = teams_proactive_sender(runtime)
    assert sender is not None
    digest = Reply(text="Weekly digest for 2.5 Sample Testing: 68%", title="Weekly digest")
    sender.send(CHANNEL_ID, reply_card(digest), digest.text)
    (posted,) = teams.microsoft.posted()
    assert posted.body["attachments"][0]["content"]["fallbackText"] == digest.text
    assert posted.body["summary"] == digest.text


def test_sending_to_an_unknown_conversation_says_what_to_do(teams: Teams) -> None:
    from bot.channels.teams.proactive import UnknownConversation

    with pytest.raises(UnknownConversation, match="must be added to that team"):
        teams.service.sender.send("19:nobody@thread.tacv2", None, "digest")
    assert teams.microsoft.posted() == []


def test_a_refused_proactive_post_is_reported(teams: Teams) -> None:
    from bot.channels.teams.proactive import ProactiveSendFailed

    teams.replies(channel_mention("overdue"))
    teams.microsoft.refuse_conversations.add(CHANNEL_ID)
    with pytest.raises(ProactiveSendFailed, match=CHANNEL_ID):
        teams.service.sender.send(CHANNEL_ID, None, "digest")


# --- signing in with a certificate ----------------------------------------------------------


def _certificate_environ(microsoft: FakeMicrosoft, **credential: str) -> dict[str, str]:
    return {"ACTIONBOT_TEAMS_APP_ID": APP_ID, "ACTIONBOT_TEAMS_TENANT_ID": f"{CHANNEL_TENANT},{PERSONAL_TENANT}",
            "ACTIONBOT_TEAMS_PORT": "0", "ACTIONBOT_TEAMS_SERVICE_URL": f"{microsoft.url}/",
            "ACTIONBOT_TEAMS_TOKEN_URL": f"{microsoft.url}/{CHANNEL_TENANT}/oauth2/v2.0/token", **credential}


def test_a_certificate_signs_the_bot_in_for_replies_and_proactive_posts(
        testbot: TestBot, microsoft: FakeMicrosoft, rsa_key, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import jwt

    from tests.fakes.client_assertion import ASSERTION_TYPE, TestCertificate

    certificate = TestCertificate.make("actionbot teams")
    microsoft.certificates.append(certificate.certificate)  # uploaded to the bot's app registration
    testbot.add_person("Rido", Role.UPDATER, team="Commissioning Team", identities={"teams": RIDO_AAD})
    environ = _certificate_environ(microsoft, ACTIONBOT_TEAMS_APP_CERTIFICATE_PATH=str(
        certificate.write_pfx(tmp_path / "bot.pfx", b"pfx-pass-123")),
        ACTIONBOT_TEAMS_APP_CERTIFICATE_PASSWORD="pfx-pass-123")
    service = teams_service(dataclasses.replace(testbot.runtime, environ=environ))
    assert service is not None
    service.start()
    try:
        harness = Teams(testbot, microsoft, service, rsa_key)
        activity = channel_mention("AP2.5.1 40%")
        activity["serviceUrl"] = f"{microsoft.url}/"
        status, _ = harness.post(activity, expect_replies=False)  # the reply goes to the connector
        assert status == 202
        service.sender.send(CHANNEL_ID, None, "Weekly digest")  # and a proactive post
    finally:
        service.stop()
    assert testbot.action("AP2.5.1").progress == 40
    reply, digest = microsoft.posted()
    assert reply.headers["Authorization"] == digest.headers["Authorization"] == f"Bearer {CONNECTOR_TOKEN}"
    assert microsoft.token_requests(), "a token was asked for"
    for request in microsoft.token_requests():
        assert "client_secret" not in request.body and request.body["client_assertion_type"] == ASSERTION_TYPE
        header = jwt.get_unverified_header(request.body["client_assertion"])
        claims = jwt.decode(request.body["client_assertion"], certificate.certificate.public_key(),
                            algorithms=["PS256"], audience=environ["ACTIONBOT_TEAMS_TOKEN_URL"])
        assert header["alg"] == "PS256" and "x5t#S256" in header
        assert claims["iss"] == claims["sub"] == APP_ID


def test_a_certificate_the_app_does_not_know_is_reported_with_its_thumbprint(
        testbot: TestBot, microsoft: FakeMicrosoft) -> None:
    from bot.channels.teams.proactive import ProactiveSendFailed
    from bot.channels.teams.service import teams_proactive_sender
    from tests.fakes.client_assertion import TestCertificate

    microsoft.certificates.append(TestCertificate.make("the registered one").certificate)
    other = TestCertificate.make("another one")
    with testbot.runtime.new_uow() as uow:
        uow.teams_conversations.save(CHANNEL_ID, service_url=f"{microsoft.url}/", reference={
            "conversation": {"id": CHANNEL_ID, "conversationType": "channel", "tenantId": CHANNEL_TENANT},
            "bot": {"id": f"28:{APP_ID}"}, "channelId": "msteams", "serviceUrl": f"{microsoft.url}/"},
            tenant_id=CHANNEL_TENANT, conversation_type="channel", at=testbot.runtime.clock.now())
        uow.commit()
    sender = teams_proactive_sender(dataclasses.replace(testbot.runtime, environ=_certificate_environ(
        microsoft, ACTIONBOT_TEAMS_APP_CERTIFICATE=other.pem())))
    assert sender is not None
    with pytest.raises(ProactiveSendFailed) as refused:
        sender.send(CHANNEL_ID, None, "Weekly digest")
    message = str(refused.value)
    assert "refused the app's credentials (HTTP 401, invalid_client)" in message
    assert f"certificate with thumbprint {other.sha1_thumbprint} is uploaded" in message
    assert microsoft.posted() == []


@pytest.mark.parametrize("credential, complaint", [
    ({"ACTIONBOT_TEAMS_APP_SECRET": APP_SECRET, "ACTIONBOT_TEAMS_APP_CERTIFICATE_PATH": "/etc/actionbot/bot.pem"},
     "Teams has both a client secret (ACTIONBOT_TEAMS_APP_SECRET) and a certificate (ACTIONBOT_TEAMS_APP_CERTIFICATE or "
     "ACTIONBOT_TEAMS_APP_CERTIFICATE_PATH); unset one of them."),
    ({}, "ACTIONBOT_TEAMS_APP_SECRET is not set. Set all three (see the README's Teams section), or none to run "
         "without Teams. A certificate (ACTIONBOT_TEAMS_APP_CERTIFICATE, the PEM text, or "
         "ACTIONBOT_TEAMS_APP_CERTIFICATE_PATH, a .pem or .pfx file) can stand in for ACTIONBOT_TEAMS_APP_SECRET."),
    ({"ACTIONBOT_TEAMS_APP_CERTIFICATE_PATH": "/nonexistent/bot.pfx"},
     "ACTIONBOT_TEAMS_APP_CERTIFICATE_PATH (/nonexistent/bot.pfx) cannot be read"),
], ids=["both", "neither", "unreadable-path"])
def test_teams_takes_exactly_one_of_secret_and_certificate(credential: dict[str, str], complaint: str) -> None:
    from bot.channels.teams.config import teams_config_from_env
    from config.settings import SettingsError

    with pytest.raises(SettingsError) as refused:
        teams_config_from_env({"ACTIONBOT_TEAMS_APP_ID": APP_ID, "ACTIONBOT_TEAMS_TENANT_ID": CHANNEL_TENANT,
                               **credential})
    assert complaint in str(refused.value)


# --- anonymous development mode -------------------------------------------------------------


def test_anonymous_mode_must_be_enabled_explicitly_and_warns_loudly(
        testbot: TestBot, microsoft: FakeMicrosoft, capsys: pytest.CaptureFixture[str]) -> None:
    from bot.channels.teams.config import TeamsConfigError

    with pytest.raises(TeamsConfigError, match="ACTIONBOT_TEAMS_APP_ID"):
        teams_service(dataclasses.replace(testbot.runtime, environ={"ACTIONBOT_TEAMS_TENANT_ID": CHANNEL_TENANT}))
    with pytest.raises(TeamsConfigError, match="only on 127.0.0.1"):
        teams_service(dataclasses.replace(testbot.runtime, environ={
            "ACTIONBOT_TEAMS_ALLOW_ANONYMOUS": "1", "ACTIONBOT_TEAMS_HOST": "0.0.0.0"}))
    service = teams_service(dataclasses.replace(testbot.runtime, environ={
        "ACTIONBOT_TEAMS_ALLOW_ANONYMOUS": "1", "ACTIONBOT_TEAMS_PORT": "0",
        "ACTIONBOT_TEAMS_SERVICE_URL": f"{microsoft.url}/"}))
    assert service is not None
    service.start()
    try:
        assert "WITHOUT authentication" in capsys.readouterr().err
        url = f"http://127.0.0.1:{service.port}/api/messages"
        status, body = post_json(url, {**personal("summary 2.5"), "deliveryMode": "expectReplies"})
        assert status == 200 and "2.5 Sample Testing" in card_of(body["activities"][0])["fallbackText"]
    finally:
        service.stop()


def test_actionbot_run_starts_teams_only_when_configured(testbot: TestBot, microsoft: FakeMicrosoft) -> None:
    from bot.app import configured_services

    assert [s for s in configured_services(testbot.runtime) if s.is_chat] == []
    runtime = dataclasses.replace(testbot.runtime, environ={
        "ACTIONBOT_TEAMS_APP_ID": APP_ID, "ACTIONBOT_TEAMS_APP_SECRET": APP_SECRET,
        "ACTIONBOT_TEAMS_TENANT_ID": CHANNEL_TENANT, "ACTIONBOT_TEAMS_PORT": "0"})
    (service,) = [s for s in configured_services(runtime) if s.is_chat]  # the mailbox runs too
    assert isinstance(service, TeamsService) and service.is_chat
    service.start()
    try:
        assert service.name == f"Teams (http://127.0.0.1:{service.port}/api/messages)"
        status, _ = post_json(f"http://127.0.0.1:{service.port}/api/messages", channel_mention("overdue"))
        assert status == 401
    finally:
        service.stop()


def _actionbot(tmp_path: Path, env: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    import os
    import sys

    base = {k: v for k, v in os.environ.items() if not k.startswith("ACTIONBOT_")}
    base.update(env, ACTIONBOT_DATABASE_URL=f"sqlite:///{tmp_path / 'run.db'}")
    return [sys.executable, "-m", "bot.cli", "run"], base


def test_actionbot_run_refuses_half_configured_teams_with_a_sentence(tmp_path: Path) -> None:
    import subprocess

    command, env = _actionbot(tmp_path, {"ACTIONBOT_TEAMS_APP_ID": APP_ID})
    done = subprocess.run(command, env=env, cwd=Path(__file__).resolve().parent.parent, input="",
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "Error: Teams is partly configured: ACTIONBOT_TEAMS_APP_SECRET, ACTIONBOT_TEAMS_TENANT_ID are not set" in done.stderr
    assert "Traceback" not in done.stderr


def test_actionbot_run_serves_api_messages_and_refuses_anonymous_requests(tmp_path: Path) -> None:
    import re
    import signal
    import subprocess

    command, env = _actionbot(tmp_path, {"ACTIONBOT_TEAMS_APP_ID": APP_ID, "ACTIONBOT_TEAMS_APP_SECRET": APP_SECRET,
                                         "ACTIONBOT_TEAMS_TENANT_ID": CHANNEL_TENANT, "ACTIONBOT_TEAMS_PORT": "0"})
    process = subprocess.Popen(command, env=env, cwd=Path(__file__).resolve().parent.parent,
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stderr is not None
        line = ""
        for _ in range(20):
            line = process.stderr.readline()
            if "Started Teams" in line or not line:
                break
        found = re.search(r"http://127\.0\.0\.1:(\d+)/api/messages", line)
        assert found, line
        status, body = post_json(found.group(0), channel_mention("AP2.5.1 40%"))
        assert status == 401
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
    assert process.returncode == 0


def test_a_weekly_digest_subscription_posts_its_adaptive_card_to_the_channel(teams: Teams) -> None:
    from datetime import datetime, timedelta, timezone

    from bot.digest.sender import DigestSender
    from bot.digest.teams_delivery import TeamsDigestDelivery
    from tests.digest_fixtures import FIRST_MONDAY, TEST_SETTINGS, subscribe

    teams.replies(channel_mention("overdue"))  # first addressed here: the conversation is stored
    subscribe(teams.bot.runtime.new_uow, kind="teams", destination=CHANNEL_ID,
              created_at=datetime(2023, 9, 27, tzinfo=timezone.utc))
    sender = DigestSender(teams.bot.runtime.new_uow, {"teams": TeamsDigestDelivery(teams.service.sender)}, "one",
                          TEST_SETTINGS, with_chart=False)
    assert sender.send_due(FIRST_MONDAY + timedelta(minutes=1)).sent == [(1, "2023-10-02T09:00")]
    assert sender.send_due(FIRST_MONDAY + timedelta(minutes=2)).sent == []
    (posted,) = teams.microsoft.posted()
    assert posted.path == f"/v3/conversations/{CHANNEL_ID}/activities"
    card = posted.body["attachments"][0]["content"]
    assert (card["type"], card["version"]) == ("AdaptiveCard", "1.5")
    assert "Overdue (3), most overdue first" in card_texts(card)
    assert posted.body["summary"].startswith("Weekly digest — Moray Commissioning Team Improvement Plan 2023")
