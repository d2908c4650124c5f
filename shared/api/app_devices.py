"""App API routes of room devices (``Authorization: Device <token>``): the room's day, its people, its stream.

``GET /v1/devices/{id}/meetings`` lists the room's meetings of a range (as ``/v1/me/meetings``
takes it; default today). ``GET /v1/devices/{id}/presence`` answers the state of the org's people
who organise or attend them: only the state, never the out-of-office message nor the working
location, and nothing for anyone else; the device stream sends the changes as ``presence``
frames. Check-in is in ``app_rooms``. Registered when ``shared.api.app`` is imported.
"""

from __future__ import annotations

from datetime import datetime

import flask
from pydantic import BaseModel, Field

from shared.api import app_meetings  # by module: either of the two may be imported first
from shared.api.app import AppApi, op
from shared.api.app_models import MeetingListOut, iso
from shared.api.app_routing import SSE
from shared.api.app_stream import StreamTarget, stream_response
from shared.api.http import respond
from shared.api.params import DevicePath, RangeQuery, StreamHeader
from shared.domain.presence import RecipientKind
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


@op("/v1/devices/<device_id>/presence", "GET", "devicePresence", "device", ok=DevicePresenceOut)
def device_presence(
    request: flask.Request, api: AppApi, caller: Caller, path: DevicePath, query: RangeQuery
) -> flask.Response:
    """The presence state (no message, no working location) of the org's people on the room's meetings in a range.

    People's states for a room display.
    """
    start, end, now, items = app_meetings.listed_items(api, caller, request.args)
    found = states(caller.org.id, api.stores.presence, room_people(caller.org, api.stores.principals, items))
    people = [{"email": email, "status": status.value} for email, status in found.items()]
    return respond({"from": iso(start), "to": iso(end), "now": iso(now), "people": people})


@op("/v1/devices/<device_id>/meetings", "GET", "deviceMeetings", "device", ok=MeetingListOut)
def device_meetings(
    request: flask.Request, api: AppApi, caller: Caller, path: DevicePath, query: RangeQuery
) -> flask.Response:
    """The device's room's meetings (default today).

    A room's day.
    """
    return respond(app_meetings.listing(api, caller, request.args))


@op("/v1/devices/<device_id>/stream", "GET", "deviceStream", "device", ok=SSE)
def device_stream(
    request: flask.Request, api: AppApi, caller: Caller, path: DevicePath, header: StreamHeader
) -> flask.Response:
    """Server-Sent Events: the device's join buttons and the presence of the people on its meetings.

    A device's events, and the presence of the org's people on its room's meetings of today.
    """
    people = room_people(caller.org, api.stores.principals, app_meetings.listed_items(api, caller, {})[3])
    target = StreamTarget(caller.org.id, RecipientKind.DEVICE, path.device_id, presence_among=people)
    return stream_response(api, request, header, target)
