"""The Calendar v3 event resource: read into :class:`GoogleEvent`, written back as bodies (camelCase lives here).

``event_from_api`` and ``event_to_api`` are pure: they never mutate their input, and a round
trip returns the resource unchanged — unknown fields and the ``etag`` included — because
``event_to_api`` starts from a copy of ``raw`` and writes back only the fields whose value
differs from what ``raw`` holds. ``to_calendar_event`` gives the neutral domain view the
services see (``shared.domain.events.CalendarEvent``); the patch bodies the gateway sends are built here
too (``answer_patch`` goes through ``event_to_api``, so what the mapper does not know survives a write).
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

from msgspec.structs import replace

from shared.adapters.google.event_fields import EMPTY, common_fields, properties
from shared.adapters.google.event_times import EventTime, instant_from_api, rfc3339, time_from_api, time_to_api
from shared.domain.events import AttachedConference, CalendarEvent, EntryPoint, EventAttendee
from shared.errors import InvalidInput
from shared.ports.calendar import NewEvent

GoogleAttendee = EventAttendee
"""An ``attendees[]`` entry: the domain's attendee view serves the mapper too."""


@dataclass(frozen=True, slots=True)
class GoogleEvent:
    """The fields of an event the service reads or writes, plus ``raw`` for round-tripping."""

    id: str
    etag: str | None = None
    status: str = "confirmed"
    summary: str = ""
    description: str = ""
    location: str = ""
    start: EventTime | None = None
    end: EventTime | None = None
    recurrence: tuple[str, ...] = ()
    recurring_event_id: str | None = None
    original_start: EventTime | None = None
    organizer_email: str | None = None
    organizer_self: bool = False
    attendees: tuple[GoogleAttendee, ...] = ()
    hangout_link: str | None = None
    entry_points: tuple[EntryPoint, ...] = ()
    conference: AttachedConference | None = None
    private_properties: Mapping[str, str] = field(default_factory=lambda: EMPTY)
    shared_properties: Mapping[str, str] = field(default_factory=lambda: EMPTY)
    event_type: str = "default"
    working_location: str = ""
    transparency: str = "opaque"
    visibility: str = "default"
    ical_uid: str | None = None
    updated: datetime | None = None
    raw: Mapping[str, Any] = field(default_factory=lambda: EMPTY, compare=False, repr=False)

    @property
    def cancelled(self) -> bool:
        """True for a deleted event or a cancelled instance."""
        return self.status == "cancelled"


def _attendee_api(value: GoogleAttendee, base: Mapping[str, Any] | None) -> dict[str, Any]:
    out = dict(base or {})
    out["email"] = value.email
    out["responseStatus"] = value.response_status
    for key, flag in (
        ("resource", value.resource),
        ("organizer", value.organizer),
        ("self", value.self_),
        ("optional", value.optional),
    ):
        if flag:
            out[key] = True
        else:
            out.pop(key, None)
    if value.display_name:
        out["displayName"] = value.display_name
    else:
        out.pop("displayName", None)
    return out


def event_from_api(resource: Mapping[str, Any]) -> GoogleEvent:
    """Read a Calendar v3 event resource (``resource`` is copied, never changed)."""
    return _read(copy.deepcopy(dict(resource)))


def _read(raw: Mapping[str, Any], keep_raw: bool = True) -> GoogleEvent:
    return GoogleEvent(
        **common_fields(raw),
        start=time_from_api(raw.get("start")),
        end=time_from_api(raw.get("end")),
        original_start=time_from_api(raw.get("originalStartTime")),
        private_properties=properties(raw, "private"),
        shared_properties=properties(raw, "shared"),
        transparency=str(raw.get("transparency") or "opaque"),
        raw=MappingProxyType(dict(raw)) if keep_raw else EMPTY,
    )


_TEXT = {
    "summary": "summary",
    "description": "description",
    "location": "location",
    "status": "status",
    "event_type": "eventType",
    "transparency": "transparency",
    "visibility": "visibility",
}


