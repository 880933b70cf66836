"""Shared parts of the fault tests: senders that push notes through the dispatcher from several
threads, and the check that every message was answered without an error and left exactly one
history entry (none lost, none applied twice)."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Mapping, Sequence

from bot.channels.console import console_message
from tests.conftest import TestBot


class Senders:
    """Sender `i` sends `per_sender` notes "`note_prefix` i-n" to `codes[i]`, one thread each,
    pausing `pause_s` between messages. Replies are kept by message id; a sender that raised is
    kept in `failures` for the main thread to report."""

    def __init__(self, bot: TestBot, codes: Sequence[str], per_sender: int, note_prefix: str, pause_s: float) -> None:
        self.bot, self.codes, self.per_sender, self.note_prefix, self.pause_s = bot, codes, per_sender, note_prefix, pause_s
        self.replies: dict[str, str | None] = {}
        self.failures: list[BaseException] = []
        self.sending = threading.Event()  # set once the first reply is in
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._send, args=(i,)) for i in range(len(codes))]

    def _send(self, index: int) -> None:
        try:
            for n in range(self.per_sender):
                message_id = f"{self.note_prefix}-{index}-{n}"
                text = f"{self.codes[index]} note {self.note_prefix} {index}-{n}"
                message = dataclasses.replace(console_message(text, "Console Admin"), message_id=message_id)
                reply = self.bot.runtime.dispatcher.handle(message)
                with self._lock:
                    self.replies[message_id] = None if reply is None else reply.text
                self.sending.set()
                time.sleep(self.pause_s)
        except BaseException as exc:  # reported by the main thread
            self.failures.append(exc)

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def running(self) -> bool:
        return any(thread.is_alive() for thread in self._threads)

    def answered(self) -> int:
        with self._lock:
            return len(self.replies)

    def join(self, timeout_s: float) -> None:
        for thread in self._threads:
            thread.join(timeout_s)

    def assert_each_applied_once(self) -> None:
        assert_each_applied_once(self.bot, self.replies, self.codes, self.per_sender, self.note_prefix)


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
