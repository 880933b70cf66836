"""Shared fixtures: a whole bot on a real SQLite database with no chat platform (the
`testbot`), and a guard that fails any test opening a socket to anything but loopback."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from bot.app import Runtime, build_runtime, load_example_plan_if_empty
from bot.channels.console import console_message
from bot.domain.model import Person, Role
from bot.messages import InboundMessage, Reply
from config.settings import Settings

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_CSV = REPO / "config" / "examples" / "moray-commissioning-2023.csv"  # the packaged copy (config.settings)
REPORT_DAY = date(2023, 9, 27)  # the day seed 000's Actions Report was generated

_LOOPBACK = {"127.0.0.1", "::1", "localhost", "0.0.0.0"}
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _check_address(sock: socket.socket, address: object) -> None:
    if sock.family == getattr(socket, "AF_UNIX", None):
        return
    host = address[0] if isinstance(address, tuple) else address
    if str(host) not in _LOOPBACK and not str(host).startswith("127."):
        raise AssertionError(f"test tried to open a socket to {address!r}; tests talk only to loopback")


@pytest.fixture(autouse=True, scope="session")
def http_on_an_ephemeral_port() -> Iterator[None]:
    """`actionbot run` always serves HTTP, by default on 127.0.0.1:3978: a test that starts it
    without naming a port gets a free one, so runs side by side on one machine never collide."""
    with pytest.MonkeyPatch.context() as patch:
        if "ACTIONBOT_HTTP_PORT" not in os.environ:
            patch.setenv("ACTIONBOT_HTTP_PORT", "0")
        yield


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    def connect(self: socket.socket, address: object) -> None:
        _check_address(self, address)
        return _real_connect(self, address)  # type: ignore[arg-type]

    def connect_ex(self: socket.socket, address: object) -> int:
        _check_address(self, address)
        return _real_connect_ex(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)


class TestBot:
    """A whole actionbot with the example plan loaded, driven by text."""

    __test__ = False  # a fixture class, not a test class

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def say(self, text: str, as_person: str = "Console Admin", **fields: object) -> Reply | None:
        message = console_message(text, as_person)
        if fields:
            message = InboundMessage(**{**message.__dict__, **fields})  # type: ignore[arg-type]
        return self.runtime.dispatcher.handle(message)

    def ok(self, text: str, as_person: str = "Console Admin") -> Reply:
        reply = self.say(text, as_person)
        assert reply is not None, f"no reply to {text!r}"
        assert not reply.is_error, f"{text!r} was refused: {reply.text}"
        return reply

    def refused(self, text: str, as_person: str = "Console Admin") -> Reply:
        reply = self.say(text, as_person)
        assert reply is not None, f"no reply to {text!r}"
        assert reply.is_error, f"{text!r} was accepted: {reply.text}"
        return reply

    def action(self, code: str):  # type: ignore[no-untyped-def]
        with self.runtime.new_uow() as uow:
            found = uow.actions.find(code)
            assert len(found) == 1, f"{code} matched {len(found)}"
            return found[0]

    def history(self, code: str):  # type: ignore[no-untyped-def]
        action = self.action(code)
        with self.runtime.new_uow() as uow:
            return uow.history.for_action(action.id)

    def add_person(self, name: str, role: Role = Role.UPDATER, team: str | None = None,
                   identities: dict[str, str] | None = None, email: str | None = None) -> Person:
        with self.runtime.new_uow() as uow:
            person = uow.people.add(Person(name=name, role=role, team=team, email=email),
                                    identities or {"console": name})
            uow.commit()
        return person


def make_testbot(tmp_path: Path, today: date = REPORT_DAY, **settings: object) -> TestBot:
    base = Settings(database_url=f"sqlite:///{tmp_path / 'bot.db'}", today=today, example_plan=EXAMPLE_CSV)
    runtime = build_runtime(Settings(**{**base.__dict__, **settings}))  # type: ignore[arg-type]
    load_example_plan_if_empty(runtime)
    return TestBot(runtime)


@pytest.fixture
def testbot(tmp_path: Path) -> Iterator[TestBot]:
    bot = make_testbot(tmp_path)
    yield bot
    bot.runtime.close()
