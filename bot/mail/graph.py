"""The shared mailbox on Exchange Online, through Microsoft Graph (app-only).

Since 1 Oct 2026 Exchange Online blocks EWS by default (only apps an admin allow-lists still
work) and Microsoft ends EWS there entirely on 1 Apr 2027, so Graph is the path for
Microsoft 365 and NHSmail mailboxes; bot/mail/ews.py is for on-premises Exchange Server.

New mail comes from a delta query on the inbox. The deltaLink is stored in the CursorStore
only after every message of a round has been handed over (and so processed and moved by the
pipeline), so a crash part-way through replays the round from the previous deltaLink: the
pipeline's Message-ID de-duplication makes the replay harmless, and nothing is skipped.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from bot.mail.graph_client import GraphClient, GraphConfig, GraphError
from bot.mail.mailbox import CursorStore, MailItem, OutgoingMail
from bot.mail.outgoing_mime import outgoing_mime

logger = logging.getLogger(__name__)

INBOX = "Inbox"


class GraphMailbox:
    """Mailbox protocol over Graph: fetch_new (delta), move (new id), send (sendMail)."""

    name = "graph"

    def __init__(self, config: GraphConfig, cursors: CursorStore, client: GraphClient | None = None) -> None:
        self.config = config
        self.client = client or GraphClient(config)
        self.cursors = cursors
        self._user = f"users/{quote(config.mailbox, safe='@')}"
        self._folder_ids: dict[str, str] = {}

    @property
    def cursor_key(self) -> str:
        return f"graph:{self.config.mailbox.lower()}:inbox"

    # --- reading ------------------------------------------------------------------------
    def fetch_new(self) -> Iterator[MailItem]:
        ids, delta_link = self._delta_round(self.cursors.get(self.cursor_key))
        for message_id in ids:
            raw = self.raw_message(message_id)
            if raw is None:
                continue
            yield MailItem(backend_id=message_id, raw=raw, folder=INBOX)
        # Only now: every item above was processed and moved before the caller asked for more.
        self.cursors.set(self.cursor_key, delta_link)

    def _delta_round(self, start: str | None) -> tuple[list[str], str]:
        """Follow @odata.nextLink pages to the @odata.deltaLink; the ids of messages added or
        changed in the inbox, in order, without the @removed ones."""
        url = start or f"{self._user}/mailFolders/inbox/messages/delta"
        params = None if start else {"$select": "id"}
        headers = {"Prefer": f"odata.maxpagesize={self.config.page_size}"}
        ids: dict[str, None] = {}
        pages = 0
        while True:
            response = self.client.request("GET", url, params=params, headers=headers)
            if response.status_code == 410 and start is not None:
                # The sync state expired (Graph keeps it for days, not forever): start a full
                # round. Everything still in the inbox is handed over again; the pipeline's
                # Message-ID de-duplication applies nothing twice.
                logger.warning("graph delta token expired; full resync", extra={"mailbox": self.config.mailbox})
                return self._delta_round(None)
            body = self.client.check(response, "list new messages in the inbox (delta)").json()
            pages += 1
            for entry in body.get("value", []):
                if "@removed" in entry:
                    ids.pop(entry.get("id", ""), None)
                elif entry.get("id"):
                    ids[entry["id"]] = None
            if body.get("@odata.nextLink"):
                url, params = body["@odata.nextLink"], None
                continue
            if body.get("@odata.deltaLink"):
                logger.info("graph delta round", extra={"mailbox": self.config.mailbox, "pages": pages,
                                                        "messages": len(ids)})
                return list(ids), body["@odata.deltaLink"]
            raise GraphError("Microsoft Graph answered a delta page with neither @odata.nextLink "
                             "nor @odata.deltaLink; the poll stops here and retries next time.")

    def raw_message(self, message_id: str) -> bytes | None:
        """The full RFC 822 message ($value), or None when it has gone in the meantime."""
        response = self.client.request("GET", f"{self._user}/messages/{quote(message_id, safe='')}/$value")
        if response.status_code == 404:
            logger.info("graph message gone before it was read", extra={"backend_id": message_id})
            return None
        return bytes(self.client.check(response, "read a message's MIME content").content)

    def inbox_count(self) -> int:
        response = self.client.request("GET", f"{self._user}/mailFolders/inbox")
        return int(self.client.check(response, "read the inbox").json().get("totalItemCount", 0))

    def folder_names(self) -> list[str]:
        names: list[str] = []
        url: str | None = f"{self._user}/mailFolders"
        while url:
            body = self.client.check(self.client.request("GET", url), "list mail folders").json()
            names += [str(f.get("displayName")) for f in body.get("value", [])]
            url = body.get("@odata.nextLink")
        return names

    # --- moving -------------------------------------------------------------------------
    def move(self, item: MailItem, folder: str) -> None:
        destination = self.folder_id(folder)
        response = self.client.request("POST", f"{self._user}/messages/{quote(item.backend_id, safe='')}/move",
                                       json={"destinationId": destination})
        if response.status_code == 404:  # already moved or deleted: moving is idempotent
            logger.info("graph message already gone; nothing to move", extra={"backend_id": item.backend_id})
            return
        moved = self.client.check(response, f"move a message to '{folder}'", ok=(200, 201)).json()
        # Graph gives the moved message a NEW id; the old one is dead from here on.
        logger.info("graph message moved", extra={"backend_id": item.backend_id, "folder": folder,
                                                  "new_id": moved.get("id")})

    def folder_id(self, name: str) -> str:
        """The id of the top-level folder with this display name, created if missing."""
        if name.lower() == INBOX.lower():
            return "inbox"  # a well-known folder name Graph accepts in place of an id
        if name in self._folder_ids:
            return self._folder_ids[name]
        found = self._find_folder(name)
        if found is None:
            response = self.client.request("POST", f"{self._user}/mailFolders", json={"displayName": name})
            if response.status_code == 409:  # created meanwhile by someone else
                found = self._find_folder(name)
            else:
                found = str(self.client.check(response, f"create the folder '{name}'", ok=(200, 201)).json()["id"])
                logger.info("graph folder created", extra={"folder": name})
        if found is None:
            raise GraphError(f"The folder '{name}' could be neither found nor created in {self.config.mailbox}.")
        self._folder_ids[name] = found
        return found

    def _find_folder(self, name: str) -> str | None:
        literal = name.replace("'", "''")  # OData string literal
        response = self.client.request("GET", f"{self._user}/mailFolders",
                                       params={"$filter": f"displayName eq '{literal}'"})
        for folder in self.client.check(response, f"look up the folder '{name}'").json().get("value", []):
            if str(folder.get("displayName", "")).lower() == name.lower():
                return str(folder["id"])
        return None

    # --- sending ------------------------------------------------------------------------
    def send(self, mail: OutgoingMail) -> None:
        """sendMail as the shared mailbox. Graph's JSON form accepts only custom headers whose
        names start with "X-" in internetMessageHeaders; In-Reply-To, References and
        Auto-Submitted are not allowed there. So a reply (or any mail with such a header) goes
        in Graph's MIME form (base64 RFC 822, Content-Type text/plain), which keeps every
        header; a new mail with only X- headers goes as JSON."""
        needs_mime = bool(mail.in_reply_to or mail.references
                          or any(not key.lower().startswith("x-") for key in mail.headers))
        path = f"{self._user}/sendMail"
        if needs_mime:
            payload = base64.b64encode(outgoing_mime(mail, self.config.mailbox))
            response = self.client.request("POST", path, data=payload, headers={"Content-Type": "text/plain"})
        else:
            response = self.client.request("POST", path, json=self.json_message(mail))
        self.client.check(response, "send mail", ok=(202, 200))
        logger.info("graph mail sent", extra={"mime": needs_mime, "recipients": len(mail.to)})

    def json_message(self, mail: OutgoingMail) -> dict[str, Any]:
        message: dict[str, Any] = {
            "subject": mail.subject,
            "body": {"contentType": "HTML", "content": mail.html} if mail.html
            else {"contentType": "Text", "content": mail.text},
            "toRecipients": [{"emailAddress": {"address": address}} for address in mail.to],
        }
        if mail.headers:
            message["internetMessageHeaders"] = [{"name": k, "value": v} for k, v in mail.headers.items()]
        return {"message": message, "saveToSentItems": True}

    def close(self) -> None:
        self.client.close()
