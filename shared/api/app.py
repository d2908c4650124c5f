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

from shared.adapters.store.repositories import DocumentStores
from shared.api import app_pages, openapi
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
)
from shared.api.app_stream import EventStream, StreamSettings, StreamTarget, parse_cursor
from shared.api.http import Router, parse, respond
from shared.domain.meetings import ResponseStatus
from shared.domain.presence import RecipientKind
from shared.errors import Forbidden, InvalidInput
from shared.ports.clock import Clock
from shared.services.auth import Authenticator, Caller, DevSignIn
from shared.services.join_buttons import Broadcaster
from shared.services.meetings_app import MeetingsApp, NewMeeting, zone_of
from shared.services.people import People

if TYPE_CHECKING:
    from shared.api.app_conferences import AddOnRoute

router = Router("meetings_api")
RANGE = (
    openapi.Param("from", "Start: RFC 3339 time or a date (midnight in my zone); default today."),
    openapi.Param("to", "End (exclusive): RFC 3339 time or a date; default `days` days after `from`."),
    openapi.Param(
        "days",
        "Length of the range in days when `to` is not given (1 to 62; default 1).",
        schema={"type": "integer", "minimum": 1, "maximum": 62},
    ),
)


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

    @cached_property
    def people(self) -> People:
        """The directory, presence and delegate use cases."""
        return People(self.stores.principals, self.stores.presence, self.meetings.calendar)

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


def op(path: str, method: str, operation_id: str, summary: str, auth: str, **doc: Any) -> Callable[[View], View]:
    """Register an authenticated view and document it."""

    def register(view: View) -> View:
        def guarded(request: flask.Request, api: AppApi, **args: Any) -> flask.Response:
            caller = api.caller(request, auth, args.get("device_id"))
            return view(request, api, caller, **args)

        guarded.__name__ = view.__name__
        router.route(path, [method])(guarded)
        openapi.register(openapi.Operation(path, method, operation_id, summary, auth, **doc))  # type: ignore[arg-type]
        return view

    return register


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


def listing(api: AppApi, caller: Caller, args: Mapping[str, str]) -> dict[str, Any]:
    """The body of a meeting list (``MeetingListOut``) for the range in ``args``."""
    start, end, days = _range(args, caller)
    start, end, items = api.meetings.list_meetings(caller, start, end, days=days)
    return {
        "from": iso(start),
        "to": iso(end),
        "now": iso(api.clock.now()),
        "time_zone": zone_of(caller.principal.time_zone).key,
        "meetings": [meeting_out(i) for i in items],
    }


def _listing(api: AppApi, caller: Caller, args: Mapping[str, str]) -> flask.Response:
    return respond(listing(api, caller, args))


def _done() -> flask.Response:
    return flask.Response(status=204)


# ---------------------------------------------------------------- /v1


@router.route("/v1/openapi.json", ["GET"])
def openapi_json(request: flask.Request, api: AppApi) -> flask.Response:
    """The OpenAPI 3.1 document."""
    return respond(openapi.document())


@op(
    "/v1/me/meetings",
    "GET",
    "listMyMeetings",
    "My meetings in a range (default today in my zone).",
    "user",
    response=MeetingListOut,
    query=RANGE,
)
def list_mine(request: flask.Request, api: AppApi, caller: Caller) -> flask.Response:
    """My meetings."""
    return _listing(api, caller, request.args)


@op(
    "/v1/me/meetings",
    "POST",
    "scheduleMeeting",
    "Schedule (events.insert) or quick-add (events.quickAdd).",
    "user",
    status=201,
    request=ScheduleIn,
    response=MeetingOut,
)
def schedule(request: flask.Request, api: AppApi, caller: Caller) -> flask.Response:
    """Schedule a meeting."""
    body = parse(ScheduleIn, request)
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


@op("/v1/me/meetings/<event_id>", "GET", "getMyMeeting", "One of my meetings.", "user", response=MeetingOut)
def get_mine(request: flask.Request, api: AppApi, caller: Caller, event_id: str) -> flask.Response:
    """One meeting."""
    return respond(meeting_out(api.meetings.get_meeting(caller, event_id)))


@op("/v1/me/meetings/<event_id>", "DELETE", "deleteMyMeeting", "Delete a meeting (events.delete).", "user", status=204)
def delete_mine(request: flask.Request, api: AppApi, caller: Caller, event_id: str) -> flask.Response:
    """Delete a meeting."""
    api.meetings.delete(caller, event_id)
    return _done()


