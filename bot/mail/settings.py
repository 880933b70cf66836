"""The `[mail]` section of the settings file (it lands in `Settings.extra["mail"]`)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from config.settings import SettingsError

DEFAULT_ACK_TEXT = (
    "Thank you for your message. It has been logged in the contract-monitoring log as {reference}; "
    "please keep [{reference}] in the subject of any reply so it joins the same entry.\n\n"
    "This is an automatic acknowledgement."
)


@dataclass(frozen=True)
class MailSettings:
    address: str = "actionbot@localhost"  # the shared mailbox's address: From of what we send
    poll_seconds: float = 5.0
    acknowledge: bool = True
    ack_text: str = DEFAULT_ACK_TEXT
    max_attachment_bytes: int = 10_000_000
    rate_limit_messages: int = 20  # more than this many from one sender …
    rate_limit_minutes: int = 10  # … in this many minutes are filed, not acted on
    require_authentication: bool = True  # staff updates need SPF/DKIM/DMARC pass
    trusted_authserv_ids: tuple[str, ...] = ()  # empty: trust only the topmost header
    # An entry's received time is the mail's own Date, unless it is later than the mailbox got
    # it or more than this many days before: then the time it was logged (bot.mail.entries).
    max_date_age_days: int = 30

    @classmethod
    def from_extra(cls, extra: dict[str, Any]) -> MailSettings:
        section = extra.get("mail", {})
        if not isinstance(section, dict):
            raise SettingsError("[mail] in the settings file must be a table.")
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, value in section.items():
            if key not in known:
                continue  # `backend` and [mail.graph] / [mail.ews] are read by bot.mail.backends
            default = getattr(cls(), key)
            try:
                if isinstance(default, bool):
                    if not isinstance(value, bool):
                        raise TypeError
                    values[key] = value
                elif isinstance(default, tuple):
                    values[key] = tuple(str(v) for v in value)
                elif isinstance(default, (int, float)):
                    values[key] = type(default)(value)
                else:
                    values[key] = str(value)
            except (TypeError, ValueError):
                raise SettingsError(f"[mail] {key} = {value!r} is not a valid value; the default is {default!r}.") from None
        settings = cls(**values)
        if "{reference}" not in settings.ack_text:
            raise SettingsError("[mail] ack_text must contain {reference}, so the sender can quote it.")
        return settings
