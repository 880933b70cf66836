"""Reminders by email through the Maildir, and replies to them through the mail pipeline:
the same grammar, the sender's permissions, the staff-update checks."""

from __future__ import annotations

import email
from datetime import datetime, timezone
from email import policy
from pathlib import Path

import pytest

from bot.domain.model import Person, Role
from bot.mail.ingest import Outcome
from bot.reminders.email_delivery import EmailReminderDelivery
from bot.reminders.sender import ReminderSender
from tests.mail_samples import AUTH_FAIL, AUTH_PASS, COUNCIL, MailBot, make_mail, make_mailbot

KIM = f"kim.lowe@{COUNCIL}"
NINE_BST = datetime(2023, 9, 27, 8, 5, tzinfo=timezone.utc)  # 09:05 in London, Wednesday 27 Sep 2023


@pytest.fixture
def mailbot(tmp_path: Path) -> MailBot:
    mb = make_mailbot(tmp_path)
    with mb.bot.runtime.new_uow() as uow:
        uow.people.add(Person(name="Kim Lowe", role=Role.UPDATER, email=KIM), {"email": KIM})
        uow.commit()
    # Kim owns two actions; one is due tomorrow, one is due in 7 working days.
    for text in ("AP2.5.1 owner Kim Lowe", "AP2.5.1 due 28/09/2023", "AP2.9.1a owner Kim Lowe",
                 "AP2.9.1a due 06/10/2023"):
        mb.bot.ok(text)
    return mb


def send_reminders(mb: MailBot, now: datetime = NINE_BST) -> list[bytes]:
    before = set((mb.maildrop / "outbox").glob("*.eml")) if (mb.maildrop / "outbox").exists() else set()
    sender = ReminderSender(mb.bot.runtime.new_uow, {"email": EmailReminderDelivery(mb.mailbox.send, "inbox@council.example")},
                            "test-instance", mb.bot.runtime.settings)
    sender.send_due(now)
    return [p.read_bytes() for p in sorted(set((mb.maildrop / "outbox").glob("*.eml")) - before)]


def reminder_to(mb: MailBot, address: str) -> email.message.EmailMessage:
    for raw in send_reminders(mb):
        message = email.message_from_bytes(raw, policy=policy.default)
        if message["To"] == address:
            return message  # type: ignore[return-value]
    raise AssertionError(f"no reminder to {address}")


def reply(mb: MailBot, reminder: email.message.EmailMessage, body: str, sender: str = KIM, auth: str = AUTH_PASS,
          name: str = "reply") -> object:
    quoted = "\n".join("> " + line for line in reminder.get_content().splitlines())
    raw = make_mail(sender, "Re: " + reminder["Subject"], f"{body}\n\nOn Wed, actionbot wrote:\n{quoted}\n",
                    message_id=f"<{name}@{COUNCIL}>",
                    headers={"Authentication-Results": auth, "In-Reply-To": reminder["Message-ID"],
                             "References": reminder["Message-ID"]})
    return mb.receive(raw, name).outcome


def last_answer(mb: MailBot) -> str:
    answers = [email.message_from_bytes(raw, policy=policy.default) for raw in mb.outbox()]
    answers = [a for a in answers if str(a["Subject"]).startswith("Re:")]
    return str(answers[-1].get_content())


def test_a_reminder_lists_what_is_due_most_urgent_first(mailbot: MailBot) -> None:
    message = reminder_to(mailbot, KIM)
    text = message.get_content()
    assert message["Subject"] == "Reminder Wed 27 Sep: 2 items need you"
    assert text.index("AP2.5.1") < text.index("AP2.9.1a")
    assert "due in 1 working day" in text and "due in 7 working days" in text
    assert "Reply to this email with `2 40% - contracts signed`" in text
    assert message["Auto-Submitted"] == "auto-generated"
    assert send_reminders(mailbot) == []  # once per person and day


def test_replying_2_40_updates_the_second_listed_action(mailbot: MailBot) -> None:
    reminder = reminder_to(mailbot, KIM)
    assert reply(mailbot, reminder, "2 40% - contracts signed") is Outcome.UPDATE
    action = mailbot.bot.action("AP2.9.1a")
    assert action.progress == 40 and action.latest_update == "contracts signed"
    assert action.updated_by == "Kim Lowe"
    assert "40%" in last_answer(mailbot)


def test_a_reply_without_a_code_applies_to_the_one_action_named(mailbot: MailBot) -> None:
    mailbot.bot.ok("AP2.9.1a due 31/12/2023")  # now only AP2.5.1 is due
    reminder = reminder_to(mailbot, KIM)
    assert reminder["Subject"] == "Reminder Wed 27 Sep: HSCM COMM AP2.5.1 needs you"
    assert reply(mailbot, reminder, "40% - signed") is Outcome.UPDATE
    assert mailbot.bot.action("AP2.5.1").progress == 40


