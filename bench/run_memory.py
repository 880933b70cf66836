"""Memory of `actionbot run` with every channel configured — Slack in HTTP mode (against the
local fake Web API), Teams (/api/messages), the Maildir mailbox — idle, then under load: 50
Slack senders for --seconds, .eml files dropped in the maildrop, and unauthenticated Teams
posts (refused with 401: the SDK's JWT check runs on each). Read from /proc/<pid>/status:
VmRSS (resident now) and VmHWM (the peak resident set).

Floor, same run: a bare Python process that imports the same libraries (Bolt, the Agents SDK,
aiohttp, SQLAlchemy) and does nothing.

    python bench/run_memory.py [--seconds 30] [--senders 50]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from figures import emit  # noqa: E402
from tests.fakes.slack_api import FakeSlackApi  # noqa: E402
from slack_throughput import (  # noqa: E402
    actionbot_env, add_bench_admin, drive, free_port, start_actionbot, stop, wait_listening)

# The real-world mail the tests use, kept in the repository (tests/fixtures/SOURCES.md).
EMAILS = REPO / "tests" / "fixtures" / "emails"
TEAMS_ENV = {"ACTIONBOT_TEAMS_APP_ID": "28c1a9e5-5f0e-4d8a-9d5e-0b5d3c1e2f70",
             "ACTIONBOT_TEAMS_APP_SECRET": "bench-only-secret",
             "ACTIONBOT_TEAMS_TENANT_ID": "50612dbb-0237-4969-b378-8d42590f9c00",
             "ACTIONBOT_TEAMS_PORT": "0", "ACTIONBOT_TEAMS_HOST": "127.0.0.1",
             "ACTIONBOT_TEAMS_TOKEN_URL": "http://127.0.0.1:9/token", "ACTIONBOT_TEAMS_SERVICE_URL": "http://127.0.0.1:9/"}
FLOOR_IMPORTS = ("import time, sqlalchemy, aiohttp, slack_bolt, slack_sdk, microsoft_agents.hosting.aiohttp, "
                 "microsoft_agents.hosting.core; print('ready', flush=True); time.sleep(600)")


def memory_kib(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a process, in KiB."""
    found: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = int(value.split()[0])
    return found


def teams_port(log: Path, timeout: float = 30) -> int | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = re.search(r"Started Teams \(http://127\.0\.0\.1:(\d+)/api/messages\)", log.read_text(errors="replace"))
        if found:
            return int(found.group(1))
        time.sleep(0.2)
    return None


def teams_noise(port: int, stop_at: float) -> int:
    """Unauthenticated activities until stop_at; returns how many were refused with 401."""
    refused = 0
    body = b'{"type": "message", "id": "1", "text": "AP2.5.1 40%", "serviceUrl": "http://127.0.0.1:9/"}'
    while time.monotonic() < stop_at:
        request = urllib.request.Request(f"http://127.0.0.1:{port}/api/messages", data=body,
                                         headers={"Content-Type": "application/json"})
        try:
            urllib.request.urlopen(request, timeout=5).close()
        except urllib.error.HTTPError as exc:
            refused += exc.code == 401
        except OSError:
            pass
        time.sleep(0.01)
    return refused


def drop_mail(maildrop: Path, copies: int) -> int:
    """Copies of the corpus emails into maildrop/new, as a mail delivery agent would."""
    sources = sorted(EMAILS.glob("*.eml"))
    if not sources:
        return 0
    for sub in ("new", "cur", "tmp"):
        (maildrop / sub).mkdir(parents=True, exist_ok=True)
    for n in range(copies):
        source = sources[n % len(sources)]
        staged = maildrop / "tmp" / f"bench.{n}.eml"
        shutil.copyfile(source, staged)
        staged.rename(maildrop / "new" / f"{int(time.time())}.bench{n}.localhost")
    return copies


def floor_rss() -> dict[str, int]:
    process = subprocess.Popen([sys.executable, "-c", FLOOR_IMPORTS], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        assert process.stdout is not None
        process.stdout.readline()
        return memory_kib(process.pid)
    finally:
        process.kill()
        process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--senders", type=int, default=50)
    parser.add_argument("--emails", type=int, default=200, help=".eml files dropped during the load")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, FakeSlackApi() as watcher:
        folder = Path(tmp)
        maildrop = folder / "maildrop"
        port = free_port()
        env = actionbot_env(f"sqlite:///{folder / 'memory.db'}", watcher.api_url, port,
                            {**TEAMS_ENV, "ACTIONBOT_MAIL_BACKEND": "maildir", "ACTIONBOT_MAILDROP": str(maildrop)})
        add_bench_admin(env, folder)
        log = folder / "actionbot.log"
        bot = start_actionbot(env, log, folder)
        try:
            wait_listening(port, bot)
            teams = teams_port(log)
            time.sleep(3)
            idle = memory_kib(bot.pid)
            stop_at = time.monotonic() + args.seconds
            noise = threading.Thread(target=lambda: teams_noise(teams, stop_at)) if teams else None
            if noise:
                noise.start()
            dropped = drop_mail(maildrop, args.emails)
            load = drive(port, watcher, args.senders, args.seconds)
            if noise:
                noise.join()
            time.sleep(2)  # the mail poller catches up
            loaded = memory_kib(bot.pid)
            channels = [line.split("Started ", 1)[1].rstrip(".").split(" (")[0]  # "mail (maildir /tmp/…)": "mail"
                        for line in log.read_text().splitlines() if "Started " in line]
        finally:
            stop(bot)
    floor = floor_rss()
    mib = 1024
    print(f"actionbot run with: {', '.join(channels)}; load: {args.senders} Slack senders x {args.seconds:.0f} s "
          f"({len(load.latencies_ms)} updates), {dropped} emails dropped, unauthenticated Teams posts; "
          f"load average {os.getloadavg()[0]:.2f}")
    print("| process | VmRSS MiB | VmHWM (peak) MiB |")
    print("|---|---|---|")
    print(f"| actionbot run, idle | {idle['VmRSS'] / mib:.1f} | {idle['VmHWM'] / mib:.1f} |")
    print(f"| actionbot run, after load | {loaded['VmRSS'] / mib:.1f} | {loaded['VmHWM'] / mib:.1f} |")
    print(f"| floor: python importing the same libraries | {floor['VmRSS'] / mib:.1f} | {floor['VmHWM'] / mib:.1f} |")
    emit("peak RSS of `actionbot run`, every channel configured, idle", idle["VmHWM"] / mib, "MiB",
         floor=floor["VmHWM"] / mib, floor_name="python importing the same libraries",
         note=", ".join(channels))
    emit("peak RSS of `actionbot run` under load", loaded["VmHWM"] / mib, "MiB", floor=floor["VmHWM"] / mib,
         floor_name="python importing the same libraries",
         note=f"{len(load.latencies_ms)} Slack updates, {dropped} emails, Teams 401s")


if __name__ == "__main__":
    main()
