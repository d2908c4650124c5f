"""``calendarList``: each user's own list of calendars and their settings for each.

A user's list holds their primary calendar, the secondary calendars they create, the calendars
they ``insert``, and calendars an ACL rule shares with them by name (added when the rule is
written). Per entry the user keeps ``colorId`` (one of the 24 calendar colours; with
``colorRgbFormat=true`` the RGB colours are written and ``colorId`` becomes the nearest
palette colour), ``hidden``, ``selected``, ``summaryOverride``, ``defaultReminders`` and
``notificationSettings``. ``calendarList.get`` of a calendar not on the list answers 404, as
Google does; the primary calendar cannot be removed.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from emulator.api import caller, current_state, google_api, reply, schema_body
from emulator.calendar.colors import CALENDAR_COLORS, nearest_calendar_color
from emulator.calendar.event_core import check_personal
from emulator.calendar.params import bool_arg, decode_token, encode_token, int_arg
from emulator.errors import invalid, not_found, required
from emulator.model import ROLE_RANK, AclRule, Calendar, role_name
from emulator.state import EmulatorState

bp = Blueprint("calendar_list", __name__, url_prefix="/calendar/v3/users/me/calendarList")

SETTINGS = ("colorId", "backgroundColor", "foregroundColor", "hidden", "selected", "summaryOverride")
DEFAULT_REMINDERS = [{"method": "popup", "minutes": 10}]


def settings_of(state: EmulatorState, user: str) -> dict[str, dict[str, Any]]:
    """A user's calendar list (their primary calendar always on it)."""
    entries = state.calendar_lists.setdefault(user, {})
    if user in state.calendars and user not in entries:
        entries[user] = _defaults(state.calendars[user], "owner")
    return entries


def _defaults(calendar: Calendar, role: str) -> dict[str, Any]:
    color = "14" if calendar.kind != "secondary" else str(1 + sum(map(ord, calendar.calendar_id)) % 24)
    out: dict[str, Any] = {"colorId": color, "selected": True, "hidden": False}
    out["defaultReminders"] = list(DEFAULT_REMINDERS) if role == "owner" else []
    if role == "owner":
        out["notificationSettings"] = {"notifications": [{"type": "eventCreation", "method": "email"}]}
    return out


def add(state: EmulatorState, user: str, calendar: Calendar, *, notify: bool = True) -> None:
    """Put ``calendar`` on ``user``'s list (no-op when it is there)."""
    entries = settings_of(state, user)
    if calendar.calendar_id not in entries:
        entries[calendar.calendar_id] = _defaults(calendar, role_name(state.role_for(user, calendar)))
        if notify:
            state.notify_change({f"calendarList:{user}"})


def grant(state: EmulatorState, calendar: Calendar, rule: AclRule) -> None:
    """An ACL rule shares ``calendar`` with a user of an emulated domain: list it for them."""
    if rule.scope_type == "user" and rule.scope_value in state.users and ROLE_RANK.get(rule.role, 0) > 0:
        add(state, rule.scope_value, calendar)


def render(state: EmulatorState, user: str, calendar: Calendar) -> dict[str, Any]:
    """The ``calendar#calendarListEntry`` of ``calendar`` on ``user``'s list."""
    role = role_name(state.role_for(user, calendar))
    mine = settings_of(state, user)[calendar.calendar_id]
    color = CALENDAR_COLORS[mine["colorId"]]
    entry: dict[str, Any] = {
        "kind": "calendar#calendarListEntry",
        "etag": f'"{calendar.seq}{len(str(mine))}"',
        "id": calendar.calendar_id,
        "summary": calendar.summary,
        "timeZone": calendar.time_zone,
        "colorId": mine["colorId"],
        "backgroundColor": mine.get("backgroundColor") or color["background"],
        "foregroundColor": mine.get("foregroundColor") or color["foreground"],
        "accessRole": role,
        "defaultReminders": mine.get("defaultReminders", []),
        "conferenceProperties": {"allowedConferenceSolutionTypes": ["hangoutsMeet"]},
    }
    for key in ("description", "location"):
        if getattr(calendar, key):
            entry[key] = getattr(calendar, key)
    if mine.get("summaryOverride"):
        entry["summaryOverride"] = mine["summaryOverride"]
    if mine.get("hidden"):
        entry["hidden"] = True
    if mine.get("selected"):
        entry["selected"] = True
    if "notificationSettings" in mine and role == "owner":
        entry["notificationSettings"] = mine["notificationSettings"]
    if calendar.calendar_id == user:
        entry["primary"] = True
    if calendar.data_owner:
        entry["dataOwner"] = calendar.data_owner
    return entry


def _listed(state: EmulatorState, user: str, calendar_id: str) -> Calendar:
    calendar_id = user if calendar_id == "primary" else calendar_id.lower()
    calendar = state.calendars.get(calendar_id)
    if calendar is None or calendar.deleted or calendar_id not in settings_of(state, user):
        raise not_found()
    if state.role_for(user, calendar) < ROLE_RANK["freeBusyReader"]:
        raise not_found()
    return calendar


