"""Logging for every entry point: one line per event with its structured fields, and no secret
ever written out, whatever a library or a message puts in a log record."""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Mapping
from datetime import datetime, timezone

_SECRET_NAME = re.compile(r"TOKEN|SECRET|PASSWORD|PASSWD|API_KEY|PRIVATE_KEY|CLIENT_SECRET", re.I)
# Standard LogRecord attributes; anything else on a record came from `extra={...}`.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}
MASK = "***"


def secret_values(environ: Mapping[str, str]) -> list[str]:
    """Values of environment variables whose names say they are secrets, and PEM text (a
    certificate's private key) whatever the variable is called: the whole value and each of
    its base64 lines, so a key quoted in part is masked too. Longest first."""
    values = {v for k, v in environ.items() if _SECRET_NAME.search(k) and len(v) >= 6}
    for value in environ.values():
        if "-----BEGIN" in value:
            values.add(value)
            values.update(line.strip() for line in re.split(r"\n|\\n", value)
                          if len(line.strip()) >= 16 and not line.strip().startswith("-----"))
    return sorted(values, key=len, reverse=True)


class RedactSecrets(logging.Filter):
    """Replaces every known secret value in a record's message, arguments and extras."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self._pattern = re.compile("|".join(re.escape(s) for s in secrets)) if secrets else None

    def _clean(self, value: object) -> object:
        if self._pattern is not None and isinstance(value, str):
            return self._pattern.sub(MASK, value)
        return value

    def filter(self, record: logging.LogRecord) -> bool:
        if self._pattern is None:
            return True
        record.msg = self._clean(record.getMessage())
        record.args = None
        for key, value in list(vars(record).items()):
            if key not in _STANDARD:
                setattr(record, key, self._clean(value))
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = self._clean(logging.Formatter().formatException(record.exc_info))  # type: ignore[assignment]
            record.exc_info = None
        return True


class StructuredFormatter(logging.Formatter):
    """`2026-11-23 09:00:01 INFO bot.dispatcher handled channel=slack command=UpdateBatch`."""

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields = {k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")}
        if fields:
            line += " " + " ".join(f"{k}={v}" for k, v in sorted(fields.items()))
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object a line, for log collectors: time (UTC, ISO 8601), level, logger,
    message, then the record's `extra` fields by name (channel, message_id, reference …).
    A field that is not JSON (a date, a path) is written as its text."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_") and key not in entry:
                entry[key] = value
        # RedactSecrets has already turned a traceback into cleaned exc_text.
        trace = record.exc_text or (self.formatException(record.exc_info) if record.exc_info else None)
        if trace:
            entry["exception"] = trace
        return json.dumps(entry, default=str, ensure_ascii=False)


LOG_FORMATS = ("text", "json")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
# Libraries that log whole request and response bodies at DEBUG: a Slack event, a Teams
# activity or a Graph message is a confidential entry's text. They never log below INFO, even
# with ACTIONBOT_LOG_LEVEL=DEBUG, which is for actionbot's own records.
QUIET_LIBRARIES = ("slack_bolt", "slack_sdk", "microsoft_agents", "aiohttp", "urllib3", "requests", "msal",
                   "exchangelib", "httpx", "httpcore", "websockets", "asyncio")


class LoggingSettingsError(ValueError):
    """ACTIONBOT_LOG_FORMAT or ACTIONBOT_LOG_LEVEL names something that does not exist."""


def configure_logging(verbose: bool, environ: Mapping[str, str]) -> None:
    """stderr, one line per record. ACTIONBOT_LOG_FORMAT=json for JSON lines; ACTIONBOT_LOG_LEVEL
    (DEBUG, INFO, WARNING, ERROR) wins over -v (INFO) and the default (WARNING)."""
    form = environ.get("ACTIONBOT_LOG_FORMAT", "").strip().lower() or "text"
    if form not in LOG_FORMATS:
        raise LoggingSettingsError(f"ACTIONBOT_LOG_FORMAT is '{form}'; use 'text' or 'json'.")
    level = environ.get("ACTIONBOT_LOG_LEVEL", "").strip().upper() or ("INFO" if verbose else "WARNING")
    if level not in LOG_LEVELS:
        raise LoggingSettingsError(f"ACTIONBOT_LOG_LEVEL is '{level}'; use one of {', '.join(LOG_LEVELS)}.")
    handler = logging.StreamHandler(sys.stderr)
    if form == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(StructuredFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    handler.addFilter(RedactSecrets(secret_values(environ)))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(getattr(logging, level))
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(max(logging.INFO, getattr(logging, level)))
