"""The fields of a Calendar v3 event resource that both of its views read the same way.

``mappers.GoogleEvent`` (the round-tripping view the gateway writes back from) and the domain's
``CalendarEvent`` (what the services see) share these readers; only the times and the extended
properties take a different shape in each. Reading is pure: the resource is never changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

from shared.clock import utc
from shared.domain.events import AttachedConference, EntryPoint, EventAttendee
from shared.domain.status import encode_location, location_from_api

EMPTY: Mapping[str, str] = MappingProxyType({})


def common_fields(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Every field both views hold with the same name and value (all but the times and the properties)."""
    found = raw.get("organizer")
    organizer: Mapping[str, Any] = found if isinstance(found, dict | Mapping) else {}
    updated = raw.get("updated")
    conference = raw.get("conferenceData")
    people = raw.get("attendees") or ()
    email = organizer.get("email")
    return {
        "id": str(raw.get("id") or ""),
        "etag": raw.get("etag"),
        "status": str(raw.get("status") or "confirmed"),
        "summary": str(raw.get("summary") or ""),
        "description": str(raw.get("description") or ""),
        "location": str(raw.get("location") or ""),
        "recurrence": tuple(str(r) for r in raw.get("recurrence") or ()),
        "recurring_event_id": raw.get("recurringEventId") or None,
        "organizer_email": str(email).lower() if email else None,
        "organizer_self": bool(organizer.get("self", False)),
        "attendees": tuple(attendee(a) for a in people if isinstance(a, dict | Mapping)),
        "hangout_link": raw.get("hangoutLink") or None,
        "entry_points": entry_points(conference) if conference else (),
        "conference": attached_conference(conference) if conference else None,
        "event_type": str(raw.get("eventType") or "default"),
        "working_location": encode_location(location_from_api(raw.get("workingLocationProperties"))),
        "visibility": str(raw.get("visibility") or "default"),
        "ical_uid": raw.get("iCalUID") or None,
        "updated": utc(datetime.fromisoformat(updated)) if isinstance(updated, str) and updated else None,
    }


_ATTENDEES: dict[tuple[tuple[str, Any], ...], EventAttendee] = {}
_ATTENDEES_HELD = 4096


def attendee(value: Mapping[str, Any]) -> EventAttendee:
    """One ``attendees[]`` entry: the same entry on many events (a series' instances, a team's meetings)
    is read once and its value shared (a bounded map, emptied when full)."""
    try:
        key = tuple(value.items())
        found = _ATTENDEES.get(key)
    except TypeError:  # a list or an object where Google writes text: read it without the map
        return _attendee(value)
    if found is None:
        if len(_ATTENDEES) >= _ATTENDEES_HELD:
            _ATTENDEES.clear()
        found = _ATTENDEES[key] = _attendee(value)
    return found


def _attendee(value: Mapping[str, Any]) -> EventAttendee:
    return EventAttendee(
        email=str(value.get("email") or "").lower(),
        response_status=str(value.get("responseStatus") or "needsAction"),
        resource=bool(value.get("resource", False)),
        organizer=bool(value.get("organizer", False)),
        self_=bool(value.get("self", False)),
        optional=bool(value.get("optional", False)),
        display_name=value.get("displayName") or None,
    )


def entry_points(conference: Any) -> tuple[EntryPoint, ...]:
    """The conference's entry points that have a URI."""
    if not isinstance(conference, Mapping):
        return ()
    points = conference.get("entryPoints") or []
    return tuple(
        EntryPoint(
            kind=str(p.get("entryPointType") or ""), uri=str(p.get("uri") or ""), label=str(p.get("label") or "")
        )
        for p in points
        if isinstance(p, Mapping) and p.get("uri")
    )


def attached_conference(conference: Any) -> AttachedConference | None:
    """The conference's solution, id and add-on parameters (None without a created conference)."""
    if not isinstance(conference, Mapping) or not isinstance(conference.get("conferenceSolution"), Mapping):
        return None
    solution = conference["conferenceSolution"]
    key = solution.get("key")
    kind = str(key.get("type") or "") if isinstance(key, Mapping) else ""
    if not kind:
        return None
    params = conference.get("parameters")
    addon = params.get("addOnParameters") if isinstance(params, Mapping) else None
    values = addon.get("parameters") if isinstance(addon, Mapping) else None
    return AttachedConference(
        solution_type=kind,
        conference_id=str(conference.get("conferenceId") or ""),
        name=str(solution.get("name") or ""),
        parameters=MappingProxyType(
            {str(k): str(v) for k, v in values.items() if isinstance(v, str)} if isinstance(values, Mapping) else {}
        ),
    )


def properties(raw: Mapping[str, Any], kind: str) -> Mapping[str, str]:
    """The ``extendedProperties`` of one kind (``private`` or ``shared``), read-only."""
    extended = raw.get("extendedProperties")
    if not isinstance(extended, dict | Mapping) or not isinstance(extended.get(kind), dict | Mapping):
        return EMPTY
    return MappingProxyType({str(k): str(v) for k, v in extended[kind].items()})
