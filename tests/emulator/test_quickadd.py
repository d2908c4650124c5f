"""quickAdd text parsing in the user's time zone."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from emulator.calendar.quickadd import parse
from tests.emulator.conftest import BOB, Api

NOW = datetime(2024, 3, 6, 9, 0, tzinfo=UTC)  # a Wednesday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Standup tomorrow 9am",
            {
                "summary": "Standup",
                "start": {"dateTime": "2024-03-07T09:00:00+01:00"},
                "end": {"dateTime": "2024-03-07T10:00:00+01:00"},
            },
        ),
        (
            "Review Friday 14:00-15:30 at Room 1",
            {
                "summary": "Review",
                "location": "Room 1",
                "start": {"dateTime": "2024-03-08T14:00:00+01:00"},
                "end": {"dateTime": "2024-03-08T15:30:00+01:00"},
            },
        ),
        (
            "Planning 2024-04-02 10-11am",
            {
                "summary": "Planning",
                "start": {"dateTime": "2024-04-02T10:00:00+02:00"},
                "end": {"dateTime": "2024-04-02T11:00:00+02:00"},
            },
        ),
        (
            "Dinner at Luigi's on Mar 9 7pm",
            {
                "summary": "Dinner",
                "location": "Luigi's",
                "start": {"dateTime": "2024-03-09T19:00:00+01:00"},
                "end": {"dateTime": "2024-03-09T20:00:00+01:00"},
            },
        ),
        ("Offsite 12 April", {"summary": "Offsite", "start": {"date": "2024-04-12"}, "end": {"date": "2024-04-13"}}),
        (
            "Call Wednesday 2pm to 3pm at https://example.com/j/1",
            {
                "summary": "Call",
                "location": "https://example.com/j/1",
                "start": {"dateTime": "2024-03-06T14:00:00+01:00"},
                "end": {"dateTime": "2024-03-06T15:00:00+01:00"},
            },
        ),
    ],
)
def test_parse(text: str, expected: dict[str, Any]) -> None:
    """Each supported phrasing yields the expected title, times and location."""
    body = parse(text, "Europe/Berlin", NOW)
    for key in ("start", "end"):
        body[key].pop("timeZone", None)
    assert body == expected


def test_quick_add_uses_user_zone(api: Api) -> None:
    """quickAdd on Bob's calendar reads times in America/New_York."""
    api.control.set_clock(time="2024-03-06T12:00:00Z")
    response = api.call(
        "POST", "/calendar/v3/calendars/primary/events/quickAdd", BOB, params={"text": "Sync today 4pm-5pm at Desk"}
    )
    event = response.json()
    assert event["start"] == {"dateTime": "2024-03-06T16:00:00-05:00", "timeZone": "America/New_York"}
    assert event["location"] == "Desk"
    assert event["organizer"]["email"] == BOB
