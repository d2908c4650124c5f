"""Presence decided again right after a sync that stored or removed status events, with no Google call of its own."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from shared.domain.presence import PresenceSource, PresenceStatus
from shared.topics import VACATION_CHECK
from tests.presence import support
from tests.presence.support import ALICE, GET_VACATION
from tests.support.world import T0, World


def _checks(world: World) -> int:
    """vacation-check messages published so far (polls and syncs)."""
    return int(world.app.bus.published.get(VACATION_CHECK, 0))  # type: ignore[attr-defined]


def _delete(world: World, who: str, event_id: str) -> None:
    with world.http(who) as http:
        assert http.delete(f"/calendar/v3/calendars/primary/events/{event_id}").status_code == 204


def _patch(world: World, who: str, event_id: str, body: dict[str, Any]) -> None:
    with world.http(who) as http:
        response = http.patch(f"/calendar/v3/calendars/primary/events/{event_id}", json=body)
    assert response.status_code == 200, response.text


def _focus(start: Any, end: Any) -> dict[str, Any]:
    return {"summary": "Deep work", "eventType": "focusTime", **support.timed(start, end)}


def test_focus_block_over_now_turns_do_not_disturb_at_the_sync_and_available_when_deleted(world: World) -> None:
    """A focus block over now is do_not_disturb once its sync ran, available once deleted; no Gmail call."""
    world.activate(ALICE)
    world.control.clear_requests()
    focus = support.insert(world, ALICE, _focus(T0 - timedelta(minutes=10), T0 + timedelta(minutes=50)))
    world.settle()  # no poll
    presence = support.presence_of(world, ALICE)
    assert presence is not None
    assert (presence.status, presence.source, presence.until) == (
        PresenceStatus.DO_NOT_DISTURB,
        PresenceSource.CALENDAR_EVENT,
        T0 + timedelta(minutes=50),
    )
    assert support.changes(world) == 1
    _patch(world, ALICE, focus["id"], {"summary": "Deeper work"})  # a status event re-stored, same state
    world.settle()
    assert support.changes(world) == 1
    _delete(world, ALICE, focus["id"])
    world.settle()
    assert support.status_of(world, ALICE) is PresenceStatus.AVAILABLE and support.changes(world) == 2
    # each hand-made call signs in once; each change costs the service its one events.list, nothing more
    assert support.operations(world) == {
        "oauth2.token": 3,
        "calendar.events.insert": 1,
        "calendar.events.patch": 1,
        "calendar.events.delete": 1,
        "calendar.events.list": 3,
    }


def test_a_sync_without_status_events_does_not_ask_for_presence(world: World) -> None:
    """A meeting tomorrow is synced without any presence check; a meeting in progress asks for one."""
    world.activate(ALICE)
    before = _checks(world)
    tomorrow = support.timed(T0 + timedelta(days=1), T0 + timedelta(days=1, hours=1))
    support.insert(world, ALICE, {"summary": "Tomorrow", **tomorrow})
    world.settle()
    assert _checks(world) == before and support.presence_of(world, ALICE) is None
    now = support.timed(T0 - timedelta(minutes=5), T0 + timedelta(minutes=25))
    support.insert(world, ALICE, {"summary": "Now", **now})
    world.settle()
    assert _checks(world) == before + 1
    assert support.status_of(world, ALICE) is PresenceStatus.IN_MEETING and support.changes(world) == 1


def test_sync_path_keeps_the_polled_vacation_responder_without_reading_gmail(world: World) -> None:
    """With the responder on at the last poll, a focus block synced later keeps out of office and reads no Gmail."""
    world.activate(ALICE)
    world.control.set_vacation(ALICE, {"enableAutoReply": True, "responseSubject": "Away"})
    support.poll(world)
    assert support.status_of(world, ALICE) is PresenceStatus.OUT_OF_OFFICE and support.changes(world) == 1
    world.control.clear_requests()
    support.insert(world, ALICE, _focus(T0 - timedelta(minutes=5), T0 + timedelta(hours=1)))
    world.settle()
    assert support.says(world, ALICE) == (PresenceStatus.OUT_OF_OFFICE, PresenceSource.GMAIL_VACATION, "Away")
    assert support.changes(world) == 1
    assert support.operations(world).get(GET_VACATION, 0) == 0


def test_a_block_starting_after_the_sync_is_caught_by_the_next_poll(world: World) -> None:
    """A focus block starting two minutes after its sync changes nothing then; the next poll turns do_not_disturb."""
    world.activate(ALICE)
    start = T0 + timedelta(minutes=2)
    support.insert(world, ALICE, _focus(start, start + timedelta(hours=1)))
    world.settle()
    assert support.presence_of(world, ALICE) is None and support.changes(world) == 0
    support.move_clocks(world, T0 + timedelta(minutes=5))
    support.poll(world)
    assert support.status_of(world, ALICE) is PresenceStatus.DO_NOT_DISTURB and support.changes(world) == 1
