"""Fuzzing the mail ingestion with mutated copies of tests/fixtures/emails — byte flips,
truncation, duplicated headers, damaged MIME boundaries, stray NULs and CRs, a very long
header line, a staff update with its authentication header mangled — through the real
Maildir mailbox and ingestor (a seeded random loop, so a failure names its seed and case).

Every message ends in exactly one folder (Processed, Needs attention or Filed), none stays in
the inbox, nothing crashes, and a message whose key was recorded is not handled again.
"""

from __future__ import annotations

import os
import random
import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.mail.ingest import Outcome
from bot.mail.mailbox import FILED, NEEDS_ATTENTION, PROCESSED
from tests.mail_samples import AUTH_PASS, COUNCIL, CORPUS, MailBot, make_mail, mailbot  # noqa: F401

SEED = int(os.environ.get("ACTIONBOT_FUZZ_SEED", "20261123"))
MUTANTS_PER_FILE = 6
TIME_BUDGET_S = 30.0

Mutation = Callable[[bytes, random.Random], bytes]


def flip_bytes(raw: bytes, rng: random.Random) -> bytes:
    data = bytearray(raw)
    for _ in range(max(1, len(data) // 200)):
        data[rng.randrange(len(data))] = rng.randrange(256)
    return bytes(data)


def truncate(raw: bytes, rng: random.Random) -> bytes:
    return raw[: rng.randrange(0, max(1, len(raw)))]


def duplicate_headers(raw: bytes, rng: random.Random) -> bytes:
    head, sep, body = raw.partition(b"\n\n") if b"\r\n\r\n" not in raw else raw.partition(b"\r\n\r\n")
    lines = head.splitlines(keepends=True)
    picked = [line for line in lines if re.match(rb"(From|To|Subject|Message-ID|Content-Type|Date):", line, re.I)]
    extra = [rng.choice(picked) for _ in range(rng.randint(1, 4))] if picked else [b"From: <>\n"]
    return b"".join(lines + extra) + sep + body


def damage_boundaries(raw: bytes, rng: random.Random) -> bytes:
    found = re.findall(rb'boundary="?([^";\r\n]+)"?', raw, re.I)
    if not found:
        return raw.replace(b"\n\n", b"\n--broken-boundary\nContent-Type: multipart/mixed\n\n", 1)
    boundary = rng.choice(found)
    choice = rng.randrange(3)
    if choice == 0:  # the closing delimiter is gone
        return raw.replace(b"--" + boundary + b"--", b"")
    if choice == 1:  # the parts say another boundary than the header
        return raw.replace(b"--" + boundary, b"--" + boundary[::-1])
    return raw.replace(b"boundary=", b"boundary=;", 1)  # the parameter itself is broken


def control_characters(raw: bytes, rng: random.Random) -> bytes:
    data = bytearray(raw)
    for _ in range(rng.randint(1, 20)):
        data.insert(rng.randrange(len(data) + 1), rng.choice([0, 13, 27, 127, 0xFF]))
    return bytes(data)


def long_header(raw: bytes, rng: random.Random) -> bytes:
    return b"X-Fuzz: " + b"A" * rng.randint(10_000, 200_000) + b"\n" + raw


MUTATIONS: dict[str, Mutation] = {
    "flip": flip_bytes, "truncate": truncate, "duplicate-headers": duplicate_headers,
    "boundaries": damage_boundaries, "control-characters": control_characters, "long-header": long_header,
}


def corpus_files() -> list[Path]:
    return sorted(CORPUS.glob("*.eml"))


def test_mutated_corpus_mail_is_filed_or_quarantined_never_crashes(mailbot: MailBot) -> None:  # noqa: F811
    rng = random.Random(SEED)
    names = list(MUTATIONS)
    dropped: dict[str, str] = {}
    for source in corpus_files():
        raw = source.read_bytes()
        for k in range(MUTANTS_PER_FILE):
            mutation = names[(k + len(dropped)) % len(names)]
            name = f"{source.stem}.{k}.{mutation}"
            mailbot.drop(MUTATIONS[mutation](raw, rng), name)
            dropped[name] = mutation
    started = time.monotonic()
    results = mailbot.ingestor.poll_once()
    elapsed = time.monotonic() - started
    assert len(results) == len(dropped), f"{len(dropped)} dropped, {len(results)} handled (seed {SEED})"
    assert not list(mailbot.mailbox.fetch_new()), "mail left in the inbox"
    by_folder = {folder: len(mailbot.mailbox.folder_keys(folder)) for folder in (PROCESSED, NEEDS_ATTENTION, FILED)}
    assert sum(by_folder.values()) == len(dropped), by_folder
    for result in results:
        assert result.folder in (PROCESSED, NEEDS_ATTENTION, FILED), result
        if result.outcome is Outcome.UNREADABLE:
            assert result.folder == NEEDS_ATTENTION
    assert elapsed < TIME_BUDGET_S, f"{len(dropped)} mutated messages took {elapsed:.1f} s"
    again = mailbot.ingestor.poll_once()  # nothing is handled twice
    assert again == []


@pytest.mark.parametrize("mutation", list(MUTATIONS))
def test_a_mutated_staff_update_is_applied_once_or_not_at_all(mailbot: MailBot, mutation: str) -> None:  # noqa: F811
    rng = random.Random(f"{SEED}-{mutation}")
    before = mailbot.bot.action("AP2.5.1")
    history_before = len(mailbot.bot.history("AP2.5.1"))
    for n in range(8):
        raw = make_mail(f"sam.patel@{COUNCIL}", "update", f"AP2.5.1 note fuzz {mutation} {n}",
                        message_id=f"<fuzz-{mutation}-{n}@{COUNCIL}>", headers={"Authentication-Results": AUTH_PASS})
        mailbot.drop(MUTATIONS[mutation](raw, rng), f"staff-{n}")
    results = mailbot.ingestor.poll_once()
    assert len(results) == 8
    new_entries = mailbot.bot.history("AP2.5.1")[: len(mailbot.bot.history("AP2.5.1")) - history_before]
    applied = [r for r in results if r.outcome is Outcome.UPDATE]
    # a flipped byte may change the note's text, never how many times it is applied
    assert len(new_entries) == len(applied), ([e.note for e in new_entries], [r.outcome for r in results])
    assert {e.channel for e in new_entries} <= {"email"}
    for result in results:
        assert result.folder in (PROCESSED, NEEDS_ATTENTION, FILED), result
    after = mailbot.bot.action("AP2.5.1")
    assert (after.progress, after.state) == (before.progress, before.state)  # notes only, never a stray value
