"""A bot for the contract-monitoring log on 30 Nov 2026 (a Monday): Sam Patel (updater), Fiona
Grant (team Contracts), Jo Reid (safeguarding role), Val Viewer (viewer); no providers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from bot.domain.model import Person, Role
from tests.conftest import TestBot, make_testbot

TODAY = date(2026, 11, 30)


def add_staff(bot: TestBot) -> None:
    with bot.runtime.new_uow() as uow:
        uow.people.add(Person(name="Sam Patel", role=Role.UPDATER), {"console": "Sam Patel"})
        uow.people.add(Person(name="Fiona Grant", role=Role.UPDATER, team="Contracts"), {"console": "Fiona Grant"})
        uow.people.add(Person(name="Jo Reid", role=Role.UPDATER, roles_extra=("safeguarding",)), {"console": "Jo Reid"})
        uow.people.add(Person(name="Val Viewer", role=Role.VIEWER), {"console": "Val Viewer"})
        uow.commit()


@pytest.fixture
def logbot(tmp_path: Path) -> Iterator[TestBot]:
    bot = make_testbot(tmp_path, today=TODAY)
    add_staff(bot)
    yield bot
    bot.runtime.close()
