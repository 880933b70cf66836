"""One bot reachable in every place a question can be asked: Slack (the real Bolt app in HTTP
mode against the fake Web API), Teams (the real Agents SDK service with signed activities
against the fake Bot Connector), the shared mailbox (a Maildir) and the console.

`World.ask(place, person, text)` asks as that person and returns what the bot delivered,
sorted by who can read it: `shared` (a channel, thread or group chat: everyone there) and
`private` (only the asker: a DM, an ephemeral message, a personal chat, a mail to the sender
alone, the console). Each post is kept as its JSON, so a test searches everything that went
out, cards, blocks and fallback text alike.
"""

from __future__ import annotations

import copy
import dataclasses
import email
import io
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from pathlib import Path
from typing import Any

from bot.channels.console import ConsoleChannel
from bot.channels.slack.service import SlackService
from bot.channels.teams.service import TeamsService, teams_service
from bot.domain.model import Person, Role
from tests.fakes.slack_api import BOT_USER_ID, FakeSlackApi
from tests.mail_samples import AUTH_PASS, COUNCIL, MailBot, make_mail, make_mailbot
from tests.slack_harness import SlackHttpClient, corpus_json, http_settings
from tests.teams_fakes import BOT_FRAMEWORK_ISSUER, FakeMicrosoft, mint_token, new_rsa_key, post_json

TEAMS_FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "teams"
APP_ID = "28c1a9e5-5f0e-4d8a-9d5e-0b5d3c1e2f70"
APP_SECRET = "test-only-secret"
CHANNEL_TENANT = "50612dbb-0237-4969-b378-8d42590f9c00"  # teams_channel_thread_reply_with_mention.json
PERSONAL_TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"  # teams_docs_personal_chat_inbound.json
GROUP_CHAT_ID = "19:2c3fa1a5d4e24ab1b0e6c4a7e36c0f51@thread.v2"


@dataclass(frozen=True)
class Asker:
    name: str
    slack_id: str
    teams_id: str  # the Teams user id (29:…), what the Bot Connector addresses
    aad_id: str  # the Entra object id, how the bot knows the person on Teams
    email: str


JO = Asker("Jo Reid", "UJO00001", "29:1jo-reid", "0d9c5a1e-1111-4c3b-9a7e-0000000000a1", f"jo.reid@{COUNCIL}")
SAM = Asker("Sam Patel", "USAM0001", "29:1sam-patel", "0d9c5a1e-2222-4c3b-9a7e-0000000000a2", f"sam.patel@{COUNCIL}")
VAL = Asker("Val Viewer", "UVAL0001", "29:1val-viewer", "0d9c5a1e-3333-4c3b-9a7e-0000000000a3", f"val.viewer@{COUNCIL}")


@dataclass
class Delivered:
    shared: list[str] = field(default_factory=list)  # where others read it
    private: list[str] = field(default_factory=list)  # to the asker alone
    mails: list[email.message.EmailMessage] = field(default_factory=list)  # email only: the mails sent

    @property
    def shared_text(self) -> str:
        return "\n".join(self.shared)

    @property
    def private_text(self) -> str:
        return "\n".join(self.private)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


