"""The Graph mailbox signed in with a certificate instead of a client secret: from PEM text in
the environment, from a PEM file and from a .pfx, against the fake identity platform, which
checks the client assertion's signature with the uploaded certificate (real msal, real
requests, the real ingestion pipeline)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest

from bot.mail.backends import mailbox_from_settings
from bot.mail.graph import GraphMailbox
from bot.mail.ingest import Outcome
from bot.mail.mailbox import PROCESSED
from bot.mail.service import build_ingestor
from config.settings import Settings, SettingsError, load_settings
from storage.repositories.mail import SqlCursorStore
from tests.fakes.client_assertion import ASSERTION_TYPE, TestCertificate
from tests.fakes.graph_server import CLIENT_ID, TENANT, FakeGraph
from tests.mail_samples import make_mail, make_mailbot

REPO = Path(__file__).resolve().parent.parent.parent
PASSWORD = "pfx-pass-123"
NO_CREDENTIAL = {"ACTIONBOT_MAIL_BACKEND": "graph", "ACTIONBOT_GRAPH_TENANT_ID": TENANT,
                 "ACTIONBOT_GRAPH_CLIENT_ID": CLIENT_ID, "ACTIONBOT_GRAPH_MAILBOX": "contracts@council.example"}


@pytest.fixture(scope="module")
def certificate() -> TestCertificate:
    return TestCertificate.make("actionbot graph")


@pytest.fixture()
def fake(tmp_path: Path, certificate: TestCertificate, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGraph]:
    with FakeGraph(tmp_path) as server:
        server.certificates.append(certificate.certificate)  # uploaded to the app registration
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(server.cert_path))  # the fake's own TLS certificate
        yield server


def credential(kind: str, certificate: TestCertificate, folder: Path) -> dict[str, str]:
    if kind == "environment-pem":
        return {"ACTIONBOT_GRAPH_CLIENT_CERTIFICATE": certificate.pem()}
    if kind == "environment-pem-one-line":  # systemd's Environment= takes one line: \n written out
        return {"ACTIONBOT_GRAPH_CLIENT_CERTIFICATE": certificate.pem().replace("\n", "\\n")}
    if kind == "pem-file-encrypted-key":
        return {"ACTIONBOT_GRAPH_CLIENT_CERTIFICATE_PATH": str(certificate.write_pem(folder / "graph.pem", PASSWORD.encode())),
                "ACTIONBOT_GRAPH_CLIENT_CERTIFICATE_PASSWORD": PASSWORD}
    assert kind == "pfx-file"
    return {"ACTIONBOT_GRAPH_CLIENT_CERTIFICATE_PATH": str(certificate.write_pfx(folder / "graph.pfx", PASSWORD.encode())),
            "ACTIONBOT_GRAPH_CLIENT_CERTIFICATE_PASSWORD": PASSWORD}


def graph_environ(fake: FakeGraph, **variables: str) -> dict[str, str]:
    return {**NO_CREDENTIAL, "ACTIONBOT_GRAPH_URL": fake.base_url, "ACTIONBOT_GRAPH_AUTHORITY": fake.authority,
            **variables}


@pytest.mark.parametrize("kind", ["environment-pem", "environment-pem-one-line", "pem-file-encrypted-key",
                                  "pfx-file"])
def test_the_mailbox_polls_signed_in_with_a_certificate(kind: str, fake: FakeGraph, certificate: TestCertificate,
                                                        tmp_path: Path) -> None:
    mb = make_mailbot(tmp_path)
    environ = graph_environ(fake, **credential(kind, certificate, tmp_path))
    mailbox = mailbox_from_settings(Settings(), environ, SqlCursorStore(mb.bot.runtime.new_uow))
    assert isinstance(mailbox, GraphMailbox) and mailbox.config.client_secret is None
    mb.ingestor = build_ingestor(mb.bot.runtime, mailbox, notify=mb.notices.append)
    try:
        fake.deliver(make_mail("Manager <m@acmecare.example>", "Complaint about late visits", "Visits were late.",
                               message_id="<late-1@acmecare.example>"))
        results = mb.ingestor.poll_once()
    finally:
        mailbox.close()
        mb.bot.runtime.close()
    assert [r.outcome for r in results] == [Outcome.NEW_ENTRY]
    assert fake.folder_count(PROCESSED) == 1 and len(fake.sent) == 1, "read, moved and acknowledged"
    (token_request,) = fake.calls("POST", "/oauth2/v2.0/token")
    form = {key: values[0] for key, values in _form(token_request.body).items()}
    assert "client_secret" not in form and form["client_assertion_type"] == ASSERTION_TYPE
    header = jwt.get_unverified_header(form["client_assertion"])
    claims = jwt.decode(form["client_assertion"], certificate.key.public_key(), algorithms=[header["alg"]],
                        audience=fake.token_url)
    assert claims["iss"] == claims["sub"] == CLIENT_ID
    assert "x5t#S256" in header or "x5t" in header


def _form(body: bytes) -> dict[str, list[str]]:
    from urllib.parse import parse_qs

    return parse_qs(body.decode())


def test_an_assertion_signed_with_another_key_is_refused_by_the_fake(fake: FakeGraph,
                                                                    certificate: TestCertificate) -> None:
    """The fake really checks signatures: a header naming the uploaded certificate is not enough."""
    import requests

    from bot.client_certificate import ASSERTION_TYPE as OURS, certificate_from_environ

    forger = TestCertificate.make("forger")
    registered = certificate_from_environ({"C": certificate.pem()}, "C")
    assert registered is not None and OURS == ASSERTION_TYPE
    genuine = registered.client_assertion(CLIENT_ID, fake.token_url)
    header = jwt.get_unverified_header(genuine)
    forged = jwt.encode(jwt.decode(genuine, options={"verify_signature": False}), forger.key, algorithm="PS256",
                        headers={"x5t#S256": header["x5t#S256"]})
    answers = [requests.post(fake.token_url, data={"grant_type": "client_credentials", "client_id": CLIENT_ID,
                                                   "client_assertion_type": ASSERTION_TYPE, "client_assertion": a,
                                                   "scope": "https://graph.microsoft.com/.default"}, timeout=5)
               for a in (genuine, forged)]
    assert [a.status_code for a in answers] == [200, 401]
    assert "AADSTS700027: Client assertion contains an invalid signature" in answers[1].json()["error_description"]


def test_a_certificate_the_app_does_not_know_gets_a_sentence_and_no_key_in_the_output(
        fake: FakeGraph, certificate: TestCertificate, tmp_path: Path) -> None:
    other = TestCertificate.make("not uploaded")
    pem = other.pem()
    base = {k: v for k, v in os.environ.items() if not k.startswith("ACTIONBOT_")}
    result = subprocess.run([sys.executable, "-m", "bot.cli", "-v", "mail", "check"], cwd=tmp_path,
                            env={**base, "PYTHONPATH": str(REPO),
                                 **graph_environ(fake, ACTIONBOT_GRAPH_CLIENT_CERTIFICATE=pem)},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, result.stderr
    assert ("Microsoft sign-in refused the app's client credentials (invalid_client: AADSTS700027: The certificate "
            "with identifier used to sign the client assertion is not registered on application.). Check "
            "ACTIONBOT_GRAPH_TENANT_ID, ACTIONBOT_GRAPH_CLIENT_ID and that the certificate with thumbprint "
            f"{other.sha1_thumbprint} is uploaded to the app registration") in result.stderr
    output = result.stdout + result.stderr
    key_lines = [line for line in other.key_pem().splitlines() if not line.startswith("-----")]
    assert not [line for line in key_lines if line in output], "no line of the private key is shown"


@pytest.mark.parametrize("variables, complaint", [
    ({"ACTIONBOT_GRAPH_CLIENT_SECRET": "s3cret-value", "ACTIONBOT_GRAPH_CLIENT_CERTIFICATE_PATH": "/etc/actionbot/g.pem"},
     "The graph mail backend has both a client secret (ACTIONBOT_GRAPH_CLIENT_SECRET) and a certificate "
     "(ACTIONBOT_GRAPH_CLIENT_CERTIFICATE or ACTIONBOT_GRAPH_CLIENT_CERTIFICATE_PATH); unset one of them."),
    ({}, "The graph mail backend needs a client secret (ACTIONBOT_GRAPH_CLIENT_SECRET) or a certificate "
         "(ACTIONBOT_GRAPH_CLIENT_CERTIFICATE, the PEM text, or ACTIONBOT_GRAPH_CLIENT_CERTIFICATE_PATH, a .pem or "
         ".pfx file) in the environment"),
    ({"ACTIONBOT_GRAPH_CLIENT_CERTIFICATE": "pem", "ACTIONBOT_GRAPH_CLIENT_CERTIFICATE_PATH": "/etc/actionbot/g.pem"},
     "Both ACTIONBOT_GRAPH_CLIENT_CERTIFICATE and ACTIONBOT_GRAPH_CLIENT_CERTIFICATE_PATH are set; set one"),
], ids=["both", "neither", "text-and-path"])
def test_exactly_one_credential(variables: dict[str, str], complaint: str) -> None:
    with pytest.raises(SettingsError) as refused:
        mailbox_from_settings(Settings(), {**NO_CREDENTIAL, **variables}, SqlCursorStore(lambda: None))
    assert complaint in str(refused.value)


def test_unusable_certificates_are_named_never_shown(certificate: TestCertificate, tmp_path: Path) -> None:
    from bot.client_certificate import certificate_from_environ

    variable = "ACTIONBOT_GRAPH_CLIENT_CERTIFICATE"
    other = TestCertificate.make("other")
    cases = {
        "a .pfx with the wrong password": (
            {f"{variable}_PATH": str(certificate.write_pfx(tmp_path / "g.pfx", b"right")), f"{variable}_PASSWORD": "wrong"},
            f"{variable}_PATH ({tmp_path / 'g.pfx'}) is neither PEM nor a PKCS#12 (.pfx) file that {variable}_PASSWORD opens"),
        "an encrypted key without its password": (
            {variable: certificate.pem(b"secret-pass")},
            f"The private key in {variable} is encrypted and no password was given"),
        "a certificate without its key": (
            {variable: certificate.certificate_pem()},
            f"{variable} must hold one private key (-----BEGIN PRIVATE KEY-----) and its certificate "
            "(-----BEGIN CERTIFICATE-----); it holds: CERTIFICATE."),
        "a key with another key's certificate": (
            {variable: certificate.key_pem() + other.certificate_pem()},
            f"No certificate in {variable} belongs to its private key"),
        "a key file inside actionbot's folder": (
            {f"{variable}_PATH": str(REPO / "config" / "graph.pem")},
            "is inside actionbot's own folder, where a key could end up in the repository"),
    }
    for case, (environ, complaint) in cases.items():
        with pytest.raises(SettingsError) as refused:
            certificate_from_environ(environ, variable)
        assert complaint in str(refused.value), case
        assert "PRIVATE KEY-----\n" not in str(refused.value), case
    loaded = certificate_from_environ({variable: certificate.pem()}, variable)
    assert loaded is not None and certificate.sha1_thumbprint in repr(loaded)
    assert "PRIVATE" not in repr(loaded) and loaded.private_key_pem.splitlines()[1] not in repr(loaded)


def test_the_config_file_may_name_the_certificate_file_but_never_hold_a_key(certificate: TestCertificate,
                                                                          tmp_path: Path) -> None:
    named = tmp_path / "named.toml"
    named.write_text(f'[mail.graph]\nclient_certificate_path = "{certificate.write_pem(tmp_path / "g.pem")}"\n')
    mailbox = mailbox_from_settings(load_settings(config_file=named, environ={}), NO_CREDENTIAL,
                                    SqlCursorStore(lambda: None))
    assert isinstance(mailbox, GraphMailbox) and mailbox.config.certificate is not None
    mailbox.close()
    holding = tmp_path / "holding.toml"
    holding.write_text(f'[mail.graph]\ncertificate = """{certificate.pem()}"""\n')
    with pytest.raises(SettingsError, match="sets 'mail.graph.certificate', which looks like a secret"):
        load_settings(config_file=holding, environ={})
