"""A status update through Teams end to end — HTTP POST to /api/messages with a Bot Framework
JWT (the SDK's real validation, keys from a local JWKS), Activity -> InboundMessage,
dispatcher, Adaptive Card reply in the expectReplies response — beside the same update
handed straight to the dispatcher in the same run, and a proactive post to a local fake
Bot Connector (token cached after the first).

    python bench/teams_roundtrip.py [--updates 300]
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.channels.console import console_message  # noqa: E402
from bot.channels.teams.service import teams_service  # noqa: E402
from bot.domain.model import Role  # noqa: E402
from tests.conftest import make_testbot  # noqa: E402
from tests.teams_fakes import BOT_FRAMEWORK_ISSUER, FakeMicrosoft, mint_token, new_rsa_key, post_json  # noqa: E402
from tests.test_teams_http import (  # noqa: E402
    APP_ID, APP_SECRET, CHANNEL_ID, CHANNEL_TENANT, RIDO_AAD, channel_mention)

sys.path.insert(0, str(REPO / "bench"))
from figures import emit  # noqa: E402


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))]


def report(name: str, seconds: list[float]) -> float:
    ms = [s * 1000 for s in seconds]
    median = statistics.median(ms)
    print(f"{name:<44} median {median:7.2f} ms   p95 {percentile(ms, 95):7.2f} ms   n={len(ms)}")
    return median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=300)
    args = parser.parse_args()
    from microsoft_agents.hosting.core.authorization import _entra_issuers

    key = new_rsa_key()
    fake = FakeMicrosoft(key, APP_ID, APP_SECRET)
    fake.start()
    _entra_issuers.BOTFRAMEWORK_JWKS_URIS[BOT_FRAMEWORK_ISSUER] = fake.jwks_url
    with tempfile.TemporaryDirectory() as folder:
        bot = make_testbot(Path(folder))
        bot.add_person("Rido", Role.ADMIN, identities={"teams": RIDO_AAD, "console": "Rido"})
        runtime = dataclasses.replace(bot.runtime, environ={
            "ACTIONBOT_TEAMS_APP_ID": APP_ID, "ACTIONBOT_TEAMS_APP_SECRET": APP_SECRET,
            "ACTIONBOT_TEAMS_TENANT_ID": CHANNEL_TENANT, "ACTIONBOT_TEAMS_PORT": "0",
            "ACTIONBOT_TEAMS_TOKEN_URL": f"{fake.url}/t/oauth2/v2.0/token",
            "ACTIONBOT_TEAMS_SERVICE_URL": f"{fake.url}/"})
        service = teams_service(runtime)
        assert service is not None
        service.start()
        try:
            url = f"http://127.0.0.1:{service.port}/api/messages"
            token = mint_token(key, APP_ID, channel_mention("")["serviceUrl"], lifetime_s=3600)
            http: list[float] = []
            for n in range(args.updates):
                body = {**channel_mention(f"AP2.5.1 {n % 100}%", activity_id=f"b{n}"), "deliveryMode": "expectReplies"}
                started = time.perf_counter()
                status, answer = post_json(url, body, token)
                http.append(time.perf_counter() - started)
                assert status == 200 and answer["activities"], (status, answer)
            direct: list[float] = []
            for n in range(args.updates):
                message = console_message(f"AP2.5.1 {(n + 1) % 100}%", "Rido")
                started = time.perf_counter()
                bot.runtime.dispatcher.handle(message)
                direct.append(time.perf_counter() - started)
            proactive: list[float] = []
            for _ in range(min(args.updates, 50)):
                started = time.perf_counter()
                service.sender.send(CHANNEL_ID, None, "Weekly digest")
                proactive.append(time.perf_counter() - started)
        finally:
            service.stop()
            bot.runtime.close()
            fake.stop()
    over_http = report("Teams update over HTTP (JWT, card reply)", http)
    straight = report("same update, dispatcher.handle directly", direct)
    pushed = report("proactive post to the fake connector", proactive)
    print(f"ratio HTTP+SDK / dispatcher: {over_http / straight:.1f}x")
    emit("Teams: update over HTTP (JWT, card reply), median", over_http, "ms", floor=straight,
         floor_name="same update, dispatcher.handle directly")
    emit("Teams: proactive post to the connector, median", pushed, "ms")


if __name__ == "__main__":
    main()
