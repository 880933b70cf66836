"""The Maildir backend and the commands a user runs against ./maildrop."""

from __future__ import annotations

import email
import mailbox
import os
import signal
import subprocess
import sys
import time
from email import policy
from pathlib import Path

from bot.mail.mailbox import FILED, PROCESSED, MailItem, OutgoingMail
from bot.mail.maildir import MaildirMailbox
from storage.repositories.mail import SqlCursorStore
from tests.conftest import TestBot, testbot  # noqa: F401
from tests.mail_samples import CORPUS, make_mail

ENV_KEYS = ("ACTIONBOT_CONFIG", "ACTIONBOT_MAILDROP")


def actionbot(folder: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ENV_KEYS}
    env.update({"ACTIONBOT_DATABASE_URL": f"sqlite:///{folder / 'bot.db'}", "ACTIONBOT_TODAY": "2023-09-27"})
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=folder, env=env, capture_output=True,
                          text=True, timeout=timeout)


def test_a_new_maildrop_gets_cur_new_tmp_and_dropped_eml_files_are_delivered(tmp_path: Path) -> None:
    (tmp_path / "drop").mkdir()
    (tmp_path / "drop" / "hello.eml").write_bytes(make_mail("a@b.example", "Hi", "Hello"))
    box = MaildirMailbox(tmp_path / "drop", "inbox@council.example")
    try:
        assert all((tmp_path / "drop" / sub).is_dir() for sub in ("cur", "new", "tmp", "outbox"))
        [item] = list(box.fetch_new())
        assert b"Hello" in item.raw and not (tmp_path / "drop" / "hello.eml").exists()
        assert list(box.fetch_new()) == [item], "a message stays in the inbox until it is moved"
        box.move(item, PROCESSED)
        box.move(item, PROCESSED)  # idempotent
        assert list(box.fetch_new()) == [] and box.folder_keys(PROCESSED) == [item.backend_id]
        assert mailbox.Maildir(tmp_path / "drop").get_folder(PROCESSED).keys() == [item.backend_id]
    finally:
        box.close()


def test_messages_delivered_by_a_mail_server_into_new_are_read(tmp_path: Path) -> None:
    store = mailbox.Maildir(tmp_path / "md", create=True)
    key = store.add((CORPUS / "flanker_no_content_type.eml").read_bytes())
    store.close()
    box = MaildirMailbox(tmp_path / "md", "inbox@council.example")
    try:
        assert [i.backend_id for i in box.fetch_new()] == [key]
        box.move(MailItem(key, b""), FILED)
        assert box.folder_keys(FILED) == [key]
    finally:
        box.close()


def test_sending_writes_one_eml_per_message_id_in_the_outbox(tmp_path: Path) -> None:
    box = MaildirMailbox(tmp_path / "md", "inbox@council.example")
    try:
        mail = OutgoingMail(to=("a@b.example",), subject="[PQ-2026-0001] Re: Hi", text="Logged.",
                            in_reply_to="<m1@b.example>", headers={"Message-ID": "<ack.1@council.example>"})
        box.send(mail)
        box.send(mail)
        [sent] = list((tmp_path / "md" / "outbox").glob("*.eml"))
        message = email.message_from_bytes(sent.read_bytes(), policy=policy.default)
        assert (message["From"], message["To"], message["In-Reply-To"]) == (
            "inbox@council.example", "a@b.example", "<m1@b.example>")
    finally:
        box.close()


def test_the_cursor_store_keeps_sync_state_in_the_database(testbot: TestBot) -> None:  # noqa: F811
    store = SqlCursorStore(testbot.runtime.new_uow, prefix="graph:")
    assert store.get("deltaLink") is None
    store.set("deltaLink", "https://graph.example/delta?token=1")
    store.set("deltaLink", "https://graph.example/delta?token=2")
    assert store.get("deltaLink") == "https://graph.example/delta?token=2"


def test_mail_poll_once_prints_what_happened_to_each_message(tmp_path: Path) -> None:
    assert actionbot(tmp_path, "providers", "add", "Acme Care", "--alias", "Acme", "--domain", "acmecare.example",
                     ).returncode == 0
    listed = actionbot(tmp_path, "providers", "list").stdout
    assert listed.strip() == "Acme Care\tAcme\tacmecare.example\t-\t-"  # name, aliases, domains, officer, risk
    maildrop = tmp_path / "maildrop"
    maildrop.mkdir()
    (maildrop / "concern.eml").write_bytes(make_mail("Manager <m@acmecare.example>", "Missed calls",
                                                     "Two missed calls on Tuesday.", message_id="<mc@acmecare.example>"))
    (maildrop / "ooo.eml").write_bytes((CORPUS / "sisimai_ooo_exchange_win1252_qp.eml").read_bytes())
    (maildrop / "junk.eml").write_bytes(b"\x00\x00")
    result = actionbot(tmp_path, "mail", "poll", "--once")
    assert result.returncode == 0, result.stderr
    lines = sorted(result.stdout.splitlines())
    assert lines[0].startswith("auto-reply") and " Filed " in lines[0]
    assert lines[1].startswith("new entry        PQ-2023-0001  Processed        <mc@acmecare.example>")
    assert lines[2].startswith("unreadable") and "Needs attention" in lines[2]
    assert "[triage] New alert entry PQ-2023-0001 from m@acmecare.example (Acme Care): Missed calls" in result.stderr
    assert len(list((maildrop / "outbox").glob("*.eml"))) == 1
    shown = actionbot(tmp_path, "say", "concerns Acme").stdout
    assert "PQ-2023-0001 [alert] Acme Care: Missed calls — open" in shown
    assert actionbot(tmp_path, "mail", "poll", "--once").stdout == ""


def test_mail_and_providers_have_help(tmp_path: Path) -> None:
    for args in (("mail", "poll", "--help"), ("providers", "add", "--help")):
        result = actionbot(tmp_path, *args)
        assert result.returncode == 0 and "Usage" in result.stdout


def test_run_watches_the_maildrop(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ENV_KEYS}
    env.update({"ACTIONBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}", "ACTIONBOT_TODAY": "2023-09-27"})
    config = tmp_path / "fast.toml"
    config.write_text("[mail]\npoll_seconds = 0.2\n", encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "bot.cli", "--config", str(config), "run"], cwd=tmp_path,
                               env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 20
        while not (tmp_path / "maildrop" / "new").is_dir():
            assert time.monotonic() < deadline and process.poll() is None, "run did not create ./maildrop"
            time.sleep(0.05)
        dropped = tmp_path / "maildrop" / "q.eml"
        dropped.write_bytes(make_mail("a@elsewhere.example", "Provider forum date", "When is it?"))
        os.utime(dropped, (time.time() - 5, time.time() - 5))  # an already-finished copy
        processed = tmp_path / "maildrop" / ".Processed" / "cur"
        while not (processed.is_dir() and any(processed.iterdir())):
            assert time.monotonic() < deadline and process.poll() is None, "the dropped file was not handled"
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGTERM)  # stdin is not a terminal: it runs until told to stop
        out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err.decode()
    assert b"Started mail (maildir maildrop)." in err and b"[triage] New query entry PQ-2023-0001" in err