class World:
    def __init__(self, mailbot: MailBot, slack: FakeSlackApi, slack_service: SlackService,
                 microsoft: FakeMicrosoft, teams: TeamsService, rsa_key: Any) -> None:
        self.mailbot, self.slack, self.slack_service = mailbot, slack, slack_service
        self.microsoft, self.teams, self.rsa_key = microsoft, teams, rsa_key
        self.slack_client = SlackHttpClient(slack_service)
        self._n = itertools.count(1)

    @property
    def bot(self) -> Any:
        return self.mailbot.bot

    def ask(self, place: str, asker: Asker, text: str) -> Delivered:
        return getattr(self, f"_{place}")(asker, text)

    # --- Slack --------------------------------------------------------------------------------
    def _slack_event(self, asker: Asker, text: str, channel: str, channel_type: str | None,
                     thread_ts: str | None = None, event_type: str = "app_mention") -> dict[str, Any]:
        payload = copy.deepcopy(corpus_json("slack_socketmode_message_mention_retry.json")["payload"])
        n = next(self._n)
        event = payload["event"]
        event.pop("blocks", None)
        event.update(type=event_type, text=text, user=asker.slack_id, channel=channel, ts=f"1710000000.{n:06d}",
                     event_ts=f"1710000000.{n:06d}", client_msg_id=f"confidential-{n}")
        event.pop("channel_type", None)
        if channel_type:
            event["channel_type"] = channel_type
        if thread_ts:
            event["thread_ts"] = thread_ts
        payload["event_id"] = f"EvConf{n:08d}"
        return payload

    def _slack_delivered(self, since: int, asker: Asker) -> Delivered:
        delivered = Delivered()
        for call in self.slack.calls[since:]:
            if call.method == "chat.postMessage":
                dm = str(call.args.get("channel")) == self.slack.dm_channel(asker.slack_id)
                (delivered.private if dm else delivered.shared).append(_json(call.args))
            elif call.method == "chat.postEphemeral":
                mine = call.args.get("user") == asker.slack_id
                (delivered.private if mine else delivered.shared).append(_json(call.args))
            elif call.method.startswith("/commands/"):
                ephemeral = call.args.get("response_type") == "ephemeral"
                (delivered.private if ephemeral else delivered.shared).append(_json(call.args))
        return delivered

    def _slack_posted(self, asker: Asker, payload: dict[str, Any], wait_ts: str) -> Delivered:
        since = len(self.slack.calls)
        assert self.slack_client.event(payload).status == 200
        self.slack.reply_to(wait_ts)  # the answer in the thread (or the DM) comes last
        return self._slack_delivered(since, asker)

    def _slack_channel_mention(self, asker: Asker, text: str) -> Delivered:
        payload = self._slack_event(asker, f"<@{BOT_USER_ID}> {text}", "C111", None)
        return self._slack_posted(asker, payload, payload["event"]["ts"])

    def _slack_thread_reply(self, asker: Asker, text: str) -> Delivered:
        parent = f"1700000999.{next(self._n):06d}"
        payload = self._slack_event(asker, f"<@{BOT_USER_ID}> {text}", "C111", None, thread_ts=parent)
        return self._slack_posted(asker, payload, parent)

    def _slack_dm(self, asker: Asker, text: str) -> Delivered:
        payload = self._slack_event(asker, text, self.slack.dm_channel(asker.slack_id), "im", event_type="message")
        return self._slack_posted(asker, payload, payload["event"]["ts"])

    def _slack_edit_in_channel(self, asker: Asker, text: str) -> Delivered:
        """A channel message edited into `text` addressed to the bot (Slack's message_changed)."""
        n = next(self._n)
        ts = f"1710000500.{n:06d}"
        edit = corpus_json("slack_event_message_changed.json")
        edit["event_id"] = f"EvConfEdit{n:08d}"
        edit["event"].update(channel="C111", channel_type="channel", ts=f"1710000600.{n:06d}")
        edit["event"]["message"].update(user=asker.slack_id, ts=ts, text=f"<@{BOT_USER_ID}> {text}")
        edit["event"]["message"].pop("edited", None)
        edit["event"]["previous_message"] = {"type": "message", "user": asker.slack_id, "ts": ts,
                                             "text": f"<@{BOT_USER_ID}> hello"}
        return self._slack_posted(asker, edit, ts)

    def _slack_slash_in_channel(self, asker: Asker, text: str) -> Delivered:
        n = next(self._n)
        path = f"/commands/T111/{n}/confidential"
        form = {"token": "x", "team_id": "T111", "team_domain": "actionbot-test", "channel_id": "C111",
                "channel_name": "general", "user_id": asker.slack_id, "user_name": asker.name, "command": "/actions",
                "text": text, "api_app_id": "A111", "response_url": f"{self.slack.base}{path}",
                "trigger_id": f"{n}.{n}.confidential"}
        since = len(self.slack.calls)
        assert self.slack_client.form(form).status == 200
        self.slack.wait_for(path)
        return self._slack_delivered(since, asker)

    # --- Teams --------------------------------------------------------------------------------
    def _teams_activity(self, asker: Asker, name: str) -> dict[str, Any]:
        activity: dict[str, Any] = json.loads((TEAMS_FIXTURES / name).read_text(encoding="utf-8"))
        activity["from"] = {"id": asker.teams_id, "name": asker.name, "aadObjectId": asker.aad_id}
        activity["id"] = f"17100000{next(self._n):05d}"
        return activity

    def _teams_post(self, asker: Asker, activity: dict[str, Any], shared_place: bool) -> Delivered:
        since = len(self.microsoft.requests)
        body = {**activity, "deliveryMode": "expectReplies"}
        status, answer = post_json(f"http://127.0.0.1:{self.teams.port}/api/messages", body,
                                   mint_token(self.rsa_key, APP_ID, body.get("serviceUrl")))
        assert status == 200, (status, answer)
        delivered = Delivered()
        for reply in answer["activities"]:  # in the conversation asked in
            (delivered.shared if shared_place else delivered.private).append(_json(reply))
        personal = self.microsoft.personal_chat(asker.teams_id)
        for request in self.microsoft.requests[since:]:
            if request.method != "POST" or not request.path.endswith("/activities"):
                continue
            conversation = request.path.split("/")[3]
            (delivered.private if conversation == personal else delivered.shared).append(_json(request.body))
        return delivered

    def _teams_channel_mention(self, asker: Asker, text: str) -> Delivered:
        activity = self._teams_activity(asker, "teams_channel_thread_reply_with_mention.json")
        activity["text"] = f"<at>ridotest</at> {text}"
        return self._teams_post(asker, activity, shared_place=True)

    def _teams_group_chat(self, asker: Asker, text: str) -> Delivered:
        activity = self._teams_activity(asker, "teams_channel_thread_reply_with_mention.json")
        activity["text"] = f"<at>ridotest</at> {text}"
        activity["conversation"] = {"id": GROUP_CHAT_ID, "isGroup": True, "conversationType": "groupChat",
                                    "tenantId": CHANNEL_TENANT}
        activity["channelData"] = {"tenant": {"id": CHANNEL_TENANT}}
        return self._teams_post(asker, activity, shared_place=True)

    def _teams_personal_chat(self, asker: Asker, text: str) -> Delivered:
        activity = self._teams_activity(asker, "teams_docs_personal_chat_inbound.json")
        activity["text"] = text
        return self._teams_post(asker, activity, shared_place=False)

    # --- email and console --------------------------------------------------------------------
    def _email(self, asker: Asker, text: str) -> Delivered:
        n = next(self._n)
        sent_before = set(self.mailbot.outbox())
        raw = make_mail(f"{asker.name} <{asker.email}>", "Question", f"{text}\n\n--\n{asker.name}",
                        message_id=f"<confidential-{n}@{COUNCIL}>",
                        headers={"Authentication-Results": AUTH_PASS,
                                 "Cc": f"Team <team@{COUNCIL}>, manager@acmecare.example"})
        self.mailbot.receive(raw, name=f"confidential-{n}")
        delivered = Delivered()
        for data in self.mailbot.outbox():
            if data in sent_before:
                continue
            mail = email.message_from_bytes(data, policy=policy.default)
            delivered.mails.append(mail)  # type: ignore[arg-type]
            to_sender_alone = mail["To"] == asker.email and mail["Cc"] is None and mail["Bcc"] is None
            (delivered.private if to_sender_alone else delivered.shared).append(data.decode("utf-8", "replace"))
        return delivered

    def _console(self, asker: Asker, text: str) -> Delivered:
        out = io.StringIO()
        ConsoleChannel(self.bot.runtime.dispatcher.handle, asker.name).run([text], out, interactive=False)
        return Delivered(private=[out.getvalue()])


