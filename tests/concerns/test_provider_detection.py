"""Which provider a message is about, with nothing set up and with a register: general matching
on domains, display names, signatures and subjects, with Ltd/Limited/Care/Homecare variants."""

from __future__ import annotations

import pytest

from bot.domain.concerns import Provider, provider_named
from bot.domain.providers import Found, detect, matching, organisation_in, same_provider

REGISTER = [
    Provider("Brightwell Homecare Ltd", ("Brightwell",)),
    Provider("Acme Care", ("Acme",), ("acmecare.example",)),
    Provider("Home Instead", ()),
    Provider("Riverside Care Services", ("Riverside",)),
    Provider("Riverside Nursing", ()),
]

DETECTIONS = [
    # (address, display name, subject, body, how, provider or proposed name)
    ("rota@north.acmecare.example", "Rota", "Missed calls", "", Found.DOMAIN, "Acme Care"),
    ("jane@gmail.com", "Brightwell Homecare", "Missed calls", "", Found.NAME, "Brightwell Homecare Ltd"),
    ("jane@gmail.com", "Jane Smith", "Missed calls", "Kind regards\nJane Smith\nCare Coordinator\n"
     "Brightwell Homecare Limited\nTel 01234 567890", Found.NAME, "Brightwell Homecare Ltd"),
    ("jane@gmail.com", "Jane Smith", "BRIGHTWELL - rota gaps this weekend", "Hello", Found.NAME,
     "Brightwell Homecare Ltd"),
    ("office@brightwell-homecare.example", "Office", "Rota", "Hi", Found.NAME, "Brightwell Homecare Ltd"),
    ("jane@gmail.com", "Jane Smith", "Visit moved to Tuesday instead", "Thanks", None, None),
    ("jane@gmail.com", "Jane", "x", "Best wishes\nJane\nHome Instead Moray", Found.NAME, "Home Instead"),
    ("manager@oakwood.example", "Oakwood Care Home", "Staffing", "", Found.PROPOSED, "Oakwood Care Home"),
    ("m@sunrise.example", "M Jones", "Staffing", "Regards\nM Jones\nRegistered Manager\nSunrise Nursing Agency Ltd",
     Found.PROPOSED, "Sunrise Nursing Agency Ltd"),
    ("jane@gmail.com", "Jane Smith", "Mum's visits", "Regards\nJane Smith", None, None),
    ("a@b.example", "Senior Care Coordinator", "x", "", None, None),
    ("a@council.example", "Health and Social Care Moray", "x", "", None, None),
]


@pytest.mark.parametrize("address, display, subject, body, how, name", DETECTIONS,
                         ids=[f"{d[1]}|{d[2]}" for d in DETECTIONS])
def test_the_provider_of_a_message(address: str, display: str, subject: str, body: str, how: Found | None,
                                   name: str | None) -> None:
    found = detect(REGISTER, address=address, display_name=display, subject=subject, body=body)
    if how is None:
        assert found is None
        return
    assert found is not None and found.how is how and found.name == name
    assert (found.provider is None) == (how is Found.PROPOSED)


def test_a_name_two_providers_share_is_not_a_guess() -> None:
    found = detect(REGISTER, address="x@gmail.com", display_name="Riverside office", subject="x", body="")
    assert found is None or found.how is not Found.NAME
    assert [p.name for p in matching(REGISTER, "Riverside")] == ["Riverside Care Services"]  # its alias
    no_alias = [Provider("Riverside Care Services"), Provider("Riverside Nursing")]
    assert [p.name for p in matching(no_alias, "Riverside")] == ["Riverside Care Services", "Riverside Nursing"]
    assert provider_named(no_alias, "riverside") is None


@pytest.mark.parametrize("typed, name", [
    ("Brightwell Homecare", "Brightwell Homecare Ltd"),
    ("brightwell homecare limited", "Brightwell Homecare Ltd"),
    ("Brightwell Care Ltd.", "Brightwell Homecare Ltd"),
    ("ACME CARE LIMITED", "Acme Care"),
    ("Riverside Care Services Ltd", "Riverside Care Services"),
])
def test_ltd_limited_care_homecare_variants_name_the_same_provider(typed: str, name: str) -> None:
    provider = provider_named(REGISTER, typed)
    assert provider is not None and provider.name == name
    assert same_provider(provider, typed)


@pytest.mark.parametrize("text, name", [
    ("Jane Smith (Brightwell Homecare Ltd)", "Brightwell Homecare Ltd"),
    ("Jane at Brightwell Homecare Services", "Brightwell Homecare Services"),
    ("Senior Care Assistant", None),
    ("Moray Council", None),
    ("Rota Team", None),
])
def test_an_organisation_name_in_a_display_name_or_signature(text: str, name: str | None) -> None:
    assert organisation_in(text) == name