@op(
    "/v1/me/meetings/<event_id>/rsvp",
    "POST",
    "rsvp",
    "Accept, decline or tentatively accept (events.patch).",
    "user",
    request=RsvpIn,
    response=MeetingOut,
)
def rsvp(request: flask.Request, api: AppApi, caller: Caller, event_id: str) -> flask.Response:
    """Answer an invitation."""
    body = parse(RsvpIn, request)
    return respond(meeting_out(api.meetings.rsvp(caller, event_id, ResponseStatus(body.response))))


@op(
    "/v1/availability",
    "POST",
    "availability",
    "Free/busy of people in my org (freebusy.query).",
    "user",
    request=AvailabilityIn,
    response=AvailabilityOut,
)
def availability(request: flask.Request, api: AppApi, caller: Caller) -> flask.Response:
    """Busy times."""
    body = parse(AvailabilityIn, request)
    start, end = api.meetings.day_range(caller, body.from_, body.to)
    found = api.meetings.availability(caller, body.emails, start, end)
    return respond(availability_out(start, end, found))


@op(
    "/v1/me/delegates",
    "POST",
    "addDelegate",
    "Grant a person of my org access to my calendar (acl.insert).",
    "user",
    status=201,
    request=DelegateIn,
    response=DelegateOut,
)
def add_delegate(request: flask.Request, api: AppApi, caller: Caller) -> flask.Response:
    """Grant a delegate."""
    body = parse(DelegateIn, request)
    rule_id = api.meetings.add_delegate(caller, body.email, body.role)
    return respond({"email": body.email.lower(), "role": body.role, "rule_id": rule_id}, 201)


@op("/v1/me/delegates/<email>", "DELETE", "removeDelegate", "Revoke a delegate (acl.delete).", "user", status=204)
def remove_delegate(request: flask.Request, api: AppApi, caller: Caller, email: str) -> flask.Response:
    """Revoke a delegate."""
    api.meetings.remove_delegate(caller, email)
    return _done()


@op("/v1/me/presence", "GET", "myPresence", "My presence.", "user", response=PresenceOut)
def my_presence(request: flask.Request, api: AppApi, caller: Caller) -> flask.Response:
    """My presence."""
    return respond(presence_out(api.meetings.presence(caller)))


@op(
    "/v1/people/<email>/presence",
    "GET",
    "personPresence",
    "The presence of a person in my org.",
    "user",
    response=PresenceOut,
)
def person_presence(request: flask.Request, api: AppApi, caller: Caller, email: str) -> flask.Response:
    """Someone's presence."""
    return respond(presence_out(api.meetings.presence(caller, email)))


@op(
    "/v1/devices/<device_id>/meetings",
    "GET",
    "deviceMeetings",
    "The device's room's meetings (default today).",
    "device",
    response=MeetingListOut,
    query=RANGE,
)
def device_meetings(request: flask.Request, api: AppApi, caller: Caller, device_id: str) -> flask.Response:
    """A room's day."""
    return _listing(api, caller, request.args)


def _stream(api: AppApi, request: flask.Request, target: StreamTarget) -> flask.Response:
    cursor = parse_cursor(request.headers.get("Last-Event-ID") or request.args.get("lastEventId"))
    events = EventStream(api.stores, api.clock, api.broadcaster, target, cursor, api.streams)
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return flask.Response(iter(events), mimetype="text/event-stream", headers=headers)


@op("/v1/me/stream", "GET", "myStream", "Server-Sent Events: my join buttons and presence.", "user", stream=True)
def my_stream(request: flask.Request, api: AppApi, caller: Caller) -> flask.Response:
    """My events."""
    p = caller.principal
    return _stream(api, request, StreamTarget(caller.org.id, RecipientKind.PERSON, p.id, presence_of=p.id))


@op(
    "/v1/devices/<device_id>/stream",
    "GET",
    "deviceStream",
    "Server-Sent Events: the device's join buttons.",
    "device",
    stream=True,
)
def device_stream(request: flask.Request, api: AppApi, caller: Caller, device_id: str) -> flask.Response:
    """A device's events."""
    return _stream(api, request, StreamTarget(caller.org.id, RecipientKind.DEVICE, device_id))


app_pages.register(router)
from shared.api import app_conferences, app_me  # noqa: E402, F401  (their routes use ``router`` and ``AppApi``)
