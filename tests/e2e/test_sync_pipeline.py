"""The sync pipeline end to end: push → webhook → bus → sync → encrypted store, with exact counts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from shared.domain.principals import PrincipalState
from tests.support.world import T0, World
from tests.support.world import stored as _stored
from tests.support.world import truth as _truth

ALICE, BOB = "alice@example.com", "bob@example.com"


def _event(
    summary: str,
    start_hours: float,
    *,
    attendees: list[str] = (),
    location: str = "",  # type: ignore[assignment]
    description: str = "",
    recurrence: list[str] | None = None,
) -> dict[str, Any]:
    start = T0 + timedelta(hours=start_hours)
    body: dict[str, Any] = {
        "summary": summary,
        "location": location,
        "description": description,
        "start": {"dateTime": start.isoformat(), "timeZone": "Europe/Berlin"},
        "end": {"dateTime": (start + timedelta(minutes=30)).isoformat(), "timeZone": "Europe/Berlin"},
        "attendees": [{"email": a} for a in attendees],
    }
    if recurrence:
        body["recurrence"] = recurrence
    return body


def _create(world: World, who: str, body: dict[str, Any]) -> dict[str, Any]:
    with world.http(who) as http:
        response = http.post(f"/calendar/v3/calendars/{who}/events", json=body)
        assert response.status_code == 200, response.text
        created: dict[str, Any] = response.json()
        return created


def test_activation_syncs_the_window_and_opens_a_channel(world: World) -> None:
    """Activating a user validates, syncs every meeting in the window and opens exactly one watch channel."""
    _create(world, ALICE, _event("Before activation", 2))
    _create(world, ALICE, _event("Far future", 24 * 40))
    world.activate(ALICE)
    principal = world.app.stores.principals.find_principal(world.org.id, ALICE)
    assert principal is not None and principal.state is PrincipalState.ACTIVE
    assert principal.locale == "de" and principal.time_zone == "Europe/Berlin"
    assert _stored(world, ALICE) == _truth(world, ALICE)
    assert list(_stored(world, ALICE).values()) == ["Before activation"]
    assert world.count("calendar.events.watch") == 1
    assert len(world.control.channels()) == 1


def test_a_change_costs_one_list_and_a_sync_message_costs_nothing(world: World) -> None:
    """One changed event costs exactly one events.list; the watch's sync handshake cost no API call."""
    world.activate(ALICE)
    world.control.clear_requests()
    _create(world, BOB, _event("Invite from Bob", 3, attendees=[ALICE]))
    world.settle()
    assert "Invite from Bob" in _stored(world, ALICE).values()
    assert world.count("calendar.events.list", ALICE) == 1
    assert world.count("calendar.events.instances", ALICE) == 0
    assert _stored(world, ALICE) == _truth(world, ALICE)


def test_recurring_master_costs_one_instances_call(world: World) -> None:
    """A new recurring series costs one events.list plus one events.instances, and every instance is stored."""
    world.activate(ALICE)
    world.control.clear_requests()
    _create(world, ALICE, _event("Weekly", 1, recurrence=["RRULE:FREQ=WEEKLY;COUNT=10"]))
    world.settle()
    assert world.count("calendar.events.list", ALICE) == 1
    assert world.count("calendar.events.instances", ALICE) == 1
    stored = _stored(world, ALICE)
    assert stored == _truth(world, ALICE)
    assert sum(1 for title in stored.values() if title == "Weekly") == 5  # weeks 0-4 fall inside 31 days


def test_full_sync_of_two_series_costs_one_instances_call_each(world: World) -> None:
    """A full sync of a calendar with two series pages the window once and calls events.instances per series."""
    for n in range(2):
        _create(world, ALICE, _event(f"Series {n}", 1 + n, recurrence=["RRULE:FREQ=WEEKLY;COUNT=10"]))
    _create(world, ALICE, _event("One-off", 5))
    world.activate(ALICE)
    assert world.count("calendar.events.list", ALICE) == 1
    assert world.count("calendar.events.instances", ALICE) == 2
    assert _stored(world, ALICE) == _truth(world, ALICE)


