"""uow.teams_conversations on SQLite and PostgreSQL: the references proactive delivery reads."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from storage import SqlUnitOfWork
from tests.storage_fixtures import database_url, engine, migrated_engine, new_uow  # noqa: F401

NewUow = Callable[[], SqlUnitOfWork]

AT = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
KEY = "19:6848757105754c8981c67612732d9aa7@thread.tacv2"
REFERENCE = {"bot": {"id": "28:bot"}, "conversation": {"id": KEY, "conversationType": "channel"},
             "channelId": "msteams", "serviceUrl": "https://smba.trafficmanager.net/amer/"}


def test_save_get_and_refresh_a_reference(new_uow: NewUow) -> None:  # noqa: F811
    with new_uow() as uow:
        assert uow.teams_conversations.save(KEY, service_url=REFERENCE["serviceUrl"], reference=REFERENCE, at=AT,
                                            tenant_id="t1", conversation_type="channel") is True
        uow.commit()
    later = AT + timedelta(days=3)
    moved = {**REFERENCE, "serviceUrl": "https://smba.trafficmanager.net/emea/"}
    with new_uow() as uow:
        assert uow.teams_conversations.save(KEY, service_url=moved["serviceUrl"], reference=moved, at=later) is False
        uow.commit()
    with new_uow() as uow:
        stored = uow.teams_conversations.get(KEY)
        assert uow.teams_conversations.get("19:other@thread.tacv2") is None
        assert [c.conversation_key for c in uow.teams_conversations.list()] == [KEY]
    assert stored is not None
    assert stored.service_url == "https://smba.trafficmanager.net/emea/" and stored.reference == moved
    assert stored.tenant_id == "t1" and stored.conversation_type == "channel"  # kept when not given again
    assert stored.first_seen_at == AT and stored.updated_at == later


def test_an_uncommitted_reference_is_not_kept(new_uow: NewUow) -> None:  # noqa: F811
    with new_uow() as uow:
        uow.teams_conversations.save(KEY, service_url="https://x.example/", reference=REFERENCE, at=AT)
    with new_uow() as uow:
        assert uow.teams_conversations.list() == []
