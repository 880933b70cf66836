"""A local fake Exchange Web Services endpoint on http://127.0.0.1:<ephemeral port>/EWS/Exchange.asmx.

It parses the SOAP request exchangelib actually sends, dispatches on the operation element
(ConvertId for version probing, GetFolder, FindFolder, CreateFolder, SyncFolderItems,
GetItem, MoveItem, CreateItem) and answers with the response envelopes kept as XML files in
tests/fixtures/ews/, filled with this mailbox's state. HTTP Basic authentication is checked.
"""

from __future__ import annotations

import base64
import itertools
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from string import Template
from typing import Any
from xml.etree import ElementTree

from tests.fakes.loopback import LoopbackServer

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ews"
S = "{http://schemas.xmlsoap.org/soap/envelope/}"
M = "{http://schemas.microsoft.com/exchange/services/2006/messages}"
T = "{http://schemas.microsoft.com/exchange/services/2006/types}"

USERNAME, PASSWORD = "COUNCIL\\svc-actionbot", "ews-pa55word"


def _children(parent: ElementTree.Element, tag: str) -> list[ElementTree.Element]:
    found = parent.find(f"{M}{tag}")
    return list(found) if found is not None else []


def template(name: str) -> Template:
    return Template((FIXTURES / f"{name}.xml").read_text(encoding="utf-8"))


@dataclass
class EwsRequest:
    operation: str
    body: ElementTree.Element
    text: str


class FakeEws(LoopbackServer):
    def __init__(self, mailbox: str = "contracts@council.example") -> None:
        self.mailbox = mailbox
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        # id -> (display name, parent id, distinguished name or "")
        self.folders: dict[str, tuple[str, str, str]] = {
            "FRoot": ("Root", "FRoot", "root"),
            "FTop": ("Top of Information Store", "FRoot", "msgfolderroot"),
            "FInbox": ("Inbox", "FTop", "inbox"),
            "FSent": ("Sent Items", "FTop", "sentitems"),
        }
        self.items: dict[str, dict[str, Any]] = {}  # id -> {"folder": id, "raw": bytes}
        self.inbox_log: list[tuple[int, str, str]] = []
        self._seq = 0
        self.requests: list[EwsRequest] = []
        super().__init__(_Handler)
        self.url = f"http://127.0.0.1:{self.port}/EWS/Exchange.asmx"

    def deliver(self, raw: bytes) -> str:
        with self._lock:
            item_id = f"AAMkItem{next(self._ids)}="
            self.items[item_id] = {"folder": "FInbox", "raw": raw}
            self._log(item_id, "create")
            return item_id

    def in_folder(self, name: str) -> list[bytes]:
        return [i["raw"] for i in self.items.values() if self.folders[i["folder"]][0] == name]

    def folder_count(self, name: str) -> int:
        return [n for n, _, _ in self.folders.values()].count(name)

    def operations(self) -> list[str]:
        return [r.operation for r in self.requests]

    def calls(self, operation: str) -> list[EwsRequest]:
        return [r for r in self.requests if r.operation == operation]

    def _log(self, item_id: str, kind: str) -> None:
        self._seq += 1
        self.inbox_log.append((self._seq, item_id, kind))

    def resolve_folder(self, elem: ElementTree.Element) -> str | None:
        """The folder id a <t:FolderId> or <t:DistinguishedFolderId> names."""
        if elem.tag == f"{T}DistinguishedFolderId":
            return next((fid for fid, (_, _, d) in self.folders.items() if d == elem.get("Id")), None)
        return elem.get("Id") if elem.get("Id") in self.folders else None


