"""A new entry's words are screened once (issue 18): when the ingestor's screen of the whole
mail finds no signal, the new entry's own screens (the category guess, the restriction) would
find none either, so they are skipped. This holds while every rule matches within a line
(bot.domain.safeguarding.matches_stay_within_lines); the property test below looks for a
mail where it would not."""

from __future__ import annotations

import importlib
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain import concerns as concerns_module
from bot.domain.safeguarding import Signal, _consumes_within_a_line, assess, matches_stay_within_lines
from bot.mail import entries
from bot.mail.entries import bare_subject
from tests.confidential.test_vocabulary import NONE, STRONG, WEAK
from tests.mail_samples import MailBot, make_mail, mailbot  # noqa: F401

PARSER = importlib.import_module("re._parser")


def test_the_vocabulary_matches_within_lines() -> None:
    assert matches_stay_within_lines()


@pytest.mark.parametrize("pattern, within", [
    (r"hit(?= (?:him|her)\b)", True), (r"s\.? ?42", True), (r"self[- ]?harm\w*", True),
    (r"abuse\s+of", False), (r"a.use", False), (r"(?<=x)abuse", False), (r"[^a]buse", False),
    (r"abuse$", False), (r"(?!not )abuse", False), (r"abuse\W", False), (r"[\s]abuse", False),
])
def test_a_rule_that_could_reach_past_a_line_break_turns_the_shortcut_off(pattern: str, within: bool) -> None:
    assert _consumes_within_a_line(PARSER.parse(pattern), PARSER) is within


# Words of the vocabulary's examples, cut and glued at the places the pipeline cuts a mail:
# a `Re:` before the subject, whitespace (ASCII or not) around the text, underscores,
# hyphens, colons, line breaks between a phrase's words.
_WORDS = sorted({w for text in (*STRONG.values(), *WEAK.values(), *NONE.values()) for w in text.split()})
_FRAGMENTS = st.one_of(st.sampled_from(_WORDS), st.sampled_from(_WORDS).map(lambda w: w[: max(1, len(w) - 2)]),
                       st.sampled_from(_WORDS).map(str.upper), st.sampled_from(["him", "her", "by", "the", "not", "no"]))
_GLUE = st.sampled_from([" ", " ", "\n", "\n\n", "-", "_", ":", "", ". ", "\xa0", "\u2003", "'", "("])
_PIECES = st.lists(st.tuples(_FRAGMENTS, _GLUE), max_size=8).map(lambda parts: "".join(w + g for w, g in parts))
_PREFIXES = st.sampled_from(["", "Re:", "RE: ", "Fwd: ", "Re: Re:", "AW:", "Re[2]:", "re :"])
_EDGES = st.sampled_from(["", " ", "\n", "\n\n ", "\xa0", "\u2003\n", "\t"])


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prefix=_PREFIXES, subject=_PIECES, before=_EDGES, text=_PIECES, after=_EDGES,
       filenames=st.lists(_PIECES.map(lambda t: t.replace("\n", "_")), max_size=2))
def test_no_signal_in_the_mail_means_none_in_the_new_entrys_pieces_of_it(
        prefix: str, subject: str, before: str, text: str, after: str, filenames: list[str]) -> None:
    subject = " ".join((prefix + subject).split())  # as parse_mail leaves a subject
    text = before + text + after
    if assess(subject, text, *filenames).signal is not Signal.NONE:  # the ingestor's screen
        return
    bare, body = bare_subject(subject), text.strip()  # what new_entry screens
    assert assess(bare, subject, body, *filenames).signal is Signal.NONE
    assert assess(f"{bare}\n{body}").signal is Signal.NONE


def count_screens(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls = [0]

    def counted(*texts: Any) -> Any:
        calls[0] += 1
        return assess(*texts)

    for module in (entries, concerns_module):
        monkeypatch.setattr(module, "assess", counted)
    return calls


def test_a_plain_mail_is_screened_once_and_a_signal_still_restricts(mailbot: MailBot,  # noqa: F811
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    calls = count_screens(monkeypatch)
    plain = mailbot.receive(make_mail("carer@acmecare.example", "Re: Rota", "Who covers Friday?"), "plain")
    assert calls[0] == 0 and not mailbot.entry(plain.reference).is_confidential  # only the ingestor's screen ran
    flagged = mailbot.receive(make_mail("carer@acmecare.example", "Re: Rota", "Mrs K was left soiled."), "flagged")
    assert calls[0] == 2 and mailbot.entry(flagged.reference).is_confidential


def test_a_forwarded_message_is_screened_as_before(mailbot: MailBot, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    outer = EmailMessage()
    outer["From"], outer["To"], outer["Subject"] = "someone@elsewhere.example", "inbox@council.example", "Fwd: Rota"
    outer.set_content("See below.")
    outer.add_attachment(message_from_bytes(make_mail("manager@acmecare.example", "Night cover",
                                                      "We have no night cover on Saturday."), policy=policy.default))
    calls = count_screens(monkeypatch)
    result = mailbot.receive(bytes(outer))
    assert "no night cover" in mailbot.entry(result.reference).body  # the forwarded message is the entry
    assert calls[0] == 2  # the category guess and the restriction screen it
