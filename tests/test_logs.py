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
