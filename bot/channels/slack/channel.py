"""SlackChannel: Slack events in, InboundMessages to the dispatcher, Block Kit replies out.

It holds no Bolt objects, only a slack_sdk WebClient and the dispatch callable, so every path
runs the same under Socket Mode and HTTP mode (see bolt_app.py for the wiring).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.channels.slack import blocks
from bot.channels.slack.home import home_view, modal_text, update_modal
from bot.channels.slack.translate import has_action_code, mentions, message_ref, plain_text
from bot.commands import MessageDeleted, Undo
from bot.messages import PRIVATE_UNDELIVERABLE, InboundMessage, Reply

log = logging.getLogger(__name__)

# dispatch(message) or dispatch(message, command) for events that already name the command
Dispatch = Callable[..., Reply | None]

# Ordinary messages, and replies also sent to the channel; other subtypes (joins, topic
# changes, bot messages) are not people talking to the bot.
_READ_SUBTYPES = (None, "thread_broadcast", "file_share")
_USER_CACHE_SECONDS = 3600.0


def is_dm(event: dict[str, Any]) -> bool:
    """A direct message between the sender and the bot: only the two of them read it. Message
    events say so (channel_type "im"); app_mention events carry no channel_type, so a DM
    channel's id (D…) tells instead."""
    kind = event.get("channel_type")
    return kind == "im" or (kind is None and str(event.get("channel") or "").startswith("D"))


@dataclass(frozen=True)
class SlackUser:
    email: str | None = None
    name: str | None = None


