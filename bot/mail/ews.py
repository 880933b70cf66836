"""The shared mailbox on on-premises Exchange Server, through EWS with exchangelib.

For Exchange Online use bot/mail/graph.py: since 1 Oct 2026 Exchange Online blocks EWS by
default and it ends there on 1 Apr 2027. On-premises Exchange Server keeps EWS.

exchangelib is imported when the account is first needed, never at module import. There is
no autodiscover: the EWS endpoint is configured (ACTIONBOT_EWS_URL), so a misconfigured DNS
cannot send credentials somewhere unexpected.

New mail comes from SyncFolderItems on the inbox. As with Graph, the new SyncState is stored
only after every message of a round has been handed over (and so processed and moved), so a
crash part-way through replays the round; the pipeline's Message-ID de-duplication makes
that harmless.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from bot.mail.backends import MailboxUnavailable
from bot.mail.mailbox import CursorStore, MailItem, OutgoingMail
from bot.mail.outgoing_mime import outgoing_mime

logger = logging.getLogger(__name__)

AUTH_TYPES = ("ntlm", "basic", "oauth")
SYNC_PAGE = 100  # SyncFolderItems MaxChangesReturned (EWS allows 1-512)


class EwsError(MailboxUnavailable):
    """EWS refused or could not be reached; the message says which call and why."""


@dataclass(frozen=True)
class EwsConfig:
    url: str  # https://mail.council.local/EWS/Exchange.asmx
    mailbox: str  # primary SMTP address of the shared mailbox
    auth: str = "ntlm"  # ntlm | basic | oauth
    username: str | None = None  # ntlm/basic: DOMAIN\user or user@domain
    password: str | None = None
    client_id: str | None = None  # oauth (client credentials, impersonating the mailbox)
    client_secret: str | None = None
    tenant_id: str | None = None

    def __repr__(self) -> str:  # never show the password or secret, even in a traceback
        return (f"EwsConfig(url={self.url!r}, mailbox={self.mailbox!r}, auth={self.auth!r}, "
                f"username={self.username!r})")


class EwsMailbox:
    """Mailbox protocol over EWS: fetch_new (SyncFolderItems + GetItem MimeContent), move
    (MoveItem; folders found or created under the mailbox root), send (CreateItem)."""

    name = "ews"

    def __init__(self, config: EwsConfig, cursors: CursorStore, page_size: int = SYNC_PAGE) -> None:
        self.config = config
        self.cursors = cursors
        self.page_size = page_size
        self._account: Any = None
        self._folders: dict[str, Any] = {}

    @property
    def cursor_key(self) -> str:
        return f"ews:{self.config.mailbox.lower()}:inbox"

    @property
    def account(self) -> Any:
        if self._account is None:
            self._account = _connect(self.config)
        return self._account

    # --- reading ------------------------------------------------------------------------
    def fetch_new(self) -> Iterator[MailItem]:
        ids: dict[str, None] = {}
        with _ews_errors("read new mail from the inbox (SyncFolderItems)"):
            inbox = self.account.inbox
            # exchangelib remembers the last state on the (cached) folder object and uses it when
            # sync_state is None; set it from our store so an unfinished round is replayed.
            inbox.item_sync_state = self.cursors.get(self.cursor_key)
            for change, item in inbox.sync_items(sync_state=inbox.item_sync_state,
                                                 only_fields=["id", "changekey"],
                                                 max_changes_returned=self.page_size):
                if change == "delete":
                    ids.pop(getattr(item, "id", None) or "", None)
                elif change in ("create", "update") and getattr(item, "id", None):
                    ids[item.id] = None
        sync_state = inbox.item_sync_state
        logger.info("ews sync round", extra={"mailbox": self.config.mailbox, "messages": len(ids)})
        for item_id in ids:
            raw = self.raw_message(item_id)
            if raw is not None:
                yield MailItem(backend_id=item_id, raw=raw, folder="Inbox")
        self.cursors.set(self.cursor_key, sync_state)

    def raw_message(self, item_id: str) -> bytes | None:
        """The full RFC 822 message (GetItem MimeContent), or None when it has gone."""
        from exchangelib.errors import ErrorItemNotFound

        with _ews_errors("read a message's MIME content (GetItem)"):
            (fetched,) = list(self.account.fetch(ids=[(item_id, None)], only_fields=["mime_content"]))
        if isinstance(fetched, ErrorItemNotFound):
            logger.info("ews message gone before it was read", extra={"backend_id": item_id})
            return None
        if isinstance(fetched, Exception):
            raise EwsError(f"Exchange refused to read message {item_id[:12]}…: {fetched}")
        return bytes(fetched.mime_content or b"")

    def inbox_count(self) -> int:
        with _ews_errors("read the inbox"):
            inbox = self.account.inbox
            inbox.refresh()  # the folder object is cached by exchangelib; its count would be stale
        return int(inbox.total_count or 0)

    def folder_names(self) -> list[str]:
        from exchangelib.folders import FolderCollection
        from exchangelib.folders.queryset import SHALLOW

        with _ews_errors("list mail folders"):
            root = self.account.msg_folder_root
            found = list(FolderCollection(account=self.account, folders=[root]).find_folders(depth=SHALLOW))
        return [str(f.name) for f in found if not isinstance(f, Exception)]

    # --- moving -------------------------------------------------------------------------
    def move(self, item: MailItem, folder: str) -> None:
        from exchangelib.errors import ErrorItemNotFound

        destination = self.folder(folder)
        with _ews_errors(f"move a message to '{folder}' (MoveItem)"):
            (result,) = self.account.bulk_move(ids=[(item.backend_id, None)], to_folder=destination)
        if isinstance(result, ErrorItemNotFound):  # already moved or deleted: idempotent
            logger.info("ews message already gone; nothing to move", extra={"backend_id": item.backend_id})
            return
        if isinstance(result, Exception):
            raise EwsError(f"Exchange refused to move a message to '{folder}': {result}")
        logger.info("ews message moved", extra={"backend_id": item.backend_id, "folder": folder})

    def folder(self, name: str) -> Any:
        """The folder with this name directly under the mailbox root, created if missing."""
        if name in self._folders:
            return self._folders[name]
        from exchangelib.errors import ErrorFolderExists, ErrorFolderNotFound
        from exchangelib.folders import Folder
        from exchangelib.services import CreateFolder

        root = self.account.msg_folder_root
        with _ews_errors(f"find or create the folder '{name}'"):
            try:
                found = root // name  # FindFolder, shallow, without loading the whole folder tree
            except ErrorFolderNotFound:
                try:
                    # The CreateFolder service directly: Folder.save() would load the
                    # whole folder tree into exchangelib's cache first.
                    new = Folder(parent=root, name=name)
                    (created,) = list(CreateFolder(account=self.account).call(parent_folder=root, folders=[new]))
                    if isinstance(created, Exception):
                        raise created
                    new._id = new.ID_ELEMENT_CLS(created.id, created.changekey)
                    found = new
                    logger.info("ews folder created", extra={"folder": name})
                except ErrorFolderExists:  # created meanwhile by someone else
                    found = root // name
        self._folders[name] = found
        return found

    # --- sending ------------------------------------------------------------------------
    def send(self, mail: OutgoingMail) -> None:
        """CreateItem (SendAndSaveCopy) with the whole message as MimeContent, so
        In-Reply-To, References and Auto-Submitted go out exactly as built."""
        from exchangelib import Mailbox as EwsAddress
        from exchangelib import Message

        message = Message(account=self.account, folder=self.account.sent,
                          mime_content=outgoing_mime(mail, self.config.mailbox),
                          to_recipients=[EwsAddress(email_address=a) for a in mail.to])
        with _ews_errors("send mail (CreateItem)"):
            message.send_and_save()
        logger.info("ews mail sent", extra={"recipients": len(mail.to)})

    def close(self) -> None:
        if self._account is not None:
            self._account.protocol.close()


def _connect(config: EwsConfig) -> Any:
    from exchangelib import BASIC, DELEGATE, IMPERSONATION, NTLM, Account, Configuration, Credentials
    from exchangelib import Identity, OAuth2Credentials

    credentials: Any
    if config.auth == "oauth":
        credentials = OAuth2Credentials(client_id=config.client_id, client_secret=config.client_secret,
                                        tenant_id=config.tenant_id,
                                        identity=Identity(primary_smtp_address=config.mailbox))
        auth_type, access = None, IMPERSONATION  # exchangelib picks OAuth 2.0 for these credentials
    else:
        credentials = Credentials(username=config.username, password=config.password)
        auth_type, access = (NTLM if config.auth == "ntlm" else BASIC), DELEGATE
    with _ews_errors(f"connect to {config.url}"):
        configuration = Configuration(service_endpoint=config.url, credentials=credentials, auth_type=auth_type)
        return Account(primary_smtp_address=config.mailbox, config=configuration, autodiscover=False,
                       access_type=access)


@contextmanager
def _ews_errors(what: str) -> Iterator[None]:
    """Turn exchangelib and transport errors into an EwsError sentence naming the call;
    credentials never appear (exchangelib's messages do not carry them)."""
    import requests
    from exchangelib.errors import EWSError, TransportError, UnauthorizedError

    try:
        yield
    except UnauthorizedError:
        raise EwsError(f"Exchange refused the credentials when trying to {what}. Check "
                       "ACTIONBOT_EWS_USERNAME / ACTIONBOT_EWS_PASSWORD (or the OAuth app) and "
                       "ACTIONBOT_EWS_AUTH.") from None
    except (requests.RequestException, TransportError) as exc:
        raise EwsError(f"Cannot reach Exchange to {what}: {type(exc).__name__}.") from None
    except EWSError as exc:
        raise EwsError(f"Exchange refused to {what}: {type(exc).__name__}: {exc}") from None
