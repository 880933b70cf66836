"""Logging for every entry point: one line per event with its structured fields, and no secret
ever written out, whatever a library or a message puts in a log record."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Mapping

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


def configure_logging(verbose: bool, environ: Mapping[str, str]) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(StructuredFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    handler.addFilter(RedactSecrets(secret_values(environ)))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO if verbose else logging.WARNING)
