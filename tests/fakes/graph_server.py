"""A local fake of the Microsoft identity platform and Microsoft Graph mail endpoints, on
https://127.0.0.1:<ephemeral port>, answering the documented JSON shapes:

- GET  /{tenant}/v2.0/.well-known/openid-configuration   (msal's tenant discovery)
- POST /{tenant}/oauth2/v2.0/token                        (client credentials grant: the secret
       "s3cret-value", or a client assertion signed with a key in `certificates`)
- GET  /v1.0/users/{mbx}/mailFolders/inbox/messages/delta (value + @odata.nextLink/deltaLink,
       entries for messages moved out carry "@removed")
- GET  /v1.0/users/{mbx}/messages/{id}/$value             (raw MIME)
- POST /v1.0/users/{mbx}/messages/{id}/move               (201, the message with a NEW id)
- GET/POST /v1.0/users/{mbx}/mailFolders                  ($filter=displayName eq '...'; create)
- GET  /v1.0/users/{mbx}/mailFolders/inbox                (totalItemCount)
- POST /v1.0/users/{mbx}/sendMail                         (202; JSON or base64 MIME)

Tests script failures with `fail_next(method, path_part, status, headers)` (429 with
Retry-After, 503, 401) and revoke tokens with `revoke_tokens()`.
"""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from tests.fakes.client_assertion import assertion_refusal
from tests.fakes.loopback import LoopbackServer
from tests.fakes.tls import make_loopback_certificate, server_context

TENANT = "11111111-2222-3333-4444-555555555555"
CLIENT_ID = "app-id"


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes


@dataclass
class _Failure:
    method: str
    path_part: str
    status: int
    headers: dict[str, str]
    body: dict[str, Any] = field(default_factory=dict)


class FakeGraph(LoopbackServer):
    def __init__(self, folder: Path, mailbox: str = "contracts@council.example") -> None:
        self.mailbox = mailbox
        self.cert_path, key_path = make_loopback_certificate(folder)
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.folders: dict[str, str] = {"AQMkInbox": "Inbox", "AQMkSent": "Sent Items"}
        self.messages: dict[str, dict[str, Any]] = {}  # id -> {"folder": id, "raw": bytes}
        self.inbox_log: list[tuple[int, str, str]] = []  # (seq, message id, "added"|"removed")
        self._seq = 0
        self.tokens_issued: list[str] = []
        self.valid_tokens: set[str] = set()
        self.requests: list[Recorded] = []
        self.failures: list[_Failure] = []
        self.sent: list[Recorded] = []
        self.certificates: list[Any] = []  # x509 certificates uploaded to the app registration
        super().__init__(_Handler, tls=server_context(self.cert_path, key_path))

    @property
    def origin(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.origin}/v1.0"

    @property
    def authority(self) -> str:
        return f"{self.origin}/{TENANT}"

    @property
    def token_url(self) -> str:
        return f"{self.origin}/{TENANT}/oauth2/v2.0/token"

    # --- scripting ----------------------------------------------------------------------
    def deliver(self, raw: bytes) -> str:
        with self._lock:
            message_id = f"AAMkMsg{next(self._ids)}"
            self.messages[message_id] = {"folder": "AQMkInbox", "raw": raw}
            self._log(message_id, "added")
            return message_id

    def fail_next(self, method: str, path_part: str, status: int, headers: dict[str, str] | None = None,
                  code: str = "ApplicationThrottled") -> None:
        self.failures.append(_Failure(method, path_part, status, headers or {},
                                      {"error": {"code": code, "message": f"Fake {status} for a test."}}))

    def revoke_tokens(self) -> None:
        self.valid_tokens.clear()

    def in_folder(self, name: str) -> list[bytes]:
        ids = [fid for fid, fname in self.folders.items() if fname == name]
        return [m["raw"] for m in self.messages.values() if m["folder"] in ids]

    def folder_count(self, name: str) -> int:
        return list(self.folders.values()).count(name)

    def calls(self, method: str, path_part: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == method and path_part in r.path]

    def _log(self, message_id: str, kind: str) -> None:
        self._seq += 1
        self.inbox_log.append((self._seq, message_id, kind))


