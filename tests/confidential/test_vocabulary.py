"""The safeguarding vocabulary, as staff and providers write it: any signal restricts the entry
(strong: filed as safeguarding; weak or negated: restricted pending review)."""

from __future__ import annotations

import pytest

from bot.domain.concerns import Category, Restriction, guess_category, restriction_for
from bot.domain.safeguarding import Signal, assess

STRONG = {
    "abusing": "carer was abusing Mr Jones",
    "abused": "she said she had been abused by her nephew",
    "abusive": "the carer was abusive towards him",
    "verbal-abuse": "verbal abuse from a member of night staff",
    "financial-harm": "Money missing from her purse, possible financial harm",
    "money-gone": "£200 cash has gone from the tin in the kitchen",
    "bank-card": "her bank card was taken and not returned",
    "missing-belongings": "family report missing jewellery after the visit",
    "theft": "suspected theft by a care worker",
    "slapped": "staff member slapped a resident",
    "hit-person": "carer hit Mrs Smith on the arm",
    "pushed-by": "She was pushed by another resident",
    "punched": "resident punched by a co-resident",
    "bruising": "found bruising, suspect abuse",
    "bruised": "arm bruised after the transfer",
    "injury": "unexplained injury to left wrist",
    "fracture": "hip fracture, family question how it happened",
    "neglect": "family allege neglect at the home",
    "neglected": "he has been neglected for weeks",
    "left-soiled": "Mrs K was left soiled for hours",
    "left-without-food": "left without food or fluids overnight",
    "no-food": "no food in the house when the carer arrived",
    "not-fed": "client not given meals on Sunday",
    "restraint": "inappropriate restraint used on a resident",
    "restrained": "he was restrained in his chair",
    "locked-in": "resident locked in her room at night",
    "sexual": "allegation of sexual assault",
    "touching": "inappropriate touching by a visitor",
    "assault": "assaulted by another service user",
    "exploitation": "concerns about exploitation by a lodger",
    "county-lines": "possible county lines activity at the flat",
    "cuckooing": "cuckooing suspected at his tenancy",
    "modern-slavery": "Modern slavery concerns about agency staff",
    "trafficking": "worker may have been trafficked",
    "self-harm": "self-harm reported overnight",
    "self-harming": "she has been self harming",
    "suicidal": "client expressed suicidal thoughts",
    "domestic-abuse": "disclosed domestic abuse by her partner",
    "coercive-control": "coercive control by her son",
    "asp": "Adult Support and Protection referral made today",
    "asp-short": "ASP referral submitted",
    "section-42": "section 42 enquiry opened",
    "s42": "an s42 enquiry is needed",
    "bullying": "staff bullying residents at mealtimes",
    "harassment": "harassment by a neighbour",
    "safeguarding": "safeguarding alert raised by the district nurse",
    "subject-only": "Re: Safeguarding – Mr B",
    "attachment-name": "body_map_bruising_photo.jpg",
}

WEAK = {
    "shouted-at": "carer shouted at Mrs B during breakfast",
    "scared-of": "he says he is scared of the night carer",
    "police": "police attended the property last night",
    "medication-error": "medication error on the evening call",
    "pressure-sore": "grade 3 pressure sore not reported",
    "negated": "no safeguarding concerns identified",
    "not-abuse": "the family say it was not abuse",
    "hit-thing": "the van hit a bollard outside",
    "dehydrated": "she appeared dehydrated on arrival",
    "weight-loss": "family worried about Mr Example's weight loss",
}

NONE = {
    "missed-calls": "missed calls on Tuesday",
    "rota": "Rota gaps next week, unable to cover",
    "invoice": "overcharged invoice for October",
    "hours": "Request to increase hours of care package",
    "inspection": "Care Inspectorate report published",
    "meeting": "please can we move the liaison meeting",
}


@pytest.mark.parametrize("text", list(STRONG.values()), ids=list(STRONG))
def test_strong_signals_file_as_safeguarding(text: str) -> None:
    assert assess(text).signal is Signal.STRONG, assess(text)
    assert guess_category(text) is Category.SAFEGUARDING
    assert restriction_for(guess_category(text), assess(text)) is Restriction.RESTRICTED


@pytest.mark.parametrize("text", list(WEAK.values()), ids=list(WEAK))
def test_weak_signals_restrict_pending_review(text: str) -> None:
    assessment = assess(text)
    assert assessment.signal is Signal.WEAK, assessment
    assert restriction_for(guess_category(text), assessment) is Restriction.PENDING


@pytest.mark.parametrize("text", list(NONE.values()), ids=list(NONE))
def test_ordinary_wording_is_not_restricted(text: str) -> None:
    assert assess(text).signal is Signal.NONE, assess(text)
    assert guess_category(text) is not Category.SAFEGUARDING


def test_the_signal_is_named_so_a_reviewer_sees_why() -> None:
    assert "financial abuse" in assess("possible financial abuse by a relative").reasons
    assert assess("").signal is Signal.NONE and assess(None).signal is Signal.NONE


# The screen reads plain ASCII text through lowered patterns and anything else through
# case-insensitive ones: a signal is found whatever the case, beside accented names or
# symbols, and Unicode case folding still counts (`ſ` is an `s`, the Kelvin sign a `k`).
SAME_SIGNAL = {
    "shouting": ("CARER WAS ABUSING MR JONES", Signal.STRONG, ("abuse",)),
    "title-case": ("Found Bruising, Suspect Abuse", Signal.STRONG, ("abuse", "bruising")),
    "accented-name": ("carer was abusing Mr Jones at Plas Dŵr", Signal.STRONG, ("abuse",)),
    "pound-sign": ("£200 CASH HAS GONE from the tin", Signal.STRONG, ("money or belongings missing",)),
    "long-s": ("she was abuſed by her nephew", Signal.STRONG, ("abuse",)),
    "kelvin-sign": ("resident \u212aICKED by a visitor", Signal.STRONG, ("kicked",)),
    "negated-shouting": ("NO SAFEGUARDING CONCERNS", Signal.WEAK, ("safeguarding",)),
    "weak-accented": ("Police attended at Tŷ Newydd", Signal.WEAK, ("police involvement",)),
    "clean-accented": ("please move the meeting at Tŷ Newydd", Signal.NONE, ()),
    "clean-ascii": ("PLEASE MOVE THE LIAISON MEETING", Signal.NONE, ()),
}


@pytest.mark.parametrize(("text", "signal", "reasons"), list(SAME_SIGNAL.values()), ids=list(SAME_SIGNAL))
def test_the_signal_does_not_depend_on_case_or_script(text: str, signal: Signal, reasons: tuple[str, ...]) -> None:
    assessment = assess(text)
    assert (assessment.signal, sorted(assessment.reasons)) == (signal, sorted(reasons)), assessment
