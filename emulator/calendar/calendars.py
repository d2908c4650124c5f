"""``calendars``: metadata of a calendar, secondary calendars, and clearing a primary one.

- ``insert`` makes a secondary calendar (``<id>@group.calendar.google.com``) owned by the
  caller (its ``dataOwner``), in the caller's time zone unless the body names one, and puts it
  on the caller's calendar list; ``summary`` is required.
- ``update``/``patch`` change ``summary``, ``description``, ``location`` and ``timeZone``
  (owners only; a primary calendar's zone is its user's zone).
- ``delete`` removes a secondary calendar: the events it organised are cancelled for their
  guests, it leaves every calendar list, and it answers 404 from then on. A primary calendar
  answers 403 ``cannotDeletePrimaryCalendar``.
- ``clear`` empties a primary calendar: events it organised are cancelled, invitations are
  removed and declined.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import Blueprint, Response

from emulator.api import caller, current_state, google_api, reply, schema_body
from emulator.calendar import calendar_list, events
from emulator.errors import forbidden, invalid, required
from emulator.model import Calendar
from emulator.state import EmulatorState
from emulator.timeutil import zone

bp = Blueprint("calendars", __name__, url_prefix="/calendar/v3/calendars")
SECONDARY_DOMAIN = "group.calendar.google.com"


def render(calendar: Calendar) -> dict[str, Any]:
    """The ``calendar#calendar`` resource."""
    out: dict[str, Any] = {
        "kind": "calendar#calendar",
        "etag": f'"{calendar.seq}{len(calendar.summary)}"',
        "id": calendar.calendar_id,
        "summary": calendar.summary,
        "timeZone": calendar.time_zone,
        "conferenceProperties": {"allowedConferenceSolutionTypes": ["hangoutsMeet"]},
    }
    for key in ("description", "location"):
        if getattr(calendar, key):
            out[key] = getattr(calendar, key)
    if calendar.data_owner:
        out["dataOwner"] = calendar.data_owner
    if calendar.kind == "room":
        out["autoAcceptInvitations"] = True
    return out


def _time_zone(value: Any) -> str:
    try:
        zone(str(value))
    except ValueError as exc:
        raise invalid(f"Invalid time zone: {value}", "timeZone") from exc
    return str(value)


def _metadata(state: EmulatorState, calendar: Calendar, body: dict[str, Any], replace: bool) -> None:
    if replace and not body.get("summary"):
        raise required("Missing title.", "summary")
    if "timeZone" in body and body["timeZone"] is not None:
        calendar.time_zone = _time_zone(body["timeZone"])
        if calendar.calendar_id in state.users:
            state.users[calendar.calendar_id].time_zone = calendar.time_zone
            state.notify_change({f"settings:{calendar.calendar_id}"})
    for key, attr in (("summary", "summary"), ("description", "description"), ("location", "location")):
        if key in body or replace:
            setattr(calendar, attr, str(body.get(key) or ""))
    calendar.seq += 1


@bp.get("/<calendar_id>")
@google_api("calendar.calendars.get")
def get_calendar(calendar_id: str) -> Response:
    """``calendars.get``."""
    state = current_state()
    with state.lock:
        return reply(render(state.calendar_for(caller().subject, calendar_id)))


@bp.post("")
@google_api("calendar.calendars.insert")
def insert_calendar() -> Response:
    """``calendars.insert``: a new secondary calendar owned by the caller."""
    state = current_state()
    body = schema_body("calendar", "Calendar")
    if not body.get("summary"):
        raise required("Missing title.", "summary")
    owner = caller().subject
    with state.lock:
        user = state.users.get(owner)
        tz = _time_zone(body["timeZone"]) if body.get("timeZone") else (user.time_zone if user else "UTC")
        calendar_id = f"c_{secrets.token_hex(32)}@{SECONDARY_DOMAIN}"
        calendar = Calendar(
            calendar_id,
            "secondary",
            state.domain_of(owner),
            str(body["summary"]),
            tz,
            description=str(body.get("description") or ""),
            location=str(body.get("location") or ""),
            data_owner=owner,
        )
        state.calendars[calendar_id] = calendar
        state.put_acl(calendar, "owner", "user", owner)
        calendar_list.add(state, owner, calendar)
        return reply(render(calendar))


@bp.put("/<calendar_id>")
@google_api("calendar.calendars.update")
def update_calendar(calendar_id: str) -> Response:
    """``calendars.update``."""
    return _change(calendar_id, replace=True)


@bp.patch("/<calendar_id>")
@google_api("calendar.calendars.patch")
def patch_calendar(calendar_id: str) -> Response:
    """``calendars.patch``."""
    return _change(calendar_id, replace=False)


def _change(calendar_id: str, replace: bool) -> Response:
    state = current_state()
    body = schema_body("calendar", "Calendar")
    with state.lock:
        calendar = state.calendar_for(caller().subject, calendar_id, "owner")
        _metadata(state, calendar, body, replace)
        return reply(render(calendar))


def _empty(state: EmulatorState, calendar: Calendar) -> None:
    for event_id, copy in list(calendar.copies.items()):
        if copy.cancelled or copy.event.data.get("recurringEventId"):
            continue
        events.delete(state, calendar.calendar_id, event_id)


@bp.delete("/<calendar_id>")
@google_api("calendar.calendars.delete")
def delete_calendar(calendar_id: str) -> Response:
    """``calendars.delete``: secondary calendars only."""
    state = current_state()
    with state.lock:
        calendar = state.calendar_for(caller().subject, calendar_id, "owner")
        if calendar.kind != "secondary":
            raise forbidden("A primary calendar cannot be deleted; use calendars.clear.", "cannotDeletePrimaryCalendar")
        _empty(state, calendar)
        calendar.deleted = True
        for user, entries in state.calendar_lists.items():
            if entries.pop(calendar.calendar_id, None) is not None:
                state.notify_change({f"calendarList:{user}"})
    return reply(None, 204)


@bp.post("/<calendar_id>/clear")
@google_api("calendar.calendars.clear")
def clear_calendar(calendar_id: str) -> Response:
    """``calendars.clear``: primary calendars only."""
    state = current_state()
    with state.lock:
        calendar = state.calendar_for(caller().subject, calendar_id, "owner")
        if calendar.kind == "secondary":
            raise invalid("Only a primary calendar can be cleared; delete a secondary calendar instead.", "calendarId")
        _empty(state, calendar)
    return reply(None, 204)
