"""The world every confidentiality test asks in (tests/confidential/world.py): one per module,
with a safeguarding entry (PQ-2023-0001) and an ordinary one (PQ-2023-0002) logged by Jo Reid."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.confidential.world import JO, World, build_world

SECRET = "unexplained bruising on Mr Example"  # the safeguarding entry's text
ALLOCATED = "visit Mr Example at home"  # an action on it: content as well

# The Teams service ignores the SDK's NotAppKeyWarning (bot/channels/teams/service.py) with a
# filter pytest resets after each test; the service here outlives one test, so say it again.
TEAMS_SDK_WARNING = pytest.mark.filterwarnings(
    r"ignore::aiohttp.web.NotAppKeyWarning:microsoft_agents\.hosting\.aiohttp")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    worlds = build_world(tmp_path_factory.mktemp("confidential"))
    found = next(worlds)
    found.bot.ok(f"safeguarding Acme Care: {SECRET}", as_person=JO.name)  # PQ-2023-0001
    found.bot.ok("concern Acme: missed calls on Tuesday", as_person=JO.name)  # PQ-2023-0002, not confidential
    yield found
    worlds.close()
