"""Conferences made by a conferencing add-on, as Calendar stores them, and who may write one.

Calendar calls an add-on's ``onCreateFunction`` and stores the ``ConferenceData`` it returns on the
event: ``conferenceSolution.key.type`` ``addOn`` (with the solution's name and logo), the add-on's
``conferenceId``, entry points, notes and ``parameters.addOnParameters.parameters``, plus a
``signature`` Calendar makes. A plain API client cannot make such a conference: a write whose
``conferenceData`` is an ``addOn`` conference without Calendar's signature (forged, or edited after
it was made) answers 400 ``invalid`` "Invalid conference data"; a conference copied whole from an
event, signature included, is accepted as Google accepts a copied conference.

:func:`attach` is what Calendar does once the add-on has answered (the control plane's
``POST /emulator/v1/calendars/{calendarId}/events/{eventId}/addOnConference``): the organiser's
event gets the conference as a change of its own (new etag, push), checked the way Calendar checks
an add-on's answer (entry point types and URI schemes, at most one video, SIP and more entry point,
the documented lengths).
"""

from __future__ import annotations

from typing import Any

from emulator.calendar import events
from emulator.calendar.conference import ADDON, signature
from emulator.calendar.render import render_copy
from emulator.errors import forbidden, invalid, not_found
from emulator.state import EmulatorState

_SCHEMES = {"video": ("https://", "http://"), "more": ("https://", "http://"), "phone": ("tel:",), "sip": ("sip:",)}
_CODES = ("accessCode", "meetingCode", "passcode", "password", "pin")


def _text(body: dict[str, Any], name: str, limit: int, *, required: bool = False) -> str | None:
    value = body.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value or len(value) > limit:
        raise invalid(f"{name} must be a string of 1 to {limit} characters", name)
    return value


def _entry_point(raw: Any, index: int) -> dict[str, Any]:
    where = f"entryPoints[{index}]"
    if not isinstance(raw, dict):
        raise invalid("an entry point must be an object", where)
    kind = raw.get("entryPointType")
    uri = raw.get("uri")
    if kind not in _SCHEMES:
        raise invalid("entryPointType must be video, phone, sip or more", f"{where}.entryPointType")
    if not isinstance(uri, str) or not uri.startswith(_SCHEMES[kind]) or len(uri) > 1300:
        raise invalid(f"a {kind} entry point needs a {' or '.join(_SCHEMES[kind])} URI", f"{where}.uri")
    point: dict[str, Any] = {"entryPointType": kind, "uri": uri}
    for name in (*_CODES, "label", "regionCode"):
        value = raw.get(name)
        if value is not None:
            if not isinstance(value, str) or len(value) > (512 if name == "label" else 128):
                raise invalid(f"{name} is too long or not a string", f"{where}.{name}")
            point[name] = value
    features = raw.get("entryPointFeatures")
    if features is not None:
        if kind != "phone" or not isinstance(features, list) or not set(features) <= {"toll", "toll_free"}:
            raise invalid("entryPointFeatures are toll or toll_free, on phone entry points", f"{where}")
        point["entryPointFeatures"] = list(features)
    if "regionCode" in point and kind != "phone":
        raise invalid("regionCode applies to phone entry points only", f"{where}.regionCode")
    return point


def conference_data(body: dict[str, Any]) -> dict[str, Any]:
    """The ``conferenceData`` Calendar stores for an add-on's answer, signed; 400 ``invalid`` for a bad answer."""
    conference_id = _text(body, "conferenceId", 512, required=True)
    raw_points = body.get("entryPoints")
    if not isinstance(raw_points, list) or not 1 <= len(raw_points) <= 300:
        raise invalid("a conference has 1 to 300 entry points", "entryPoints")
    points = [_entry_point(p, i) for i, p in enumerate(raw_points)]
    kinds = [p["entryPointType"] for p in points]
    if any(kinds.count(k) > 1 for k in ("video", "sip", "more")) or set(kinds) == {"more"}:
        raise invalid("at most one video, one sip and one more entry point, and not a more entry point alone")
    params = body.get("parameters") or {}
    if not isinstance(params, dict) or len(params) > 300:
        raise invalid("parameters must be an object of at most 300 string values", "parameters")
    for key, value in params.items():
        if not isinstance(value, str) or not key or len(key) > 50 or len(value) > 1024:
            raise invalid("a parameter has a key of 1 to 50 characters and a string value of at most 1024", key)
    solution: dict[str, Any] = {"key": {"type": ADDON}, "name": _text(body, "name", 200) or "Add-on conference"}
    icon = _text(body, "iconUri", 1300)
    if icon:
        solution["iconUri"] = icon
    data: dict[str, Any] = {"entryPoints": points, "conferenceSolution": solution, "conferenceId": conference_id}
    notes = _text(body, "notes", 2048)
    if notes:
        data["notes"] = notes
    if params:
        data["parameters"] = {"addOnParameters": {"parameters": dict(params)}}
    data["signature"] = signature(data)
    return data


def attach(state: EmulatorState, calendar_id: str, event_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """Store an add-on's conference on the organiser's event, as Calendar does; answer the event."""
    data = conference_data(body)
    with state.lock:
        calendar = state.calendars.get(calendar_id.lower())
        if calendar is None or calendar.deleted:
            raise not_found(f"Unknown calendar {calendar_id}")
        copy, _ = events.locate(state, calendar.calendar_id, event_id)
        if copy.cancelled:
            raise not_found("The event was deleted.")
        if copy.event.organizer_calendar != calendar.calendar_id:
            raise forbidden("Only the organizer's calendar can add a conference.", "requiredAccessLevel")
        changed = events.patch(
            state, calendar.calendar_id, calendar.calendar_id, event_id, {"conferenceData": data}, conference_version=1
        )
        return render_copy(changed)
