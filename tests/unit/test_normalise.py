"""Normalisation of calendar events into meetings: timed, all-day, cancelled, recurring, rooms, bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from shared.domain.events import CalendarEvent, EntryPoint, EventAttendee
from shared.domain.joinblock import BLOCK_BEGIN, BLOCK_END
from shared.domain.meetings import JoinKind, JoinTarget, MeetingStatus, ResponseStatus
from shared.domain.normalise import meeting_from_event
from shared.domain.principals import DEFAULT_KEYWORDS
from shared.errors import InvalidInput

BERLIN = ZoneInfo("Europe/Berlin")
START = datetime(2026, 11, 24, 10, 0, tzinfo=BERLIN)


def _event(**fields: object) -> CalendarEvent:
    base: dict[str, object] = {
        "id": "evt1",
        "summary": "Quarterly review",
        "start": START,
        "end": START + timedelta(hours=1),
        "time_zone": "Europe/Berlin",
        "organizer_email": "ann@example.com",
    }
    base.update(fields)
    return CalendarEvent(**base)  # type: ignore[arg-type]


def test_timed_event_is_normalised_in_utc_with_its_zone() -> None:
    """A timed event keeps its zone name, is stored in UTC, and carries title, etag, uid and updated."""
    updated = datetime(2026, 11, 20, 8, tzinfo=UTC)
    meeting = meeting_from_event(
        "org1", "p1", _event(etag='"3181"', ical_uid="evt1@google.com", updated=updated), keywords=DEFAULT_KEYWORDS
    )
    assert (meeting.org_id, meeting.principal_id, meeting.event_id) == ("org1", "p1", "evt1")
    assert meeting.start == datetime(2026, 11, 24, 9, 0, tzinfo=UTC) and meeting.start.tzinfo is UTC
    assert meeting.end - meeting.start == timedelta(hours=1)
    assert meeting.time_zone == "Europe/Berlin"
    assert meeting.title == "Quarterly review"
    assert not meeting.all_day and meeting.status is MeetingStatus.CONFIRMED
    assert (meeting.etag, meeting.ical_uid, meeting.updated) == ('"3181"', "evt1@google.com", updated)
    assert meeting.organizer == "ann@example.com"
    assert meeting.series_id is None and meeting.keyword is None and meeting.rewrite_state is None


def test_all_day_event_keeps_flag_and_utc_bounds() -> None:
    """An all-day event keeps all_day and its day bounds in UTC."""
    day = datetime(2026, 12, 24, tzinfo=UTC)
    meeting = meeting_from_event(
        "o", "p", _event(start=day, end=day + timedelta(days=1), all_day=True, time_zone=None), keywords={}
    )
    assert meeting.all_day
    assert (meeting.start, meeting.end) == (day, day + timedelta(days=1))


def test_cancelled_event_keeps_its_status() -> None:
    """A cancelled instance that still has times normalises as cancelled."""
    meeting = meeting_from_event("o", "p", _event(status="cancelled"), keywords={})
    assert meeting.cancelled and meeting.status is MeetingStatus.CANCELLED


def test_event_type_is_carried_over() -> None:
    """An out-of-office event stays recognisable as one after normalisation."""
    meeting = meeting_from_event("o", "p", _event(event_type="outOfOffice"), keywords={})
    assert meeting.event_type == "outOfOffice"


def test_unknown_status_counts_as_confirmed() -> None:
    """A status Google may add later does not break normalisation."""
    assert meeting_from_event("o", "p", _event(status="shiny"), keywords={}).status is MeetingStatus.CONFIRMED


def test_recurring_instance_links_to_its_series() -> None:
    """A recurring instance carries its series id (the master's id)."""
    event = _event(id="master_20261124T090000Z", recurring_event_id="master", original_start=START)
    meeting = meeting_from_event("o", "p", event, keywords={})
    assert meeting.series_id == "master"
    assert meeting.event_id == "master_20261124T090000Z"


def test_attendees_answers_and_rooms() -> None:
    """Attendees keep their answers; rooms are found by the resource flag or a room domain."""
    event = _event(
        attendees=(
            EventAttendee("ann@example.com", "accepted", organizer=True, self_=True),
            EventAttendee("bob@example.com", "declined", optional=True, display_name="Bob"),
            EventAttendee("c_1888abc@resource.calendar.google.com", "accepted", display_name="Room Elbe"),
            EventAttendee("lobby@rooms.example.com", "tentative", resource=True),
            EventAttendee("eve@example.com", "someNewAnswer"),
        )
    )
    meeting = meeting_from_event("o", "p", event, keywords={})
    statuses = [a.response_status for a in meeting.attendees]
    assert statuses == [
        ResponseStatus.ACCEPTED,
        ResponseStatus.DECLINED,
        ResponseStatus.ACCEPTED,
        ResponseStatus.TENTATIVE,
        ResponseStatus.NEEDS_ACTION,
    ]
    assert [a.email for a in meeting.rooms] == ["c_1888abc@resource.calendar.google.com", "lobby@rooms.example.com"]
    assert meeting.attendees[0].is_organizer and not meeting.attendees[1].is_organizer
    assert meeting.attendees[1].optional and meeting.attendees[1].display_name == "Bob"


def test_extra_room_domains() -> None:
    """An org's own room domain marks its rooms even without the resource flag."""
    event = _event(attendees=(EventAttendee("boardroom@rooms.example.com"),))
    meeting = meeting_from_event("o", "p", event, keywords={}, room_domains=("rooms.example.com",))
    assert meeting.attendees[0].is_room


def test_organizer_copy_keyword_and_rewrite_state() -> None:
    """The organiser's copy, the location keyword and the recorded rewrite state are carried over."""
    event = _event(
        location="Room 4.1, @webex:space",
        organizer_self=True,
        private_properties={"hcRewrite": "added", "other": "x"},
    )
    meeting = meeting_from_event("o", "p", event, keywords=DEFAULT_KEYWORDS)
    assert meeting.is_organizer_copy
    assert meeting.keyword == "@webex:space"
    assert meeting.rewrite_state == "added"
    assert meeting.location == "Room 4.1, @webex:space"


def test_agenda_and_join_targets() -> None:
    """The agenda is the description as text without our block; join targets come from every source, ranked."""
    description = (
        "<b>Agenda</b><br><ul><li>Numbers</li></ul><br>"
        f"<div>{BLOCK_BEGIN}</div><div>https://acme.webex.com/meet/ann</div><div>{BLOCK_END}</div>"
    )
    event = _event(
        description=description,
        hangout_link="https://meet.google.com/abc-defg-hij",
        entry_points=(EntryPoint("video", "https://meet.google.com/abc-defg-hij", "meet.google.com/abc-defg-hij"),),
    )
    meeting = meeting_from_event("o", "p", event, keywords=DEFAULT_KEYWORDS)
    assert meeting.agenda == "Agenda\n- Numbers"
    assert meeting.join_targets == (
        JoinTarget(JoinKind.WEBEX, "https://acme.webex.com/meet/ann"),
        JoinTarget(JoinKind.GOOGLE_MEET, "https://meet.google.com/abc-defg-hij", "meet.google.com/abc-defg-hij"),
    )
    assert meeting.primary_join_target == JoinTarget(JoinKind.WEBEX, "https://acme.webex.com/meet/ann")


@pytest.mark.parametrize(
    "fields",
    [
        {"start": None},
        {"end": None},
        {"start": None, "end": None, "status": "cancelled"},
        {"end": START - timedelta(minutes=5)},
        {"start": datetime(2026, 11, 24, 10), "end": datetime(2026, 11, 24, 11)},
    ],
)
def test_bad_times_are_invalid_input(fields: dict[str, object]) -> None:
    """Missing, naive or backwards times raise InvalidInput, never a bare ValueError."""
    with pytest.raises(InvalidInput, match="evt1"):
        meeting_from_event("o", "p", _event(**fields), keywords={})


def test_input_event_is_not_mutated() -> None:
    """Normalising twice gives equal meetings and leaves the event as it was."""
    event = _event(description="<p>x</p>", location="@meet")
    first = meeting_from_event("o", "p", event, keywords=DEFAULT_KEYWORDS)
    assert meeting_from_event("o", "p", event, keywords=DEFAULT_KEYWORDS) == first
    assert event.description == "<p>x</p>" and event.location == "@meet"
