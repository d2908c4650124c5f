"""App API routes of room check-in, for room devices (``Authorization: Device <token>``).

``POST /v1/devices/{id}/check-in`` with ``{"event_id": ...}`` checks the device's room in to one of
its meetings inside the check-in window (from 5 minutes before the start until the release time);
``GET /v1/devices/{id}/check-ins`` answers the room's meetings around now with their windows and
outcomes, so the display knows when to show "Check in". Registered when ``shared.api.app`` is imported.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import flask
from pydantic import BaseModel, Field

from shared.api.app import AppApi, op
from shared.api.app_models import Strict, iso
from shared.api.http import respond
from shared.api.params import DevicePath
from shared.errors import NotImplementedCapability
from shared.services.auth import Caller
from shared.services.rooms import RoomService

AROUND = timedelta(hours=24)


class CheckInIn(Strict):
    """``POST /v1/devices/{id}/check-in``: the room's meeting to check in to."""

    event_id: str = Field(min_length=1, max_length=1024)


class CheckInOut(BaseModel):
    """A meeting's check-in state: its window and what became of it."""

    event_id: str
    outcome: str | None
    opens: datetime
    closes: datetime
    release_at: datetime | None
    checked_in_at: datetime | None = None
    already: bool = False


class CheckInsOut(BaseModel):
    """The room's meetings around now with their check-in windows."""

    now: datetime
    meetings: list[CheckInOut]


def _rooms(api: AppApi) -> RoomService:
    if api.rooms is None:
        raise NotImplementedCapability("room check-in")
    return api.rooms


@op("/v1/devices/<device_id>/check-in", "POST", "deviceCheckIn", "device", ok=CheckInOut)
def check_in(api: AppApi, caller: Caller, path: DevicePath, body: CheckInIn) -> flask.Response:
    """Check the device's room in to one of its meetings (from 5 minutes before the start until the release time).

    Check in.
    """
    done = _rooms(api).check_in(caller.org, caller.principal, path.device_id, body.event_id)
    w = done.window
    return respond(
        {
            "event_id": body.event_id,
            "outcome": done.record.outcome.value,
            "opens": iso(w.opens),
            "closes": iso(w.closes),
            "release_at": iso(w.release_at) if w.release_at else None,
            "checked_in_at": iso(done.record.at),
            "already": done.already,
        }
    )


@op("/v1/devices/<device_id>/check-ins", "GET", "deviceCheckIns", "device", ok=CheckInsOut)
def check_ins(api: AppApi, caller: Caller, path: DevicePath) -> flask.Response:
    """The room's meetings of the last and next 24 hours with their check-in windows and outcomes.

    Check-in windows.
    """
    now = api.clock.now()
    found = _rooms(api).device_meetings(caller.org, caller.principal, now - AROUND, now + AROUND)
    items = [
        {
            "event_id": m.event_id,
            "outcome": m.outcome.value if m.outcome else None,
            "opens": iso(m.window.opens),
            "closes": iso(m.window.closes),
            "release_at": iso(m.window.release_at) if m.window.release_at else None,
        }
        for m in found
    ]
    return respond({"now": iso(now), "meetings": items})