class SlackDirectory:
    """users.info, cached per user for an hour: the email links a Slack user to a person."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self._cache: dict[str, tuple[float, SlackUser]] = {}
        self._lock = threading.Lock()

    def lookup(self, user_id: str) -> SlackUser:
        with self._lock:
            cached = self._cache.get(user_id)
        if cached and time.monotonic() - cached[0] < _USER_CACHE_SECONDS:
            return cached[1]
        try:
            user = self._client.users_info(user=user_id)["user"]
            profile = user.get("profile") or {}
            found = SlackUser(email=profile.get("email"), name=user.get("real_name") or profile.get("real_name"))
        except Exception as exc:  # no users:read.email scope, user gone, Slack down: not fatal
            log.warning("users.info failed; the sender is identified by Slack id only",
                        extra={"slack_user": user_id, "error": type(exc).__name__})
            return SlackUser()
        with self._lock:
            self._cache[user_id] = (time.monotonic(), found)
        return found


class SlackChannel:
    name = "slack"

    def __init__(self, client: Any, dispatch: Dispatch, team_url: str | None, bot_user_id: str | None,
                 post_later: Callable[[Callable[[], None]], object] | None = None) -> None:
        self.client = client
        self.dispatch = dispatch
        # Where replies are posted from: an executor's submit, so Slack's ack (sent when the
        # listener returns) waits for the commit but not for the Web API; None posts at once.
        self.post_later = post_later
        self.team_url = team_url
        self.bot_user_id = bot_user_id
        self.directory = SlackDirectory(client)

    # --- inbound --------------------------------------------------------------------------
    def inbound(self, text: str, user: str, conversation: str | None, **fields: Any) -> InboundMessage:
        person = self.directory.lookup(user)
        return InboundMessage(text=text, channel="slack", sender_id=user, conversation_id=conversation,
                              sender_email=person.email, sender_name=person.name, **fields)

    def on_message(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        subtype = event.get("subtype")
        if subtype == "message_changed":
            return self.on_edit(event)
        if subtype == "message_deleted":
            return self.on_delete(event)
        if subtype not in _READ_SUBTYPES or event.get("bot_id") or not event.get("user"):
            return
        raw = event.get("text") or ""
        private = is_dm(event)
        if not private and mentions(raw, self.bot_user_id):
            return  # the app_mention event for the same message answers it
        if not private and not has_action_code(raw):
            return  # channel chatter: no lookup, no reply
        self._handle_posted(event, body, is_direct=private)

    def on_mention(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        if event.get("bot_id") or not event.get("user"):
            return
        self._handle_posted(event, body, is_direct=True)

    def _handle_posted(self, event: dict[str, Any], body: dict[str, Any], is_direct: bool) -> None:
        private = is_dm(event)
        channel, ts = event["channel"], event["ts"]
        thread = event.get("thread_ts")
        message = self.inbound(
            plain_text(event.get("text") or ""), event["user"], channel,
            # client_msg_id is the same in the message and app_mention events of one message,
            # event_id the same in every retry of one event.
            message_id=event.get("client_msg_id") or body.get("event_id") or f"{channel}:{ts}",
            source_ref=message_ref(self.team_url, channel, ts),
            is_direct=is_direct,
            is_private=private,
            # A reply in a thread of the DM answers the thread's first message (a reminder's, maybe).
            replying_to=f"slack:{channel}:{thread}" if private and thread and thread != ts else None,
        )
        reply = self.dispatch(message)
        self.send(reply, channel, event["user"], thread_ts=event.get("thread_ts") or ts, is_private=private)

    def on_edit(self, event: dict[str, Any]) -> None:
        edited = event.get("message") or {}
        previous = event.get("previous_message") or {}
        user, raw = edited.get("user"), edited.get("text") or ""
        if not user or edited.get("bot_id") or edited.get("subtype"):
            return
        if previous and previous.get("text") == raw:
            return  # an unfurl or a reaction count, not an edit of the text
        channel, ts = event["channel"], edited["ts"]
        private = is_dm(event)
        is_direct = private or mentions(raw, self.bot_user_id)
        if not is_direct and not has_action_code(raw) and not has_action_code(previous.get("text") or ""):
            return  # chatter edited into chatter
        ref = message_ref(self.team_url, channel, ts)
        edit_ts = (edited.get("edited") or {}).get("ts") or event.get("ts") or ""
        message = self.inbound(plain_text(raw), user, channel, message_id=f"edit:{channel}:{ts}:{edit_ts}",
                               source_ref=ref, amends=ref, is_direct=is_direct, is_private=private)
        self.send(self.dispatch(message), channel, user, thread_ts=edited.get("thread_ts") or ts, is_private=private)

    def on_delete(self, event: dict[str, Any]) -> None:
        previous = event.get("previous_message") or {}
        channel, ts = event["channel"], event.get("deleted_ts") or previous.get("ts")
        if not ts or previous.get("bot_id"):
            return
        if previous and not has_action_code(previous.get("text") or ""):
            return
        ref = message_ref(self.team_url, channel, ts)
        message = InboundMessage(text="(message deleted)", channel="slack", sender_id=previous.get("user") or "unknown",
                                 conversation_id=channel, message_id=f"delete:{channel}:{ts}", source_ref=ref)
        reply = self.dispatch(message, MessageDeleted(ref))
        # Nothing is posted: the thread's parent is gone. The history records the deletion.
        log.info("slack message deleted", extra={"slack_channel": channel, "ts": ts,
                                                 "noted": bool(reply and not reply.is_error)})

    def on_command(self, command: dict[str, Any], respond: Callable[..., Any]) -> None:
        """`/actions TEXT`: changes are shown to the channel, answers and errors to the sender.
        A private answer is always ephemeral (only the sender sees it), wherever it was typed."""
        channel, user = command.get("channel_id"), command["user_id"]
        trigger = command.get("trigger_id") or f"{time.time()}"
        # A slash command's payload says "directmessage" for any 1:1 DM, the bot's or one
        # between two people; either way a private answer goes back ephemeral, never in_channel.
        private = command.get("channel_name") == "directmessage" and str(channel or "").startswith("D")
        message = self.inbound(plain_text(command.get("text") or "") or "help", user, channel,
                               message_id=f"command:{trigger}", source_ref=f"slack:{channel}:command:{trigger}",
                               is_direct=True, is_private=private)
        reply = self.dispatch(message)
        if reply is None:
            return
        public = bool(reply.changes) and not reply.is_error and not reply.private
        self._post(lambda: respond(text=blocks.fallback_text(reply), blocks=blocks.reply_blocks(reply),
                                   response_type="in_channel" if public else "ephemeral", replace_original=False))

    def on_undo(self, body: dict[str, Any]) -> None:
        """The Undo button under a change: undo exactly that change (its batch)."""
        action = (body.get("actions") or [{}])[0]
        user = body["user"]["id"]
        container = body.get("container") or {}
        channel = (body.get("channel") or {}).get("id") or container.get("channel_id")
        thread_ts = ((body.get("message") or {}).get("thread_ts") or container.get("thread_ts")
                     or container.get("message_ts"))
        private = str(channel or "").startswith("D")  # a button on the bot's own message: the bot's DM
        message = self.inbound("undo (button)", user, channel, is_direct=True, is_private=private,
                               message_id=f"button:{action.get('action_ts')}:{user}",
                               source_ref=f"slack:{channel}:undo:{action.get('action_ts')}")
        reply = self.dispatch(message, Undo(batch=str(action.get("value") or "") or None))
        self.send(reply, channel, user, thread_ts=thread_ts, is_private=private)
        original = body.get("message") or {}
        if reply is not None and not reply.is_error and original.get("blocks") and channel:
            # The change is undone: its message loses the button and says so.
            kept = [b for b in original["blocks"] if b.get("block_id") != blocks.UNDO_BLOCK_ID]
            self.client.chat_update(channel=channel, ts=original.get("ts") or container.get("message_ts"),
                                    text=original.get("text") or "Undone",
                                    blocks=kept + [blocks.context(f"Undone by <@{user}>.")])

    def on_reminder_button(self, body: dict[str, Any]) -> None:
        """Done, Snooze 1 week or Not mine under one item of a reminder (value `{id}:{index}`)."""
        from bot.grammar.reminders import reminder_button_text
        from bot.reminders.slack_delivery import BUTTON_ACTIONS

        action = (body.get("actions") or [{}])[0]
        user = body["user"]["id"]
        container = body.get("container") or {}
        channel = (body.get("channel") or {}).get("id") or container.get("channel_id")
        ts = container.get("message_ts") or (body.get("message") or {}).get("ts")
        send_id, _, index = str(action.get("value") or "").partition(":")
        what = BUTTON_ACTIONS.get(str(action.get("action_id")), "")
        if not (send_id.isdigit() and index.isdigit() and what):
            return
        message = self.inbound(reminder_button_text(int(send_id), int(index), what), user, channel, is_direct=True,
                               is_private=True, message_id=f"button:{action.get('action_ts')}:{user}",
                               source_ref=f"slack:{channel}:reminder:{action.get('action_ts')}")
        reply = self.dispatch(message)
        # The answer goes in the reminder's thread, in the DM: only the person reads it.
        self.send(reply, channel, user, thread_ts=ts, public_errors=True, is_private=True)

    # --- App Home ---------------------------------------------------------------------------
    def on_home_opened(self, event: dict[str, Any]) -> None:
        if event.get("tab", "home") != "home":
            return
        self.publish_home(event["user"])

    def publish_home(self, user: str) -> None:
        # The Home tab is shown to its owner alone.
        reply = self.dispatch(self.inbound("mine", user, None, is_direct=True, is_private=True))
        reply = reply or Reply(text="Nothing to show.", is_error=True)
        self.client.views_publish(user_id=user, view=home_view(reply, user))

    def on_home_update(self, body: dict[str, Any]) -> None:
        code = str((body.get("actions") or [{}])[0].get("value") or "")
        self.client.views_open(trigger_id=body["trigger_id"], view=update_modal(code))

    def check_modal(self, view: dict[str, Any]) -> dict[str, str]:
        """Errors to show beside the modal's inputs (answered with the ack, so quick)."""
        _, errors = modal_text(view.get("private_metadata") or "", (view.get("state") or {}).get("values") or {})
        return errors

    def on_modal_submit(self, body: dict[str, Any], view: dict[str, Any]) -> None:
        code = view.get("private_metadata") or ""
        text, errors = modal_text(code, (view.get("state") or {}).get("values") or {})
        user = body["user"]["id"]
        if text is None:
            return
        message = self.inbound(text, user, None, is_direct=True, is_private=True,
                               message_id=f"view:{view.get('id')}:{view.get('hash')}",
                               source_ref=f"slack:home:{user}:{view.get('id')}")
        reply = self.dispatch(message)
        # A modal cannot show the answer after it closed: it goes to the person's DM with the
        # app (posting to a user id opens it), and the Home tab is redrawn.
        self.send(reply, user, user, thread_ts=None, public_errors=True, is_private=True)
        self.publish_home(user)

    # --- outbound -----------------------------------------------------------------------------
    def _post(self, post: Callable[[], None]) -> None:
        if self.post_later is None:
            post()
            return

        def logged() -> None:
            try:
                post()
            except Exception:  # the change is committed; only its reply is lost: say so in the log
                log.exception("slack reply could not be posted")

        self.post_later(logged)

    def send(self, reply: Reply | None, channel: str | None, user: str, thread_ts: str | None,
             public_errors: bool = False, is_private: bool = False) -> None:
        """Post the reply in the thread; errors only to the sender (ephemeral) unless asked. A
        private reply asked in a shared place goes to the sender's DM with the bot, and the
        thread gets `PRIVATE_NOTICE`; if the DM fails, `PRIVATE_UNDELIVERABLE`, never the reply."""
        if reply is None or channel is None:
            return
        if reply.private and not is_private:
            self._post(lambda: self._send_privately(reply, channel, user, thread_ts))
            return
        self._post(lambda: self._post_reply(reply, channel, user, thread_ts, public_errors))

    def _post_reply(self, reply: Reply, channel: str, user: str, thread_ts: str | None,
                    public_errors: bool = False) -> None:
        payload = {"channel": channel, "text": blocks.fallback_text(reply), "blocks": blocks.reply_blocks(reply)}
        if thread_ts:
            payload["thread_ts"] = thread_ts
        if reply.is_error and not public_errors:
            self.client.chat_postEphemeral(user=user, **payload)
        else:
            self.client.chat_postMessage(**payload)
        log.info("slack reply sent", extra={"slack_channel": channel, "error": reply.is_error,
                                            "private": reply.private, "blocks": len(payload["blocks"])})

    def _send_privately(self, reply: Reply, channel: str, user: str, thread_ts: str | None) -> None:
        # A DM rather than an ephemeral message: ephemeral messages vanish on reload and
        # cannot be found again, and the answer is worth keeping. conversations.open needs
        # the im:write scope (config/slack-manifest.yaml).
        try:
            opened = self.client.conversations_open(users=user)
            self._post_reply(reply, str(opened["channel"]["id"]), user, None, public_errors=True)
        except Exception as exc:  # the reply's content stays out of the channel and the log
            log.warning("slack private reply undeliverable; the channel was told", extra={
                "slack_channel": channel, "slack_user": user, "error": type(exc).__name__})
            self._post_reply(Reply(text=PRIVATE_UNDELIVERABLE, as_of=reply.as_of), channel, user, thread_ts)
            return
        self._post_reply(reply.public_stand_in(), channel, user, thread_ts)
