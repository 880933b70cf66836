"""How a digest travels: one `DigestDelivery` per destination kind ("slack", "teams", "email").

A renderer turns a `Digest` into a `RenderedDigest` in the destination's native form (Block
Kit blocks, an Adaptive Card, an HTML email); a delivery posts it. The composition root fills
the table of deliveries (`bot.app.DIGEST_DELIVERIES`); a new channel adds one class with
`kind` and `deliver`, and one line there. For Teams, for example:

    class TeamsDigestDelivery:
        kind = "teams"

        def deliver(self, rendered, destination, progress):
            if progress.get("activity_id") is None:  # rendered.payload is the Adaptive Card
                activity_id = post_card(destination, rendered.payload, rendered.subject)
                progress.record("activity_id", activity_id)

    DIGEST_DELIVERIES["teams"] = "bot.channels.teams.digest:teams_delivery"  # (runtime) -> delivery | None
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from datetime import datetime
from typing import Any, Protocol

from bot.digest.content import Digest


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes
    title: str


@dataclass(frozen=True)
class RenderedDigest:
    kind: str  # the destination kind it was rendered for
    subject: str  # one line: the headline, the email subject
    # The complete plain-text digest (the email's text part), made when first asked for:
    # Slack and Teams deliveries never ask, and a whole plan's text at 100,000 actions is
    # about 19 MB (bench/digest_build.py).
    text_of: Callable[[], str] = field(repr=False, compare=False)
    payload: Any  # slack: list of blocks; teams: the Adaptive Card; email: the HTML
    attachments: tuple[Attachment, ...] = ()

    @cached_property
    def text(self) -> str:
        """The complete plain-text digest."""
        return self.text_of()

    def native(self) -> str:
        """The payload as the destination receives it (JSON for Slack/Teams, HTML for email)."""
        return self.payload if isinstance(self.payload, str) else json.dumps(self.payload, indent=2, ensure_ascii=False)


class DeliveryProgress(Protocol):
    """The steps of one delivery already done, kept in its claim row, so a retry after a
    partial failure (message posted, file upload failed) does not post the message twice.

    `key` names the delivery (subscription and period) for a destination that can be asked
    whether it already has it; `attempt` is 1 for the first try; `claimed_at` is when the
    period was claimed (nothing of this delivery can be older)."""

    key: str
    attempt: int
    claimed_at: datetime

    def get(self, step: str) -> Any: ...

    def record(self, step: str, value: Any) -> None: ...


class DigestDelivery(Protocol):
    kind: str  # "slack" | "teams" | "email"

    def deliver(self, rendered: RenderedDigest, destination: str, progress: DeliveryProgress) -> None:
        """Post the digest; raise on failure (the sender records it and retries with back-off)."""
        ...


class DeliveryFailed(RuntimeError):
    """A delivery that did not go through; the message is recorded on the claim row."""


# kind -> "module:function(digest, with_chart) -> RenderedDigest"; imported on first use.
RENDERERS: dict[str, str] = {
    "slack": "bot.digest.render_slack:render_slack",
    "teams": "bot.digest.render_teams:render_adaptive_card",
    "email": "bot.digest.render_email:render_email",
}


def render_for(kind: str, digest: Digest, with_chart: bool = True) -> RenderedDigest:
    spec = RENDERERS.get(kind)
    if spec is None:
        raise ValueError(f"there is no digest renderer for '{kind}'; kinds: {', '.join(RENDERERS)}.")
    module_name, function_name = spec.split(":")
    render: Callable[[Digest, bool], RenderedDigest] = getattr(importlib.import_module(module_name), function_name)
    return render(digest, with_chart)