class _Handler(BaseHTTPRequestHandler):
    fake: FakeGraph
    protocol_version = "HTTP/1.1"
    wbufsize = 1 << 16  # headers and body leave in one write (no delayed-ACK stall per request)

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    # --- plumbing -----------------------------------------------------------------------
    def _dispatch(self, method: str) -> None:
        fake = self.fake
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        record = Recorded(method, path, parse_qs(parts.query), dict(self.headers.items()), body)
        with fake._lock:
            fake.requests.append(record)
            failure = next((f for f in fake.failures if f.method == method and f.path_part in path), None)
            if failure is not None:
                fake.failures.remove(failure)
        if failure is not None:
            return self._json(failure.status, failure.body, failure.headers)
        if path.endswith("/.well-known/openid-configuration"):
            return self._json(200, {
                "issuer": f"{fake.origin}/{TENANT}/v2.0",
                "authorization_endpoint": f"{fake.origin}/{TENANT}/oauth2/v2.0/authorize",
                "token_endpoint": fake.token_url,
            })
        if path.endswith("/oauth2/v2.0/token") and method == "POST":
            return self._token(parse_qs(body.decode()))
        prefix = f"/v1.0/users/{fake.mailbox}/"
        if not path.startswith(prefix):
            return self._error(404, "ResourceNotFound", f"No route {path}")
        if self.headers.get("Authorization", "").removeprefix("Bearer ") not in fake.valid_tokens:
            return self._error(401, "InvalidAuthenticationToken", "Access token has expired or is not yet valid.")
        with fake._lock:
            self._graph(method, path[len(prefix):], record)

    def _token(self, form: dict[str, list[str]]) -> None:
        fake = self.fake
        if form.get("grant_type") != ["client_credentials"] or form.get("client_id") != [CLIENT_ID]:
            return self._json(400, {"error": "unauthorized_client", "error_description": "AADSTS700016: Application not found."})
        if "client_assertion" in form:
            refusal = assertion_refusal({k: v[0] for k, v in form.items()}, fake.certificates, CLIENT_ID, fake.token_url)
            if refusal is not None:
                return self._json(401, {"error": "invalid_client", "error_description": refusal})
        elif form.get("client_secret") != ["s3cret-value"]:
            return self._json(401, {"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided."})
        token = f"fake-token-{len(fake.tokens_issued) + 1}"
        fake.tokens_issued.append(token)
        fake.valid_tokens.add(token)
        self._json(200, {"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": token})

    def _graph(self, method: str, rest: str, record: Recorded) -> None:
        fake = self.fake
        if method == "GET" and rest == "mailFolders/inbox/messages/delta":
            return self._delta(record)
        if method == "GET" and rest == "mailFolders/inbox":
            count = sum(1 for m in fake.messages.values() if m["folder"] == "AQMkInbox")
            return self._json(200, {"id": "AQMkInbox", "displayName": "Inbox", "totalItemCount": count})
        if rest == "mailFolders" and method == "GET":
            wanted = record.query.get("$filter", [""])[0]
            folders = [{"id": fid, "displayName": name} for fid, name in fake.folders.items()]
            if wanted:
                name = wanted.split("eq '", 1)[1][:-1].replace("''", "'")
                folders = [f for f in folders if f["displayName"] == name]
            return self._json(200, {"value": folders})
        if rest == "mailFolders" and method == "POST":
            name = json.loads(record.body)["displayName"]
            if name in fake.folders.values():
                return self._error(409, "ErrorFolderExists", "A folder with the specified name already exists.")
            folder_id = f"AQMkFolder{next(fake._ids)}"
            fake.folders[folder_id] = name
            return self._json(201, {"id": folder_id, "displayName": name, "totalItemCount": 0})
        if rest == "sendMail" and method == "POST":
            fake.sent.append(record)
            return self._empty(202)
        if rest.startswith("messages/"):
            message_id, _, action = rest[len("messages/"):].partition("/")
            message = fake.messages.get(message_id)
            if message is None:
                return self._error(404, "ErrorItemNotFound", "The specified object was not found in the store.")
            if method == "GET" and action == "$value":
                return self._bytes(200, message["raw"], "message/rfc822")
            if method == "POST" and action == "move":
                return self._move(message_id, json.loads(record.body)["destinationId"])
        self._error(400, "BadRequest", f"Fake Graph does not know {method} {rest}")

    def _move(self, message_id: str, destination: str) -> None:
        fake = self.fake
        destination = "AQMkInbox" if destination.lower() == "inbox" else destination
        if destination not in fake.folders:
            return self._error(404, "ErrorInvalidIdMalformed", "Id is malformed.")
        message = fake.messages.pop(message_id)
        was_in_inbox = message["folder"] == "AQMkInbox"
        new_id = f"AAMkMsg{next(fake._ids)}"
        fake.messages[new_id] = {"folder": destination, "raw": message["raw"]}
        if was_in_inbox and destination != "AQMkInbox":
            fake._log(message_id, "removed")
        self._json(201, {"id": new_id, "parentFolderId": destination})

    def _delta(self, record: Recorded) -> None:
        fake = self.fake
        query = {k: v[0] for k, v in record.query.items()}
        page_size = 10
        prefer = self.headers.get("Prefer", "")
        if "odata.maxpagesize=" in prefer:
            page_size = int(prefer.split("odata.maxpagesize=", 1)[1].split(",")[0])
        if "$skiptoken" in query:
            since, snapshot, offset = (int(x) for x in query["$skiptoken"].split("-"))
        else:
            since = int(query.get("$deltatoken", "0"))
            snapshot, offset = fake._seq, 0
        latest: dict[str, str] = {}
        for seq, message_id, kind in fake.inbox_log:
            if since < seq <= snapshot:
                latest.pop(message_id, None)
                latest[message_id] = kind
        if since == 0:  # an initial round lists what is in the inbox, not what left it
            latest = {k: v for k, v in latest.items() if v == "added"}
        entries = [{"id": k, "@removed": {"reason": "deleted"}} if v == "removed"
                   else {"@odata.type": "#microsoft.graph.message", "id": k} for k, v in latest.items()]
        page = entries[offset:offset + page_size]
        base = f"{fake.base_url}/users/{fake.mailbox}/mailFolders/inbox/messages/delta"
        body: dict[str, Any] = {"@odata.context": f"{fake.base_url}/$metadata#Collection(message)", "value": page}
        if offset + page_size < len(entries):
            body["@odata.nextLink"] = f"{base}?$skiptoken={since}-{snapshot}-{offset + page_size}"
        else:
            body["@odata.deltaLink"] = f"{base}?$deltatoken={snapshot}"
        self._json(200, body)

    # --- responses ----------------------------------------------------------------------
    def _json(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        self._bytes(status, json.dumps(payload).encode(), "application/json", headers)

    def _error(self, status: int, code: str, message: str) -> None:
        self._json(status, {"error": {"code": code, "message": message}})

    def _empty(self, status: int) -> None:
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _bytes(self, status: int, data: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)
