"""Join-target detection: the invitation corpus, URL classification, punctuation, noise and Webex numbers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from shared.domain.events import CalendarEvent, EntryPoint
from shared.domain.joinlinks import classify_url, find_join_targets, targets_from_event
from shared.domain.meetings import JoinKind, JoinTarget, rank_join_targets

CORPUS_PATH = Path(__file__).resolve().parents[1] / "fixtures" / "invitations" / "corpus.json"
CORPUS: list[dict[str, Any]] = json.loads(CORPUS_PATH.read_text(encoding="utf-8"))


def _event(case: dict[str, Any]) -> CalendarEvent:
    return CalendarEvent(
        id=case["name"],
        location=case["location"],
        description=case["description"],
        hangout_link=case.get("hangout_link"),
        entry_points=tuple(EntryPoint(p["kind"], p["uri"], p.get("label", "")) for p in case.get("entry_points", [])),
    )


def _pairs(targets: tuple[JoinTarget, ...] | list[JoinTarget]) -> list[list[str]]:
    return [[t.kind.value, t.uri] for t in targets]


def test_corpus_is_broad() -> None:
    """The corpus has 40+ uniquely named cases in eight languages, both formats and no-target cases."""
    names = [c["name"] for c in CORPUS]
    assert len(CORPUS) >= 40
    assert len(set(names)) == len(names)
    assert {"en", "de", "fr", "es", "ja", "pt-BR", "it", "nl"} <= {c["lang"] for c in CORPUS}
    assert {c["format"] for c in CORPUS} == {"html", "text"}
    assert sum(1 for c in CORPUS if not c["expected"]) >= 5
    kinds = {kind for c in CORPUS for kind, _ in c["expected"]}
    assert kinds == {k.value for k in JoinKind}


@pytest.mark.parametrize("case", CORPUS, ids=[c["name"] for c in CORPUS])
def test_corpus_event_targets(case: dict[str, Any]) -> None:
    """Every corpus invitation yields exactly the expected targets, best first."""
    assert _pairs(targets_from_event(_event(case))) == case["expected"]


@pytest.mark.parametrize(
    "case",
    [c for c in CORPUS if not (c["location"] or c.get("hangout_link") or c.get("entry_points"))],
    ids=lambda c: c["name"],
)
def test_corpus_description_scan(case: dict[str, Any]) -> None:
    """Scanning a description alone finds the same targets once ranked."""
    assert _pairs(rank_join_targets(find_join_targets(case["description"]))) == case["expected"]


def test_order_of_appearance_and_duplicates() -> None:
    """Targets come in text order, and a repeated URI (any case) is reported once."""
    text = "a https://example.com/x then https://zoom.us/j/123456789 and HTTPS://EXAMPLE.COM/x again"
    assert _pairs(find_join_targets(text)) == [
        ["url", "https://example.com/x"],
        ["zoom", "https://zoom.us/j/123456789"],
    ]


@pytest.mark.parametrize(
    ("text", "uri"),
    [
        ("(https://example.com/a)", "https://example.com/a"),
        ("see https://example.com/a.", "https://example.com/a"),
        ("https://example.com/a?, next", "https://example.com/a"),
        ("'https://example.com/a'", "https://example.com/a"),
        ("[https://example.com/a]", "https://example.com/a"),
        ("https://en.example.org/wiki/Foo_(bar)", "https://en.example.org/wiki/Foo_(bar)"),
        ("<https://example.com/a>:", "https://example.com/a"),
        ("https://example.com/a&amp;b=1", "https://example.com/a&b=1"),
        ("go:https://example.com/a!!", "https://example.com/a"),
    ],
)
def test_trailing_punctuation_and_entities(text: str, uri: str) -> None:
    """Punctuation around a URL and HTML entities inside it do not change the URI found."""
    assert _pairs(find_join_targets(text)) == [["url", uri]]


@pytest.mark.parametrize(
    "url",
    [
        "https://calendar.google.com/calendar/event?action=VIEW&eid=abc",
        "https://www.google.com/calendar/event?eid=abc",
        "https://support.google.com/calendar/answer/37135#forwarding",
        "https://tel.meet/abc-defg-hij?pin=123",
        "https://help.webex.com/en-us/article/abc",
        "https://www.webex.com/downloads.html",
        "https://acme.webex.com/acme/globalcallin.php?MTID=m123",
        "https://us02web.zoom.us/u/kb4Xy7Zq1",
        "https://aka.ms/JoinTeamsMeeting?omkt=en-US",
        "https://teams.microsoft.com/meetingOptions/?organizerId=x",
        "https://www.google.com/url?sa=D",
    ],
)
def test_noise_links_are_not_targets(url: str) -> None:
    """Google's footer links and the products' help and dial-in links are not join targets."""
    assert classify_url(url) is None
    assert find_join_targets(f"footer: {url}\n") == []


@pytest.mark.parametrize(
    ("url", "kind", "uri"),
    [
        ("https://acme.webex.com/meet/jdoe", JoinKind.WEBEX, "https://acme.webex.com/meet/jdoe"),
        ("https://acme.webex.com/acme/m.php?AT=JM&MK=123456789", JoinKind.WEBEX, None),
        ("https://acme.webex.com/acme/k2/j.php?MTID=m1", JoinKind.WEBEX, None),
        ("https://acme.webex.com/webappng/sites/acme/meeting/info/abc", JoinKind.WEBEX, None),
        ("https://acme.webex.com/acme/url.php?frompanel=false", JoinKind.URL, None),
        (
            "https://meet.google.com/abc-defg-hij?authuser=1#x",
            JoinKind.GOOGLE_MEET,
            "https://meet.google.com/abc-defg-hij",
        ),
        ("https://meet.google.com/", JoinKind.URL, None),
        ("https://Meet.Google.com/ABC-DEFG-HIJ/", JoinKind.GOOGLE_MEET, "https://meet.google.com/abc-defg-hij"),
        ("https://zoomgov.com/j/1610000000", JoinKind.ZOOM, None),
        ("https://acme.zoom.us/wc/join/81234567890", JoinKind.ZOOM, None),
        ("https://zoom.us/pricing", JoinKind.URL, None),
        ("https://teams.microsoft.com/l/channel/19%3aabc", JoinKind.URL, None),
        ("https://example.com/page#section", JoinKind.URL, "https://example.com/page"),
    ],
)
def test_classify_url(url: str, kind: JoinKind, uri: str | None) -> None:
    """Each product's join paths get their kind; other paths on their hosts are plain URLs."""
    target = classify_url(url)
    assert target is not None
    assert target.kind is kind
    assert target.uri == (uri or url)


