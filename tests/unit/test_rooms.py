"""Room release rules: the policy bounds, the check-in window, exemption, and the decline body."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shared.adapters.google.room_attendance import decline_body, room_event_from_api
from shared.domain.meetings import Attendee, Meeting, ResponseStatus
from shared.domain.rooms import (
    RELEASE_COMMENT,
    ReleasePolicy,
    effective,
    holds_room,
    is_exempt,
    policy_of_minutes,
    window,
)
from shared.errors import InvalidInput
from tests.support.instant import T0

ROOM = "room@example.com"


def _meeting(minutes: int = 60, status: ResponseStatus = ResponseStatus.ACCEPTED, **extra: object) -> Meeting:
    room = Attendee(ROOM, status, is_room=True)
    return Meeting("o", "r", "e1", T0, T0 + timedelta(minutes=minutes), attendees=(room,), **extra)  # type: ignore[arg-type]


def test_window_opens_five_minutes_early_and_closes_at_the_release_time() -> None:
    """With 10 minutes the window is [start-5, start+10); off, it lasts until the end; a short meeting caps it."""
    on = window(_meeting(), policy_of_minutes(10))
    assert (on.opens, on.closes, on.release_at) == (T0 - timedelta(minutes=5), T0 + timedelta(minutes=10), on.closes)
    assert on.contains(T0 - timedelta(minutes=5)) and not on.contains(T0 + timedelta(minutes=10))
    assert not on.contains(T0 - timedelta(minutes=5, seconds=1))
    off = window(_meeting(), ReleasePolicy())
    assert (off.closes, off.release_at) == (T0 + timedelta(hours=1), None)
    assert window(_meeting(minutes=8), policy_of_minutes(10)).closes == T0 + timedelta(minutes=8)


@pytest.mark.parametrize("minutes", [0, -1, 241])
def test_a_release_delay_outside_1_to_240_minutes_is_refused(minutes: int) -> None:
    """Zero, negative and over four hours are InvalidInput."""
    with pytest.raises(InvalidInput):
        policy_of_minutes(minutes)


def test_the_room_override_wins_over_the_org_default() -> None:
    """No override: the org's; an override (even off) replaces it."""
    org = policy_of_minutes(10)
    assert effective(org, None) == org
    assert effective(org, ReleasePolicy()) == ReleasePolicy()
    assert policy_of_minutes(None) == ReleasePolicy() and not ReleasePolicy().on


@pytest.mark.parametrize(
    ("description", "props", "exempt"),
    [
        ("Please #keeproom", {}, True),
        ("#KEEPROOM first", {}, True),
        ("no#keeproom glued", {}, False),
        ("##keeproom", {}, False),
        ("#keeprooms", {}, False),
        ("", {"hybridcalRoomRelease": "exempt"}, True),
        ("", {"hybridcalRoomRelease": "EXEMPT"}, True),
        ("", {"hybridcalRoomRelease": "no"}, False),
        ("keep the room", {}, False),
    ],
)
def test_exemption_by_keyword_or_property(description: str, props: dict[str, str], exempt: bool) -> None:
    """The keyword is a word of its own, case-insensitive; the property's value must be ``exempt``."""
    assert is_exempt(description, props) is exempt


def test_only_live_timed_meetings_the_room_has_not_declined_hold_it() -> None:
    """Declined, cancelled, all-day or a status event do not hold the room; another room's meeting neither."""
    assert holds_room(_meeting(), ROOM) and holds_room(_meeting(), ROOM.upper())
    assert not holds_room(_meeting(status=ResponseStatus.DECLINED), ROOM)
    assert not holds_room(_meeting(all_day=True), ROOM)
    assert not holds_room(_meeting(event_type="focusTime"), ROOM)
    assert not holds_room(_meeting(), "other@example.com")


def test_the_decline_body_changes_only_the_rooms_entry() -> None:
    """Every attendee is kept as it was; the room's entry is declined with the note; the input is not mutated."""
    event = {
        "etag": '"1"',
        "attendees": [{"email": "a@example.com", "responseStatus": "accepted"}, {"email": ROOM, "resource": True}],
        "extendedProperties": {"shared": {"hybridcalRoomRelease": "exempt"}},
    }
    body = decline_body(event, ROOM)
    assert body["attendees"][0] == {"email": "a@example.com", "responseStatus": "accepted"}
    assert body["attendees"][1] == {
        "email": ROOM,
        "resource": True,
        "responseStatus": "declined",
        "comment": RELEASE_COMMENT,
    }
    assert "responseStatus" not in event["attendees"][1]  # type: ignore[index]
    seen = room_event_from_api(event, ROOM)
    assert (seen.etag, seen.invited, seen.declined, seen.exempt, seen.cancelled) == ('"1"', True, False, True, False)
    assert not room_event_from_api({"attendees": []}, ROOM).invited
