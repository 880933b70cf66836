"""What the bot counts, as calls the dispatcher, the mail pipeline and the digest sender make.

This base class counts nothing, so `say`, `chat`, `import` and most tests never load
prometheus_client (about 90 ms of imports). `actionbot run` hands in the Prometheus one
(bot.http.prometheus), which `/metrics` shows.
"""

from __future__ import annotations


class Metrics:
    content_type = "text/plain; version=0.0.4; charset=utf-8"  # Prometheus' text format

    def render(self) -> bytes:
        """What /metrics shows."""
        return b""

    def message_handled(self, channel: str, outcome: str, seconds: float) -> None:
        """One inbound message: outcome is applied, refused, silent, duplicate, failed or unavailable."""

    def database_retry(self, reason: str) -> None:
        """A unit of work run again after `storage.errors.retry_reason` said it may be."""

    def mail_polled(self, count: int) -> None:
        """Messages one mailbox pass fetched."""

    def mail_classified(self, outcome: str) -> None:
        """What became of one mail (bot.mail.ingest.Outcome's value)."""

    def digest_finished(self, outcome: str) -> None:
        """One digest delivery: sent, failed or skipped."""


NO_METRICS = Metrics()
