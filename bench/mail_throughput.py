"""Mail throughput: 1,000 .eml files (copies of tests/fixtures/emails, each made unique)
through the Maildir backend and the whole ingestion pipeline (parse, classify, route, write
the entry, queue and send the acknowledgement, move the file), beside Python's own `email`
parsing of the same files (message_from_bytes with policy.default, reading every part).

    python bench/mail_throughput.py [--messages 1000] [--db-url URL]

Prints messages per second for both and their ratio, and the CPU time per message beside the
parse's (the fairer comparison on a shared machine).
"""

from __future__ import annotations

import argparse
import email
import sys
import tempfile
import time
from collections import Counter
from email import policy
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.app import build_runtime  # noqa: E402
from bot.mail.ingest import TriageNotice  # noqa: E402
from bot.mail.service import build_ingestor  # noqa: E402
from config.settings import Settings  # noqa: E402

sys.path.insert(0, str(REPO / "bench"))
from figures import emit  # noqa: E402


# The real-world mail the tests use, kept in the repository (tests/fixtures/SOURCES.md).
CORPUS = REPO / "tests" / "fixtures" / "emails"


def make_copies(count: int, target: Path) -> list[bytes]:
    sources = [p.read_bytes() for p in sorted(CORPUS.glob("*.eml"))]
    copies = []
    for n in range(count):
        raw = sources[n % len(sources)]
        # A unique first header and Message-ID, so every copy is a distinct message.
        raw = raw.replace(b"Message-ID:", b"X-Old-Message-ID:").replace(b"Message-Id:", b"X-Old-Message-Id:")
        raw = raw.replace(b"Message-id:", b"X-Old-Message-id:")
        raw = f"Message-ID: <bench-{n}@bench.example>\n".encode() + raw
        copies.append(raw)
        (target / f"m{n:05d}.eml").write_bytes(raw)
    return copies


def stdlib_parse(copies: list[bytes]) -> tuple[float, float]:
    """Wall and CPU seconds to parse every copy."""
    started, cpu_started = time.perf_counter(), time.process_time()
    for raw in copies:
        message = email.message_from_bytes(raw, policy=policy.default)
        for part in message.walk():
            if not part.is_multipart():
                part.get_payload(decode=True)
        str(message.get("subject", ""))
        str(message.get("from", ""))
    return time.perf_counter() - started, time.process_time() - cpu_started


def pipeline(messages: int, folder: Path, db_url: str | None) -> tuple[float, float, Counter[str], list[bytes]]:
    maildrop = folder / "maildrop"
    maildrop.mkdir()
    copies = make_copies(messages, maildrop)
    settings = Settings(database_url=db_url or f"sqlite:///{folder / 'bench.db'}", maildrop=maildrop,
                        extra={"mail": {"address": "inbox@bench.example", "rate_limit_messages": 1_000_000}})
    runtime = build_runtime(settings)
    notices: list[TriageNotice] = []
    try:
        ingestor = build_ingestor(runtime, notify=notices.append)
        started, cpu_started = time.perf_counter(), time.process_time()
        results = ingestor.poll_once()
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        ingestor.mailbox.close()
    finally:
        runtime.close()
    assert len(results) == messages, f"{len(results)} of {messages} handled"
    print(f"pipeline CPU time: {cpu * 1000 / messages:.2f} ms per message (wall {elapsed * 1000 / messages:.2f} ms; "
          "a large gap means the machine is busy or the disk is slow)")
    return elapsed, cpu, Counter(r.outcome.value for r in results), copies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--db-url", default=None, help="default: a fresh SQLite file in a temp folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        elapsed, cpu, outcomes, copies = pipeline(args.messages, Path(temp), args.db_url)
    parses = [stdlib_parse(copies) for _ in range(3)]
    parse_seconds = min(wall for wall, _ in parses)
    parse_cpu = min(cpu_time for _, cpu_time in parses)
    pipeline_rate = args.messages / elapsed
    parse_rate = args.messages / parse_seconds
    print(f"messages: {args.messages} ({', '.join(f'{k} {v}' for k, v in sorted(outcomes.items()))})")
    print(f"pipeline (Maildir -> parse -> classify -> route -> DB commit -> ack -> move): "
          f"{pipeline_rate:,.0f} msg/s ({elapsed * 1000 / args.messages:.2f} ms each)")
    print(f"stdlib email parsing alone (policy.default, every part): {parse_rate:,.0f} msg/s "
          f"({parse_seconds * 1000 / args.messages:.2f} ms each)")
    print(f"ratio: the pipeline runs at {pipeline_rate / parse_rate:.2f}x the speed of parsing alone "
          f"({parse_rate / pipeline_rate:.1f}x slower)")
    emit(f"mail: {args.messages:,} .eml files through the Maildir pipeline", pipeline_rate, "msg/s", floor=parse_rate,
         floor_name="stdlib `email` parsing of the same files", lower_is_better=False)
    # The same comparison in CPU time: on a shared machine the wall clock also counts the time
    # other processes held the CPU, which the pipeline (longer, with file and database I/O) meets more.
    emit("mail: CPU time per message through the pipeline", cpu * 1000 / args.messages, "ms",
         floor=parse_cpu * 1000 / args.messages, floor_name="CPU time of the stdlib parse of the same file")


if __name__ == "__main__":
    main()
