"""``events.move`` (change an event's organiser calendar) and ``events.import`` (a private copy).

- ``move`` needs write access to both calendars and the organiser's copy; the event keeps its id
  and iCalUID, its organiser becomes the destination calendar, a series moves with its
  exceptions, guests keep their copies, and the source calendar's copy is cancelled (unless the
  source is also a guest). Instances cannot be moved on their own, and only ``default`` events
  move (400 ``eventTypeRestriction``).
- ``import`` adds a private copy of an existing event: ``iCalUID`` is required, the organiser
  and attendees are kept as given, and no guest gets a copy. Importing an ``iCalUID`` the
  calendar already has updates that event. A non-default event becomes ``default`` and loses
  its type's properties (the behaviour Google documents as deprecated but current).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from emulator.api import caller, current_state, google_api, reply, schema_body
from emulator.calendar import conference, events, status_events, write_rules
from emulator.calendar.event_core import set_times, sync_copies
from emulator.calendar.render import render_copy
from emulator.errors import duplicate, forbidden, invalid, not_found, required
from emulator.model import Calendar, EventCopy, SharedEvent
from emulator.state import EmulatorState

bp = Blueprint("event_moves", __name__, url_prefix="/calendar/v3/calendars/<calendar_id>/events")


def move(state: EmulatorState, source: Calendar, event_id: str, destination: Calendar) -> EventCopy:
    """Move the organiser's event ``event_id`` from ``source`` to ``destination``."""
    copy = source.copies.get(event_id)
    if copy is None:
        events.locate(state, source.calendar_id, event_id)  # 404 for what does not exist
        raise invalid("An instance of a recurring event cannot be moved on its own.", "eventId")
    shared = copy.event
    if copy.cancelled:
        raise not_found()
    if shared.data.get("recurringEventId"):
        raise invalid("An instance of a recurring event cannot be moved on its own.", "eventId")
    if shared.organizer_calendar != source.calendar_id:
        raise forbidden("Only the organizer can move an event.", "forbiddenForNonOrganizer")
    if shared.data.get("eventType", "default") != "default":
        raise status_events.restriction("Only default events can be moved.")
    if destination is source:
        return copy
    taken = destination.copies.get(event_id)
    if taken is not None and taken.event is not shared:
        raise duplicate()
    changed: set[str] = set()
    for part in (shared, *(c.event for c in source.exceptions_of(event_id))):
        _reassign(state, part, source, destination, changed)
    state.notify_change(changed)
    return shared.copies[destination.calendar_id]


def _reassign(
    state: EmulatorState, shared: SharedEvent, source: Calendar, destination: Calendar, changed: set[str]
) -> None:
    local = shared.copies[source.calendar_id].local
    shared.organizer_calendar = destination.calendar_id
    shared.data["organizer"] = {
        "email": destination.calendar_id,
        "displayName": state.display_name(destination.calendar_id),
    }
    set_times(state, shared)
    sync_copies(state, shared, changed)
    shared.copies[destination.calendar_id].local = local


@bp.post("/<event_id>/move")
@google_api("calendar.events.move")
def move_event(calendar_id: str, event_id: str) -> Response:
    """``events.move?destination=``."""
    target = request.args.get("destination")
    if not target:
        raise required("Required parameter: destination", "destination")
    state = current_state()
    subject = caller().subject
    with state.lock:
        source = state.calendar_for(subject, calendar_id, "writer")
        destination = state.calendar_for(subject, target, "writer")
        return reply(render_copy(move(state, source, event_id, destination)))


def import_event(
    state: EmulatorState, subject: str, calendar: Calendar, body: dict[str, Any], version: int
) -> EventCopy:
    """Add (or update) the private copy of the event ``body`` describes."""
    uid = body.get("iCalUID")
    if not uid:
        raise required("Missing iCalUID.", "iCalUID")
    body = dict(body)
    if body.get("eventType", "default") != "default":
        body["eventType"] = "default"
        for field in status_events.PROPERTIES.values():
            body.pop(field, None)
        body.pop("birthdayProperties", None)
    known = next(
        (
            c
            for c in calendar.copies.values()
            if c.event.data.get("iCalUID") == uid and not c.event.data.get("recurringEventId")
        ),
        None,
    )
    if known is not None:
        body.pop("id", None)
        return events.patch(
            state, subject, calendar.calendar_id, known.event.event_id, body, replace=True, conference_version=version
        )
    organizer = body.get("organizer") if isinstance(body.get("organizer"), dict) else None
    if organizer and organizer.get("email"):
        organizer = {k: organizer[k] for k in ("email", "displayName") if k in organizer}
    else:
        organizer = {"email": calendar.calendar_id, "displayName": state.display_name(calendar.calendar_id)}
    return events.insert(state, subject, calendar.calendar_id, body, version, imported_organizer=organizer)


@bp.post("/import")
@google_api("calendar.events.import")
def import_view(calendar_id: str) -> Response:
    """``events.import``."""
    state = current_state()
    body = schema_body("calendar", "Event")
    version = conference.version(request.args.get("conferenceDataVersion"))
    with state.lock:
        calendar = state.calendar_for(caller().subject, calendar_id, "writer")
        copy = import_event(state, caller().subject, calendar, body, version)
        answer = reply(render_copy(copy))
        write_rules.complete_conference(state, copy.event)
        return answer