def test_bad_url_is_skipped() -> None:
    """A URL that cannot be parsed (a bad port) is ignored, not an error."""
    assert classify_url("https://example.com:99999999/x") is None
    assert find_join_targets("https://[broken/x") == []


def test_webex_number_becomes_site_link_only_without_a_meeting_link() -> None:
    """A meeting number uses the site's join link when no Webex link is given, and is dropped when one is."""
    alone = find_join_targets("Meeting number: 2345 678 901\nVideo: 2345678901@acme.webex.com")
    assert alone[-1] == JoinTarget(
        JoinKind.WEBEX, "https://acme.webex.com/acme/m.php?AT=JM&MK=2345678901", label="2345 678 901"
    )
    with_link = find_join_targets("https://acme.webex.com/meet/jdoe\nMeeting number: 2345 678 901")
    assert _pairs(with_link) == [["webex", "https://acme.webex.com/meet/jdoe"]]


@pytest.mark.parametrize(
    "text",
    [
        "Meeting number: 2345 678 901 on Webex",
        "Numéro de la réunion : 2345-678-901 (Webex)",
        "Webex Número de reunión:\n2345 678 901",
        "Webex ミーティング番号\uff1a2345 678 901",
        "Webex Numero riunione: 2345 678 901",
        "Webex Vergaderingsnummer: 2345 678 901",
    ],
)
def test_webex_number_labels(text: str) -> None:
    """Meeting-number labels in several languages give the number, labelled as written."""
    assert find_join_targets(text) == [JoinTarget(JoinKind.WEBEX, "2345678901", label="2345 678 901")]


@pytest.mark.parametrize(
    "text",
    [
        "Meeting number: 2345 678 901",  # no Webex anywhere: could be any product
        "We moved from Webex to Zoom. Meeting ID: 812 3456 7890",
        "Webex meeting number: 12 34",  # too short
        "Webex meeting number: 1234 5678 9012 3456",  # too long
    ],
)
def test_numbers_that_are_not_webex_meetings(text: str) -> None:
    """Numbers without a Webex context, other products' ids and implausible lengths give no target."""
    assert find_join_targets(text) == []


def test_bare_video_addresses() -> None:
    """Bare Webex video addresses become SIP URIs; other addresses, mailto and URL parts do not."""
    text = (
        "jdoe@acme.webex.com, mailto:boss@acme.webex.com, jane@example.com, x@webex.com.evil.org, "
        "https://example.com/?who=ann@acme.webex.com"
    )
    assert _pairs(find_join_targets(text)) == [
        ["sip", "sip:jdoe@acme.webex.com"],
        ["url", "https://example.com/?who=ann@acme.webex.com"],
    ]


def test_html_hrefs_and_visible_text_both_count() -> None:
    """In HTML the href of a link counts even when its text is a plain label."""
    html = '<p>Click <a href="https://acme.webex.com/meet/ann">here</a><br>sip:room@vc.example.com</p>'
    assert _pairs(find_join_targets(html)) == [
        ["webex", "https://acme.webex.com/meet/ann"],
        ["sip", "sip:room@vc.example.com"],
    ]


def test_event_sources_order_labels_and_skipped_entry_points() -> None:
    """Location wins ties, entry-point labels are kept, and phone or "more" entry points are ignored."""
    event = CalendarEvent(
        id="e",
        location="https://zoom.us/j/111111111",
        description="also https://zoom.us/j/222222222",
        entry_points=(
            EntryPoint("phone", "tel:+1-555-0100", "+1 555-0100"),
            EntryPoint("more", "https://example.com/more-numbers"),
            EntryPoint("sip", "sip:111@zoomcrc.com", "111@zoomcrc.com"),
            EntryPoint("video", "https://meet.google.com/abc-defg-hij", "meet.google.com/abc-defg-hij"),
        ),
        hangout_link="https://meet.google.com/abc-defg-hij",
    )
    assert targets_from_event(event) == (
        JoinTarget(JoinKind.SIP, "sip:111@zoomcrc.com", "111@zoomcrc.com"),
        JoinTarget(JoinKind.GOOGLE_MEET, "https://meet.google.com/abc-defg-hij", "meet.google.com/abc-defg-hij"),
        JoinTarget(JoinKind.ZOOM, "https://zoom.us/j/111111111"),
        JoinTarget(JoinKind.ZOOM, "https://zoom.us/j/222222222"),
    )


def test_empty_event_has_no_targets() -> None:
    """An event with nothing in it has no join targets."""
    assert targets_from_event(CalendarEvent(id="e")) == ()
    assert find_join_targets("") == []