def event_to_api(event: GoogleEvent) -> dict[str, Any]:
    """Render ``event`` as a resource: ``raw`` with the changed fields written back."""
    out: dict[str, Any] = copy.deepcopy(dict(event.raw))
    before = _read(event.raw, keep_raw=False)
    if not out.get("id") and event.id:
        out["id"] = event.id
    if event.etag != before.etag:
        out["etag"] = event.etag
    for attr, key in _TEXT.items():
        if getattr(event, attr) != getattr(before, attr):
            out[key] = getattr(event, attr)
    for attr, key in (("start", "start"), ("end", "end"), ("original_start", "originalStartTime")):
        value = getattr(event, attr)
        if value != getattr(before, attr):
            if value is None:
                out.pop(key, None)
            else:
                out[key] = time_to_api(value, out.get(key))
    if event.recurrence != before.recurrence:
        out["recurrence"] = list(event.recurrence)
    if event.attendees != before.attendees:
        existing = {str(a.get("email") or "").lower(): a for a in out.get("attendees") or () if isinstance(a, Mapping)}
        out["attendees"] = [_attendee_api(a, existing.get(a.email)) for a in event.attendees]
    for attr, kind in (("private_properties", "private"), ("shared_properties", "shared")):
        value = getattr(event, attr)
        if dict(value) != dict(getattr(before, attr)):
            extended = dict(out.get("extendedProperties") or {})
            extended[kind] = dict(value)
            out["extendedProperties"] = extended
    return out


def to_calendar_event(event: GoogleEvent) -> CalendarEvent:
    """The neutral domain view of ``event``."""
    start, end, original = event.start, event.end, event.original_start
    return CalendarEvent(
        id=event.id,
        status=event.status,
        summary=event.summary,
        description=event.description,
        location=event.location,
        start=start.instant if start else None,
        end=end.instant if end else None,
        time_zone=start.time_zone if start else None,
        all_day=bool(start and start.all_day),
        recurrence=event.recurrence,
        recurring_event_id=event.recurring_event_id,
        original_start=original.instant if original else None,
        organizer_email=event.organizer_email,
        organizer_self=event.organizer_self,
        attendees=event.attendees,
        hangout_link=event.hangout_link,
        entry_points=event.entry_points,
        conference=event.conference,
        private_properties=dict(event.private_properties),
        etag=event.etag,
        updated=event.updated,
        event_type=event.event_type,
        working_location=event.working_location,
        ical_uid=event.ical_uid,
        visibility=event.visibility,
    )


def calendar_event_from_api(resource: Mapping[str, Any]) -> CalendarEvent:
    """A Calendar v3 resource straight to the domain view in one pass (reads, copies nothing).

    The same value as ``to_calendar_event(event_from_api(resource))`` without the intermediate
    ``GoogleEvent`` and ``EventTime`` objects: a sync maps every listed item through here.
    """
    start, time_zone, all_day = instant_from_api(resource.get("start"))
    return CalendarEvent(
        **common_fields(resource),
        start=start,
        end=instant_from_api(resource.get("end"))[0],
        time_zone=time_zone,
        all_day=all_day,
        original_start=instant_from_api(resource.get("originalStartTime"))[0],
        private_properties=dict(properties(resource, "private")),
    )


def event_patch(event: GoogleEvent) -> dict[str, Any]:
    """The ``events.patch`` body of what changed since ``event.raw`` was read (top-level fields; None clears one)."""
    full = event_to_api(event)
    changed = {k: v for k, v in full.items() if k not in event.raw or event.raw[k] != v}
    return changed | {k: None for k in event.raw if k not in full}


def answer_patch(event: GoogleEvent, email: str, response: str) -> dict[str, Any]:
    """The patch that sets ``email``'s own ``responseStatus`` (every other attendee, every unknown field kept)."""
    me = email.lower()
    if not any(a.email == me for a in event.attendees):
        raise InvalidInput("you are not on this meeting's guest list")
    answered = tuple(replace(a, response_status=response) if a.email == me else a for a in event.attendees)
    return event_patch(dataclasses.replace(event, attendees=answered))


def join_patch(description: str, private: Mapping[str, str | None]) -> dict[str, Any]:
    """The join-detail patch: the description and the private properties (a None value deletes one)."""
    return {"description": description, "extendedProperties": {"private": dict(private)}}


def insert_body(new: NewEvent) -> dict[str, Any]:
    """The ``events.insert`` body, attendees deduplicated (lower case, first one wins)."""
    return {
        "summary": new.title,
        "description": new.description,
        "location": new.location,
        "start": {"dateTime": rfc3339(new.start), "timeZone": new.time_zone},
        "end": {"dateTime": rfc3339(new.end), "timeZone": new.time_zone},
        "attendees": [{"email": e} for e in dict.fromkeys(a.lower() for a in new.attendees)],
    }
