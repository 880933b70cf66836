"""The local Maildir backend, the embedded default: `./maildrop` is the shared inbox.

A new user can drop `.eml` files straight into the folder: each is first renamed into
`new/` (one atomic rename, so it is neither lost nor doubled) and then handled like any
Maildir message. Handled messages are renamed into the `.Processed`, `.Needs attention` and
`.Filed` Maildir++ folders; what we send is written to `outbox/` as `.eml` files named by
Message-ID, so sending the same message twice writes the same file.
"""

from __future__ import annotations

import hashlib
import logging
import mailbox
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

from bot.mail.mailbox import MailItem, OutgoingMail
from bot.mail.outgoing_mime import outgoing_mime

log = logging.getLogger(__name__)

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class MaildirMailbox:
    name = "maildir"

    def __init__(self, root: Path, address: str, settle_seconds: float = 0.0) -> None:
        self.root = Path(root)
        self.address = address
        self.settle_seconds = settle_seconds  # leave .eml files alone until they stop changing
        for sub in ("tmp", "new", "cur"):  # Maildir(create=True) skips them when the folder exists
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        self._box = mailbox.Maildir(self.root, factory=None, create=True)
        self.outbox = self.root / "outbox"
        self.outbox.mkdir(exist_ok=True)
        self._folders: dict[str, Path] = {}
        self._counter = 0

    def fetch_new(self) -> Iterator[MailItem]:
        self._adopt_dropped_files()
        for key in sorted(self._box.iterkeys()):
            try:
                raw = self._box.get_bytes(key)
            except (KeyError, FileNotFoundError):
                continue  # moved by another poller since the listing
            yield MailItem(backend_id=key, raw=raw, folder="Inbox")

    def move(self, item: MailItem, folder: str) -> None:
        source = self._path_of(item.backend_id)
        if source is None:
            return  # already moved: moving is idempotent
        name = source.name if ":" in source.name else source.name + ":2,"
        try:
            os.replace(source, self._folder(folder) / "cur" / name)
        except FileNotFoundError:
            pass

    def send(self, mail: OutgoingMail) -> None:
        data = outgoing_mime(mail, self.address)
        message_id = mail.headers.get("Message-ID") or hashlib.sha256(data).hexdigest()
        name = _UNSAFE.sub("_", message_id.strip("<>"))[:180] + ".eml"
        temporary = self.outbox / f".{name}.tmp"
        temporary.write_bytes(data)
        os.replace(temporary, self.outbox / name)

    def close(self) -> None:
        self._box.close()

    def folder_keys(self, folder: str) -> list[str]:
        """Messages in one of our folders (for `mail poll` summaries and tests)."""
        return sorted(p.name.split(":")[0] for sub in ("new", "cur") for p in (self._folder(folder) / sub).iterdir()
                      if not p.name.startswith("."))

    def _adopt_dropped_files(self) -> None:
        now = time.time()
        for path in sorted(self.root.glob("*.eml")):
            try:
                if not path.is_file() or now - path.stat().st_mtime < self.settle_seconds:
                    continue
                self._counter += 1
                key = f"{time.time_ns()}.{os.getpid()}_{self._counter}.{_UNSAFE.sub('_', path.stem)[:60]}"
                os.replace(path, self.root / "new" / key)
            except FileNotFoundError:
                continue  # another poller took it

    def _path_of(self, key: str) -> Path | None:
        for candidate in (self.root / "new" / key, self.root / "cur" / f"{key}:2,"):
            if candidate.exists():
                return candidate
        for sub in ("cur", "new"):
            for entry in os.scandir(self.root / sub):
                if entry.name.split(":", 1)[0] == key:
                    return Path(entry.path)
        return None

    def _folder(self, folder: str) -> Path:
        path = self._folders.get(folder)
        if path is None:
            if folder not in self._box.list_folders():
                self._box.add_folder(folder)
            path = self.root / f".{folder}"
            self._folders[folder] = path
        return path


