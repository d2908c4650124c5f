"""Join-target detection: the invitation corpora, the precedence rules one by one, URL classification,
punctuation, noise and Webex numbers."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from shared.domain import joinlinks
from shared.domain.events import CalendarEvent, EntryPoint
from shared.domain.joinlinks import classify_url, find_join_targets, targets_from_event
from shared.domain.meetings import JOIN_KIND_RANK, JoinKind, JoinTarget, rank_join_targets
from tests.fixtures.invitations import build_providers
from tests.fixtures.invitations.provider_extras import WRAPPERS

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "invitations"
CORPUS: list[dict[str, Any]] = [
    *json.loads((FIXTURES / "corpus.json").read_text(encoding="utf-8")),
    *json.loads((FIXTURES / "providers.json").read_text(encoding="utf-8")),
]


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
    """The corpus has 120+ uniquely named cases in eight languages, both formats, every kind and no-target cases."""
    names = [c["name"] for c in CORPUS]
    assert len(CORPUS) >= 120
    assert len(set(names)) == len(names)
    assert {"en", "de", "fr", "es", "ja", "pt-BR", "it", "nl"} <= {c["lang"] for c in CORPUS}
    assert {c["format"] for c in CORPUS} == {"html", "text"}
    assert sum(1 for c in CORPUS if not c["expected"]) >= 10
    kinds = {kind for c in CORPUS for kind, _ in c["expected"]}
    assert kinds == {k.value for k in JoinKind}
    for family in (
        "zoom_",
        "teams_",
        "webex_",
        "meet_",
        "goto_",
        "bluejeans_",
        "chime_",
        "jitsi_",
        "wrapped_",
        "deep_",
    ):
        assert sum(1 for n in names if n.startswith(family)) >= 2, family


def test_provider_corpus_is_the_built_one() -> None:
    """providers.json is exactly what its builder writes from the providers' templates."""
    on_disk = json.loads((FIXTURES / "providers.json").read_text(encoding="utf-8"))
    assert on_disk == build_providers.build()


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
        JoinTarget(JoinKind.ZOOM, "https://zoom.us/j/111111111"),  # R10: typed in the location, before the Meet
        JoinTarget(JoinKind.GOOGLE_MEET, "https://meet.google.com/abc-defg-hij", "meet.google.com/abc-defg-hij"),
        JoinTarget(JoinKind.ZOOM, "https://zoom.us/j/222222222"),
    )


def test_empty_event_has_no_targets() -> None:
    """An event with nothing in it has no join targets."""
    assert targets_from_event(CalendarEvent(id="e")) == ()
    assert find_join_targets("") == []


# -- the precedence, rule by rule (shared/domain/joinlinks.py) ------------------------------


def test_every_precedence_rule_has_a_test() -> None:
    """Each rule R<n> of the module docstring has a test_rule_<n>_... here."""
    rules = {int(n) for n in re.findall(r"^R(\d+)\.", joinlinks.__doc__ or "", re.MULTILINE)}
    tested = {int(m.group(1)) for name in dir(sys.modules[__name__]) if (m := re.match(r"test_rule_(\d+)_", name))}
    assert rules == set(range(1, 11))
    assert rules <= tested


@pytest.mark.parametrize(
    "text",
    [
        "mailto:bob@example.com and bob@example.com",
        "Dial +1 555 0100,,123456#, or tel:+15550100 / callto:+15550100",
        "https://calendar.google.com/calendar/event?eid=x https://support.google.com/calendar/answer/37135",
        "https://help.webex.com/x https://us02web.zoom.us/u/kb4 https://meet.goto.com/install https://chime.aws/dialinnumbers/",
        "https://dialin.plcm.vc/teams/?key=acme&conf=1 https://dialin.teams.microsoft.com/usp/pstnconferencing",
        "https://click.mailer.example.com/ls/click?upn=x https://news.example.com/unsubscribe?u=1",
        "https://meet.jit.si/static/dialInInfo.html?room=X https://teams.microsoft.com/meetingOptions/?x=1",
    ],
)
def test_rule_1_noise_is_never_a_target(text: str) -> None:
    """R1: addresses, phone numbers, footers, help and dial-in pages and tracking links give nothing."""
    assert find_join_targets(text) == []


