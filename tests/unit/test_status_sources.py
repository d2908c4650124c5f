"""Calendar status from stored meetings: which copies count, the working location, and the resulting presence."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from shared.domain.meetings import Attendee, Meeting, MeetingStatus, ResponseStatus
from shared.domain.presence import Presence, PresenceSource, PresenceStatus
from shared.domain.status import LocationKind, WorkingLocation, decode_location, encode_location, location_from_api
from shared.domain.status_sources import touches_status, with_calendar_status, working_location
from tests.support.instant import T0

ME = "alice@example.com"
HOUR = timedelta(hours=1)


def _meeting(event_id: str, **fields: Any) -> Meeting:
    base: dict[str, Any] = {"start": T0 - HOUR, "end": T0 + HOUR}
    base.update(fields)
    return Meeting(org_id="o", principal_id="p", event_id=event_id, **base)


def _answer(status: ResponseStatus) -> tuple[Attendee, ...]:
    return (Attendee("bob@example.com", ResponseStatus.ACCEPTED, is_organizer=True), Attendee(ME.upper(), status))


@pytest.mark.parametrize(
    ("meeting", "expected"),
    [
        (_meeting("f", event_type="focusTime"), PresenceStatus.DO_NOT_DISTURB),
        (_meeting("o", is_organizer_copy=True), PresenceStatus.IN_MEETING),
        (_meeting("a", attendees=_answer(ResponseStatus.ACCEPTED)), PresenceStatus.IN_MEETING),
        (_meeting("t", attendees=_answer(ResponseStatus.TENTATIVE)), PresenceStatus.AVAILABLE),
        (_meeting("d", attendees=_answer(ResponseStatus.DECLINED)), PresenceStatus.AVAILABLE),
        (_meeting("n", attendees=_answer(ResponseStatus.NEEDS_ACTION)), PresenceStatus.AVAILABLE),
        (_meeting("x", is_organizer_copy=True, status=MeetingStatus.CANCELLED), PresenceStatus.AVAILABLE),
        (_meeting("c", event_type="focusTime", status=MeetingStatus.CANCELLED), PresenceStatus.AVAILABLE),
        (_meeting("w", is_organizer_copy=True, all_day=True), PresenceStatus.AVAILABLE),
        (_meeting("e", event_type="focusTime", start=T0 - HOUR, end=T0), PresenceStatus.AVAILABLE),
        (_meeting("l", event_type="workingLocation", working_location="home|"), PresenceStatus.AVAILABLE),
    ],
)
def test_which_stored_copies_set_the_state(meeting: Meeting, expected: PresenceStatus) -> None:
    """Focus time and accepted or organised timed meetings count; cancelled, unanswered, all-day and ended do not."""
    presence = with_calendar_status(Presence("o", "p"), [meeting], ME, T0)
    assert presence.status is expected
    if expected is not PresenceStatus.AVAILABLE:
        assert (presence.since, presence.until, presence.source) == (
            meeting.start,
            meeting.end,
            PresenceSource.CALENDAR_EVENT,
        )


def test_out_of_office_keeps_its_decision_and_gains_the_working_location() -> None:
    """An out-of-office decision is not lowered by focus time, and the working location is added beside it."""
    ooo = Presence("o", "p", PresenceStatus.OUT_OF_OFFICE, "Away", T0 - HOUR, None, PresenceSource.GMAIL_VACATION)
    meetings = [
        _meeting("f", event_type="focusTime"),
        _meeting("l", event_type="workingLocation", working_location="custom|Lisbon"),
    ]
    result = with_calendar_status(ooo, meetings, ME, T0)
    assert (result.status, result.message, result.source) == (
        PresenceStatus.OUT_OF_OFFICE,
        "Away",
        PresenceSource.GMAIL_VACATION,
    )
    assert result.working_location == "custom|Lisbon"


def test_a_timed_working_location_wins_over_the_all_day_one() -> None:
    """An office afternoon inside a home day shows the office; outside both there is none."""
    day = _meeting("d", event_type="workingLocation", all_day=True, working_location="home|")
    office = _meeting("o", event_type="workingLocation", working_location="office|B1")
    assert working_location([day, office], T0) == WorkingLocation(LocationKind.OFFICE, "B1")
    assert working_location([day], T0) == WorkingLocation(LocationKind.HOME)
    assert working_location([day, office], T0 + 2 * HOUR) is None


@pytest.mark.parametrize(
    ("props", "expected"),
    [
        ({"type": "homeOffice", "homeOffice": {}}, WorkingLocation(LocationKind.HOME)),
        (
            {"type": "officeLocation", "officeLocation": {"label": "B1 · 4F"}},
            WorkingLocation(LocationKind.OFFICE, "B1 · 4F"),
        ),
        ({"type": "officeLocation"}, WorkingLocation(LocationKind.OFFICE)),
        ({"type": "customLocation", "customLocation": {"label": "Café"}}, WorkingLocation(LocationKind.CUSTOM, "Café")),
        ({"type": "moon"}, None),
        (None, None),
    ],
)
def test_working_location_properties_map_and_round_trip(props: Any, expected: WorkingLocation | None) -> None:
    """Google's workingLocationProperties map to a working location that survives its stored form."""
    found = location_from_api(props)
    assert found == expected
    assert decode_location(encode_location(found)) == expected


def test_an_unknown_stored_location_kind_reads_as_none() -> None:
    """A stored code with a kind this version does not know reads as no working location, not an error."""
    assert decode_location("moon|x") is None and decode_location("") is None


def test_touches_status_names_status_events_anywhere_and_meetings_covering_now() -> None:
    """A status event at any time or a timed meeting covering now asks for presence; a later or all-day one does not."""
    assert not touches_status([_meeting("later", start=T0 + HOUR, end=T0 + 2 * HOUR)], T0)
    assert not touches_status([_meeting("ended", start=T0 - HOUR, end=T0)], T0)  # the end is exclusive
    assert not touches_status([_meeting("day", all_day=True)], T0)
    assert touches_status([_meeting("now")], T0)
    far = T0 + timedelta(days=2)
    for kind in ("focusTime", "outOfOffice", "workingLocation"):
        assert touches_status([_meeting(kind, event_type=kind, start=far, end=far + HOUR)], T0)
