"""Private events: who may see the details, and what the redacted view keeps."""

from __future__ import annotations

from datetime import timedelta

import pytest
from msgspec.structs import replace

from shared.adapters.google.mappers import calendar_event_from_api, event_from_api, event_to_api
from shared.domain.meetings import Attendee, JoinKind, JoinTarget, Meeting
from shared.domain.normalise import meeting_from_event
from shared.domain.privacy import for_viewer, may_see_details
from tests.support.instant import T0, z

PRIVATE = Meeting(
    org_id="o",
    principal_id="p",
    event_id="e1",
    start=T0,
    end=T0 + timedelta(minutes=30),
    title="Reorg",
    organizer="ann@example.com",
    attendees=(Attendee("ann@example.com"), Attendee("bo@example.com"), Attendee("room@example.com", is_room=True)),
    location="4.01",
    agenda="Who moves",
    join_targets=(JoinTarget(JoinKind.WEBEX, "https://x.webex.com/meet/ann"),),
    visibility="private",
)


@pytest.mark.parametrize(
    ("viewer", "device", "allowed"),
    [
        ("ann@example.com", False, True),
        ("BO@example.com", False, True),
        ("cy@example.com", False, False),
        ("room@example.com", False, False),
        (None, True, False),
        ("ann@example.com", True, False),
    ],
)
def test_only_attendees_see_a_private_meetings_details(viewer: str | None, device: bool, allowed: bool) -> None:
    """Organiser and guests yes (any case); others, the room's own address and every device no."""
    assert may_see_details(PRIVATE, viewer, device=device) is allowed


def test_the_redacted_view_keeps_times_and_the_join_target_only() -> None:
    """Title, organiser, invitees, location and agenda go; times, visibility and join target stay."""
    shown, hidden = for_viewer(PRIVATE, None, device=True)
    assert hidden and (shown.title, shown.organizer, shown.attendees, shown.location, shown.agenda) == (
        "",
        None,
        (),
        "",
        "",
    )
    assert (shown.start, shown.end, shown.join_targets, shown.private) == (
        PRIVATE.start,
        PRIVATE.end,
        PRIVATE.join_targets,
        True,
    )
    assert for_viewer(replace(PRIVATE, visibility="public"), None, device=True) == (
        replace(PRIVATE, visibility="public"),
        False,
    )


@pytest.mark.parametrize(
    ("raw", "private"), [("private", True), ("confidential", True), ("public", False), (None, False)]
)
def test_the_normaliser_reads_the_events_visibility(raw: str | None, private: bool) -> None:
    """Google's visibility reaches the meeting; a round trip through the mapper keeps the resource unchanged."""
    resource = {
        "id": "e1",
        "summary": "x",
        "start": {"dateTime": z(T0)},
        "end": {"dateTime": z(T0 + timedelta(hours=1))},
    }
    if raw is not None:
        resource["visibility"] = raw
    meeting = meeting_from_event("o", "p", calendar_event_from_api(resource), keywords={})
    assert meeting.private is private and meeting.visibility == (raw or "default")
    assert event_to_api(event_from_api(resource)) == resource
