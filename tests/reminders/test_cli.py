"""`actionbot people add --lead/--remind`, `people team`, `reminders check|preview|send-due|list`,
and a reply to a mailed reminder through `mail poll`: the commands as a user runs them."""

from __future__ import annotations

import email
from email import policy
from pathlib import Path

import pytest

from tests.mail_samples import AUTH_PASS, make_mail
from tests.test_cli import actionbot

ELI = "eli.moss@council.example"


@pytest.fixture
def setup(tmp_path: Path) -> Path:
    from tests.conftest import EXAMPLE_CSV

    assert actionbot(tmp_path, "import", str(EXAMPLE_CSV)).returncode == 0
    for args in (["people", "add", "Dana Frost", "--team", "Commissioning Team", "--lead", "--email",
                  "dana@council.example"],
                 ["people", "add", "Eli Moss", "--email", ELI, "--remind", "email"]):
        done = actionbot(tmp_path, *args)
        assert done.returncode == 0, done.stderr
    for text in ("AP2.5.1 owner Eli Moss", "AP2.5.1 due 28/09/2023"):
        assert actionbot(tmp_path, "say", text).returncode == 0
    return tmp_path


def test_check_lists_what_reaches_nobody_and_why(setup: Path) -> None:
    done = actionbot(setup, "reminders", "check")
    assert done.returncode == 1
    assert "HSCM COMM AP2.5.4b" in done.stdout and "'Service Manager' names no known person or team" in done.stdout
    assert "HSCM COMM AP2.5.1" not in done.stdout  # Eli has it
    assert "reach nobody" in done.stderr


def test_preview_send_list_and_an_emailed_answer(setup: Path) -> None:
    preview = actionbot(setup, "reminders", "preview", "--person", "Eli Moss", "--today", "2023-09-27")
    assert preview.returncode == 0, preview.stderr
    assert "=== To Eli Moss by email (eli.moss@council.example)" in preview.stdout
    assert "HSCM COMM AP2.5.1" in preview.stdout and "due in 1 working day" in preview.stdout
    quiet = actionbot(setup, "reminders", "preview", "--person", "Eli Moss", "--today", "2023-09-30")
    assert "Nothing is due for Eli Moss on Sat 30 Sep 2023" in quiet.stdout

    sent = actionbot(setup, "reminders", "send-due", "--now", "2023-09-27T09:05")
    assert sent.returncode == 0, sent.stderr
    assert sent.stdout == "sent\tEli Moss\t2023-09-27\n"  # a Wednesday: nothing is due for Dana's team
    again = actionbot(setup, "reminders", "send-due", "--now", "2023-09-27T09:35")
    assert "sent" not in again.stdout  # once per person and day
    listed = actionbot(setup, "reminders", "list", "--person", "Eli Moss")
    assert "2023-09-27\tEli Moss\temail\tsent\tattempt 1\tHSCM COMM AP2.5.1" in listed.stdout

    outbox = [email.message_from_bytes(p.read_bytes(), policy=policy.default)
              for p in (setup / "maildrop" / "outbox").glob("*.eml")]
    (reminder,) = [m for m in outbox if m["To"] == ELI]
    answer = make_mail(f"Eli Moss <{ELI}>", "Re: " + reminder["Subject"], "40% - signed\n\n> quoted reminder",
                       message_id="<eli-answer@council.example>",
                       headers={"Authentication-Results": AUTH_PASS, "In-Reply-To": reminder["Message-ID"]})
    (setup / "maildrop" / "answer.eml").write_bytes(answer)
    polled = actionbot(setup, "mail", "poll", "--once")
    assert polled.returncode == 0, polled.stderr
    status = actionbot(setup, "say", "status AP2.5.1")
    assert "40%" in status.stdout and "signed" in status.stdout


@pytest.mark.parametrize(("args", "says"), [
    pytest.param(["people", "add", "Fay", "--remind", "pigeon"], "--remind 'pigeon' is not one of", id="bad-channel"),
    pytest.param(["people", "add", "Fay", "--lead"], "--lead needs --team", id="lead-without-team"),
    pytest.param(["people", "add", "Fay", "--timezone", "Mars/Base"], "not a time zone", id="bad-zone"),
    pytest.param(["people", "team", "Commissioning Team", "--nation", "Atlantis"], "not a nation", id="bad-nation"),
    pytest.param(["people", "team", "Commissioning Team", "--lead", "Nobody"], "no person called Nobody",
                 id="unknown-lead"),
    pytest.param(["reminders", "preview", "--person", "Nobody"], "no person called Nobody", id="preview-unknown"),
    pytest.param(["reminders", "send-due", "--now", "yesterday"], "not a date and time", id="bad-now"),
])
def test_bad_cli_input_is_one_sentence_and_changes_nothing(setup: Path, args: list[str], says: str) -> None:
    before = actionbot(setup, "people", "list").stdout
    done = actionbot(setup, *args)
    assert done.returncode != 0 and says in done.stderr
    assert actionbot(setup, "people", "list").stdout == before


def test_a_scottish_team_is_quiet_on_st_andrews_day(tmp_path: Path) -> None:
    from tests.conftest import EXAMPLE_CSV

    actionbot(tmp_path, "import", str(EXAMPLE_CSV))
    actionbot(tmp_path, "people", "add", "Gil Ross", "--team", "Commissioning Team", "--lead", "--email",
              "gil@council.example")
    done = actionbot(tmp_path, "people", "team", "Commissioning Team", "--nation", "Scotland")
    assert "bank holidays of scotland" in done.stdout
    monday = actionbot(tmp_path, "reminders", "preview", "--today", "2026-11-30")
    assert "Nothing is due for anyone on Mon 30 Nov 2026" in monday.stdout
    tuesday = actionbot(tmp_path, "reminders", "preview", "--today", "2026-12-01")
    assert "=== To Gil Ross" in tuesday.stdout and "overdue by" in tuesday.stdout
