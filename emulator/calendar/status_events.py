"""Calendar status events: out of office, focus time and working location, with Google's rules.

- Only ``default``, ``outOfOffice``, ``focusTime`` and ``workingLocation`` events can be
  created (``birthday`` and ``fromGmail`` answer 400 ``eventTypeRestriction``), and status
  events only on a user's primary calendar.
- The type is fixed once the event exists: a PATCH or PUT that changes it (a PUT that leaves it
  out included) answers 400 ``eventTypeRestriction``.
- Each status type has its property object (``outOfOfficeProperties`` ...; out of office and
  focus time get an empty one when the body has none, working location needs one with its
  ``type``), and no event may carry another type's properties. Status events have no attendees
  and no conference.
- Out of office and focus time are timed (not all-day) and ``opaque``; their
  ``autoDeclineMode`` is ``declineNone``, ``declineAllConflictingInvitations`` or
  ``declineOnlyNewConflictingInvitations``; focus time's ``chatStatus`` is ``available`` or
  ``doNotDisturb``.
- Working location is ``public`` and ``transparent``, timed or exactly one all-day date; its
  ``type`` names the sub-object that holds the details and the other sub-objects are dropped.
- Auto-decline: while an out-of-office or focus-time event that declines conflicting
  invitations covers a single event the user is invited to, the user's answer is
  ``declined`` with the decline message as comment (on creation for
  ``declineAllConflictingInvitations``; new invitations for both modes).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from emulator.errors import ApiError, invalid, required
from emulator.model import Calendar, SharedEvent

PROPERTIES = {
    "outOfOffice": "outOfOfficeProperties",
    "focusTime": "focusTimeProperties",
    "workingLocation": "workingLocationProperties",
}
CREATABLE = frozenset({"default", *PROPERTIES})
DECLINE_MODES = frozenset({"declineNone", "declineAllConflictingInvitations", "declineOnlyNewConflictingInvitations"})
CHAT_STATUSES = frozenset({"available", "doNotDisturb"})
LOCATION_TYPES = frozenset({"homeOffice", "officeLocation", "customLocation"})
_LABELS = {"outOfOffice": "Out of office", "focusTime": "Focus time", "workingLocation": "Working location"}


def restriction(message: str) -> ApiError:
    """Google's 400 ``eventTypeRestriction``."""
    return ApiError(400, "eventTypeRestriction", message)


def check_new(calendar: Calendar, data: dict[str, Any]) -> None:
    """Validate the type of an event being created (and default it to ``default``)."""
    kind = str(data.setdefault("eventType", "default"))
    if kind not in CREATABLE:
        raise restriction(f"Events of type {kind} cannot be created through the API.")
    _check(calendar, data, kind)


def check_change(calendar: Calendar, old_type: str, data: dict[str, Any]) -> None:
    """Validate an organiser's change: the type stays, the type's rules still hold."""
    kind = str(data.get("eventType") or "default")
    if kind != old_type:
        raise restriction("The event type cannot be changed after the event is created.")
    data["eventType"] = kind
    _check(calendar, data, kind)


def _check(calendar: Calendar, data: dict[str, Any], kind: str) -> None:
    for other, field in PROPERTIES.items():
        if data.get(field) is not None and other != kind:
            raise invalid(f"{field} can only be set on {other} events.", field)
    if kind == "default":
        return
    label = _LABELS[kind]
    if calendar.kind != "user":
        raise restriction(f"{label} events can only be created on a user's primary calendar.")
    field = PROPERTIES[kind]
    props = data.get(field)
    if props is None and kind != "workingLocation":
        props = data[field] = {}  # out of office and focus time default their properties
    if not isinstance(props, dict):
        raise required(f"Missing {field}.", field)
    if data.get("attendees"):
        raise restriction(f"{label} events cannot have attendees.")
    if data.get("conferenceData"):
        raise restriction(f"{label} events cannot have conference data.")
    all_day = bool((data.get("start") or {}).get("date"))
    if kind == "workingLocation":
        _working_location(data, props, all_day)
        return
    if all_day:
        raise invalid(f"{label} events must have a start and an end time, not dates.", "start")
    if data.get("transparency", "opaque") != "opaque":
        raise invalid(f"{label} events must be opaque.", "transparency")
    mode = props.get("autoDeclineMode")
    if mode is not None and mode not in DECLINE_MODES:
        raise invalid(f"Invalid autoDeclineMode: {mode}", f"{field}.autoDeclineMode")
    chat = props.get("chatStatus")
    if chat is not None and (kind != "focusTime" or chat not in CHAT_STATUSES):
        raise invalid(f"Invalid chatStatus: {chat}", f"{field}.chatStatus")


