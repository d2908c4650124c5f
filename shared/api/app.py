"""The app API under /v1 and its OpenAPI document (the web page and room display: ``app_pages``).

Every /v1 route declares who may call it; the wrapper authenticates before the view runs, so a
route cannot forget to (deny by default). Users reach only their own calendar and people of
their org; a device only its own room. Bad input answers 4xx with a JSON error, never a 5xx.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cached_property
from typing import TYPE_CHECKING, Any

import flask

from shared.adapters.store import app_queries
from shared.adapters.store.repositories import DocumentStores
from shared.api import app_pages
from shared.api.app_models import (
    AvailabilityIn,
    AvailabilityOut,
    DelegateIn,
    DelegateOut,
    MeetingListOut,
    MeetingOut,
    PresenceOut,
    RsvpIn,
    ScheduleIn,
    availability_out,
    iso,
    meeting_out,
    presence_out,
    row_out,
)
from shared.api.app_routing import SSE, documented
from shared.api.app_routing import router as router  # the routes are on it once this module is imported
from shared.api.app_stream import EventStream, StreamSettings, StreamTarget, parse_cursor
from shared.api.http import respond
from shared.api.params import DevicePath, EmailPath, EventPath, RangeQuery, StreamHeader
from shared.domain.meeting_rows import ListedRow, listed
from shared.domain.meetings import ResponseStatus
from shared.domain.presence import RecipientKind
from shared.errors import Forbidden, InvalidInput
from shared.ports.clock import Clock
from shared.services.auth import Authenticator, Caller, DevSignIn
from shared.services.join_buttons import Broadcaster, lead_for
from shared.services.meetings_app import MeetingsApp, NewMeeting, zone_of
from shared.services.people import People
from shared.services.room_presence import room_people

if TYPE_CHECKING:
    from shared.api.app_conferences import AddOnRoute
    from shared.services.rooms import RoomService


@dataclass
class AppApi:
    """What the routes need, built once per process by the composition root."""

    authenticator: Authenticator
    meetings: MeetingsApp
    stores: DocumentStores
    clock: Clock
    broadcaster: Broadcaster
    dev: DevSignIn | None = None
    streams: StreamSettings = field(default_factory=StreamSettings)
    addon: AddOnRoute | None = None
    rooms: RoomService | None = None

    @cached_property
    def people(self) -> People:
        """The directory, presence and delegate use cases."""
        return People(self.stores.principals, self.stores.presence, self.meetings.sharing)

    def caller(self, request: flask.Request, auth: str, device_id: str | None) -> Caller | None:
        """Authenticate for a route that wants ``auth``; refuse anything else."""
        if auth == "none":
            return None
        caller = self.authenticator.authenticate(request.headers.get("Authorization"))
        if auth == "user" and caller.is_device:
            raise Forbidden("this route is for people, not devices", reason="wrong_caller")
        if auth == "device":
            if caller.device is None:
                raise Forbidden("this route is for room devices", reason="wrong_caller")
            if caller.device.id != device_id:
                raise Forbidden("a device sees only its own room", reason="other_device")
        return caller


View = Callable[..., flask.Response]


def op(
    path: str, method: str, operation_id: str, summary: str, auth: str, status: int = 200, ok: Any = None
) -> Callable[[View], View]:
    """Add an authenticated, documented /v1 view; it runs only after ``auth`` let the caller in."""

    def guard(context: dict[str, Any], url: dict[str, str]) -> dict[str, Any]:
        return {"caller": context["api"].caller(flask.request, auth, url.get("device_id"))}

    return router.route(method, path, guard=guard, **documented(operation_id, summary, auth, status, ok))


def _when(raw: str | None, zone_name: str | None, name: str) -> datetime | None:
    if raw is None or raw == "":
        return None
    if len(raw) > 64:
        raise InvalidInput(f"{name} is too long")
    try:
        if len(raw) == 10:
            return datetime.combine(date.fromisoformat(raw), time(0), tzinfo=zone_of(zone_name))
        value = datetime.fromisoformat(raw.replace("z", "Z"))
    except ValueError:
        raise InvalidInput(f"{name} must be an RFC 3339 time or a date (YYYY-MM-DD)") from None
    if value.tzinfo is None:
        raise InvalidInput(f"{name} needs a time-zone offset")
    return value


def _days(raw: str | None) -> int:
    if raw is None or raw == "":
        return 1
    if not raw.isdigit() or not 1 <= int(raw) <= 62:
        raise InvalidInput("days must be a whole number from 1 to 62")
    return int(raw)


def _range(args: Mapping[str, str], caller: Caller) -> tuple[datetime | None, datetime | None, int]:
    zone = caller.principal.time_zone
    return _when(args.get("from"), zone, "from"), _when(args.get("to"), zone, "to"), _days(args.get("days"))


def listed_items(
    api: AppApi, caller: Caller, args: Mapping[str, str]
) -> tuple[datetime, datetime, datetime, list[ListedRow]]:
    """The range in ``args``, the time and the meetings the caller is shown in it."""
    start, end, days = _range(args, caller)
    start, end = api.meetings.day_range(caller, start, end, days)
    now = api.clock.now()
    rows = app_queries.meeting_rows(api.stores.backend, caller.org.id, caller.principal.id, start, end, now)
    lead = lead_for(caller.org, caller.principal)
    return start, end, now, listed(rows, caller.principal.email, device=caller.is_device, lead=lead, now=now)


def listing(api: AppApi, caller: Caller, args: Mapping[str, str]) -> dict[str, Any]:
    """The body of a meeting list (``MeetingListOut``) for the range in ``args``."""
    start, end, now, items = listed_items(api, caller, args)
    return {
        "from": iso(start),
        "to": iso(end),
        "now": iso(now),
        "time_zone": zone_of(caller.principal.time_zone).key,
        "meetings": [row_out(i) for i in items],
    }


def _listing(api: AppApi, caller: Caller, args: Mapping[str, str]) -> flask.Response:
    return respond(listing(api, caller, args))


def _done() -> flask.Response:
    return flask.Response(status=204)


# ---------------------------------------------------------------- /v1


@router.route("GET", "/v1/openapi.json")
def openapi_json() -> flask.Response:
    """The OpenAPI 3.1 document."""
    return respond(router.document())


@op(
    "/v1/me/meetings",
    "GET",
    "listMyMeetings",
    "My meetings in a range (default today in my zone).",
    "user",
    ok=MeetingListOut,
)
def list_mine(request: flask.Request, api: AppApi, caller: Caller, query: RangeQuery) -> flask.Response:
    """My meetings."""
    return _listing(api, caller, request.args)


@op(
    "/v1/me/meetings",
    "POST",
    "scheduleMeeting",
    "Schedule (events.insert) or quick-add (events.quickAdd).",
    "user",
    201,
    MeetingOut,
)
def schedule(api: AppApi, caller: Caller, body: ScheduleIn) -> flask.Response:
    """Schedule a meeting."""
    new = NewMeeting(
        text=body.text,
        title=body.title,
        start=body.start,
        end=body.end,
        time_zone=body.time_zone,
        attendees=tuple(body.attendees),
        location=body.location,
        keyword=body.keyword,
        description=body.description,
    )
    return respond(meeting_out(api.meetings.schedule(caller, new)), 201)


@op("/v1/me/meetings/<event_id>", "GET", "getMyMeeting", "One of my meetings.", "user", ok=MeetingOut)
def get_mine(api: AppApi, caller: Caller, path: EventPath) -> flask.Response:
    """One meeting."""
    return respond(meeting_out(api.meetings.get_meeting(caller, path.event_id)))


@op("/v1/me/meetings/<event_id>", "DELETE", "deleteMyMeeting", "Delete a meeting (events.delete).", "user", 204)
def delete_mine(api: AppApi, caller: Caller, path: EventPath) -> flask.Response:
    """Delete a meeting."""
    api.meetings.delete(caller, path.event_id)
    return _done()


@op(
    "/v1/me/meetings/<event_id>/rsvp",
    "POST",
    "rsvp",
    "Accept, decline or tentatively accept (events.patch).",
    "user",
    ok=MeetingOut,
)
def rsvp(api: AppApi, caller: Caller, path: EventPath, body: RsvpIn) -> flask.Response:
    """Answer an invitation."""
    return respond(meeting_out(api.meetings.rsvp(caller, path.event_id, ResponseStatus(body.response))))


@op(
    "/v1/availability",
    "POST",
    "availability",
    "Free/busy of people in my org (freebusy.query).",
    "user",
    ok=AvailabilityOut,
)
def availability(api: AppApi, caller: Caller, body: AvailabilityIn) -> flask.Response:
    """Busy times."""
    start, end = api.meetings.day_range(caller, body.from_, body.to)
    found = api.meetings.availability(caller, body.emails, start, end)
    return respond(availability_out(start, end, found))


@op(
    "/v1/me/delegates",
    "POST",
    "addDelegate",
    "Grant a person of my org access to my calendar (acl.insert).",
    "user",
    201,
    DelegateOut,
)
def add_delegate(api: AppApi, caller: Caller, body: DelegateIn) -> flask.Response:
    """Grant a delegate."""
    rule_id = api.meetings.add_delegate(caller, body.email, body.role)
    return respond({"email": body.email.lower(), "role": body.role, "rule_id": rule_id}, 201)


@op("/v1/me/delegates/<email>", "DELETE", "removeDelegate", "Revoke a delegate (acl.delete).", "user", 204)
def remove_delegate(api: AppApi, caller: Caller, path: EmailPath) -> flask.Response:
    """Revoke a delegate."""
    api.meetings.remove_delegate(caller, path.email)
    return _done()


@op("/v1/me/presence", "GET", "myPresence", "My presence.", "user", ok=PresenceOut)
def my_presence(api: AppApi, caller: Caller) -> flask.Response:
    """My presence."""
    return respond(presence_out(api.meetings.presence(caller)))


@op(
    "/v1/people/<email>/presence",
    "GET",
    "personPresence",
    "The presence of a person in my org.",
    "user",
    ok=PresenceOut,
)
def person_presence(api: AppApi, caller: Caller, path: EmailPath) -> flask.Response:
    """Someone's presence."""
    return respond(presence_out(api.meetings.presence(caller, path.email)))


