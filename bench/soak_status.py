"""The soak's Calendar status: focus blocks and working locations made by hand, and the check that presence follows.

Operations (users acting in Calendar): a focus block created (half of them over now, the others
later today) or deleted; a working location set for now (home, an office with building and desk,
or a custom place; timed or for the whole day) or deleted. The check reads the truth from the
emulator through Google's API and derives, independently of the service's code, what each user's
presence must say now: out of office while the vacation responder is on, else do not disturb
inside a focus block, else in a meeting during a timed event the user organises or accepted, else
available; and the working location covering now (a timed one over the all-day one, then the
latest start).
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from bench.soak_world import SoakWorld
from shared.domain.presence import PresenceStatus

LOCATION_KINDS = ("homeOffice", "officeLocation", "customLocation")


def _path(who: str, event_id: str = "") -> str:
    return f"/calendar/v3/calendars/{who}/events" + (f"/{event_id}" if event_id else "")


def _of_type(world: SoakWorld, who: str, kind: str) -> list[dict[str, Any]]:
    """The user's live events of one type (``eventTypes`` filtering on ``events.list``)."""
    response = world.call(who, "GET", _path(who), params={"eventTypes": kind, "maxResults": 2500})
    if response.status_code != 200:
        return []
    return [i for i in response.json().get("items", []) if i.get("status") != "cancelled"]


def _write(world: SoakWorld, failed: Counter[str], who: str, method: str, path: str, **kwargs: Any) -> None:
    response = world.call(who, method, path, **kwargs)
    if response.status_code not in (200, 204, 410):
        failed[f"{method} {response.status_code}"] += 1


def _times(start: datetime, end: datetime) -> dict[str, Any]:
    return {"start": {"dateTime": start.isoformat()}, "end": {"dateTime": end.isoformat()}}


def op_focus(world: SoakWorld, rng: random.Random, failed: Counter[str]) -> None:
    """Create a focus block (half over now, half later today) or delete one of a user's."""
    who = rng.choice(world.emails)
    existing = _of_type(world, who, "focusTime")
    if existing and rng.random() < 0.35:
        _write(world, failed, who, "DELETE", _path(who, rng.choice(existing)["id"]))
        return
    now = world.clock.now().replace(second=0, microsecond=0)
    start = now - timedelta(minutes=rng.randint(1, 20)) if rng.random() < 0.5 else now + timedelta(minutes=30)
    end = start + timedelta(minutes=rng.choice((30, 60, 90)))
    body = {"summary": "Focus time", "eventType": "focusTime", "focusTimeProperties": {}, **_times(start, end)}
    _write(world, failed, who, "POST", _path(who), json=body)


def op_working_location(world: SoakWorld, rng: random.Random, failed: Counter[str], sensitive: set[str]) -> None:
    """Set where a user works now (timed or all day; home, office or custom) or delete a working location."""
    who = rng.choice(world.emails)
    existing = _of_type(world, who, "workingLocation")
    if existing and rng.random() < 0.3:
        _write(world, failed, who, "DELETE", _path(who, rng.choice(existing)["id"]))
        return
    kind = rng.choice(LOCATION_KINDS)
    detail: dict[str, Any] = {}
    if kind == "officeLocation":
        detail = {"buildingId": f"b{rng.randint(1, 4)}", "deskId": f"d{rng.randint(1, 90)}"}
        detail["label"] = f"Building {detail['buildingId']} desk {rng.randint(100, 999)}"
    elif kind == "customLocation":
        detail = {"label": f"Cafe {rng.randint(1000, 9999)}"}
    if detail.get("label"):
        sensitive.add(detail["label"])
    now = world.clock.now().replace(second=0, microsecond=0)
    if rng.random() < 0.3:
        day = now.date()
        when: dict[str, Any] = {"start": {"date": str(day)}, "end": {"date": str(day + timedelta(days=1))}}
    else:
        when = _times(now - timedelta(hours=1), now + timedelta(hours=rng.randint(1, 6)))
    body = {
        "eventType": "workingLocation",
        "visibility": "public",
        "transparency": "transparent",
        "workingLocationProperties": {"type": kind, kind: detail},
        **when,
    }
    _write(world, failed, who, "POST", _path(who), json=body)


def last_burst(world: SoakWorld, rng: random.Random, failed: Counter[str], sensitive: set[str]) -> None:
    """Focus blocks and working locations set shortly before the checks (the earlier ones have mostly ended)."""
    for _ in range(max(2, len(world.emails) // 4)):
        op_focus(world, rng, failed)
        op_working_location(world, rng, failed, sensitive)


def _span(item: dict[str, Any]) -> tuple[datetime, datetime, bool]:
    start, end = item["start"], item["end"]
    if "date" in start:
        first = datetime.fromisoformat(start["date"] + "T00:00:00+00:00")
        return first, datetime.fromisoformat(end["date"] + "T00:00:00+00:00"), True
    return datetime.fromisoformat(start["dateTime"]), datetime.fromisoformat(end["dateTime"]), False


def _mine(item: dict[str, Any], email: str) -> bool:
    if (item.get("organizer") or {}).get("email", "").lower() == email:
        return True
    return any(
        a.get("email", "").lower() == email and a.get("responseStatus") == "accepted" for a in item.get("attendees", [])
    )


def expected(items: list[dict[str, Any]], email: str, now: datetime) -> tuple[PresenceStatus, str]:
    """The state and working location (``kind|label``) the truth calls for, the vacation responder aside."""
    state = PresenceStatus.AVAILABLE
    places: list[tuple[bool, datetime, str]] = []
    for item in items:
        start, end, all_day = _span(item)
        if not start <= now < end:
            continue
        kind = item.get("eventType", "default")
        if kind == "focusTime":
            state = PresenceStatus.DO_NOT_DISTURB
        elif kind == "default" and not all_day and _mine(item, email) and state is PresenceStatus.AVAILABLE:
            state = PresenceStatus.IN_MEETING
        elif kind == "workingLocation":
            props = item.get("workingLocationProperties") or {}
            code = {"homeOffice": "home", "officeLocation": "office", "customLocation": "custom"}[props["type"]]
            label = "" if code == "home" else str((props.get(props["type"]) or {}).get("label") or "")
            places.append((not all_day, start, f"{code}|{label}"))
    return state, max(places)[2] if places else ""


def status_right(
    world: SoakWorld, truth: dict[str, list[dict[str, Any]]], vacation: dict[str, bool]
) -> tuple[list[str], Counter[str]]:
    """Every user's stored state and working location are what their calendar says now."""
    failures: list[str] = []
    seen: Counter[str] = Counter()
    now = world.clock.now()
    for email in world.emails:
        want, where = expected(truth.get(email, []), email, now)
        if vacation.get(email):
            want = PresenceStatus.OUT_OF_OFFICE
        presence = world.app.stores.presence.get_presence(world.org.id, world.principal_id(email))
        status = PresenceStatus.AVAILABLE if presence is None else presence.status
        stored = "" if presence is None else presence.working_location
        seen[want.value] += 1
        seen["with a working location"] += bool(where)
        if (status, stored) != (want, where):
            failures.append(f"{email.split('@')[0]}: {status.value} {stored!r}, expected {want.value} {where!r}")
    return failures, seen
