"""Presence from Calendar status end to end: focus time, a meeting in progress and the working location."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from shared.adapters.bus.local import LocalBus
from shared.api.app_people_models import presence_out
from shared.domain.presence import Presence, PresenceSource, PresenceStatus
from shared.topics import PRESENCE_CHANGED
from tests.support.instant import z
from tests.support.world import T0, World

ALICE, BOB = "alice@example.com", "bob@example.com"
GET_VACATION = "gmail.users.settings.getVacation"


def _poll(world: World) -> None:
    """Run the scheduled presence poll and wait for every check it fanned out."""
    assert world.runtime.run_job("poll_vacations") == 200
    world.settle()


def _presence(world: World, email: str) -> Presence | None:
    return world.app.stores.presence.get_presence(
        world.org.id, world.app.stores.principals.principal_id(world.org.id, email)
    )


def _status(world: World, email: str) -> PresenceStatus:
    presence = _presence(world, email)
    return PresenceStatus.AVAILABLE if presence is None else presence.status


def _changes(world: World) -> int:
    bus = world.app.bus
    assert isinstance(bus, LocalBus)
    return bus.published.get(PRESENCE_CHANGED, 0)


def _move_clocks(world: World, to: datetime) -> None:
    """Move the emulator clock and the service's clock together."""
    world.control.set_clock(time=z(to), frozen=True)
    world.clock.set(to)


def _insert(world: World, who: str, body: dict[str, Any]) -> dict[str, Any]:
    with world.http(who) as http:
        response = http.post("/calendar/v3/calendars/primary/events", json=body)
    assert response.status_code == 200, response.text
    created: dict[str, Any] = response.json()
    return created


def _timed(start: datetime, end: datetime) -> dict[str, Any]:
    return {"start": {"dateTime": z(start)}, "end": {"dateTime": z(end)}}


def _operations(world: World) -> dict[str, int]:
    """Google calls logged since the last clear, by operation."""
    return dict(world.control.requests()["countsByOperation"])


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
        **_timed(start, end),
    }
    assert _insert(world, ALICE, focus)["eventType"] == "focusTime"
    world.settle()
    # the hand-made insert signs in once; the service's sync is the one events.list its push triggers
    assert _operations(world) == {"oauth2.token": 1, "calendar.events.insert": 1, "calendar.events.list": 1}

    world.control.clear_requests()
    _poll(world)  # before the block: nothing to say, nothing written
    assert _presence(world, ALICE) is None and _changes(world) == 0

    _move_clocks(world, start + timedelta(minutes=30))
    _poll(world)
    presence = _presence(world, ALICE)
    assert presence is not None
    assert (presence.status, presence.source, presence.since, presence.until) == (
        PresenceStatus.DO_NOT_DISTURB,
        PresenceSource.CALENDAR_EVENT,
        start,
        end,
    )
    assert presence_out(presence)["status"] == "do_not_disturb"
    assert _changes(world) == 1
    _poll(world)  # still inside: no write, no announcement
    assert _changes(world) == 1

    _move_clocks(world, end)  # the end is exclusive
    _poll(world)
    assert _status(world, ALICE) is PresenceStatus.AVAILABLE
    assert _changes(world) == 2
    # four polls: one vacation read each (and the Gmail-scoped sign-in of the first), no Calendar call
    assert _operations(world) == {"oauth2.token": 1, GET_VACATION: 4}


def test_out_of_office_outranks_a_focus_block(world: World) -> None:
    """While the vacation responder is on, a focus block does not lower presence to do_not_disturb."""
    world.activate(ALICE)
    _insert(world, ALICE, {"eventType": "focusTime", **_timed(T0 - timedelta(minutes=5), T0 + timedelta(hours=1))})
    world.settle()
    world.control.set_vacation(ALICE, {"enableAutoReply": True, "responseSubject": "Away"})
    _poll(world)
    assert _status(world, ALICE) is PresenceStatus.OUT_OF_OFFICE
    world.control.set_vacation(ALICE, {"enableAutoReply": False})
    _poll(world)
    assert _status(world, ALICE) is PresenceStatus.DO_NOT_DISTURB


def test_accepted_meeting_in_progress_is_in_meeting_and_focus_outranks_it(world: World) -> None:
    """The organiser of a meeting in progress shows in_meeting; a focus block over it shows do_not_disturb."""
    world.activate(ALICE)
    world.activate(BOB)
    start, end = T0 + timedelta(hours=3), T0 + timedelta(hours=4)
    _insert(world, ALICE, {"summary": "Planning", "attendees": [{"email": BOB}], **_timed(start, end)})
    world.settle()
    _move_clocks(world, start + timedelta(minutes=10))
    _poll(world)
    presence = _presence(world, ALICE)
    assert presence is not None
    assert (presence.status, presence.since, presence.until) == (PresenceStatus.IN_MEETING, start, end)
    assert _status(world, BOB) is PresenceStatus.AVAILABLE  # invited, not accepted
    _insert(world, ALICE, {"eventType": "focusTime", **_timed(start, start + timedelta(minutes=30))})
    world.settle()
    _poll(world)
    assert _status(world, ALICE) is PresenceStatus.DO_NOT_DISTURB
    _move_clocks(world, end)
    _poll(world)
    assert _status(world, ALICE) is PresenceStatus.AVAILABLE


def test_working_location_is_stored_beside_the_state_and_written_once(world: World) -> None:
    """An office working location covering now is stored beside available, announced once, then cleared."""
    world.activate(ALICE)
    office = {"type": "officeLocation", "officeLocation": {"buildingId": "b1", "label": "Berlin 4F"}}
    body = {
        "eventType": "workingLocation",
        "visibility": "public",
        "transparency": "transparent",
        "workingLocationProperties": office,
        **_timed(T0 - timedelta(hours=1), T0 + timedelta(hours=8)),
    }
    _insert(world, ALICE, body)
    world.settle()
    _poll(world)
    presence = _presence(world, ALICE)
    assert presence is not None and presence.status is PresenceStatus.AVAILABLE
    assert presence_out(presence)["working_location"] == {
        "kind": "office",
        "label": "Berlin 4F",
        "display": "Office · Berlin 4F",
    }
    _poll(world)
    assert _changes(world) == 1
    _move_clocks(world, T0 + timedelta(hours=9))
    _poll(world)
    after = _presence(world, ALICE)
    assert after is not None and after.working_location == "" and _changes(world) == 2
