"""The add-on's conference in the domain: recognising it, who owns a meeting, when the rewrite must run."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from shared.adapters.google.mappers import calendar_event_from_api, event_from_api, event_to_api
from shared.domain import conference
from shared.domain.events import AttachedConference, CalendarEvent
from shared.domain.joindetails import JoinDetails
from shared.domain.normalise import meeting_from_event
from tests.support.instant import T0

SPACE = JoinDetails(
    "space", "space:5f2a", "https://acme.webex.com/join/5f2a", "sip:5f2a@acme.webex.com", "2345 678 901"
)


def _resource(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "evt1",
        "etag": '"1"',
        "status": "confirmed",
        "start": {"dateTime": "2026-11-24T10:00:00Z"},
        "end": {"dateTime": "2026-11-24T10:30:00Z"},
        "organizer": {"email": "ann@acme.example", "self": True},
        "conferenceData": {
            "conferenceId": "space:5f2a",
            "conferenceSolution": {"key": {"type": "addOn"}, "name": "Webex meeting space", "iconUri": "https://x/i"},
            "entryPoints": [{"entryPointType": "video", "uri": SPACE.join_url, "meetingCode": "2345678901"}],
            "parameters": {"addOnParameters": {"parameters": conference.parameters(SPACE, "webex_space", "evt1")}},
            "signature": "c2ln",
        },
    }
    data.update(changes)
    return data


def _event(**changes: Any) -> CalendarEvent:
    return calendar_event_from_api(_resource(**changes))


def test_the_mapper_reads_the_add_on_conference_and_round_trips_it() -> None:
    """conferenceData's solution type, id, name and add-on parameters are read; the resource comes back unchanged."""
    event = _event()
    assert event.conference == AttachedConference(
        "addOn", "space:5f2a", "Webex meeting space", conference.parameters(SPACE, "webex_space", "evt1")
    )
    resource = _resource()
    assert event_to_api(event_from_api(resource)) == resource
    assert _event(conferenceData={"createRequest": {"requestId": "r"}}).conference is None


def test_only_the_services_own_add_on_conference_is_recognised() -> None:
    """A Meet conference or another add-on's (no service parameters) is not the service's conference."""
    assert conference.service_conference(_event()) is not None
    meet = {"conferenceSolution": {"key": {"type": "hangoutsMeet"}}, "conferenceId": "abc-defg-hij"}
    other = {**_resource()["conferenceData"], "parameters": {"addOnParameters": {"parameters": {"zoomId": "1"}}}}
    for data in (meet, other):
        assert conference.service_conference(_event(conferenceData=data)) is None
    assert conference.service_conference(_event(conferenceData=None)) is None


@pytest.mark.parametrize(
    ("owner", "event_id", "series", "owned"),
    [
        (None, "evt1", None, True),  # properties written before hcEventId: the event's own
        ("evt1", "evt1", None, True),
        ("master", "master_20261124T100000Z", "master", True),  # an instance inherits its series' properties
        ("evt1", "copy9", None, False),  # a duplicate's copied properties
    ],
)
def test_properties_belong_to_the_event_they_name(
    owner: str | None, event_id: str, series: str | None, owned: bool
) -> None:
    """hcEventId ties the service's properties to one event (or its series); a copy owns none of them."""
    props = {"hcRewrite": "@webex", "hcMeetingRef": "space:5f2a", "hcProvider": "space"}
    if owner is not None:
        props["hcEventId"] = owner
    event = CalendarEvent(id=event_id, recurring_event_id=series, private_properties=props)
    assert conference.owns_properties(event) is owned
    held = conference.OwnedMeetings.of(event, props)
    assert held.items == ((("space", "space:5f2a"),) if owned else ())


def test_a_copied_conference_is_not_owned_and_does_not_set_the_rewrite_state() -> None:
    """A conference whose parameters name another event is recognised but owned by that event, not this one."""
    copy = _event(id="copy9", extendedProperties={"private": {"hcConference": "space:5f2a", "hcEventId": "evt1"}})
    found = conference.service_conference(copy)
    assert found is not None and not conference.owns_conference(copy, found)
    assert conference.OwnedMeetings.of(copy, copy.private_properties).items == ()
    meeting = meeting_from_event("org", "p", copy, keywords={"@webex": "personal_room"})
    assert (meeting.conference_ref, meeting.conference_state) == ("space:5f2a", None)
    assert conference.needs_rewrite(meeting)


def test_the_rewrite_runs_when_the_keyword_or_the_conference_changed() -> None:
    """needs_rewrite compares the keyword with hcRewrite and the conference with hcConference."""
    keywords = {"@webex": "personal_room"}
    fresh = meeting_from_event("org", "p", _event(), keywords=keywords)
    assert fresh.conference_ref == "space:5f2a" and conference.needs_rewrite(fresh)
    props = {"hcConference": "space:5f2a", "hcEventId": "evt1"}
    settled = meeting_from_event("org", "p", _event(extendedProperties={"private": props}), keywords=keywords)
    assert not conference.needs_rewrite(settled) and conference.carries_service_meeting(settled)
    removed = meeting_from_event(
        "org", "p", _event(conferenceData=None, extendedProperties={"private": props}), keywords=keywords
    )
    assert conference.needs_rewrite(removed)
    typed = meeting_from_event(
        "org", "p", _event(location="@webex", extendedProperties={"private": props}), keywords=keywords
    )
    assert conference.needs_rewrite(typed)


def test_the_answer_carries_the_meeting_for_calendar() -> None:
    """Entry points (video with its meeting code, SIP), localized notes and the recognising parameters."""
    assert conference.entry_points(SPACE) == [
        {"type": "video", "uri": SPACE.join_url, "meeting_code": "2345678901"},
        {"type": "sip", "uri": SPACE.sip_uri},
    ]
    assert conference.notes(SPACE, "de").splitlines() == ["Am Meeting teilnehmen", "Meeting-Kennnummer: 2345 678 901"]
    assert conference.parameters(SPACE, "webex_space", "evt1") == {
        "hcMeetingRef": "space:5f2a",
        "hcProvider": "space",
        "hcSolution": "webex_space",
        "hcEventId": "evt1",
    }


def test_a_placeholder_is_an_hour_from_now_and_changes_the_fingerprint() -> None:
    """Before Calendar saves the event the meeting is asked for an hour from now; the real times differ."""
    early = conference.placeholder("org", "p", "evt1", T0)
    assert (early.start, early.end - early.start) == (T0, timedelta(hours=1))
    real = meeting_from_event("org", "p", _event(), keywords={})
    assert conference.fingerprint(early) != conference.fingerprint(real)
    assert conference.fingerprint(real) == conference.fingerprint(meeting_from_event("org", "p", _event(), keywords={}))
