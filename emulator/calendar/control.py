"""Control plane, Calendar part: a calendar's stored events, and conferences a conferencing add-on makes."""

from __future__ import annotations

from flask import Blueprint, Response, request

from emulator.api import current_state, json_body, reply
from emulator.calendar import addon_conference
from emulator.calendar.render import render_copy
from emulator.errors import not_found

bp = Blueprint("calendar_control", __name__, url_prefix="/emulator/v1")


@bp.get("/users/<email>/events")
def admin_events(email: str) -> Response:
    """Every stored event copy on a user's or room's calendar (``showDeleted=false`` hides
    cancelled ones), as the API would render them."""
    state = current_state()
    show_deleted = request.args.get("showDeleted", "true").lower() != "false"
    with state.lock:
        calendar = state.calendars.get(email.lower())
        if calendar is None:
            raise not_found(f"Unknown calendar {email}")
        copies = sorted(calendar.copies.values(), key=lambda c: (c.event.start_utc, c.event.event_id))
        items = [render_copy(c) for c in copies if show_deleted or not c.cancelled]
        return reply({"calendarId": calendar.calendar_id, "timeZone": calendar.time_zone, "items": items})


@bp.post("/calendars/<calendar_id>/events/<event_id>/addOnConference")
def attach_addon_conference(calendar_id: str, event_id: str) -> Response:
    """Store a conferencing add-on's answer on the organiser's event, as Calendar does (a change, a push)."""
    return reply(addon_conference.attach(current_state(), calendar_id, event_id, json_body()))
