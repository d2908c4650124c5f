"""A small Webex Meetings REST surface: create, read, update and delete scheduled meetings.

Paths follow ``https://webexapis.com/v1/meetings`` under ``/webex/v1``; bodies use Webex's
field names (``title``, ``start``, ``end``, ``timezone``, ``webLink``, ``sipAddress``,
``meetingNumber``); errors use Webex's body (``message``, ``errors[].description``,
``trackingId``). Any non-empty bearer token is accepted; calls are logged as
``webex.meetings.*`` in the request log.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import Blueprint, Response, current_app, g, request

from emulator.api import reply

bp = Blueprint("webex", __name__, url_prefix="/webex/v1")
SITE = "example.webex.com"


@dataclass
class WebexState:
    """Scheduled meetings by id."""

    meetings: dict[str, dict[str, Any]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _state() -> WebexState:
    state = current_app.extensions.get("webex")
    if state is None:
        state = current_app.extensions["webex"] = WebexState()
    assert isinstance(state, WebexState)
    return state


def _error(status: int, message: str) -> Response:
    body = {"message": message, "errors": [{"description": message}], "trackingId": f"EMU_{uuid.uuid4().hex}"}
    return reply(body, status)


def _authorised() -> bool:
    header = request.headers.get("Authorization", "")
    return header.startswith("Bearer ") and len(header) > 7


def _times(body: dict[str, Any]) -> tuple[str, str] | None:
    try:
        start, end = str(body["start"]), str(body["end"])
        if datetime.fromisoformat(start.replace("Z", "+00:00")) >= datetime.fromisoformat(end.replace("Z", "+00:00")):
            return None
    except (KeyError, ValueError):
        return None
    return start, end


def _body() -> dict[str, Any] | None:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else None


@bp.post("/meetings")
def create() -> Response:
    """Schedule a meeting."""
    g.operation = "webex.meetings.create"
    if not _authorised():
        return _error(401, "The request requires a valid access token set in the Authorization request header.")
    body = _body()
    times = _times(body) if body else None
    if body is None or times is None or not str(body.get("title", "")).strip():
        return _error(400, "title, start and end (start before end) are required")
    meeting_id = uuid.uuid4().hex
    number = str(int(hashlib.sha256(meeting_id.encode()).hexdigest(), 16) % 9_000_000_000 + 1_000_000_000)
    site = str(body.get("siteUrl") or SITE)
    meeting = {
        "id": meeting_id,
        "meetingNumber": number,
        "title": str(body["title"]),
        "start": times[0],
        "end": times[1],
        "timezone": str(body.get("timezone") or "UTC"),
        "state": "active",
        "siteUrl": site,
        "webLink": f"https://{site}/{site.split('.')[0]}/j.php?MTID=m{meeting_id}",
        "sipAddress": f"{number}@{site}",
        "hostEmail": body.get("hostEmail"),
    }
    with _state().lock:
        _state().meetings[meeting_id] = meeting
    return reply(meeting, 200)


@bp.route("/meetings/<meeting_id>", methods=["GET", "PUT", "DELETE"])
def one(meeting_id: str) -> Response:
    """Read, update or delete a meeting."""
    g.operation = {"GET": "webex.meetings.get", "PUT": "webex.meetings.update", "DELETE": "webex.meetings.delete"}[
        request.method
    ]
    if not _authorised():
        return _error(401, "The request requires a valid access token set in the Authorization request header.")
    state = _state()
    with state.lock:
        meeting = state.meetings.get(meeting_id)
        if meeting is None:
            return _error(404, "Meeting not found.")
        if request.method == "DELETE":
            del state.meetings[meeting_id]
            return Response(status=204)
        if request.method == "PUT":
            body = _body()
            times = _times(body) if body else None
            if body is None or times is None or not str(body.get("title", "")).strip():
                return _error(400, "title, start and end (start before end) are required")
            meeting.update(title=str(body["title"]), start=times[0], end=times[1])
        return reply(dict(meeting), 200)
