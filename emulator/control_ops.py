"""Control plane, operations part: faults, request log, clock, pushes, channels, reset."""

from __future__ import annotations

from flask import Blueprint, Response, request

from emulator.api import current_state, json_body, reply
from emulator.errors import invalid
from emulator.timeutil import epoch_ms, format_rfc3339, parse_rfc3339

bp = Blueprint("control_ops", __name__, url_prefix="/emulator/v1")


@bp.post("/faults")
def set_faults() -> Response:
    """Install the fault rule for one operation (or ``*``); see the README for fields."""
    state = current_state()
    spec = json_body()
    invalidate = spec.get("invalidateSyncTokens")
    if invalidate:
        with state.lock:
            for calendar in state.calendars.values():
                if invalidate is True or calendar.calendar_id == str(invalidate).lower():
                    calendar.epoch += 1
    if set(spec) <= {"invalidateSyncTokens", "operation"} and invalidate:
        return reply({"rules": state.faults.rules()})
    try:
        state.faults.set_rule(spec)
    except (ValueError, TypeError) as exc:
        raise invalid(str(exc)) from exc
    return reply({"rules": state.faults.rules()})


@bp.get("/faults")
def get_faults() -> Response:
    """List the installed fault rules."""
    return reply({"rules": current_state().faults.rules()})


@bp.delete("/faults")
def clear_faults() -> Response:
    """Remove every fault rule and quota counter."""
    current_state().faults.clear()
    return reply(None, 204)


@bp.get("/requests")
def get_requests() -> Response:
    """The request log (``operation`` and ``subject`` filter the items) and counts."""
    log = current_state().log
    return reply(log.snapshot(request.args.get("operation"), request.args.get("subject")))


@bp.delete("/requests")
def clear_requests() -> Response:
    """Clear the request log."""
    current_state().log.clear()
    return reply(None, 204)


def _clock_json() -> dict[str, object]:
    clock = current_state().clock
    now = clock.now()
    return {"time": format_rfc3339(now), "epochMs": epoch_ms(now), "frozen": clock.frozen}


@bp.get("/clock")
def get_clock() -> Response:
    """The emulator's time."""
    return reply(_clock_json())


@bp.post("/clock")
def set_clock() -> Response:
    """Set (``time``), advance (``advanceSeconds``) and/or freeze (``frozen``) the clock."""
    clock = current_state().clock
    body = json_body()
    frozen = body.get("frozen")
    if frozen is not None and not isinstance(frozen, bool):
        raise invalid("frozen must be a boolean", "frozen")
    if "time" in body:
        try:
            clock.set(parse_rfc3339(str(body["time"])), frozen=frozen)
        except ValueError as exc:
            raise invalid("time must be an RFC 3339 timestamp", "time") from exc
    elif frozen is not None:
        clock.freeze(frozen)
    if "advanceSeconds" in body:
        try:
            clock.advance(float(body["advanceSeconds"]))
        except (TypeError, ValueError) as exc:
            raise invalid("advanceSeconds must be a number", "advanceSeconds") from exc
    return reply(_clock_json())


@bp.post("/reset")
def reset() -> Response:
    """Forget everything and return to real time."""
    current_state().reset()
    return reply(None, 204)


@bp.get("/pushes")
def get_pushes() -> Response:
    """Delivered (and dropped) pushes and the dispatcher's counts; ``waitSeconds=N`` first waits for the queue."""
    state = current_state()
    idle = True
    if request.args.get("waitSeconds"):
        try:
            idle = state.wait_for_push_idle(float(request.args["waitSeconds"]))
        except ValueError as exc:
            raise invalid("waitSeconds must be a number", "waitSeconds") from exc
    return reply({"idle": idle, "counts": state.push.counts(), "items": state.push.records()})


@bp.delete("/pushes")
def clear_pushes() -> Response:
    """Forget delivery records."""
    current_state().push.clear()
    return reply(None, 204)


@bp.get("/channels")
def get_channels() -> Response:
    """The open push channels."""
    state = current_state()
    with state.lock:
        items = [
            {
                "id": c.channel_id,
                "resourceId": c.resource_id,
                "calendarId": c.calendar_id,
                "address": c.address,
                "subject": c.subject,
                "expiration": format_rfc3339(c.expiration),
                "expired": c.expiration <= state.now(),
                "nextMessageNumber": c.next_number,
            }
            for c in state.channels.values()
        ]
    return reply({"items": items})