@pytest.mark.parametrize("wrapper", sorted(WRAPPERS))
def test_rule_2_wrapped_links_count_as_their_target(wrapper: str) -> None:
    """R2: every known wrapper is taken off, leaving the real join link."""
    url = "https://us06web.zoom.us/j/87654321098?pwd=a1&uname=Ann"
    assert find_join_targets(f"Join: {WRAPPERS[wrapper](url)}") == [JoinTarget(JoinKind.ZOOM, url)]


def test_rule_2_mimecast_keeps_its_link_and_takes_the_named_kind() -> None:
    """R2: a Mimecast link (target hidden) keeps its URI, with the kind of the join host it names."""
    teams = "https://protect-eu.mimecast.com/s/AbC?domain=teams.microsoft.com"
    help_page = "https://url.uk.m.mimecastprotect.com/s/XyZ?domain=support.zoom.us"
    other = "https://protect-us.mimecast.com/s/QrS?domain=example.org"
    assert find_join_targets(f"{teams} {help_page} {other}") == [
        JoinTarget(JoinKind.TEAMS, teams),
        JoinTarget(JoinKind.URL, other),
    ]


def test_rule_3_entities_brackets_punctuation_and_hrefs() -> None:
    """R3: entities decoded, brackets and trailing punctuation dropped, hrefs read in HTML."""
    assert find_join_targets("Join<https://zoom.us/j/123456789?pwd=a&amp;b=c>.") == [
        JoinTarget(JoinKind.ZOOM, "https://zoom.us/j/123456789?pwd=a&b=c")
    ]
    html = '<p><a href="https://acme.webex.com/meet/ann">Join</a> &lt;https://zoom.us/j/987654321&gt;</p>'
    assert [t.uri for t in find_join_targets(html)] == [
        "https://acme.webex.com/meet/ann",
        "https://zoom.us/j/987654321",
    ]


def test_rule_4_deep_links_only_without_a_web_link_of_their_product() -> None:
    """R4: zoommtg:// maps to the web link alone, and is dropped beside a Zoom web link (also across sources)."""
    deep = "zoommtg://zoom.us/join?action=join&confno=81234567890&pwd=xyz"
    assert find_join_targets(deep) == [JoinTarget(JoinKind.ZOOM, "https://zoom.us/j/81234567890?pwd=xyz")]
    event = CalendarEvent(id="e", location="https://zoom.us/j/81234567890", description=f"App: {deep}")
    assert targets_from_event(event) == (JoinTarget(JoinKind.ZOOM, "https://zoom.us/j/81234567890"),)
    assert find_join_targets("webexteams://meet?sip=jdoe@acme.webex.com msteams:/l/channel/19x") == [
        JoinTarget(JoinKind.WEBEX, "https://acme.webex.com/meet/jdoe")
    ]


def test_rule_5_video_addresses_by_host_or_label() -> None:
    """R5: addresses on video hosts or after a video label are SIP; labelled IPs are H.323 with the meeting ID."""
    text = (
        "Contact: jane@example.com\nVideo: room@bridge.example.net\nvmr42@vmr.example.org\n\n"
        "Meeting ID: 123 456 789\nJoin by H.323\n192.0.2.5\n192.0.2.6\n"
    )
    assert find_join_targets(text) == [
        JoinTarget(JoinKind.SIP, "sip:room@bridge.example.net"),
        JoinTarget(JoinKind.SIP, "sip:vmr42@vmr.example.org"),
        JoinTarget(JoinKind.H323, "h323:192.0.2.5##123456789"),
    ]


