"""Shared checks for the fault tests: every message a sender sent was answered without an
error and left exactly one history entry (none lost, none applied twice)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from tests.conftest import TestBot


def assert_each_applied_once(bot: TestBot, replies: Mapping[str, str | None], codes: Sequence[str],
                             per_sender: int, note_prefix: str) -> None:
    """Sender `i` sent `per_sender` notes "`note_prefix` i-n" to `codes[i]`."""
    refused = {k: v for k, v in replies.items() if v is None or "nothing was changed" in v or "wrong" in v}
    assert not refused, f"messages not applied: {list(refused.items())[:3]}"
    for index, code in enumerate(codes):
        with bot.runtime.new_uow() as uow:
            entries = uow.history.for_action(bot.action(code).id, limit=10_000)
        notes = [e.note for e in entries if e.kind == "update" and (e.note or "").startswith(f"{note_prefix} ")]
        expected = {f"{note_prefix} {index}-{n}" for n in range(per_sender)}
        assert sorted(notes) == sorted(expected), f"{code}: {len(notes)} notes for {len(expected)} messages"
