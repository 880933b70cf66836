"""Shared by the mail backend tests: sample messages from tests/fixtures/emails and
builders that point a real GraphMailbox / EwsMailbox at the local fake servers."""

from __future__ import annotations

from pathlib import Path

from bot.mail.backends import MemoryCursorStore
from bot.mail.ews import EwsConfig, EwsMailbox
from bot.mail.graph import GraphMailbox
from bot.mail.graph_client import GraphClient, GraphConfig
from tests.fakes.ews_server import PASSWORD, USERNAME, FakeEws
from tests.fakes.graph_server import CLIENT_ID, TENANT, FakeGraph

EMAILS = Path(__file__).resolve().parent / "fixtures" / "emails"
SAMPLES = ["sisimai_ooo_away_until_may5.eml", "ours_html_only_umlaut.eml",
           "ours_outlook_forwarded_message_rfc822.eml", "flanker_bounce_office365_ndr.eml"]


def eml(name: str) -> bytes:
    return (EMAILS / name).read_bytes()


class Sleeps(list[float]):
    """Records the waits the Graph client asks for instead of sleeping through them."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def graph_mailbox(fake: FakeGraph, cursors: MemoryCursorStore | None = None, sleeps: Sleeps | None = None,
                  secret: str | None = "s3cret-value", **overrides: object) -> GraphMailbox:
    """overrides: any GraphConfig field, e.g. certificate=... with secret=None."""
    settings: dict[str, object] = {"base_url": fake.base_url, "authority": fake.authority, "timeout": 3.0,
                                   "page_size": 2, "verify": str(fake.cert_path), **overrides}
    config = GraphConfig(tenant_id=TENANT, client_id=CLIENT_ID, client_secret=secret, mailbox=fake.mailbox,
                         **settings)  # type: ignore[arg-type]
    client = GraphClient(config, sleep=sleeps if sleeps is not None else Sleeps())
    return GraphMailbox(config, cursors or MemoryCursorStore(), client)


def ews_mailbox(fake: FakeEws, cursors: MemoryCursorStore | None = None, password: str = PASSWORD,
                page_size: int = 2) -> EwsMailbox:
    config = EwsConfig(url=fake.url, mailbox=fake.mailbox, auth="basic", username=USERNAME, password=password)
    return EwsMailbox(config, cursors or MemoryCursorStore(), page_size=page_size)