class _Handler(BaseHTTPRequestHandler):
    fake: FakeEws
    protocol_version = "HTTP/1.1"
    wbufsize = 1 << 16  # headers and body leave in one write (no delayed-ACK stall per request)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        expected = "Basic " + base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
        text = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("utf-8")
        if self.headers.get("Authorization") != expected:
            return self._send(401, b"", {"WWW-Authenticate": 'Basic realm="mail.council.example"'})
        body = ElementTree.fromstring(text).find(f"{S}Body")
        assert body is not None and len(body), "a SOAP request with an empty Body"
        request = body[0]
        operation = request.tag.split("}", 1)[1]
        with self.fake._lock:
            self.fake.requests.append(EwsRequest(operation, request, text))
            messages = getattr(self, f"_{operation}", self._unknown)(request)
        envelope = template("envelope").substitute(operation=operation, messages="".join(messages))
        self._send(200, envelope.encode("utf-8"), {"Content-Type": "text/xml; charset=utf-8"})

    def _send(self, status: int, data: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    @staticmethod
    def _error(operation: str, code: str, text: str) -> str:
        return template("error").substitute(operation=operation, code=code, text=text)

    def _unknown(self, request: ElementTree.Element) -> list[str]:
        operation = request.tag.split("}", 1)[1]
        return [self._error(operation, "ErrorInvalidOperation", f"The fake does not implement {operation}.")]

    # --- operations ---------------------------------------------------------------------
    def _ConvertId(self, request: ElementTree.Element) -> list[str]:
        # exchangelib's version probe converts a dummy id; the answer it needs is the
        # ServerVersionInfo header, which every envelope carries.
        return [self._error("ConvertId", "ErrorInvalidIdMalformed", "Id is malformed.")]

    def _GetFolder(self, request: ElementTree.Element) -> list[str]:
        out = []
        for elem in _children(request, "FolderIds"):
            folder_id = self.fake.resolve_folder(elem)
            if folder_id is None:
                out.append(self._error("GetFolder", "ErrorFolderNotFound", "The specified folder could not be found in the store."))
                continue
            name, parent, _ = self.fake.folders[folder_id]
            total = sum(1 for i in self.fake.items.values() if i["folder"] == folder_id)
            children = sum(1 for fid, (_, p, _) in self.fake.folders.items() if p == folder_id and fid != folder_id)
            out.append(template("get_folder").substitute(id=folder_id, parent=parent, name=name, total=total,
                                                         children=children))
        return out

    def _FindFolder(self, request: ElementTree.Element) -> list[str]:
        parents = [self.fake.resolve_folder(e) for e in _children(request, "ParentFolderIds")]
        wanted = request.find(f".//{T}Constant")
        name = wanted.get("Value") if wanted is not None else None
        found = [(fid, n, p) for fid, (n, p, _) in self.fake.folders.items()
                 if p in parents and fid != p and (name is None or n.lower() == name.lower())]
        entries = "".join(template("find_folder_entry").substitute(id=fid, parent=p, name=n, total=0)
                          for fid, n, p in found)
        return [template("find_folder").substitute(count=len(found), folders=entries)]

    def _CreateFolder(self, request: ElementTree.Element) -> list[str]:
        parent_elem = request.find(f"{M}ParentFolderId")
        assert parent_elem is not None
        parent = self.fake.resolve_folder(parent_elem[0])
        out = []
        for folder in _children(request, "Folders"):
            name = folder.findtext(f"{T}DisplayName") or ""
            if any(n.lower() == name.lower() and p == parent for n, p, _ in self.fake.folders.values()):
                out.append(self._error("CreateFolder", "ErrorFolderExists", "A folder with the specified name already exists."))
                continue
            folder_id = f"FNew{next(self.fake._ids)}"
            self.fake.folders[folder_id] = (name, str(parent), "")
            out.append(template("create_folder").substitute(id=folder_id))
        return out

    def _SyncFolderItems(self, request: ElementTree.Element) -> list[str]:
        fake = self.fake
        state = request.findtext(f"{M}SyncState") or ""
        since = int(state.removeprefix("H4sIstate")) if state else 0
        limit = int(request.findtext(f"{M}MaxChangesReturned") or 512)
        latest: dict[str, str] = {}
        for seq, item_id, kind in fake.inbox_log:
            if seq > since:
                latest.pop(item_id, None)
                latest[item_id] = kind
        if since == 0:
            latest = {k: v for k, v in latest.items() if v == "create"}
        page = list(latest.items())[:limit]
        # the new state covers exactly the changes handed over in this page
        handed = {k for k, _ in page}
        upto = max((seq for seq, item_id, _ in fake.inbox_log if seq > since and item_id in handed), default=since)
        if len(page) == len(latest):
            upto = fake._seq
        changes = "".join(template(f"sync_change_{kind}").substitute(id=item_id) for item_id, kind in page)
        return [template("sync_folder_items").substitute(
            sync_state=f"H4sIstate{upto}", last="true" if len(page) == len(latest) else "false", changes=changes)]

    def _GetItem(self, request: ElementTree.Element) -> list[str]:
        out = []
        for elem in _children(request, "ItemIds"):
            item = self.fake.items.get(elem.get("Id", ""))
            if item is None:
                out.append(self._error("GetItem", "ErrorItemNotFound", "The specified object was not found in the store."))
                continue
            out.append(template("get_item").substitute(id=elem.get("Id"),
                                                       mime_base64=base64.b64encode(item["raw"]).decode()))
        return out

    def _MoveItem(self, request: ElementTree.Element) -> list[str]:
        fake = self.fake
        to_elem = request.find(f"{M}ToFolderId")
        assert to_elem is not None
        destination = fake.resolve_folder(to_elem[0])
        out = []
        for elem in _children(request, "ItemIds"):
            item_id = elem.get("Id", "")
            item = fake.items.pop(item_id, None)
            if item is None or destination is None:
                out.append(self._error("MoveItem", "ErrorItemNotFound", "The specified object was not found in the store."))
                continue
            new_id = f"AAMkItem{next(fake._ids)}="  # EWS, like Graph, gives a moved item a new id
            fake.items[new_id] = {"folder": destination, "raw": item["raw"]}
            if item["folder"] == "FInbox" and destination != "FInbox":
                fake._log(item_id, "delete")
            out.append(template("move_item").substitute(id=new_id))
        return out

    def _CreateItem(self, request: ElementTree.Element) -> list[str]:
        return [template("create_item").substitute() for _ in _children(request, "Items")]
