"""Control plane, Gmail part: a user's vacation settings, read and set without an API call."""

from __future__ import annotations

from flask import Blueprint, Response

from emulator.api import current_state, json_body, reply
from emulator.errors import not_found
from emulator.gmail.vacation import vacation_of, validate_vacation

bp = Blueprint("gmail_control", __name__, url_prefix="/emulator/v1")


@bp.put("/users/<email>/vacation")
def put_vacation(email: str) -> Response:
    """Set a user's Gmail vacation settings directly."""
    state = current_state()
    settings = validate_vacation(json_body())
    with state.lock:
        if email.lower() not in state.users:
            raise not_found(f"Unknown user {email}")
        state.vacations[email.lower()] = settings
    return reply(settings)


@bp.get("/users/<email>/vacation")
def get_vacation(email: str) -> Response:
    """Read a user's Gmail vacation settings without an API call."""
    state = current_state()
    with state.lock:
        if email.lower() not in state.users:
            raise not_found(f"Unknown user {email}")
        return reply(vacation_of(state, email.lower()))