def _apply(state: EmulatorState, user: str, calendar: Calendar, body: dict[str, Any], replace: bool) -> None:
    entries = settings_of(state, user)
    current = dict(entries[calendar.calendar_id])
    if replace:
        role = role_name(state.role_for(user, calendar))
        current = {**_defaults(calendar, role), "selected": False}
    rgb = bool_arg(request.args, "colorRgbFormat")
    for key in (*SETTINGS, "defaultReminders", "notificationSettings"):
        if key in body and (rgb or key not in ("backgroundColor", "foregroundColor")):
            current[key] = body[key]
    if rgb:
        if not (current.get("backgroundColor") and current.get("foregroundColor")):
            raise required("Missing RGB colours (backgroundColor and foregroundColor).", "backgroundColor")
        try:
            current["colorId"] = nearest_calendar_color(str(current["backgroundColor"]))
            nearest_calendar_color(str(current["foregroundColor"]))
        except ValueError as exc:
            raise invalid("Invalid RGB colour.", "backgroundColor") from exc
    elif "colorId" in body:
        current.pop("backgroundColor", None)
        current.pop("foregroundColor", None)
    if current.get("colorId") not in CALENDAR_COLORS:
        raise invalid(f"Invalid color id: {current.get('colorId')}", "colorId")
    for reminder in current.get("defaultReminders") or []:
        check_personal({"reminders": {"useDefault": False, "overrides": [reminder]}})
    entries[calendar.calendar_id] = current
    state.notify_change({f"calendarList:{user}"})


@bp.get("")
@google_api("calendar.calendarList.list")
def list_entries() -> Response:
    """``calendarList.list`` (``minAccessRole``, ``showHidden``, ``showDeleted``, paging)."""
    state = current_state()
    user = caller().subject
    args = request.args
    least = ROLE_RANK.get(args.get("minAccessRole") or "freeBusyReader", 1)
    show_hidden = bool_arg(args, "showHidden")
    size = int_arg(args, "maxResults", 100, 1, 250)
    try:
        offset = int(decode_token(args["pageToken"])["o"]) if args.get("pageToken") else 0
    except (ValueError, KeyError, TypeError) as exc:
        raise invalid("Invalid page token value.", "pageToken") from exc
    with state.lock:
        items = []
        for calendar_id, mine in sorted(settings_of(state, user).items()):
            calendar = state.calendars.get(calendar_id)
            if calendar is None or calendar.deleted or state.role_for(user, calendar) < least:
                continue
            if mine.get("hidden") and not show_hidden:
                continue
            items.append(render(state, user, calendar))
    out: dict[str, Any] = {"kind": "calendar#calendarList", "etag": f'"{len(items)}"', "items": items[offset:]}
    if len(items) > offset + size:
        out["items"] = items[offset : offset + size]
        out["nextPageToken"] = encode_token({"o": offset + size})
    else:
        out["nextSyncToken"] = encode_token({"l": user, "n": len(items)})
    return reply(out)


@bp.get("/<calendar_id>")
@google_api("calendar.calendarList.get")
def get_entry(calendar_id: str) -> Response:
    """``calendarList.get``: 404 for a calendar that is not on the user's list."""
    state = current_state()
    user = caller().subject
    with state.lock:
        return reply(render(state, user, _listed(state, user, calendar_id)))


@bp.post("")
@google_api("calendar.calendarList.insert")
def insert_entry() -> Response:
    """``calendarList.insert``: put a calendar the user may see on their list."""
    state = current_state()
    user = caller().subject
    body = schema_body("calendar", "CalendarListEntry")
    if not body.get("id"):
        raise required("Missing calendar id.", "id")
    with state.lock:
        calendar = state.calendars.get(str(body["id"]).lower())
        if calendar is None or calendar.deleted or state.role_for(user, calendar) < ROLE_RANK["freeBusyReader"]:
            raise not_found()
        add(state, user, calendar, notify=False)
        _apply(state, user, calendar, body, replace=False)
        return reply(render(state, user, calendar))


@bp.put("/<calendar_id>")
@google_api("calendar.calendarList.update")
def update_entry(calendar_id: str) -> Response:
    """``calendarList.update``: replace the user's settings for a listed calendar."""
    return _change(calendar_id, replace=True)


@bp.patch("/<calendar_id>")
@google_api("calendar.calendarList.patch")
def patch_entry(calendar_id: str) -> Response:
    """``calendarList.patch``."""
    return _change(calendar_id, replace=False)


def _change(calendar_id: str, replace: bool) -> Response:
    state = current_state()
    user = caller().subject
    body = schema_body("calendar", "CalendarListEntry")
    with state.lock:
        calendar = _listed(state, user, calendar_id)
        _apply(state, user, calendar, body, replace)
        return reply(render(state, user, calendar))


@bp.delete("/<calendar_id>")
@google_api("calendar.calendarList.delete")
def delete_entry(calendar_id: str) -> Response:
    """``calendarList.delete``: take a calendar off the list (never the primary one)."""
    state = current_state()
    user = caller().subject
    with state.lock:
        calendar = _listed(state, user, calendar_id)
        if calendar.calendar_id == user:
            raise invalid("The primary calendar cannot be removed from the calendar list.", "calendarId")
        del settings_of(state, user)[calendar.calendar_id]
        state.notify_change({f"calendarList:{user}"})
    return reply(None, 204)