def _working_location(data: dict[str, Any], props: dict[str, Any], all_day: bool) -> None:
    field = PROPERTIES["workingLocation"]
    if data.get("visibility") != "public":
        raise invalid("Working location events must have visibility public.", "visibility")
    if data.get("transparency") != "transparent":
        raise invalid("Working location events must be transparent.", "transparency")
    if all_day:
        first = date.fromisoformat(str(data["start"]["date"]))
        last = date.fromisoformat(str((data.get("end") or {}).get("date", data["start"]["date"])))
        if (last - first).days != 1:
            raise invalid("All-day working location events must span exactly one day.", "end")
    location_type = props.get("type")
    if location_type is None:
        raise required("Missing working location type.", f"{field}.type")
    if location_type not in LOCATION_TYPES:
        raise invalid(f"Invalid working location type: {location_type}", f"{field}.type")
    for other in LOCATION_TYPES - {location_type}:
        props.pop(other, None)


def declines_new(status: SharedEvent) -> bool:
    """Whether a live status event declines invitations that arrive while it covers them."""
    props = status.data.get(PROPERTIES.get(str(status.data.get("eventType")), ""), {}) or {}
    return not status.cancelled and props.get("autoDeclineMode") in (
        "declineAllConflictingInvitations",
        "declineOnlyNewConflictingInvitations",
    )


def declines_existing(status: SharedEvent) -> bool:
    """Whether a status event declines the invitations it covers when it is created."""
    props = status.data.get(PROPERTIES.get(str(status.data.get("eventType")), ""), {}) or {}
    return not status.cancelled and props.get("autoDeclineMode") == "declineAllConflictingInvitations"


def decline_message(status: SharedEvent) -> str:
    """The comment an auto-decline leaves (the status event's decline message, if any)."""
    props = status.data.get(PROPERTIES.get(str(status.data.get("eventType")), ""), {}) or {}
    return str(props.get("declineMessage") or "")


def covers(status: SharedEvent, event: SharedEvent) -> bool:
    """Whether a (non-recurring) status event overlaps a single event in time."""
    if status.recurring or event.recurring:
        return False
    return status.start_utc < event.end_utc and event.start_utc < status.end_utc


def _decline(event: SharedEvent, email: str, message: str) -> bool:
    for entry in event.data.get("attendees", []):
        if entry.get("email") == email and entry.get("responseStatus") == "needsAction":
            entry["responseStatus"] = "declined"
            if message:
                entry["comment"] = message
            return True
    return False


def declined_by_status(calendars: dict[str, Calendar], status: SharedEvent) -> list[SharedEvent]:
    """A declining status event was created: decline the user's single invitations it covers."""
    if not declines_existing(status):
        return []
    user = status.organizer_calendar
    out = []
    for copy in list(calendars[user].copies.values()):
        event = copy.event
        if event is status or event.organizer_calendar == user or copy.cancelled or not covers(status, event):
            continue
        if _decline(event, user, decline_message(status)):
            out.append(event)
    return out


def decline_new_invitations(calendars: dict[str, Calendar], event: SharedEvent, invited: set[str]) -> None:
    """Newly invited users whose declining status event covers ``event`` answer ``declined``."""
    for email in invited:
        calendar = calendars.get(email)
        if calendar is None or not calendar.status_ids:
            continue
        for status_id in sorted(calendar.status_ids):
            status_copy = calendar.copies.get(status_id)
            if status_copy is None:
                continue
            status = status_copy.event
            if declines_new(status) and covers(status, event) and _decline(event, email, decline_message(status)):
                break
