"""What the presence tests share: the people, the poll, reading a principal's presence, and counters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.adapters.bus.local import LocalBus
from shared.domain.presence import Presence, PresenceSource, PresenceStatus
from shared.topics import PRESENCE_CHANGED
from tests.support.instant import z
from tests.support.world import World

ALICE, BOB, CAROL = "alice@example.com", "bob@example.com", "carol@example.com"
GET_VACATION = "gmail.users.settings.getVacation"


def poll(world: World) -> None:
    """Run the scheduled presence poll (poll_vacations) and wait for every check it fanned out."""
    assert world.runtime.run_job("poll_vacations") == 200
    world.settle()


def presence_of(world: World, email: str) -> Presence | None:
    """The stored presence of the principal with ``email``."""
    return world.app.stores.presence.get_presence(
        world.org.id, world.app.stores.principals.principal_id(world.org.id, email)
    )


def status_of(world: World, email: str) -> PresenceStatus:
    """The principal's presence status (available when nothing is stored)."""
    presence = presence_of(world, email)
    return PresenceStatus.AVAILABLE if presence is None else presence.status


def says(world: World, email: str) -> tuple[PresenceStatus, PresenceSource, str] | None:
    """The stored presence's status, source and message (None when nothing is stored)."""
    presence = presence_of(world, email)
    return None if presence is None else (presence.status, presence.source, presence.message)


def changes(world: World) -> int:
    """PresenceChanged messages published so far."""
    bus = world.app.bus
    assert isinstance(bus, LocalBus)
    return bus.published.get(PRESENCE_CHANGED, 0)


def move_clocks(world: World, to: datetime) -> None:
    """Move the emulator clock and the service's clock together."""
    world.control.set_clock(time=z(to), frozen=True)
    world.clock.set(to)


def insert(world: World, who: str, body: dict[str, Any]) -> dict[str, Any]:
    """Create an event on ``who``'s primary calendar at the emulator."""
    with world.http(who) as http:
        response = http.post("/calendar/v3/calendars/primary/events", json=body)
    assert response.status_code == 200, response.text
    created: dict[str, Any] = response.json()
    return created


def timed(start: datetime, end: datetime) -> dict[str, Any]:
    """An event body's start and end as UTC date-times."""
    return {"start": {"dateTime": z(start)}, "end": {"dateTime": z(end)}}


def operations(world: World) -> dict[str, int]:
    """Google calls logged since the last clear, by operation."""
    return dict(world.control.requests()["countsByOperation"])
