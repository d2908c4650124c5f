"""Presence from Calendar status end to end: focus time, a meeting in progress and the working location."""

from __future__ import annotations

from datetime import timedelta

from shared.api.app_people_models import presence_out
from shared.domain.presence import PresenceSource, PresenceStatus
from tests.presence.support import (
    ALICE,
    BOB,
    GET_VACATION,
    changes,
    insert,
    move_clocks,
    operations,
    poll,
    presence_of,
    status_of,
    timed,
)
from tests.support.world import T0, World


def test_focus_block_sets_do_not_disturb_during_it_and_available_after_with_no_extra_calls(world: World) -> None:
    """A focus block synced like any event makes presence do_not_disturb inside it and available after it.

    The sync of the block costs the one events.list its push triggers, and each poll exactly one
    vacation read: the status comes from the stored copy, never from an extra Google call.
    """
    world.activate(ALICE)
    start, end = T0 + timedelta(hours=1), T0 + timedelta(hours=2)
    world.control.clear_requests()
    focus = {
        "summary": "Deep work",
        "eventType": "focusTime",
        "focusTimeProperties": {"chatStatus": "doNotDisturb"},
        **timed(start, end),
    }
    assert insert(world, ALICE, focus)["eventType"] == "focusTime"
    world.settle()
    # the hand-made insert signs in once; the service's sync is the one events.list its push triggers
    assert operations(world) == {"oauth2.token": 1, "calendar.events.insert": 1, "calendar.events.list": 1}

    world.control.clear_requests()
    poll(world)  # before the block: nothing to say, nothing written
    assert presence_of(world, ALICE) is None and changes(world) == 0

    move_clocks(world, start + timedelta(minutes=30))
    poll(world)
    presence = presence_of(world, ALICE)
    assert presence is not None
    assert (presence.status, presence.source, presence.since, presence.until) == (
        PresenceStatus.DO_NOT_DISTURB,
        PresenceSource.CALENDAR_EVENT,
        start,
        end,
    )
    assert presence_out(presence)["status"] == "do_not_disturb"
    assert changes(world) == 1
    poll(world)  # still inside: no write, no announcement
    assert changes(world) == 1

    move_clocks(world, end)  # the end is exclusive
    poll(world)
    assert status_of(world, ALICE) is PresenceStatus.AVAILABLE
    assert changes(world) == 2
    # four polls: one vacation read each (and the Gmail-scoped sign-in of the first), no Calendar call
    assert operations(world) == {"oauth2.token": 1, GET_VACATION: 4}


def test_out_of_office_outranks_a_focus_block(world: World) -> None:
    """While the vacation responder is on, a focus block does not lower presence to do_not_disturb."""
    world.activate(ALICE)
    insert(world, ALICE, {"eventType": "focusTime", **timed(T0 - timedelta(minutes=5), T0 + timedelta(hours=1))})
    world.settle()
    world.control.set_vacation(ALICE, {"enableAutoReply": True, "responseSubject": "Away"})
    poll(world)
    assert status_of(world, ALICE) is PresenceStatus.OUT_OF_OFFICE
    world.control.set_vacation(ALICE, {"enableAutoReply": False})
    poll(world)
    assert status_of(world, ALICE) is PresenceStatus.DO_NOT_DISTURB


def test_accepted_meeting_in_progress_is_in_meeting_and_focus_outranks_it(world: World) -> None:
    """The organiser of a meeting in progress shows in_meeting; a focus block over it shows do_not_disturb."""
    world.activate(ALICE)
    world.activate(BOB)
    start, end = T0 + timedelta(hours=3), T0 + timedelta(hours=4)
    insert(world, ALICE, {"summary": "Planning", "attendees": [{"email": BOB}], **timed(start, end)})
    world.settle()
    move_clocks(world, start + timedelta(minutes=10))
    poll(world)
    presence = presence_of(world, ALICE)
    assert presence is not None
    assert (presence.status, presence.since, presence.until) == (PresenceStatus.IN_MEETING, start, end)
    assert status_of(world, BOB) is PresenceStatus.AVAILABLE  # invited, not accepted
    insert(world, ALICE, {"eventType": "focusTime", **timed(start, start + timedelta(minutes=30))})
    world.settle()
    poll(world)
    assert status_of(world, ALICE) is PresenceStatus.DO_NOT_DISTURB
    move_clocks(world, end)
    poll(world)
    assert status_of(world, ALICE) is PresenceStatus.AVAILABLE


def test_working_location_is_stored_beside_the_state_and_written_once(world: World) -> None:
    """An office working location covering now is stored beside available, announced once, then cleared."""
    world.activate(ALICE)
    office = {"type": "officeLocation", "officeLocation": {"buildingId": "b1", "label": "Berlin 4F"}}
    body = {
        "eventType": "workingLocation",
        "visibility": "public",
        "transparency": "transparent",
        "workingLocationProperties": office,
        **timed(T0 - timedelta(hours=1), T0 + timedelta(hours=8)),
    }
    insert(world, ALICE, body)
    world.settle()
    poll(world)
    presence = presence_of(world, ALICE)
    assert presence is not None and presence.status is PresenceStatus.AVAILABLE
    assert presence_out(presence)["working_location"] == {
        "kind": "office",
        "label": "Berlin 4F",
        "display": "Office · Berlin 4F",
    }
    poll(world)
    assert changes(world) == 1
    move_clocks(world, T0 + timedelta(hours=9))
    poll(world)
    after = presence_of(world, ALICE)
    assert after is not None and after.working_location == "" and changes(world) == 2