@op(
    "/v1/devices/<device_id>/meetings",
    "GET",
    "deviceMeetings",
    "The device's room's meetings (default today).",
    "device",
    ok=MeetingListOut,
)
def device_meetings(
    request: flask.Request, api: AppApi, caller: Caller, path: DevicePath, query: RangeQuery
) -> flask.Response:
    """A room's day."""
    return _listing(api, caller, request.args)


def _stream(api: AppApi, request: flask.Request, header: StreamHeader, target: StreamTarget) -> flask.Response:
    cursor = parse_cursor(header.last_event_id or request.args.get("lastEventId"))
    events = EventStream(api.stores, api.clock, api.broadcaster, target, cursor, api.streams)
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return flask.Response(iter(events), mimetype="text/event-stream", headers=headers)


@op("/v1/me/stream", "GET", "myStream", "Server-Sent Events: my join buttons and presence.", "user", ok=SSE)
def my_stream(request: flask.Request, api: AppApi, caller: Caller, header: StreamHeader) -> flask.Response:
    """My events."""
    p = caller.principal
    target = StreamTarget(caller.org.id, RecipientKind.PERSON, p.id, presence_of=p.id)
    return _stream(api, request, header, target)


@op(
    "/v1/devices/<device_id>/stream",
    "GET",
    "deviceStream",
    "Server-Sent Events: the device's join buttons and the presence of the people on its meetings.",
    "device",
    ok=SSE,
)
def device_stream(
    request: flask.Request, api: AppApi, caller: Caller, path: DevicePath, header: StreamHeader
) -> flask.Response:
    """A device's events, and the presence of the org's people on its room's meetings of today."""
    people = room_people(caller.org, api.stores.principals, listed_items(api, caller, {})[3])
    target = StreamTarget(caller.org.id, RecipientKind.DEVICE, path.device_id, presence_among=people)
    return _stream(api, request, header, target)


app_pages.register(router)
from shared.api import app_conferences, app_device_presence, app_me, app_rooms  # noqa: E402, F401  (their routes use ``router`` and ``AppApi``)
