"""Choosing the mail backend from settings, and `actionbot mail check` against the fake
Graph and EWS servers (in a subprocess, as an admin runs it)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.mail.backends import MemoryCursorStore, mail_backend_name, mailbox_from_settings
from bot.mail.ews import EwsMailbox
from bot.mail.graph import GraphMailbox
from config.settings import Settings, SettingsError, load_settings
from tests.fakes.ews_server import PASSWORD, USERNAME, FakeEws
from tests.fakes.graph_server import TENANT, FakeGraph
from tests.mail_backend_fixtures import SAMPLES, eml

GRAPH_ENV = {"ACTIONBOT_MAIL_BACKEND": "graph", "ACTIONBOT_GRAPH_TENANT_ID": TENANT,
             "ACTIONBOT_GRAPH_CLIENT_ID": "app-id", "ACTIONBOT_GRAPH_CLIENT_SECRET": "s3cret-value",
             "ACTIONBOT_GRAPH_MAILBOX": "contracts@council.example"}
EWS_ENV = {"ACTIONBOT_MAIL_BACKEND": "ews", "ACTIONBOT_EWS_URL": "https://mail.council.example/EWS/Exchange.asmx",
           "ACTIONBOT_EWS_MAILBOX": "contracts@council.example", "ACTIONBOT_EWS_AUTH": "ntlm",
           "ACTIONBOT_EWS_USERNAME": USERNAME, "ACTIONBOT_EWS_PASSWORD": PASSWORD}


def build(environ: dict[str, str], settings: Settings | None = None) -> object:
    mailbox = mailbox_from_settings(settings or Settings(), environ, MemoryCursorStore())
    if mailbox is not None:
        mailbox.close()
    return mailbox


def test_maildir_is_the_default_and_builds_no_cloud_mailbox() -> None:
    assert mail_backend_name(Settings(), {}) == "maildir"
    assert build({}) is None


def test_the_environment_overrides_the_config_file(tmp_path: Path) -> None:
    config = tmp_path / "actionbot.toml"
    config.write_text('[mail]\nbackend = "ews"\n[mail.graph]\nmailbox = "from-file@council.example"\n')
    settings = load_settings(config_file=config, environ={})
    assert mail_backend_name(settings, {}) == "ews"
    env = {k: v for k, v in GRAPH_ENV.items() if k != "ACTIONBOT_GRAPH_MAILBOX"}
    mailbox = build(env, settings)
    assert isinstance(mailbox, GraphMailbox) and mailbox.config.mailbox == "from-file@council.example"


def test_a_secret_in_the_config_file_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "actionbot.toml"
    config.write_text('[mail.graph]\nclient_secret = "oops"\n')
    with pytest.raises(SettingsError, match="mail.graph.client_secret"):
        load_settings(config_file=config, environ={})


def test_an_unknown_backend_lists_the_choices() -> None:
    with pytest.raises(SettingsError, match="'imap' is not one of: maildir, graph, ews"):
        build({"ACTIONBOT_MAIL_BACKEND": "imap"})


def test_missing_graph_settings_are_named_and_no_value_is_shown() -> None:
    env = {"ACTIONBOT_MAIL_BACKEND": "graph", "ACTIONBOT_GRAPH_CLIENT_SECRET": "super-secret-123"}
    with pytest.raises(SettingsError) as caught:
        build(env)
    message = str(caught.value)
    assert "ACTIONBOT_GRAPH_TENANT_ID, ACTIONBOT_GRAPH_CLIENT_ID, ACTIONBOT_GRAPH_MAILBOX" in message
    assert "super-secret-123" not in message and "ACTIONBOT_GRAPH_CLIENT_SECRET" not in message


def test_graph_defaults_to_the_public_cloud() -> None:
    mailbox = build(GRAPH_ENV)
    assert isinstance(mailbox, GraphMailbox)
    assert mailbox.config.base_url == "https://graph.microsoft.com/v1.0"
    assert mailbox.config.authority_url == f"https://login.microsoftonline.com/{TENANT}"


@pytest.mark.parametrize("auth, needs", [
    ("ntlm", "ACTIONBOT_EWS_USERNAME, ACTIONBOT_EWS_PASSWORD"),
    ("basic", "ACTIONBOT_EWS_USERNAME, ACTIONBOT_EWS_PASSWORD"),
    ("oauth", "ACTIONBOT_EWS_CLIENT_ID, ACTIONBOT_EWS_CLIENT_SECRET, ACTIONBOT_EWS_TENANT_ID"),
])
def test_ews_needs_the_credentials_of_its_auth_type(auth: str, needs: str) -> None:
    env = {k: v for k, v in EWS_ENV.items() if k not in ("ACTIONBOT_EWS_USERNAME", "ACTIONBOT_EWS_PASSWORD")}
    with pytest.raises(SettingsError, match=needs):
        build({**env, "ACTIONBOT_EWS_AUTH": auth})


def test_ews_settings_build_the_ews_mailbox_and_refuse_bad_values() -> None:
    mailbox = build(EWS_ENV)
    assert isinstance(mailbox, EwsMailbox) and mailbox.config.auth == "ntlm"
    with pytest.raises(SettingsError, match="ACTIONBOT_EWS_AUTH is 'kerberos'; use one of: ntlm, basic, oauth"):
        build({**EWS_ENV, "ACTIONBOT_EWS_AUTH": "kerberos"})
    with pytest.raises(SettingsError, match="ACTIONBOT_EWS_URL must be an https:// address"):
        build({**EWS_ENV, "ACTIONBOT_EWS_URL": "http://mail.council.example/EWS/Exchange.asmx"})


def mail_check(tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("ACTIONBOT_")}
    return subprocess.run([sys.executable, "-m", "bot.cli", "mail", "check"], cwd=tmp_path,
                          env={**base, "PYTHONPATH": str(Path(__file__).resolve().parent.parent), **env},
                          capture_output=True, text=True, timeout=30)


def test_mail_check_against_the_fake_graph(tmp_path: Path) -> None:
    with FakeGraph(tmp_path) as fake:
        fake.deliver(eml(SAMPLES[0]))
        fake.deliver(eml(SAMPLES[1]))
        result = mail_check(tmp_path, {**GRAPH_ENV, "ACTIONBOT_GRAPH_URL": fake.base_url,
                                       "ACTIONBOT_GRAPH_AUTHORITY": fake.authority,
                                       "REQUESTS_CA_BUNDLE": str(fake.cert_path)})
        assert result.returncode == 0, result.stderr
        assert "Mail backend: graph, mailbox contracts@council.example" in result.stdout
        assert "Inbox: 2 message(s)." in result.stdout
        assert "Folders: Inbox, Sent Items" in result.stdout
        assert "Created on first use: Processed, Needs attention, Filed" in result.stdout
        assert not fake.calls("POST", "/move"), "check reads nothing and moves nothing"

        refused = mail_check(tmp_path, {**GRAPH_ENV, "ACTIONBOT_GRAPH_CLIENT_SECRET": "wrong-secret-456",
                                        "ACTIONBOT_GRAPH_URL": fake.base_url,
                                        "ACTIONBOT_GRAPH_AUTHORITY": fake.authority,
                                        "REQUESTS_CA_BUNDLE": str(fake.cert_path)})
        assert refused.returncode == 1
        assert "refused the app's client credentials" in refused.stderr
        assert "wrong-secret-456" not in refused.stderr + refused.stdout


def test_mail_check_against_the_fake_ews(tmp_path: Path) -> None:
    with FakeEws() as fake:
        fake.deliver(eml(SAMPLES[0]))
        result = mail_check(tmp_path, {**EWS_ENV, "ACTIONBOT_EWS_URL": fake.url, "ACTIONBOT_EWS_AUTH": "basic"})
        assert result.returncode == 0, result.stderr
        assert "Mail backend: ews, mailbox contracts@council.example" in result.stdout
        assert "Inbox: 1 message(s)." in result.stdout
        assert "Folders: Inbox, Sent Items" in result.stdout


def test_mail_check_with_missing_settings_exits_2(tmp_path: Path) -> None:
    result = mail_check(tmp_path, {"ACTIONBOT_MAIL_BACKEND": "ews"})
    assert result.returncode == 2
    assert "ACTIONBOT_EWS_URL, ACTIONBOT_EWS_MAILBOX" in result.stderr


def test_mail_check_on_the_default_maildir_says_there_is_nothing_to_connect_to(tmp_path: Path) -> None:
    result = mail_check(tmp_path, {})
    assert result.returncode == 0, result.stderr
    assert "Mail backend: maildir, folder maildrop" in result.stdout
    assert "ACTIONBOT_MAIL_BACKEND to graph or ews" in result.stdout
