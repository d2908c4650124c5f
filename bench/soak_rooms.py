"""The soak's room phase: check-ins and no-shows under faults, then proof that each no-show room was released once.

After the main checks, the org turns room release on (10 minutes), shares the rooms with the room
delegate, and books meetings in the soak's rooms: some a display checks in to, some exempt with
``#keeproom``, the rest no-shows. The clock walks through them; ``release_rooms`` runs at each
release time, again right after (a redelivered scheduler call), and once more at the end, with
Google answering 429/503 now and then and a service restart in the middle. The checks: every no-show
room is declined at Google with the release note and exactly one successful patch on its calendar;
no checked-in or exempt room is declined or patched; the admin report counts match.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from bench.soak_world import DOMAIN, ROOMS, SoakWorld
from shared.domain.rooms import RELEASE_COMMENT
from shared.errors import Unavailable

RELEASE_MINUTES = 10
FAULTS = {"rate429": 0.05, "rate503": 0.05}


@dataclass
class Booking:
    """One meeting in one or two rooms, and what the soak does with each room."""

    event_id: str
    organizer: str
    start: datetime
    plan: dict[str, str]  # room → "check_in", "exempt" or "no_show"


@dataclass
class RoomPhase:
    """What the phase booked and saw."""

    bookings: list[Booking] = field(default_factory=list)
    release_runs: int = 0
    runs_refused: int = 0
    check_ins: int = 0


def meetings_for(ops: int) -> int:
    """How many room meetings a soak of ``ops`` operations books."""
    return max(6, ops // 80)


def _devices(world: SoakWorld) -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    for room in ROOMS:
        answer = world.admin(
            "POST", f"/orgs/{world.org.id}/principals/{quote(room, safe='@')}/devices", {"name": "soak"}
        )
        assert answer.status_code == 201, answer.text
        out[room] = (answer.json()["id"], answer.json()["token"])
    return out


def _book(world: SoakWorld, rng: random.Random, start: datetime, index: int) -> Booking:
    rooms = rng.sample(ROOMS, rng.choice((1, 1, 2)))
    plan = {room: rng.choice(("check_in", "exempt", "no_show", "no_show")) for room in rooms}
    if any(p == "exempt" for p in plan.values()):  # the keyword is the meeting's: every room of it is exempt
        plan = dict.fromkeys(rooms, "exempt")
    organizer = rng.choice(world.emails)
    body = {
        "summary": f"Room soak {index}",
        "description": "#keeproom" if "exempt" in plan.values() else "Agenda",
        "start": {"dateTime": start.isoformat()},
        "end": {"dateTime": (start + timedelta(minutes=45)).isoformat()},
        "attendees": [{"email": r} for r in rooms],
    }
    answer = world.call(organizer, "POST", "/calendar/v3/calendars/primary/events", json=body)
    assert answer.status_code == 200, answer.text
    return Booking(answer.json()["id"], organizer, start, plan)


def _run_release(world: SoakWorld, phase: RoomPhase) -> None:
    try:
        world.runtime.run_job("release_rooms")
        phase.release_runs += 1
    except Unavailable:
        phase.runs_refused += 1  # the next run picks it up


def _check_in(world: SoakWorld, device: tuple[str, str], event_id: str) -> int:
    device_id, token = device
    with world.service_http() as http:
        answer = http.post(
            f"/v1/devices/{device_id}/check-in",
            json={"event_id": event_id},
            headers={"Authorization": f"Device {token}"},
        )
    return answer.status_code


def run_rooms(world: SoakWorld, rng: random.Random, meetings: int) -> RoomPhase:
    """Book ``meetings`` room meetings from the current time on and walk the clock through them."""
    phase = RoomPhase()
    writers = [{"email": r, "name": f"Room {i + 1}", "writers": [world.emails[0]]} for i, r in enumerate(ROOMS)]
    world.control.create_domain(DOMAIN, rooms=writers)
    assert world.admin("PUT", f"/orgs/{world.org.id}/room-release", {"minutes": RELEASE_MINUTES}).status_code == 200
    devices = _devices(world)
    base = world.clock.now().replace(second=0, microsecond=0) + timedelta(hours=1)
    phase.bookings = [_book(world, rng, base + timedelta(hours=i), i) for i in range(meetings)]
    world.settle()
    world.control.set_faults("*", seed=rng.randrange(1 << 30), **FAULTS)
    try:
        for n, booking in enumerate(phase.bookings):
            world.set_time(booking.start - timedelta(minutes=2))
            for room, what in booking.plan.items():
                if what == "check_in":
                    for _ in range(12):  # a 503 from a restart in progress: the display tries again
                        status = _check_in(world, devices[room], booking.event_id)
                        if status < 500:
                            break
                    assert status == 200, status
                    phase.check_ins += 1
            world.set_time(booking.start + timedelta(minutes=RELEASE_MINUTES, seconds=5))
            _run_release(world, phase)
            _run_release(world, phase)  # a redelivered scheduler call
            if n == len(phase.bookings) // 2:
                world.restart()
            world.settle()
        world.set_time(phase.bookings[-1].start + timedelta(minutes=RELEASE_MINUTES + 1))
        _run_release(world, phase)
        world.settle()
    finally:
        world.control.clear_faults()
    _run_release(world, phase)  # without faults: anything deferred by a retryable error is released now
    world.settle()
    return phase


def _room_entry(world: SoakWorld, booking: Booking, room: str) -> dict[str, Any]:
    answer = world.call(booking.organizer, "GET", f"/calendar/v3/calendars/primary/events/{booking.event_id}")
    assert answer.status_code == 200, answer.text
    return next(a for a in answer.json()["attendees"] if a["email"] == room)


def check_rooms(world: SoakWorld, phase: RoomPhase) -> tuple[list[str], dict[str, int]]:
    """Every no-show room declined once at Google with the note; no other room touched; the report agrees."""
    failures: list[str] = []
    patches: Counter[tuple[str, str]] = Counter()
    for item in world.control.requests(operation="calendar.events.patch")["items"]:
        if item["status"] == 200:
            for room in ROOMS:
                if f"/calendars/{room}/events/" in item["path"]:
                    patches[(room, item["path"].rsplit("/", 1)[-1])] += 1
    expected: Counter[str] = Counter()
    for booking in phase.bookings:
        for room, what in booking.plan.items():
            entry = _room_entry(world, booking, room)
            declined = entry.get("responseStatus") == "declined"
            count = patches[(room, booking.event_id)]
            expected["released" if what == "no_show" else "checked_in" if what == "check_in" else what] += 1
            if what == "no_show" and not (declined and entry.get("comment") == RELEASE_COMMENT and count == 1):
                failures.append(f"{room} {booking.event_id}: no-show declined={declined} patches={count}")
            if what != "no_show" and (declined or count):
                failures.append(f"{room} {booking.event_id}: {what} but declined={declined} patches={count}")
    first = (phase.bookings[0].start - timedelta(days=1)).date().isoformat()
    recorded: dict[tuple[str, str], str] = {}
    for room in ROOMS:
        path = f"/orgs/{world.org.id}/principals/{quote(room, safe='@')}/room-meetings?from={first}&days=4"
        for item in world.admin("GET", path).json()["meetings"]:
            recorded[(room, item["event_id"])] = item["outcome"]
    outcome = {"no_show": "released", "check_in": "checked_in", "exempt": "exempt"}
    for booking in phase.bookings:
        for room, what in booking.plan.items():
            if recorded.get((room, booking.event_id)) != outcome[what]:
                failures.append(f"{room} {booking.event_id}: recorded {recorded.get((room, booking.event_id))}")
    rows = world.admin("GET", f"/orgs/{world.org.id}/room-report?from={first}&days=4").json()["rooms"]
    counted = Counter({k: sum(int(r[k]) for r in rows) for k in ("released", "checked_in", "exempt", "no_policy")})
    if +counted != +Counter(recorded.values()):
        failures.append(f"the report counts {dict(counted)}, the records say {dict(Counter(recorded.values()))}")
    figures = {
        "room_meetings": sum(len(b.plan) for b in phase.bookings),
        "room_no_shows_released": expected["released"],
        "room_check_ins": phase.check_ins,
        "room_exempt": expected["exempt"],
        "room_release_runs": phase.release_runs,
        "room_release_runs_refused": phase.runs_refused,
        "room_patches_ok": sum(patches.values()),
    }
    return failures, figures
