"""Keyword detection in locations: whole tokens, case, separators, specificity."""

from __future__ import annotations

import pytest

from shared.domain.keywords import find_keyword
from shared.domain.principals import DEFAULT_KEYWORDS


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        ("@webex", "@webex"),
        ("@WebEx", "@webex"),
        ("Room 4.1, @webex", "@webex"),
        ("@webex; Building B (3rd floor)", "@webex"),
        ("(@webex)", "@webex"),
        ("[@meet]", "@meet"),
        ("Besprechungsraum Elbe\t@webex:myroom", "@webex:myroom"),
        ("Main St 1, 20095 Hamburg @webex:SPACE", "@webex:space"),
        ("@webex @webex:space", "@webex:space"),
        ("@webex:space, @webex", "@webex:space"),
        ('"@webex"', "@webex"),
        ("see you there @webex.", "@webex"),
        ("@meet!", "@meet"),
        ("会議室A、@webex", "@webex"),
        ("会議室A\uff08@meet\uff09", "@meet"),
        ("\u3000@webex\u3000", "@webex"),
    ],
)
def test_keyword_found_as_whole_token(location: str, expected: str) -> None:
    """A configured keyword is found case-insensitively between separators, the most specific first."""
    assert find_keyword(location, DEFAULT_KEYWORDS) == expected


@pytest.mark.parametrize(
    "location",
    [
        "",
        "Room 4.1",
        "@webexfoo",
        "x@webex.com",
        "jdoe@acme.webex.com",
        "https://acme.webex.com/meet/jdoe",
        "@webex:unknown",
        "webex",
        "@web ex",
        "foo@webex",
        "@webex-room",
        "@meeting",
    ],
)
def test_near_misses_are_not_keywords(location: str) -> None:
    """Addresses, links, prefixes, suffixes and unknown modifiers do not count as keywords."""
    assert find_keyword(location, DEFAULT_KEYWORDS) is None


def test_configured_spelling_is_returned_and_lookup_works() -> None:
    """The keyword comes back as configured, so it indexes the org's keyword map."""
    keywords = {"@zoom": "zoom_room", "@webex": "personal_room"}
    found = find_keyword("Board room, @ZOOM", keywords)
    assert found == "@zoom"
    assert keywords[found] == "zoom_room"


def test_no_keywords_configured() -> None:
    """An org without keywords never matches."""
    assert find_keyword("@webex", {}) is None


def test_first_of_equally_specific_keywords_wins() -> None:
    """With two keywords of the same length present, the first one typed wins."""
    keywords = {"@meet": "space", "@talk": "space"}
    assert find_keyword("@talk then @meet", keywords) == "@talk"
    assert find_keyword("@meet then @talk", keywords) == "@meet"
