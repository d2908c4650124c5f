"""App API route of people's presence for room displays (``Authorization: Device <token>``).

``GET /v1/devices/{id}/presence`` answers the state of the org's people who organise or attend the
room's meetings in the range (as ``/v1/devices/{id}/meetings`` takes it; default today): only the
state, never the out-of-office message nor the working location, and nothing for anyone else.
The device stream sends the changes as ``presence`` frames. Registered when ``shared.api.app`` is imported.
"""

from __future__ import annotations

from datetime import datetime

import flask
from pydantic import BaseModel, Field

from shared.api.app import AppApi, listed_items, op
from shared.api.app_models import iso
from shared.api.http import respond
from shared.api.params import DevicePath, RangeQuery
from shared.services.auth import Caller
from shared.services.room_presence import room_people, states


class RoomPersonOut(BaseModel):
    """A person of the org on one of the room's meetings, and their presence state."""

    email: str
    status: str


class DevicePresenceOut(BaseModel):
    """The states of the org's people on the room's meetings of the range."""

    from_: datetime = Field(alias="from")
    to: datetime
    now: datetime
    people: list[RoomPersonOut]


@op(
    "/v1/devices/<device_id>/presence",
    "GET",
    "devicePresence",
    "The presence state (no message, no working location) of the org's people on the room's meetings in a range.",
    "device",
    ok=DevicePresenceOut,
)
def device_presence(
    request: flask.Request, api: AppApi, caller: Caller, path: DevicePath, query: RangeQuery
) -> flask.Response:
    """People's states for a room display."""
    start, end, now, items = listed_items(api, caller, request.args)
    found = states(caller.org.id, api.stores.presence, room_people(caller.org, api.stores.principals, items))
    people = [{"email": email, "status": status.value} for email, status in found.items()]
    return respond({"from": iso(start), "to": iso(end), "now": iso(now), "people": people})
