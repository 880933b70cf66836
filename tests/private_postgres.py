"""A throwaway PostgreSQL cluster of our own, for tests that must stop and restart the server.

The shared server on 127.0.0.1:5432 serves every other test (and other runs on the same
machine), so a test must not restart it. This starts a private cluster from the same
installed binaries (initdb, pg_ctl) in a temporary folder, on an ephemeral loopback port,
with trust auth and fsync off, and removes it afterwards. As root, the server runs as the
`postgres` user (PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def pg_bin_dir() -> Path | None:
    """The newest installed PostgreSQL server binaries (Debian layout, else on PATH)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("pg_ctl")
    return Path(on_path).parent if on_path and shutil.which("initdb") else None


def why_no_private_cluster() -> str | None:
    """None when a private cluster can be started here, else the reason it cannot."""
    if pg_bin_dir() is None:
        return "PostgreSQL server binaries (initdb, pg_ctl) are not installed"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no postgres user to run the server as"
        if shutil.which("runuser") is None:
            return "running as root and runuser is not available to drop to the postgres user"
    return None


class PrivateCluster:
    def __init__(self, data: Path, port: int) -> None:
        self.data = data
        self.port = port
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"

    def pg_ctl(self, *args: str, timeout: float = 60) -> None:
        bin_dir = pg_bin_dir()
        assert bin_dir is not None
        _run([str(bin_dir / "pg_ctl"), "-D", str(self.data), *args], timeout)

    options = ""

    def start(self) -> None:
        self.pg_ctl("start", "-w", "-o", self.options, "-l", str(self.data / "server.log"))

    def restart(self, down_for: float = 0.0) -> None:
        """A fast shutdown (every session ended, in-flight transactions rolled back), `down_for`
        seconds with nothing listening, then start again."""
        self.pg_ctl("stop", "-m", "fast", "-w")
        time.sleep(down_for)
        self.start()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _run(command: list[str], timeout: float) -> None:
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}): {done.stderr or done.stdout}")


@contextmanager
def private_cluster() -> Iterator[PrivateCluster]:
    bin_dir = pg_bin_dir()
    assert bin_dir is not None, why_no_private_cluster()
    folder = Path(tempfile.mkdtemp(prefix="actionbot-pg-"))
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    cluster = PrivateCluster(folder / "data", _free_port())
    started = False
    try:
        _run([str(bin_dir / "initdb"), "-D", str(cluster.data), "-A", "trust", "-U", "postgres", "--no-sync",
              "-E", "UTF8"], 120)
        cluster.options = (f"-p {cluster.port} -c listen_addresses=127.0.0.1 -k {folder} -c fsync=off "
                           "-c synchronous_commit=off -c full_page_writes=off")
        cluster.start()
        started = True
        yield cluster
    finally:
        if started:
            try:
                cluster.pg_ctl("stop", "-m", "immediate", "-w")
            except (RuntimeError, subprocess.TimeoutExpired):
                pass
        shutil.rmtree(folder, ignore_errors=True)