def test_rule_6_cvi_address_with_its_video_conference_id() -> None:
    """R6: Webex CVI becomes its direct-dial address; another gateway keeps the ID as label; never the bare IVR."""
    webex = "Join with a video conferencing device\nacme@m.webex.com\nVideo Conference ID: 118 426 975 7\n"
    assert find_join_targets(webex) == [
        JoinTarget(JoinKind.SIP, "sip:1184269757.acme@m.webex.com", label="118 426 975 7")
    ]
    other = "Join with a video conferencing device\nteams@vc.acme.com\nVideo Conference ID: 4711 0815\n"
    assert find_join_targets(other) == [
        JoinTarget(JoinKind.SIP, "sip:teams@vc.acme.com", label="Video Conference ID 4711 0815")
    ]


def test_rule_7_webex_meeting_number_without_a_webex_link() -> None:
    """R7: a labelled Webex meeting number is a site link (or the number), only when no Webex link exists."""
    assert find_join_targets("Webex meeting number: 2345 678 901") == [
        JoinTarget(JoinKind.WEBEX, "2345678901", label="2345 678 901")
    ]
    with_link = find_join_targets("https://acme.webex.com/meet/x\nMeeting number: 2345 678 901")
    assert with_link == [JoinTarget(JoinKind.WEBEX, "https://acme.webex.com/meet/x")]


def test_rule_8_kind_precedence() -> None:
    """R8: kinds rank Webex, SIP, Meet, Zoom, Teams, GoTo, BlueJeans, Chime, Jitsi, H.323, then other URLs."""
    order = [
        JoinKind.WEBEX, JoinKind.SIP, JoinKind.GOOGLE_MEET, JoinKind.ZOOM, JoinKind.TEAMS, JoinKind.GOTO,
        JoinKind.BLUEJEANS, JoinKind.CHIME, JoinKind.JITSI, JoinKind.H323, JoinKind.URL,
    ]  # fmt: skip
    assert sorted(JoinKind, key=JOIN_KIND_RANK.__getitem__) == order
    text = (
        "https://docs.example.com/agenda https://meet.jit.si/Room1 https://chime.aws/1234567890 "
        "https://bluejeans.com/123456789 https://meet.goto.com/123456789 h323:192.0.2.1##5 "
        "https://teams.microsoft.com/meet/123?p=x https://zoom.us/j/123456789 https://meet.google.com/abc-defg-hij "
        "sip:room@vc.example.com https://acme.webex.com/meet/ann"
    )
    assert [t.kind for t in rank_join_targets(find_join_targets(text))] == order


def test_rule_9_sources_and_order_of_appearance() -> None:
    """R9: within a kind, location, entry points (video before SIP), hangoutLink, description; repeats once."""
    event = CalendarEvent(
        id="e",
        location="https://zoom.us/j/111111111",
        description="https://zoom.us/j/333333333 then HTTPS://ZOOM.US/J/111111111",
        entry_points=(EntryPoint("sip", "sip:2@vc.example.com"), EntryPoint("video", "https://zoom.us/j/222222222")),
    )
    assert [t.uri for t in targets_from_event(event)] == [
        "sip:2@vc.example.com",
        "https://zoom.us/j/111111111",
        "https://zoom.us/j/222222222",
        "https://zoom.us/j/333333333",
    ]


def test_rule_10_the_location_outranks_an_attached_meet() -> None:
    """R10: a Zoom link typed in the location beats the Meet conference Calendar attached; alone, Meet still counts."""
    zoom, meet = "https://us02web.zoom.us/j/81234567890?pwd=x", "https://meet.google.com/abc-defg-hij"
    attached = {"entry_points": (EntryPoint("video", meet),), "hangout_link": meet}
    event = CalendarEvent(id="e", location=f"Zoom: {zoom}", **attached)  # type: ignore[arg-type]
    assert [t.uri for t in targets_from_event(event)] == [zoom, meet]
    plain = CalendarEvent(id="e", location="Room 4 https://maps.example.com/r4", **attached)  # type: ignore[arg-type]
    assert next(t.uri for t in targets_from_event(plain)) == meet
    webex_in_text = CalendarEvent(id="e", description="https://acme.webex.com/meet/ann", **attached)  # type: ignore[arg-type]
    assert [t.kind for t in targets_from_event(webex_in_text)] == [JoinKind.WEBEX, JoinKind.GOOGLE_MEET]
