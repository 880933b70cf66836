"""The one HTTP server under clients that misbehave: fifty connections that send half a request
and stall exhaust nothing and are dropped; a body that stalls gets 408; a body over 1 MiB gets
413; meanwhile /healthz answers at once and a signed Slack event is handled as usual."""

from __future__ import annotations

import http.client
import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.slack_api import FakeSlackApi
from tests.service.running import RunningBot, get, request
from tests.slack_harness import SIGNING_SECRET, sign

READ_TIMEOUT_S = 3  # ACTIONBOT_HTTP_READ_TIMEOUT for these tests (default 15 s)
HALF_OPEN = 50


@pytest.fixture
def slack() -> Iterator[FakeSlackApi]:
    with FakeSlackApi() as fake:
        fake.add_user("U999", "someone@elsewhere.example", "Sam Stranger")
        yield fake


@pytest.fixture
def bot(tmp_path: Path, slack: FakeSlackApi) -> Iterator[RunningBot]:
    running = RunningBot(tmp_path, SLACK_BOT_TOKEN="xoxb-stall-test", SLACK_SIGNING_SECRET=SIGNING_SECRET,
                         ACTIONBOT_SLACK_API_URL=slack.api_url, ACTIONBOT_HTTP_READ_TIMEOUT=str(READ_TIMEOUT_S))
    try:
        yield running.start()
        code, seconds = running.stop()
        assert (code, seconds < 10) == (0, True), running.stderr
    finally:
        running.kill()


def signed_event(text: str, n: int) -> tuple[bytes, dict[str, str]]:
    ts = f"1720000000.{n:06d}"
    body = json.dumps({"token": "x", "team_id": "T111", "api_app_id": "A111", "type": "event_callback",
                       "event_id": f"EvStall{n:06d}", "event_time": 1720000000,
                       "event": {"type": "message", "channel": "C111", "channel_type": "channel", "user": "U999",
                                 "text": text, "ts": ts, "event_ts": ts, "client_msg_id": f"stall-{n}"}})
    stamp = int(time.time())
    return body.encode(), {"Content-Type": "application/json", "X-Slack-Request-Timestamp": str(stamp),
                           "X-Slack-Signature": sign(body, stamp)}


def half_sent(port: int, data: bytes) -> socket.socket:
    connection = socket.create_connection(("127.0.0.1", port), timeout=READ_TIMEOUT_S + 10)
    connection.sendall(data)
    return connection


def test_fifty_stalled_connections_exhaust_nothing_and_are_dropped(bot: RunningBot, slack: FakeSlackApi) -> None:
    stalled = [half_sent(bot.port, b"POST /slack/events HTTP/1.1\r\nHost: actionbot\r\nContent-Type: app")
               for _ in range(HALF_OPEN)]
    try:
        opened = time.monotonic()
        alive = get(bot.port, "/healthz")
        assert alive.status == 200 and alive.seconds < 1.0, f"/healthz took {alive.seconds:.2f} s"
        body, headers = signed_event("AP2.5.1?", 1)
        event = request(bot.port, "POST", "/slack/events", body, headers)
        assert event.status == 200 and event.seconds < 3.0, f"the event took {event.seconds:.2f} s"
        assert "HSCM COMM AP2.5.1" in slack.wait_for("chat.postMessage")[0].args["text"]

        dropped_after = []
        for connection in stalled:
            assert connection.recv(1024) == b"", "a stalled connection got an answer instead of being dropped"
            dropped_after.append(time.monotonic() - opened)
        assert max(dropped_after) < READ_TIMEOUT_S + 5, f"dropped after {max(dropped_after):.1f} s"
    finally:
        for connection in stalled:
            connection.close()
    print(f"\n{HALF_OPEN} stalled connections: /healthz {alive.seconds * 1000:.0f} ms, Slack event "
          f"{event.seconds * 1000:.0f} ms, all dropped within {max(dropped_after):.1f} s "
          f"(read timeout {READ_TIMEOUT_S} s)")


def test_a_body_that_stalls_gets_408(bot: RunningBot) -> None:
    connection = half_sent(bot.port, b"POST /slack/events HTTP/1.1\r\nHost: actionbot\r\n"
                                     b"Content-Type: application/json\r\nContent-Length: 400\r\n\r\n{\"type\": ")
    try:
        started = time.monotonic()
        answer = connection.recv(4096)
        waited = time.monotonic() - started
    finally:
        connection.close()
    assert answer.startswith(b"HTTP/1.1 408 "), answer
    assert READ_TIMEOUT_S - 0.5 < waited < READ_TIMEOUT_S + 5


def test_a_body_over_one_mebibyte_gets_413(bot: RunningBot) -> None:
    # Announced by Content-Length: refused before a byte of it is read.
    connection = half_sent(bot.port, b"POST /slack/events HTTP/1.1\r\nHost: actionbot\r\n"
                                     b"Content-Type: application/json\r\nContent-Length: 2097152\r\n\r\n")
    try:
        answer = connection.recv(4096)
    finally:
        connection.close()
    assert answer.startswith(b"HTTP/1.1 413 "), answer
    # Chunked, so the size shows only while reading: refused once it passes the limit.
    chunked = http.client.HTTPConnection("127.0.0.1", bot.port, timeout=10)
    try:
        chunked.request("POST", "/slack/events", body=(b"x" * 65536 for _ in range(17)),  # 1 MiB and 64 KiB
                        headers={"Content-Type": "application/json"}, encode_chunked=True)
        refused = chunked.getresponse()
        text = refused.read()
    except ConnectionError:  # it may close before the last chunk is written; then ask again
        pytest.fail("the connection was reset instead of answered with 413")
    finally:
        chunked.close()
    assert refused.status == 413 and b"limit" in text
    assert get(bot.port, "/healthz").status == 200


def test_sigterm_lets_the_request_in_flight_finish_and_takes_no_new_one(bot: RunningBot, slack: FakeSlackApi) -> None:
    import signal
    import threading

    # Slack makes the sender lookup wait 2 s (a 429 with Retry-After), so the event is still
    # being handled when SIGTERM arrives.
    slack.fail_next("users.info", 429, {"Retry-After": "2"})
    body, headers = signed_event("AP2.5.1?", 2)
    answers: list[int] = []
    sender = threading.Thread(target=lambda: answers.append(
        request(bot.port, "POST", "/slack/events", body, headers, timeout=20).status))
    sender.start()
    slack.wait_for("users.info")
    time.sleep(0.3)
    code, seconds = bot.stop(signal.SIGTERM)
    sender.join(20)
    assert answers == [200], bot.stderr  # acknowledged after it was handled, not cut off
    assert "HSCM COMM AP2.5.1" in slack.wait_for("chat.postMessage")[0].args["text"]  # its reply went out
    assert code == 0 and seconds < 10, (code, seconds, bot.stderr)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", bot.port), timeout=2).close()
    print(f"\nSIGTERM with a 2 s request in flight: exited 0 after {seconds:.1f} s")
