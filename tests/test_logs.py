"""No secret from the environment reaches a log line, and structured fields are shown."""

from __future__ import annotations

import io
import logging

from bot.logs import RedactSecrets, StructuredFormatter, secret_values


def make_logger(environ: dict[str, str]) -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(StructuredFormatter("%(levelname)s %(message)s"))
    handler.addFilter(RedactSecrets(secret_values(environ)))
    logger = logging.getLogger(f"test.logs.{id(stream)}")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger, stream


def test_secrets_are_masked_in_messages_args_extras_and_tracebacks() -> None:
    env = {"SLACK_BOT_TOKEN": "xoxb-1234567890-secret", "ACTIONBOT_GRAPH_CLIENT_SECRET": "s3cr3t-value",
           "HOME": "/root"}
    logger, stream = make_logger(env)
    logger.info("calling with %s", "xoxb-1234567890-secret", extra={"header": "Bearer s3cr3t-value"})
    try:
        raise RuntimeError("auth failed for token xoxb-1234567890-secret")
    except RuntimeError:
        logger.exception("slack call failed", extra={"channel": "slack"})
    out = stream.getvalue()
    assert "xoxb-1234567890-secret" not in out and "s3cr3t-value" not in out
    assert out.count("***") >= 4
    assert "channel=slack" in out and "/root" not in out


def test_short_or_ordinary_values_are_not_treated_as_secrets() -> None:
    assert secret_values({"PASSWORD_HINT_LEN": "8", "PATH": "/usr/bin"}) == []


def test_json_lines_carry_the_structured_fields_and_no_secret() -> None:
    import json

    from bot.logs import JsonFormatter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactSecrets(secret_values({"SLACK_SIGNING_SECRET": "sign-me-0123456789"})))
    logger = logging.getLogger(f"test.logs.json.{id(stream)}")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    logger.info("handled", extra={"channel": "slack", "message_id": "Ev1", "reference": "PQ-2023-0001"})
    try:
        raise RuntimeError("refused sign-me-0123456789")
    except RuntimeError:
        logger.exception("slack call failed", extra={"channel": "slack"})
    first, second = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert {k: first[k] for k in ("level", "logger", "message", "channel", "message_id", "reference")} == {
        "level": "INFO", "logger": logger.name, "message": "handled", "channel": "slack", "message_id": "Ev1",
        "reference": "PQ-2023-0001"}
    assert first["time"].endswith("+00:00")
    assert second["level"] == "ERROR" and "RuntimeError: refused ***" in second["exception"]
    assert "sign-me-0123456789" not in stream.getvalue()


def test_an_unknown_log_format_or_level_is_a_sentence() -> None:
    import pytest

    from bot.logs import LoggingSettingsError, configure_logging

    root = logging.getLogger()
    kept = root.handlers[:], root.level
    try:
        with pytest.raises(LoggingSettingsError, match="ACTIONBOT_LOG_FORMAT is 'xml'; use 'text' or 'json'"):
            configure_logging(False, {"ACTIONBOT_LOG_FORMAT": "xml"})
        with pytest.raises(LoggingSettingsError, match="ACTIONBOT_LOG_LEVEL is 'LOUD'"):
            configure_logging(False, {"ACTIONBOT_LOG_LEVEL": "loud"})
    finally:
        root.handlers[:], root.level = kept[0], kept[1]


def test_debug_logging_never_lets_libraries_dump_message_bodies() -> None:
    """ACTIONBOT_LOG_LEVEL=DEBUG is for actionbot's own records: Slack, Teams, Graph and HTTP
    libraries log whole request bodies at DEBUG, and a body can be a safeguarding concern."""
    from bot.logs import QUIET_LIBRARIES, configure_logging

    root = logging.getLogger()
    kept = root.handlers[:], root.level, {name: logging.getLogger(name).level for name in QUIET_LIBRARIES}
    stream = io.StringIO()
    try:
        configure_logging(False, {"ACTIONBOT_LOG_LEVEL": "DEBUG"})
        root.handlers[0].setStream(stream)  # type: ignore[attr-defined]
        body = '{"event": {"text": "carer slapped a resident"}}'
        for library in ("slack_bolt.App", "slack_sdk.web.base_client", "microsoft_agents.hosting.core",
                        "aiohttp.access", "urllib3.connectionpool", "msal.application", "exchangelib.util"):
            logging.getLogger(library).debug("Received the following request: %s", body)
        logging.getLogger("bot.dispatcher").debug("own debug line")
        printed = stream.getvalue()
        assert "own debug line" in printed
        assert "slapped" not in printed
    finally:
        root.handlers[:], root.level = kept[0], kept[1]
        for name, level in kept[2].items():
            logging.getLogger(name).setLevel(level)


def test_a_certificate_and_key_in_the_environment_are_masked_whole_and_line_by_line() -> None:
    from tests.fakes.client_assertion import TestCertificate

    pem = TestCertificate.make().pem()
    key_lines = [line for line in pem.splitlines() if line and not line.startswith("-----")][:3]
    env = {"ACTIONBOT_GRAPH_CLIENT_CERTIFICATE": pem,  # the name says nothing of a secret
           "ACTIONBOT_TEAMS_APP_CERTIFICATE": pem.replace("\n", "\\n")}  # one line, \n written out
    logger, stream = make_logger(env)
    logger.info("loaded %s", pem)
    logger.info("escaped", extra={"value": env["ACTIONBOT_TEAMS_APP_CERTIFICATE"]})
    logger.warning("a key line quoted in an error: %s", key_lines[1])
    out = stream.getvalue()
    assert not [line for line in key_lines if line in out]
    assert "-----BEGIN" not in out, "the whole PEM text was masked, in both its forms"
    assert out.count("***") >= 3
