"""Calendar v3 ``events`` methods under ``/calendar/v3``: list, get, insert, patch, update,
delete, instances, quickAdd and watch."""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, request

from emulator.api import caller, current_state, google_api, reply, schema_body
from emulator.calendar import conference, events, listing, quickadd, watches, write_rules
from emulator.calendar.render import render_copy, render_instance
from emulator.errors import invalid, required
from emulator.model import role_name

bp = Blueprint("calendar", __name__, url_prefix="/calendar/v3")

EVENTS = "/calendars/<calendar_id>/events"


@bp.get(EVENTS)
@google_api("calendar.events.list")
def list_events(calendar_id: str) -> Response:
    """``events.list``."""
    state = current_state()
    subject = caller().subject
    with state.lock:
        calendar = state.calendar_for(subject, calendar_id)
        role = role_name(state.role_for(subject, calendar))
        return reply(listing.list_events(state, calendar, request.args, role))


@bp.get(EVENTS + "/<event_id>")
@google_api("calendar.events.get")
def get_event(calendar_id: str, event_id: str) -> Response:
    """``events.get`` (instance ids of recurring events included)."""
    state = current_state()
    with state.lock:
        calendar = state.calendar_for(caller().subject, calendar_id)
        copy, original = events.locate(state, calendar.calendar_id, event_id)
        body = render_copy(copy) if original is None else render_instance(copy, original)
        return reply(body)


@bp.post(EVENTS)
@google_api("calendar.events.insert")
def insert_event(calendar_id: str) -> Response:
    """``events.insert``."""
    state = current_state()
    body = schema_body("calendar", "Event")
    version = conference.version(request.args.get("conferenceDataVersion"))
    with state.lock:
        calendar = state.calendar_for(caller().subject, calendar_id, "writer")
        copy = events.insert(state, caller().subject, calendar.calendar_id, body, version)
        answer = reply(render_copy(copy))
        write_rules.complete_conference(state, copy.event)
        return answer


@bp.patch(EVENTS + "/<event_id>")
@google_api("calendar.events.patch")
def patch_event(calendar_id: str, event_id: str) -> Response:
    """``events.patch`` (``If-Match`` honoured)."""
    return _change(calendar_id, event_id, replace=False)


@bp.put(EVENTS + "/<event_id>")
@google_api("calendar.events.update")
def update_event(calendar_id: str, event_id: str) -> Response:
    """``events.update`` (``If-Match`` honoured)."""
    return _change(calendar_id, event_id, replace=True)


def _change(calendar_id: str, event_id: str, replace: bool) -> Response:
    state = current_state()
    body = schema_body("calendar", "Event")
    version = conference.version(request.args.get("conferenceDataVersion"))
    with state.lock:
        calendar = state.calendar_for(caller().subject, calendar_id, "writer")
        copy = events.patch(
            state,
            caller().subject,
            calendar.calendar_id,
            event_id,
            body,
            request.headers.get("If-Match"),
            replace=replace,
            conference_version=version,
        )
        answer = reply(render_copy(copy))
        write_rules.complete_conference(state, copy.event)
        return answer


@bp.delete(EVENTS + "/<event_id>")
@google_api("calendar.events.delete")
def delete_event(calendar_id: str, event_id: str) -> Response:
    """``events.delete``."""
    state = current_state()
    with state.lock:
        calendar = state.calendar_for(caller().subject, calendar_id, "writer")
        events.delete(state, calendar.calendar_id, event_id, request.headers.get("If-Match"))
    return reply(None, 204)


@bp.get(EVENTS + "/<event_id>/instances")
@google_api("calendar.events.instances")
def instances(calendar_id: str, event_id: str) -> Response:
    """``events.instances``."""
    state = current_state()
    subject = caller().subject
    with state.lock:
        calendar = state.calendar_for(subject, calendar_id)
        master, original = events.locate(state, calendar.calendar_id, event_id)
        if original is not None:
            raise invalid("Invalid event id.", "eventId")
        role = role_name(state.role_for(subject, calendar))
        return reply(listing.list_instances(state, calendar, master, request.args, role))


@bp.post(EVENTS + "/quickAdd")
@google_api("calendar.events.quickAdd")
def quick_add(calendar_id: str) -> Response:
    """``events.quickAdd``: parse one line of text in the user's time zone."""
    state = current_state()
    text = request.args.get("text")
    if not text or not text.strip():
        raise required("Required parameter: text", "text")
    with state.lock:
        calendar = state.calendar_for(caller().subject, calendar_id, "writer")
        try:
            body = quickadd.parse(text, calendar.time_zone, state.now())
        except ValueError as exc:
            raise invalid("Invalid quick add text.", "text") from exc
        copy = events.insert(state, caller().subject, calendar.calendar_id, body)
        return reply(render_copy(copy))


@bp.post(EVENTS + "/watch")
@google_api("calendar.events.watch")
def watch(calendar_id: str) -> Response:
    """``events.watch``: open a web_hook channel and send its ``sync`` message."""
    state = current_state()
    body = schema_body("calendar", "Channel")
    with state.lock:
        calendar = state.calendar_for(caller().subject, calendar_id)
        uri = f"{request.host_url}calendar/v3/calendars/{quote(calendar.calendar_id)}/events?alt=json"
        answer = watches.open_channel(
            state,
            body,
            calendar.calendar_id,
            state.resource_id(calendar.calendar_id),
            uri,
            frozenset(request.args.getlist("eventTypes")),
        )
    return reply(answer)
