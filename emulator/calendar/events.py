"""Writing events: insert, patch/update, delete, RSVP, instance exceptions and propagation.

Callers hold ``state.lock``. A change to the shared event touches every copy (new etag,
``updated``, a change-log sequence on each calendar) and queues push messages for the
calendars involved; a change an attendee makes to their own copy touches only that copy,
except an RSVP, which every copy shows.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from emulator.calendar import status_events, write_rules
from emulator.calendar.event_core import (
    RESPONSES,
    attendees,
    check_personal,
    new_event_id,
    set_times,
    split_body,
    sync_copies,
    touch,
    valid_id,
)
from emulator.calendar.recurrence import expansion_of, instance_suffix, instant, parse_suffix
from emulator.calendar.render import deep, instance_data
from emulator.errors import deleted, duplicate, invalid, not_found, precondition_failed
from emulator.model import EventCopy, SharedEvent
from emulator.state import EmulatorState
from emulator.timeutil import format_rfc3339, parse_event_time, zone

_SIGNIFICANT = {"start", "end", "recurrence", "location", "summary"}


def insert(
    state: EmulatorState,
    subject: str,
    calendar_id: str,
    body: dict[str, Any],
    conference_version: int = 0,
    *,
    imported_organizer: dict[str, Any] | None = None,
) -> EventCopy:
    """Insert an event on ``calendar_id`` (organiser = the calendar's owner). An imported event
    (``imported_organizer``) is a private copy: its organiser as given, no copies for guests."""
    event_id = body.get("id") or new_event_id()
    if not isinstance(event_id, str) or not valid_id(event_id):
        raise invalid("Invalid resource id value.", "id")
    calendar = state.calendars[calendar_id]
    if event_id in calendar.copies:
        raise duplicate()
    data, local = split_body(body)
    check_personal(local)
    if data.get("status") == "cancelled":
        data.pop("status")
    now = state.now()
    data.update(
        iCalUID=body.get("iCalUID") or f"{event_id}@google.com",
        created=format_rfc3339(now),
        creator={"email": subject},
        organizer=imported_organizer or {"email": calendar_id, "displayName": state.display_name(calendar_id)},
        sequence=int(body.get("sequence", 0)),
    )
    data.setdefault("status", "confirmed")
    if "attendees" in data:
        data["attendees"] = attendees(state, data["attendees"], str(data["organizer"].get("email")), [])
    write_rules.check_new(calendar, data, body, conference_version)
    placeholder = parse_event_time({"date": "2000-01-01"}, "start")
    shared = SharedEvent(event_id, calendar_id, data, placeholder, placeholder, now, now)
    shared.private_copy = imported_organizer is not None
    set_times(state, shared)
    changed: set[str] = set()
    write_rules.auto_decline(state, shared, write_rules.invited(shared, []), changed)
    sync_copies(state, shared, changed)
    shared.copies[calendar_id].local = local
    state.notify_change(changed, data.get("eventType"))
    return shared.copies[calendar_id]


def locate(state: EmulatorState, calendar_id: str, event_id: str) -> tuple[EventCopy, datetime | None]:
    """Find a stored copy, or a recurring master plus the original start of an instance id."""
    calendar = state.calendars[calendar_id]
    copy = calendar.copies.get(event_id)
    if copy is not None:
        return copy, None
    master_id, sep, suffix = event_id.rpartition("_")
    master = calendar.copies.get(master_id) if sep else None
    if master is None or not master.event.recurring:
        raise not_found()
    shared = master.event
    tz = zone(shared.start.tz_name) if shared.start.tz_name else None
    try:
        original = parse_suffix(suffix, shared.start.all_day, tz)
    except ValueError as exc:
        raise not_found() from exc
    cal_tz = zone(state.calendars[shared.organizer_calendar].time_zone)
    begin = instant(original, cal_tz)
    expansion = expansion_of(shared.expansions, shared.start, shared.data["recurrence"], cal_tz)
    for value in expansion.window(timedelta(0), begin, begin + timedelta(seconds=1), end_inclusive=True):
        if instance_suffix(value) == suffix:
            return master, value
    raise not_found()


def materialize(state: EmulatorState, master: EventCopy, original: datetime, changed: set[str]) -> EventCopy:
    """Turn an instance into a stored exception on every calendar the master is on."""
    shared_master = master.event
    event_id, data = instance_data(shared_master, original)
    data = deep(data)
    organizer_cal = state.calendars[shared_master.organizer_calendar]
    existing = organizer_cal.copies.get(event_id)
    if existing is not None:
        return existing.event.copies.get(master.calendar_id, existing)
    now = state.now()
    shared = SharedEvent(
        event_id,
        shared_master.organizer_calendar,
        data,
        shared_master.start,
        shared_master.end,
        now,
        now,
        cancelled=shared_master.cancelled,
    )
    set_times(state, shared)
    for calendar_id, master_copy in shared_master.copies.items():
        copy = EventCopy(calendar_id, shared, "", now, 0, deep(master_copy.local), master_copy.removed)
        shared.copies[calendar_id] = copy
        state.calendars[calendar_id].add_copy(copy)
        touch(state, copy, changed)
    return shared.copies[master.calendar_id]


def _merge(target: dict[str, Any], patch: dict[str, Any]) -> None:
    for key, value in patch.items():
        if value is None:
            target.pop(key, None)
        elif (
            isinstance(value, dict)
            and isinstance(target.get(key), dict)
            and key not in ("start", "end", "originalStartTime")
        ):
            inner = dict(target[key])
            _merge(inner, value)
            target[key] = inner
        else:
            target[key] = value


def _resolve(
    state: EmulatorState,
    calendar_id: str,
    event_id: str,
    if_match: str | None,
    changed: set[str],
) -> EventCopy:
    copy, original = locate(state, calendar_id, event_id)
    if if_match and if_match != "*" and if_match != copy.etag:
        raise precondition_failed()
    if original is not None:
        copy = materialize(state, copy, original, changed)
    return copy


def patch(
    state: EmulatorState,
    subject: str,
    calendar_id: str,
    event_id: str,
    body: dict[str, Any],
    if_match: str | None = None,
    replace: bool = False,
    conference_version: int = 0,
) -> EventCopy:
    """Apply a PATCH (or, with ``replace``, a PUT) to one calendar's event."""
    changed: set[str] = set()
    copy = _resolve(state, calendar_id, event_id, if_match, changed)
    if body.get("status") == "cancelled":
        _cancel(state, copy, changed)
    elif copy.event.organizer_calendar == calendar_id:
        _organizer_change(state, copy, body, replace, changed, conference_version)
    else:
        _attendee_change(state, copy, body, changed)
    state.notify_change(changed, copy.event.data.get("eventType"))
    return copy


def _organizer_change(
    state: EmulatorState,
    copy: EventCopy,
    body: dict[str, Any],
    replace: bool,
    changed: set[str],
    conference_version: int,
) -> None:
    shared = copy.event
    keep = ("iCalUID", "created", "creator", "organizer", "recurringEventId", "originalStartTime", "sequence", "status")
    new = {k: deep(v) for k, v in shared.data.items() if not replace or k in keep}
    local = {} if replace else deep(copy.local)
    shared_part, local_part = split_body(body)
    if "extendedProperties" in body and body["extendedProperties"] is None:
        new.pop("extendedProperties", None)
        local.pop("extendedProperties", None)
    _merge(new, shared_part)
    _merge(local, local_part)
    check_personal(local)
    if "attendees" in shared_part:
        new["attendees"] = attendees(
            state,
            new.get("attendees") or [],
            shared.organizer_calendar,
            shared.data.get("attendees", []),
        )
    old = shared.data
    write_rules.check_change(state.calendars[shared.organizer_calendar], old, new, body, conference_version)
    if body.get("status") == "confirmed":
        shared.cancelled = False
    if any(new.get(key) != old.get(key) for key in _SIGNIFICANT):
        new["sequence"] = int(old.get("sequence", 0)) + 1
    candidate = SharedEvent(
        shared.event_id, shared.organizer_calendar, new, shared.start, shared.end, shared.start_utc, shared.end_utc
    )
    set_times(state, candidate)
    shared.data = new
    shared.start, shared.end = candidate.start, candidate.end
    shared.start_utc, shared.end_utc = candidate.start_utc, candidate.end_utc
    copy.local = local
    write_rules.auto_decline(state, shared, write_rules.invited(shared, old.get("attendees", [])), changed)
    for other in shared.copies.values():
        if other is not copy:
            for key in shared_part:
                other.local.pop(key, None)
    sync_copies(state, shared, changed)


def _attendee_change(state: EmulatorState, copy: EventCopy, body: dict[str, Any], changed: set[str]) -> None:
    shared = copy.event
    me = copy.calendar_id
    rsvp = False
    for item in body.get("attendees") or []:
        if isinstance(item, dict) and str(item.get("email", "")).lower() == me:
            status = item.get("responseStatus")
            if status is not None and status not in RESPONSES:
                raise invalid("Invalid attendee response status.", "attendees.responseStatus")
            for entry in shared.data.get("attendees", []):
                if entry.get("email") == me:
                    for key in ("responseStatus", "comment", "additionalGuests"):
                        if key in item:
                            entry[key] = item[key]
                    rsvp = True
    current = shared.data.get("eventType", "default")
    if (body.get("eventType") or current) != current:
        raise status_events.restriction("The event type cannot be changed after the event is created.")
    shared_part, local_part = split_body({k: v for k, v in body.items() if k not in ("attendees", "eventType")})
    candidate = deep(copy.local)
    _merge(candidate, shared_part)
    _merge(candidate, local_part)
    check_personal(candidate)
    copy.local = candidate
    if rsvp:
        for other in shared.copies.values():
            touch(state, other, changed)
    else:
        touch(state, copy, changed)


def _cancel(state: EmulatorState, copy: EventCopy, changed: set[str]) -> None:
    shared = copy.event
    if copy.cancelled:
        raise deleted()
    if copy.calendar_id == shared.organizer_calendar:
        shared.cancelled = True
        for other in shared.copies.values():
            touch(state, other, changed)
        if shared.recurring:
            organizer = state.calendars[shared.organizer_calendar]
            for candidate in organizer.exceptions_of(shared.event_id):
                exc = candidate.event
                if not exc.cancelled:
                    exc.cancelled = True
                    for other in exc.copies.values():
                        touch(state, other, changed)
        return
    copy.removed = True
    for entry in shared.data.get("attendees", []):
        if entry.get("email") == copy.calendar_id:
            entry["responseStatus"] = "declined"
    for other in shared.copies.values():
        touch(state, other, changed)


def delete(state: EmulatorState, calendar_id: str, event_id: str, if_match: str | None = None) -> None:
    """Delete an event (organiser: cancel for everyone; attendee: remove and decline)."""
    changed: set[str] = set()
    copy = _resolve(state, calendar_id, event_id, if_match, changed)
    _cancel(state, copy, changed)
    state.notify_change(changed, copy.event.data.get("eventType"))