def _add_people(mailbot: MailBot, slack: FakeSlackApi) -> None:
    """Jo Reid (safeguarding role) and Sam Patel (an admin without it) come with the mail bot;
    Val Viewer joins them. Each is known on Slack, Teams, by email and at the console."""
    with mailbot.bot.runtime.new_uow() as uow:
        uow.people.add(Person(name=VAL.name, role=Role.VIEWER, email=VAL.email), {"email": VAL.email})
        for asker in (JO, SAM, VAL):
            uow.people.link(asker.name, "slack", asker.slack_id)
            uow.people.link(asker.name, "teams", asker.aad_id)
            if asker is not JO:  # Jo has the console identity already
                uow.people.link(asker.name, "console", asker.name)
            slack.add_user(asker.slack_id, asker.email, asker.name)
        uow.commit()


def build_world(tmp_path: Path) -> Iterator[World]:
    """Everything started; stopped when the generator is closed (a module fixture)."""
    from _pytest.monkeypatch import MonkeyPatch
    from microsoft_agents.hosting.core.authorization import _entra_issuers

    mailbot = make_mailbot(tmp_path)
    rsa_key = new_rsa_key()
    with FakeSlackApi() as slack, MonkeyPatch.context() as patch:
        microsoft = FakeMicrosoft(rsa_key, APP_ID, APP_SECRET)
        microsoft.start()
        # The SDK fetches Bot Framework signing keys from a fixed URL: point it at the fake.
        patch.setitem(_entra_issuers.BOTFRAMEWORK_JWKS_URIS, BOT_FRAMEWORK_ISSUER, microsoft.jwks_url)
        _add_people(mailbot, slack)
        slack_service = SlackService(http_settings(slack), mailbot.bot.runtime.dispatcher.handle)
        slack_service.start()
        teams = teams_service(dataclasses.replace(mailbot.bot.runtime, environ={
            "ACTIONBOT_TEAMS_APP_ID": APP_ID, "ACTIONBOT_TEAMS_APP_SECRET": APP_SECRET,
            "ACTIONBOT_TEAMS_TENANT_ID": f"{CHANNEL_TENANT},{PERSONAL_TENANT}", "ACTIONBOT_TEAMS_PORT": "0",
            "ACTIONBOT_TEAMS_TOKEN_URL": f"{microsoft.url}/{CHANNEL_TENANT}/oauth2/v2.0/token",
            "ACTIONBOT_TEAMS_SERVICE_URL": f"{microsoft.url}/"}))
        assert teams is not None
        teams.start()
        try:
            yield World(mailbot, slack, slack_service, microsoft, teams, rsa_key)
        finally:
            teams.stop()
            slack_service.stop()
            microsoft.stop()
            mailbot.ingestor.mailbox.close()
            mailbot.bot.runtime.close()

