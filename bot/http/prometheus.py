"""The Prometheus side of bot.metrics.Metrics: one registry per runtime, shown by /metrics."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from bot.metrics import Metrics

# Handler latency buckets (seconds): a status update takes milliseconds; Slack gives up at 3 s.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class PrometheusMetrics(Metrics):
    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        # Our own registry, not prometheus_client's global one: two runtimes in one process
        # (the tests) count separately, and /metrics shows only what actionbot counts.
        self.registry = CollectorRegistry()
        self.messages = Counter("actionbot_messages", "Inbound messages handled, by channel and outcome.",
                                ["channel", "outcome"], registry=self.registry)
        self.handler_seconds = Histogram("actionbot_handler_seconds", "Time to handle one inbound message.",
                                         ["channel"], buckets=LATENCY_BUCKETS, registry=self.registry)
        self.database_retries = Counter("actionbot_database_retries", "Units of work run again after a lost "
                                        "connection or a busy database.", ["reason"], registry=self.registry)
        self.mail_polled_total = Counter("actionbot_mail_polled", "Mail messages fetched from the shared mailbox.",
                                         registry=self.registry)
        self.mail_classified_total = Counter("actionbot_mail_classified", "Mail messages handled, by outcome.",
                                             ["outcome"], registry=self.registry)
        self.digests = Counter("actionbot_digests", "Digest deliveries, by outcome (sent, failed, skipped).",
                               ["outcome"], registry=self.registry)

    def message_handled(self, channel: str, outcome: str, seconds: float) -> None:
        self.messages.labels(channel, outcome).inc()
        self.handler_seconds.labels(channel).observe(seconds)

    def database_retry(self, reason: str) -> None:
        self.database_retries.labels(reason).inc()

    def mail_polled(self, count: int) -> None:
        self.mail_polled_total.inc(count)

    def mail_classified(self, outcome: str) -> None:
        self.mail_classified_total.labels(outcome).inc()

    def digest_finished(self, outcome: str) -> None:
        self.digests.labels(outcome).inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)
