"""Event primitives: ids, validation of times and attendees, copies and change-log touches.

Callers hold ``state.lock``. :func:`sync_copies` is how a change to a shared event reaches
every calendar it is on (and how guests' copies appear, revive or are cancelled).
"""

from __future__ import annotations

import secrets
from datetime import UTC
from typing import Any

from emulator.calendar.colors import EVENT_COLORS
from emulator.calendar.recurrence import build_ruleset
from emulator.calendar.render import PERSONAL, READ_ONLY
from emulator.errors import ApiError, invalid, required
from emulator.model import EventCopy, SharedEvent
from emulator.state import EmulatorState
from emulator.timeutil import check_range, format_local, parse_event_time, zone

_ID_CHARS = "abcdefghijklmnopqrstuv0123456789"
RESPONSES = {"needsAction", "declined", "tentative", "accepted"}
MAX_OVERRIDES = 5
MAX_REMINDER_MINUTES = 40320  # four weeks


def new_event_id() -> str:
    """Return a fresh base32hex event id like Google's."""
    return "".join(secrets.choice(_ID_CHARS) for _ in range(26))


def valid_id(event_id: str) -> bool:
    return 5 <= len(event_id) <= 1024 and all(ch in _ID_CHARS for ch in event_id)


def set_times(state: EmulatorState, shared: SharedEvent) -> None:
    """Validate ``shared.data``'s start, end and recurrence and cache the parsed times."""
    data = shared.data
    recurring = bool(data.get("recurrence"))
    start = parse_event_time(data.get("start"), "start", need_zone=recurring)
    end = parse_event_time(data.get("end"), "end", need_zone=recurring)
    check_range(start, end)
    tz = zone(state.calendars[shared.organizer_calendar].time_zone)
    if recurring:
        rules = data["recurrence"]
        if not isinstance(rules, list):
            raise invalid("Invalid recurrence rule.", "recurrence")
        try:
            build_ruleset(start, rules)
        except (ValueError, TypeError, KeyError) as exc:
            raise invalid("Invalid recurrence rule.", "recurrence") from exc
    for name, parsed in (("start", start), ("end", end)):
        if parsed.moment is not None:
            shown = parsed.moment
            if parsed.tz_name:  # through UTC, so a wall time in a DST gap shows as it really is
                shown = shown.astimezone(UTC).astimezone(zone(parsed.tz_name))
            data[name] = {**data[name], "dateTime": format_local(shown)}
            data[name].pop("date", None)
    shared.start, shared.end = start, end
    shared.start_utc, shared.end_utc = start.as_utc(tz), end.as_utc(tz)


def attendees(state: EmulatorState, raw: Any, organizer: str, previous: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not isinstance(raw, list):
        raise invalid("Invalid attendees.", "attendees")
    before = {a.get("email"): a for a in previous}
    result = []
    seen: set[str] = set()
    for item in raw:
        if not isinstance(item, dict) or not item.get("email"):
            raise required("Missing attendee email.", "attendees.email")
        email = str(item["email"]).strip().lower()
        if "@" not in email:
            raise invalid("Invalid attendee email.", "attendees.email")
        if email in seen:
            continue
        seen.add(email)
        entry = {**before.get(email, {}), **item, "email": email}
        status = entry.get("responseStatus")
        if status is None:
            status = "accepted" if email in state.rooms or email == organizer else "needsAction"
        if status not in RESPONSES:
            raise invalid("Invalid attendee response status.", "attendees.responseStatus")
        entry["responseStatus"] = status
        if email in state.rooms:
            entry["resource"] = True
            entry.setdefault("displayName", state.rooms[email].name)
        elif email in state.users:
            entry.setdefault("displayName", state.users[email].name)
        if email == organizer:
            entry["organizer"] = True
        entry.pop("self", None)
        result.append(entry)
    return result


def touch(state: EmulatorState, copy: EventCopy, changed: set[str]) -> None:
    """Give ``copy`` a new etag, ``updated`` and change-log position."""
    calendar = state.calendars[copy.calendar_id]
    calendar.log_change(copy)
    copy.etag = state.new_etag()
    copy.updated = state.now()
    if calendar.last_updated is None or copy.updated > calendar.last_updated:
        calendar.last_updated = copy.updated
    changed.add(calendar.calendar_id)


def sync_copies(state: EmulatorState, shared: SharedEvent, changed: set[str]) -> None:
    """Create, revive or cancel attendee copies to match the attendee list; touch all."""
    responses = {a["email"]: a.get("responseStatus") for a in shared.data.get("attendees", [])}
    guests = set() if shared.private_copy else {e for e in responses if e in state.calendars}
    desired = {shared.organizer_calendar} | {e for e in guests if not state.calendars[e].deleted}
    now = state.now()
    for calendar_id in desired:
        copy = shared.copies.get(calendar_id)
        if copy is None:
            calendar = state.calendars[calendar_id]
            other = calendar.copies.get(shared.event_id)
            if other is not None and other.event is not shared:
                continue
            copy = EventCopy(calendar_id, shared, "", now, 0)
            shared.copies[calendar_id] = copy
            calendar.add_copy(copy)
        elif copy.removed and responses.get(calendar_id) != "declined":
            copy.removed = False
    for calendar_id, copy in shared.copies.items():
        if calendar_id not in desired:
            copy.removed = True
    for copy in shared.copies.values():
        touch(state, copy, changed)


def check_personal(local: dict[str, Any]) -> None:
    """Validate a copy's own fields as Google does: reminder overrides and the event colour."""
    color = local.get("colorId")
    if color is not None and color not in EVENT_COLORS:
        raise invalid(f"Invalid color id: {color}", "colorId")
    reminders = local.get("reminders")
    if not isinstance(reminders, dict):
        return
    overrides = reminders.get("overrides") or []
    if reminders.get("useDefault") and overrides:
        raise ApiError(
            400,
            "cannotUseDefaultRemindersAndSpecifyOverride",
            "Cannot specify both default reminders and overrides at the same time.",
        )
    if len(overrides) > MAX_OVERRIDES:
        raise invalid("Too many reminder overrides (at most 5).", "reminders.overrides")
    for i, item in enumerate(overrides):
        where = f"reminders.overrides[{i}]"
        if item.get("method") is None:
            raise required("Missing override reminder method.", f"{where}.method")
        if item.get("minutes") is None:
            raise required("Missing override reminder minutes.", f"{where}.minutes")
        if not 0 <= int(item["minutes"]) <= MAX_REMINDER_MINUTES:
            raise invalid("Invalid override reminder minutes value.", f"{where}.minutes")


def split_body(body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split a request body into shared data and this copy's personal fields."""
    shared: dict[str, Any] = {}
    local: dict[str, Any] = {}
    for key, value in body.items():
        if key in PERSONAL:
            local[key] = value
        elif key == "extendedProperties" and isinstance(value, dict):
            if value.get("private") is not None:
                local["extendedProperties"] = {"private": dict(value["private"])}
            if value.get("shared") is not None:
                shared["extendedProperties"] = {"shared": dict(value["shared"])}
        elif key not in READ_ONLY:
            shared[key] = value
    return shared, local
