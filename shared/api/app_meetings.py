"""App API routes of my meetings: the list of a range, one meeting, scheduling, RSVP and free/busy.

A range is ``from``/``to`` (RFC 3339, or a date in the caller's zone) and ``days`` (1 to 62,
default today); room devices list their room's meetings with the same rules (``app_devices``).
Registered on the app API's router when ``shared.api.app`` is imported.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any

import flask

from shared.api.app import AppApi, op
from shared.api.app_models import MeetingListOut, MeetingOut, RsvpIn, ScheduleIn, iso, meeting_out, row_out
from shared.api.app_people_models import AvailabilityIn, AvailabilityOut, availability_out
from shared.api.http import respond
from shared.api.params import EventPath, RangeQuery
from shared.domain.meeting_rows import ListedRow, listed
from shared.domain.meetings import ResponseStatus
from shared.errors import InvalidInput
from shared.services.auth import Caller
from shared.services.join_buttons import lead_for
from shared.services.meetings_app import NewMeeting, zone_of


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
    rows = api.stores.meetings.meeting_rows(caller.org.id, caller.principal.id, start, end, now)
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


@op("/v1/me/meetings", "GET", "listMyMeetings", "user", ok=MeetingListOut)
def list_mine(request: flask.Request, api: AppApi, caller: Caller, query: RangeQuery) -> flask.Response:
    """My meetings in a range (default today in my zone).

    My meetings.
    """
    return respond(listing(api, caller, request.args))


@op("/v1/me/meetings", "POST", "scheduleMeeting", "user", 201, MeetingOut)
def schedule(api: AppApi, caller: Caller, body: ScheduleIn) -> flask.Response:
    """Schedule (events.insert) or quick-add (events.quickAdd).

    Schedule a meeting.
    """
    new = NewMeeting(**body.model_dump(exclude={"attendees"}), attendees=tuple(body.attendees))
    return respond(meeting_out(api.meetings.schedule(caller, new)), 201)


@op("/v1/me/meetings/<event_id>", "GET", "getMyMeeting", "user", ok=MeetingOut)
def get_mine(api: AppApi, caller: Caller, path: EventPath) -> flask.Response:
    """One of my meetings.

    One meeting.
    """
    return respond(meeting_out(api.meetings.get_meeting(caller, path.event_id)))


@op("/v1/me/meetings/<event_id>", "DELETE", "deleteMyMeeting", "user", 204)
def delete_mine(api: AppApi, caller: Caller, path: EventPath) -> None:
    """Delete a meeting (events.delete).

    Delete a meeting.
    """
    api.meetings.delete(caller, path.event_id)


@op("/v1/me/meetings/<event_id>/rsvp", "POST", "rsvp", "user", ok=MeetingOut)
def rsvp(api: AppApi, caller: Caller, path: EventPath, body: RsvpIn) -> flask.Response:
    """Accept, decline or tentatively accept (events.patch).

    Answer an invitation.
    """
    return respond(meeting_out(api.meetings.rsvp(caller, path.event_id, ResponseStatus(body.response))))


@op("/v1/availability", "POST", "availability", "user", ok=AvailabilityOut)
def availability(api: AppApi, caller: Caller, body: AvailabilityIn) -> flask.Response:
    """Free/busy of people in my org (freebusy.query).

    Busy times.
    """
    start, end = api.meetings.day_range(caller, body.from_, body.to)
    found = api.meetings.availability(caller, body.emails, start, end)
    return respond(availability_out(start, end, found))
