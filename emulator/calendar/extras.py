"""Calendar v3 methods besides events and calendars: ``channels.stop``, ``settings``, ``acl``
and ``freebusy.query``."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from emulator.api import caller, current_state, google_api, reply, schema_body
from emulator.calendar import calendar_list
from emulator.calendar import freebusy as fb
from emulator.errors import ApiError, forbidden, invalid, not_found, required
from emulator.model import ROLE_RANK
from emulator.state import EmulatorState
from emulator.timeutil import format_local, format_rfc3339, parse_rfc3339

bp = Blueprint("calendar_extras", __name__, url_prefix="/calendar/v3")

_STATIC_SETTINGS = {
    "autoAddHangouts": "false",
    "dateFieldOrder": "MDY",
    "defaultEventLength": "60",
    "format24HourTime": "false",
    "hideInvitations": "false",
    "hideWeekends": "false",
    "remindOnRespondedEventsOnly": "false",
    "showDeclinedEvents": "true",
    "useKeyboardShortcuts": "true",
    "weekStart": "0",
}


@bp.post("/channels/stop")
@google_api("calendar.channels.stop")
def stop_channel() -> Response:
    """``channels.stop``."""
    state = current_state()
    body = schema_body("calendar", "Channel")
    channel_id, resource_id = body.get("id"), body.get("resourceId")
    token = caller()
    with state.lock:
        channel = state.channels.get(str(channel_id))
        if channel is None or channel.resource_id != resource_id or channel.client_id != token.client_id:
            raise not_found(f"Channel '{channel_id}' not found for project")
        channel.stopped = True
        del state.channels[channel.channel_id]
    return reply(None, 204)


def _settings(state: EmulatorState, subject: str) -> dict[str, str]:
    user = state.users.get(subject)
    if user is None:
        raise not_found()
    return {**_STATIC_SETTINGS, "locale": user.locale, "timezone": user.time_zone}


def _setting(setting_id: str, value: str) -> dict[str, Any]:
    return {
        "kind": "calendar#setting",
        "etag": f'"{abs(hash((setting_id, value))) % 10**15}"',
        "id": setting_id,
        "value": value,
    }


@bp.get("/users/me/settings/<setting>")
@google_api("calendar.settings.get")
def get_setting(setting: str) -> Response:
    """``settings.get`` (``locale``, ``timezone`` and the other standard ids)."""
    state = current_state()
    with state.lock:
        values = _settings(state, caller().subject)
    if setting not in values:
        raise not_found()
    return reply(_setting(setting, values[setting]))


@bp.get("/users/me/settings")
@google_api("calendar.settings.list")
def list_settings() -> Response:
    """``settings.list``."""
    state = current_state()
    with state.lock:
        values = _settings(state, caller().subject)
    items = [_setting(k, v) for k, v in sorted(values.items())]
    return reply({"kind": "calendar#settings", "etag": '"1"', "items": items, "nextSyncToken": "CsettingsSync"})


@bp.get("/calendars/<calendar_id>/acl")
@google_api("calendar.acl.list")
def list_acl(calendar_id: str) -> Response:
    """``acl.list`` (owners only)."""
    state = current_state()
    with state.lock:
        calendar = state.calendar_for(caller().subject, calendar_id, "owner")
        items = [rule.to_api() for rule in calendar.acl.values()]
    return reply({"kind": "calendar#acl", "etag": f'"{len(items)}"', "items": items})


@bp.get("/calendars/<calendar_id>/acl/<rule_id>")
@google_api("calendar.acl.get")
def get_acl(calendar_id: str, rule_id: str) -> Response:
    """``acl.get``."""
    state = current_state()
    with state.lock:
        calendar = state.calendar_for(caller().subject, calendar_id, "owner")
        rule = calendar.acl.get(rule_id)
        if rule is None:
            raise not_found()
        return reply(rule.to_api())


@bp.post("/calendars/<calendar_id>/acl")
@google_api("calendar.acl.insert")
def insert_acl(calendar_id: str) -> Response:
    """``acl.insert``: grant a role to a user, group, domain or everyone."""
    state = current_state()
    body = schema_body("calendar", "AclRule")
    role = body.get("role")
    scope = body.get("scope")
    if not role:
        raise required("Missing role.", "role")
    if role not in ROLE_RANK:
        raise invalid("Invalid role.", "role")
    if not isinstance(scope, dict) or not scope.get("type"):
        raise required("Missing scope type.", "scope.type")
    scope_type = scope["type"]
    if scope_type not in ("default", "user", "group", "domain"):
        raise invalid("Invalid scope type.", "scope.type")
    value = scope.get("value")
    if scope_type != "default" and not value:
        raise required("Missing scope value.", "scope.value")
    with state.lock:
        calendar = state.calendar_for(caller().subject, calendar_id, "owner")
        rule = state.put_acl(calendar, str(role), str(scope_type), None if value is None else str(value).lower())
        calendar_list.grant(state, calendar, rule)
        state.notify_change({f"acl:{calendar.calendar_id}"})
        return reply(rule.to_api())


@bp.put("/calendars/<calendar_id>/acl/<rule_id>")
@google_api("calendar.acl.update")
def update_acl(calendar_id: str, rule_id: str) -> Response:
    """``acl.update``: a new role for an existing rule (its scope cannot change)."""
    return _change_acl(calendar_id, rule_id, replace=True)


@bp.patch("/calendars/<calendar_id>/acl/<rule_id>")
@google_api("calendar.acl.patch")
def patch_acl(calendar_id: str, rule_id: str) -> Response:
    """``acl.patch``."""
    return _change_acl(calendar_id, rule_id, replace=False)


def _change_acl(calendar_id: str, rule_id: str, replace: bool) -> Response:
    state = current_state()
    body = schema_body("calendar", "AclRule")
    subject = caller().subject
    with state.lock:
        calendar = state.calendar_for(subject, calendar_id, "owner")
        rule = calendar.acl.get(rule_id)
        if rule is None:
            raise not_found()
        scope = body.get("scope") or {}
        value = scope.get("value")
        if scope.get("type", rule.scope_type) != rule.scope_type or (
            value is not None and str(value).lower() != rule.scope_value
        ):
            raise invalid("The scope of an access rule cannot be changed.", "scope")
        role = body.get("role") or (None if replace else rule.role)
        if not role:
            raise required("Missing role.", "role")
        if role not in ROLE_RANK:
            raise invalid("Invalid role.", "role")
        if rule_id in (f"user:{calendar.calendar_id}", f"user:{subject}"):
            raise forbidden("Cannot change your own access level.", "cannotChangeOwnAcl")
        changed = state.put_acl(calendar, str(role), rule.scope_type, rule.scope_value)
        calendar_list.grant(state, calendar, changed)
        state.notify_change({f"acl:{calendar.calendar_id}"})
        return reply(changed.to_api())


@bp.delete("/calendars/<calendar_id>/acl/<rule_id>")
@google_api("calendar.acl.delete")
def delete_acl(calendar_id: str, rule_id: str) -> Response:
    """``acl.delete``."""
    state = current_state()
    with state.lock:
        calendar = state.calendar_for(caller().subject, calendar_id, "owner")
        if rule_id not in calendar.acl:
            raise not_found()
        if rule_id in (f"user:{calendar.calendar_id}", f"user:{caller().subject}"):
            raise forbidden("Cannot change your own access level.", "cannotChangeOwnAcl")
        del calendar.acl[rule_id]
        state.notify_change({f"acl:{calendar.calendar_id}"})
    return reply(None, 204)


@bp.post("/freeBusy")
@google_api("calendar.freebusy.query")
def freebusy() -> Response:
    """``freebusy.query``: opaque, non-cancelled, non-declined time per calendar."""
    state = current_state()
    body = schema_body("calendar", "FreeBusyRequest")
    for name in ("timeMin", "timeMax"):
        if not body.get(name):
            raise required(f"Missing {name}.", name)
    try:
        time_min, time_max = parse_rfc3339(body["timeMin"]), parse_rfc3339(body["timeMax"])
    except (ValueError, TypeError) as exc:
        raise invalid("Invalid time value.", "timeMin") from exc
    if time_max <= time_min:
        raise ApiError(400, "timeRangeEmpty", "The specified time range is empty.")
    items = body.get("items") or []
    if not isinstance(items, list):
        raise invalid("Invalid items.", "items")
    if len(items) > 50:
        raise ApiError(400, "tooManyCalendarsRequested", "Too many calendars requested.")
    subject = caller().subject
    calendars: dict[str, Any] = {}
    with state.lock:
        for item in items:
            requested = str((item or {}).get("id", "")) if isinstance(item, dict) else ""
            cal_id = subject if requested == "primary" else requested.lower()
            calendar = state.calendars.get(cal_id)
            if calendar is None or calendar.deleted or state.role_for(subject, calendar) < 1:
                calendars[requested] = {"errors": [{"domain": "global", "reason": "notFound"}], "busy": []}
                continue
            busy = fb.busy_intervals(state, calendar, time_min, time_max)
            calendars[requested] = {"busy": [{"start": format_local(b), "end": format_local(e)} for b, e in busy]}
    return reply(
        {
            "kind": "calendar#freeBusy",
            "timeMin": format_rfc3339(time_min),
            "timeMax": format_rfc3339(time_max),
            "calendars": calendars,
        }
    )
