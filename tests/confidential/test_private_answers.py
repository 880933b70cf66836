"""Private answers stay private: every concern command that can show a safeguarding entry's
content, asked by each kind of person in each place the bot listens.

- the safeguarding text never appears in anything posted where others read it (a Slack
  channel or thread, a Teams channel or group chat, a mail's Cc);
- a person with the safeguarding role gets the full answer privately (Slack DM or ephemeral
  slash response, Teams personal chat, a mail to the sender alone, the console), and a shared
  place gets `PRIVATE_NOTICE` where the question was asked;
- people without the role get no content anywhere, and their answers are not routed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pytest

from bot.messages import PRIVATE_NOTICE
from tests.confidential.conftest import ALLOCATED, SECRET, TEAMS_SDK_WARNING
from tests.confidential.world import JO, SAM, VAL, Asker, World


@dataclass(frozen=True)
class Place:
    name: str
    shared: bool  # others read what is posted where the question was asked
    notice: bool  # a private answer leaves PRIVATE_NOTICE there


PLACES = [
    Place("slack_channel_mention", shared=True, notice=True),
    Place("slack_thread_reply", shared=True, notice=True),
    Place("slack_dm", shared=False, notice=False),
    # The answer to a slash command is ephemeral: only the sender sees it, no notice needed.
    Place("slack_slash_in_channel", shared=True, notice=False),
    Place("teams_channel_mention", shared=True, notice=True),
    Place("teams_group_chat", shared=True, notice=True),
    Place("teams_personal_chat", shared=False, notice=False),
    Place("email", shared=False, notice=False),
    Place("console", shared=False, notice=False),
]


@dataclass(frozen=True)
class Ask:
    name: str
    text: str
    shows: str  # what the role-holder's answer holds


ASKS = [
    Ask("concerns open", "concerns open", SECRET[:20]),
    Ask("concerns all", "concerns all", SECRET[:20]),
    Ask("concerns PROVIDER", "concerns Acme Care", SECRET[:20]),
    Ask("show PQ", "PQ-2023-0001", SECRET),
    Ask("allocate on PQ", f"PQ-2023-0001 action {ALLOCATED} @Jo Reid by Friday", ALLOCATED),
]

pytestmark = TEAMS_SDK_WARNING

ASKERS = [("safeguarding role", JO), ("without the role", SAM), ("viewer", VAL)]


@pytest.mark.parametrize("ask", ASKS, ids=[a.name for a in ASKS])
@pytest.mark.parametrize("who, asker", ASKERS, ids=[w for w, _ in ASKERS])
@pytest.mark.parametrize("place", PLACES, ids=[p.name for p in PLACES])
def test_safeguarding_content_reaches_only_the_role_holder_privately(
        world: World, place: Place, who: str, asker: Asker, ask: Ask, caplog: pytest.LogCaptureFixture) -> None:
    # INFO: the most `actionbot run --verbose` logs (bot/logs.py); the Slack and Teams SDKs log
    # request bodies at DEBUG, which actionbot never turns on.
    with caplog.at_level(logging.INFO):
        delivered = world.ask(place.name, asker, ask.text)
    assert delivered.shared or delivered.private, "the bot answered nothing"
    for content in (SECRET, ALLOCATED):
        assert content not in delivered.shared_text, f"{content!r} was posted where others read it"
    if asker is JO:
        assert ask.shows in delivered.private_text, "the role-holder did not get the answer privately"
        if place.notice:
            assert PRIVATE_NOTICE in delivered.shared_text
    else:
        for content in (SECRET, ALLOCATED):
            assert content not in delivered.private_text, f"{who} was shown {content!r}"
        assert PRIVATE_NOTICE not in delivered.shared_text + delivered.private_text
    if not place.shared:
        assert not delivered.shared, "a private place posted somewhere shared"
    for mail in delivered.mails:  # email: the answer goes to the sender alone, never Reply-All
        assert (mail["To"], mail["Cc"], mail["Bcc"]) == (asker.email, None, None)
    if place.name == "email":
        assert len(delivered.mails) == 1
    logs = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert SECRET not in logs and ALLOCATED not in logs

