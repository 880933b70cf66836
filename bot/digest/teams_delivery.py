"""Digests to Microsoft Teams: the Adaptive Card posted proactively as a new thread in the
stored conversation (bot.channels.teams.proactive). The bot must have been added to that
team or chat, or addressed there once, for Teams to have given it the conversation.

The Agents SDK is imported only when the delivery is built.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.digest.delivery import DeliveryProgress, RenderedDigest

log = logging.getLogger(__name__)


class TeamsDigestDelivery:
    kind = "teams"

    def __init__(self, sender: Any) -> None:
        self.sender = sender  # bot.channels.teams.proactive.TeamsProactiveSender

    def deliver(self, rendered: RenderedDigest, destination: str, progress: DeliveryProgress) -> None:
        if progress.get("activity_id") is not None:
            return
        activity_id = self.sender.send(destination, rendered.payload, rendered.subject)
        progress.record("activity_id", activity_id or "posted")
        log.info("digest posted to teams", extra={"conversation": destination, "activity_id": activity_id})


def teams_delivery(runtime: Any) -> TeamsDigestDelivery | None:
    """For the composition root: None when Teams is not configured."""
    from bot.channels.teams.service import teams_proactive_sender

    sender = teams_proactive_sender(runtime)
    return TeamsDigestDelivery(sender) if sender is not None else None