@pytest.mark.parametrize(("body", "sender", "says"), [
    pytest.param("AP2.2.3b 40%", KIM, "The reminder did not name AP2.2.3b", id="names-an-action-not-listed"),
    pytest.param("5 40%", KIM, "there is no item 5", id="number-not-listed"),
    pytest.param("2 40%", f"sam.patel@{COUNCIL}", "That reminder was sent to Kim Lowe", id="not-its-recipient"),
    pytest.param("hello there", KIM, "couldn't read that as an answer", id="not-an-answer"),
])
def test_bad_replies_get_a_sentence_and_change_nothing(mailbot: MailBot, body: str, sender: str, says: str) -> None:
    reminder = reminder_to(mailbot, KIM)
    before = [mailbot.bot.action(c).progress for c in ("AP2.5.1", "AP2.9.1a", "AP2.2.3b")]
    assert reply(mailbot, reminder, body, sender=sender) is Outcome.UPDATE_REFUSED
    assert says in last_answer(mailbot)
    assert "Nothing was changed" in last_answer(mailbot)
    assert [mailbot.bot.action(c).progress for c in ("AP2.5.1", "AP2.9.1a", "AP2.2.3b")] == before


def test_a_reply_from_a_stranger_changes_nothing_and_opens_no_log_entry(mailbot: MailBot) -> None:
    reminder = reminder_to(mailbot, KIM)
    before = len(mailbot.entries())
    assert reply(mailbot, reminder, "2 40%", sender="someone@elsewhere.example") is Outcome.UPDATE_REFUSED
    assert "I don't know who you are" in last_answer(mailbot)
    assert len(mailbot.entries()) == before
    assert mailbot.bot.action("AP2.9.1a").progress != 40


def test_an_unauthenticated_reply_in_kims_name_is_never_applied(mailbot: MailBot) -> None:
    reminder = reminder_to(mailbot, KIM)
    assert reply(mailbot, reminder, "2 40%", auth=AUTH_FAIL) is Outcome.SPOOFED
    assert mailbot.bot.action("AP2.9.1a").progress != 40


def test_snooze_and_not_mine_by_reply(mailbot: MailBot) -> None:
    reminder = reminder_to(mailbot, KIM)
    assert reply(mailbot, reminder, "1 snooze 1 week", name="r1") is Outcome.UPDATE
    assert "Snoozed HSCM COMM AP2.5.1" in last_answer(mailbot)
    assert reply(mailbot, reminder, "2 not mine", name="r2") is Outcome.UPDATE
    assert "Sam Patel" in last_answer(mailbot)  # the admin who is told
    # Sam (admin, email) gets the notice by email on the next pass.
    sent = send_reminders(mailbot, datetime(2023, 9, 27, 8, 30, tzinfo=timezone.utc))
    notices = [email.message_from_bytes(r, policy=policy.default) for r in sent]
    assert any(n["To"] == f"sam.patel@{COUNCIL}" and "AP2.9.1a owner NAME" in n.get_content() for n in notices)


def test_a_safeguarding_item_is_mailed_by_reference_only_to_someone_without_the_role(mailbot: MailBot) -> None:
    from datetime import date

    from bot.domain.reminders import ItemKind, ReminderItem
    from bot.reminders.sources import open_plan_actions

    def log_items(uow: object, today: date) -> list[ReminderItem]:
        return [ReminderItem(ref="PQ-2023-0009/A1", title="Follow up the disclosure at Acme", due=date(2023, 9, 28),
                             last_update="police informed", last_update_on=date(2023, 9, 20), owner=owner,
                             restricted=True, kind=ItemKind.LOG_ACTION) for owner in ("Kim Lowe", "Jo Reid")]

    with mailbot.bot.runtime.new_uow() as uow:  # Jo Reid has the safeguarding role: give her an address
        jo = uow.people.get("Jo Reid")
        uow.people.link("Jo Reid", "email", f"jo.reid@{COUNCIL}")
        uow.commit()
    assert jo is not None
    sender = ReminderSender(mailbot.bot.runtime.new_uow,
                            {"email": EmailReminderDelivery(mailbot.mailbox.send, "inbox@council.example")},
                            "test", mailbot.bot.runtime.settings, sources=[open_plan_actions, log_items])
    sender.send_due(NINE_BST)
    mails = {str(m["To"]): m.get_content() for m in (email.message_from_bytes(r, policy=policy.default)
                                                    for r in mailbot.outbox())}
    kim, jo_text = mails[KIM], mails[f"jo.reid@{COUNCIL}"]
    assert "PQ-2023-0009/A1" in kim and "disclosure" not in kim and "police informed" not in kim
    assert "PQ-2023-0009/A1" in jo_text and "disclosure" in jo_text and "police informed" in jo_text
