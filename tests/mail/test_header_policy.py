"""bot.mail.header_policy.HEADERS reads and writes every header exactly as policy.default does
(it only makes each header class once)."""

from __future__ import annotations

import email
from email import policy
from pathlib import Path

from bot.mail.header_policy import HEADERS

CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "emails"


def test_every_corpus_header_reads_and_folds_as_with_policy_default() -> None:
    compared = 0
    for path in sorted(CORPUS.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.compat32)
        for part in message.walk():
            for name, raw in part.raw_items():
                ours, theirs = HEADERS.header_fetch_parse(name, raw), policy.default.header_fetch_parse(name, raw)
                assert str(ours) == str(theirs), (path.name, name)
                assert type(ours).__name__ == type(theirs).__name__
                assert [type(d) for d in ours.defects] == [type(d) for d in theirs.defects]
                assert ours.fold(policy=policy.SMTP) == theirs.fold(policy=policy.SMTP), (path.name, name)
                compared += 1
    assert compared > 500


def test_the_class_of_a_header_is_made_once_per_name() -> None:
    first = HEADERS.header_store_parse("Subject", "one")[1]
    second = HEADERS.header_store_parse("subject", "two")[1]
    assert type(first) is type(second) and str(second) == "two"
    assert type(HEADERS.header_store_parse("To", "a@b.example")[1]) is not type(first)