def test_full_sync_of_many_series_expands_them_from_one_single_events_listing(world: World) -> None:
    """Beyond two series a full sync reads every instance from one singleEvents listing, not a call per series."""
    for n in range(5):
        _create(world, ALICE, _event(f"Series {n}", 1 + n, recurrence=["RRULE:FREQ=WEEKLY;COUNT=10"]))
    _create(world, ALICE, _event("One-off", 7))
    world.activate(ALICE)
    lists = world.control.requests(operation="calendar.events.list", subject=ALICE)["items"]
    assert len(lists) == 2
    assert world.count("calendar.events.instances", ALICE) == 0
    stored = _stored(world, ALICE)
    assert stored == _truth(world, ALICE)
    assert sum(1 for title in stored.values() if title.startswith("Series")) == 25  # weeks 0-4 of each
    world.control.clear_requests()
    _create(world, ALICE, _event("Series 5", 8, recurrence=["RRULE:FREQ=WEEKLY;COUNT=10"]))
    world.settle()
    assert world.count("calendar.events.list", ALICE) == 1  # incremental syncs stay unexpanded
    assert world.count("calendar.events.instances", ALICE) == 1
    assert _stored(world, ALICE) == _truth(world, ALICE)


def test_deletes_and_moves_out_of_the_window(world: World) -> None:
    """Deleting an event removes its meeting; moving one beyond the window removes it too."""
    world.activate(ALICE)
    gone = _create(world, ALICE, _event("To delete", 4))
    moved = _create(world, ALICE, _event("To move", 5))
    world.settle()
    with world.http(ALICE) as http:
        assert http.delete(f"/calendar/v3/calendars/{ALICE}/events/{gone['id']}").status_code == 204
        far = _event("To move", 24 * 45)
        patch = {"start": far["start"], "end": far["end"]}
        assert http.patch(f"/calendar/v3/calendars/{ALICE}/events/{moved['id']}", json=patch).status_code == 200
    world.settle()
    assert _stored(world, ALICE) == {}


def test_expired_sync_token_falls_back_to_a_full_sync(world: World) -> None:
    """After Google invalidates the sync token (410) the next change triggers a bounded full resync."""
    world.activate(ALICE)
    world.control.invalidate_sync_tokens(ALICE)
    _create(world, ALICE, _event("After 410", 6))
    world.settle()
    assert _stored(world, ALICE) == _truth(world, ALICE)
    assert "After 410" in _stored(world, ALICE).values()


def test_redelivered_sync_messages_change_nothing(world: World) -> None:
    """Twenty redeliveries of the same SyncCalendar message leave the store equal to the truth."""
    from shared.ports.messages import SyncCalendar
    from shared.topics import CALENDAR_SYNC

    world.activate(ALICE)
    _create(world, ALICE, _event("Once", 7))
    world.settle()
    pid = world.app.stores.principals.principal_id(world.org.id, ALICE)
    for _ in range(20):
        world.app.bus.publish(
            CALENDAR_SYNC,
            SyncCalendar(org_id=world.org.id, principal_id=pid).encode(),
            ordering_key=f"{world.org.id}/{pid}",
        )
    world.settle()
    assert _stored(world, ALICE) == _truth(world, ALICE)


def test_maintenance_renews_advances_and_purges(world: World) -> None:
    """maintain_channels renews a channel near expiry (new first, old stopped), advances the window and purges."""
    world.activate(ALICE)
    _create(world, ALICE, _event("Soon", 1))
    world.settle()
    first = {c["id"] for c in world.control.channels() if c.get("state", "active") == "active"}
    jump = timedelta(days=6, hours=1)
    world.clock.advance(jump)
    world.control.set_clock(advance_seconds=jump.total_seconds())
    world.control.clear_requests()
    status = world.runtime.run_job("maintain_channels")
    assert status == 200
    assert world.count("calendar.events.watch", ALICE) == 1
    assert world.count("calendar.channels.stop", ALICE) == 1
    channels = world.app.stores.channels.channels_of(
        world.org.id, world.app.stores.principals.principal_id(world.org.id, ALICE)
    )
    active = [c for c in channels if c.state.value == "active"]
    assert len(active) == 1 and active[0].id not in first
    world.settle()
    assert _stored(world, ALICE) == _truth(world, ALICE)
