"""Push channels: ``events.watch`` and the ``acl``, ``calendarList`` and ``settings`` watches.

Each channel watches one resource collection, named by a key: a calendar id for its events,
``acl:<calendar>``, ``calendarList:<user>`` or ``settings:<user>``. Opening one answers
``api#channel`` and sends a ``sync`` message; every later change to the collection sends
``exists`` (see :meth:`emulator.state.EmulatorState.notify_change`).
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import Blueprint, Response, request

from emulator.api import caller, current_state, google_api, reply, schema_body
from emulator.errors import ApiError, invalid, required
from emulator.model import Channel
from emulator.state import EmulatorState
from emulator.timeutil import from_epoch_ms

bp = Blueprint("watches", __name__, url_prefix="/calendar/v3")
MAX_TTL = 30 * 24 * 3600
DEFAULT_TTL = 7 * 24 * 3600


def open_channel(
    state: EmulatorState,
    body: dict[str, Any],
    key: str,
    resource_id: str,
    resource_uri: str,
    event_types: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """Open a web_hook channel on the collection ``key``; caller holds ``state.lock``."""
    channel_id = body.get("id")
    if not isinstance(channel_id, str) or not channel_id:
        raise required("Required channel id.", "id")
    if body.get("type") not in ("web_hook", "webhook"):
        raise invalid(f"Unknown channel type: {body.get('type')}", "type")
    address = body.get("address")
    if not isinstance(address, str) or not address.startswith(("http://", "https://")):
        raise invalid("Invalid channel address.", "address")
    params = body.get("params") or {}
    try:
        ttl = min(int(params.get("ttl", DEFAULT_TTL)), MAX_TTL)
    except (TypeError, ValueError) as exc:
        raise invalid("Invalid ttl value.", "params.ttl") from exc
    if channel_id in state.channels:
        raise ApiError(400, "channelIdNotUnique", f"Channel id {channel_id} not unique")
    expiration = state.now().timestamp() + ttl
    if body.get("expiration"):
        expiration = min(expiration, int(body["expiration"]) / 1000)
    token = caller()
    channel = Channel(
        channel_id=channel_id,
        resource_id=resource_id,
        resource_uri=resource_uri,
        address=address,
        token=body.get("token"),
        expiration=from_epoch_ms(int(expiration * 1000)),
        calendar_id=key,
        client_id=token.client_id,
        subject=token.subject,
        event_types=event_types,
    )
    state.channels[channel_id] = channel
    state.send_push(channel, "sync")
    out = {
        "kind": "api#channel",
        "id": channel.channel_id,
        "resourceId": channel.resource_id,
        "resourceUri": channel.resource_uri,
        "expiration": str(int(expiration * 1000)),
    }
    if channel.token is not None:
        out["token"] = channel.token
    return out


def _collection(key: str, path: str) -> Response:
    state = current_state()
    body = schema_body("calendar", "Channel")
    resource_id = hashlib.sha1(key.encode()).hexdigest()[:27]
    with state.lock:
        return reply(open_channel(state, body, key, resource_id, f"{request.host_url}calendar/v3/{path}?alt=json"))


@bp.post("/calendars/<calendar_id>/acl/watch")
@google_api("calendar.acl.watch")
def watch_acl(calendar_id: str) -> Response:
    """``acl.watch``: hear of every change to a calendar's access rules (owners only)."""
    state = current_state()
    with state.lock:
        calendar = state.calendar_for(caller().subject, calendar_id, "owner")
    return _collection(f"acl:{calendar.calendar_id}", f"calendars/{calendar.calendar_id}/acl")


@bp.post("/users/me/calendarList/watch")
@google_api("calendar.calendarList.watch")
def watch_calendar_list() -> Response:
    """``calendarList.watch``: hear of every change to the caller's calendar list."""
    return _collection(f"calendarList:{caller().subject}", "users/me/calendarList")


@bp.post("/users/me/settings/watch")
@google_api("calendar.settings.watch")
def watch_settings() -> Response:
    """``settings.watch``: hear of every change to the caller's settings."""
    return _collection(f"settings:{caller().subject}", "users/me/settings")
