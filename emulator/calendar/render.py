"""Rendering stored events as Calendar v3 ``Event`` resources, including virtual instances.

A copy renders as the shared data, overlaid with its local edits, plus the fields that
depend on whose calendar it is (``organizer.self``, ``attendees[].self``, private extended
properties, reminders, etag, ``updated``).
"""

from __future__ import annotations

import base64
import copy as _copy
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from emulator.calendar.recurrence import instance_suffix, real_local
from emulator.model import EventCopy, SharedEvent
from emulator.timeutil import format_local, format_rfc3339, zone

PERSONAL = frozenset({"colorId", "reminders"})
READ_ONLY = frozenset(
    {"kind", "etag", "id", "htmlLink", "created", "updated", "iCalUID", "creator", "organizer", "hangoutLink"}
)


def html_link(event_id: str, calendar_id: str) -> str:
    """Return a Google-style ``htmlLink`` for an event on a calendar."""
    eid = base64.urlsafe_b64encode(f"{event_id} {calendar_id}".encode()).decode().rstrip("=")
    return f"https://www.google.com/calendar/event?eid={eid}"


def render(
    data: dict[str, Any],
    event_id: str,
    calendar_id: str,
    etag: str,
    updated: datetime,
    cancelled: bool,
    local: dict[str, Any],
) -> dict[str, Any]:
    """Return the ``calendar#event`` resource for one calendar's view of ``data``."""
    out: dict[str, Any] = {
        "kind": "calendar#event",
        "etag": etag,
        "id": event_id,
        "status": "cancelled" if cancelled else data.get("status", "confirmed"),
        "htmlLink": html_link(event_id, calendar_id),
    }
    for key, value in data.items():
        if key not in out and key != "extendedProperties":
            out[key] = value
    for key, value in local.items():
        if key != "extendedProperties":
            out[key] = value
    out["updated"] = format_rfc3339(updated)
    organizer = data.get("organizer")
    if isinstance(organizer, dict):
        organizer = dict(organizer)
        if organizer.get("email") == calendar_id:
            organizer["self"] = True
        out["organizer"] = organizer
    creator = data.get("creator")
    if isinstance(creator, dict):
        creator = dict(creator)
        if creator.get("email") == calendar_id:
            creator["self"] = True
        out["creator"] = creator
    attendees = data.get("attendees")
    if attendees:
        rendered = []
        for attendee in attendees:
            if attendee.get("email") == calendar_id:
                attendee = {**attendee, "self": True}
            rendered.append(attendee)
        out["attendees"] = rendered
    shared_props = (data.get("extendedProperties") or {}).get("shared")
    private_props = (local.get("extendedProperties") or {}).get("private")
    if shared_props or private_props:
        props: dict[str, Any] = {}
        if private_props:
            props["private"] = dict(private_props)
        if shared_props:
            props["shared"] = dict(shared_props)
        out["extendedProperties"] = props
    out.setdefault("reminders", {"useDefault": True})
    out.setdefault("eventType", "default")
    return out


def render_copy(copy: EventCopy) -> dict[str, Any]:
    """Render a stored copy."""
    return render(
        copy.event.data,
        copy.event.event_id,
        copy.calendar_id,
        copy.etag,
        copy.updated,
        copy.cancelled,
        copy.local,
    )


def _event_time(value: datetime, tz_name: str | None, all_day: bool) -> dict[str, Any]:
    if all_day:
        return {"date": value.date().isoformat()}
    out: dict[str, Any] = {"dateTime": format_local(real_local(value))}
    if tz_name:
        out["timeZone"] = tz_name
    return out


def instance_times(master: SharedEvent, original: datetime) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Return ``(originalStartTime, start, end)`` of the instance starting at ``original``."""
    all_day = master.start.all_day
    start_tz = master.start.tz_name
    end_tz = master.end.tz_name or start_tz
    if all_day:
        assert master.start.day is not None
        assert master.end.day is not None
        days = (master.end.day - master.start.day).days
        end_value = original + timedelta(days=days)
    else:
        duration = master.end_utc - master.start_utc
        end_zone: tzinfo = zone(end_tz) if end_tz else (original.tzinfo or UTC)
        end_value = (original.astimezone(UTC) + duration).astimezone(end_zone)
    begin = _event_time(original, start_tz, all_day)
    return begin, dict(begin), _event_time(end_value, end_tz, all_day)


def instance_data(master: SharedEvent, original: datetime) -> tuple[str, dict[str, Any]]:
    """Return ``(id, shared data)`` of the unmodified instance of ``master`` at ``original``."""
    data = {k: v for k, v in master.data.items() if k != "recurrence"}
    original_start, start, end = instance_times(master, original)
    data.update(
        recurringEventId=master.event_id,
        originalStartTime=original_start,
        start=start,
        end=end,
    )
    return f"{master.event_id}_{instance_suffix(original)}", data


def render_instance(master_copy: EventCopy, original: datetime) -> dict[str, Any]:
    """Render the unmodified instance of a master copy at ``original``."""
    event_id, data = instance_data(master_copy.event, original)
    return render(
        data,
        event_id,
        master_copy.calendar_id,
        master_copy.etag,
        master_copy.updated,
        master_copy.cancelled,
        master_copy.local,
    )


def deep(value: Any) -> Any:
    """Return a deep copy of JSON-like ``value``."""
    return _copy.deepcopy(value)
