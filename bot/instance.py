"""Who this process is, for claims, leases and locks held in a shared database."""

from __future__ import annotations

import os
import socket
import uuid


def instance_name() -> str:
    """Host, process and a random part (two runs in one process differ)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
