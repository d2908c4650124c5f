"""Gmail v1 vacation settings under ``/gmail/v1``: ``getVacation`` and ``updateVacation``."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from emulator.api import caller, current_state, google_api, json_body, reply
from emulator.errors import ApiError, forbidden, not_found
from emulator.state import EmulatorState

bp = Blueprint("gmail", __name__, url_prefix="/gmail/v1")

BOOL_FIELDS = ("enableAutoReply", "restrictToContacts", "restrictToDomain")
TEXT_FIELDS = ("responseSubject", "responseBodyPlainText", "responseBodyHtml")
TIME_FIELDS = ("startTime", "endTime")


def _bad(message: str) -> ApiError:
    return ApiError(400, "invalidArgument", message)


def validate_vacation(body: dict[str, Any]) -> dict[str, Any]:
    """Return normalised ``VacationSettings`` or raise Gmail's 400."""
    unknown = set(body) - {*BOOL_FIELDS, *TEXT_FIELDS, *TIME_FIELDS}
    if unknown:
        raise _bad(f'Invalid JSON payload received. Unknown name "{sorted(unknown)[0]}"')
    out: dict[str, Any] = dict.fromkeys(BOOL_FIELDS, False)
    for name in BOOL_FIELDS:
        if name in body:
            if not isinstance(body[name], bool):
                raise _bad(f"Invalid value at 'vacation_settings.{name}'")
            out[name] = body[name]
    for name in TEXT_FIELDS:
        if body.get(name) is not None:
            if not isinstance(body[name], str):
                raise _bad(f"Invalid value at 'vacation_settings.{name}'")
            out[name] = body[name]
    for name in TIME_FIELDS:
        if body.get(name) is not None:
            try:
                out[name] = str(int(str(body[name])))
            except ValueError as exc:
                raise _bad(f"Invalid value at 'vacation_settings.{name}'") from exc
    if "startTime" in out and "endTime" in out and int(out["startTime"]) >= int(out["endTime"]):
        raise _bad("Invalid vacation settings: startTime must precede endTime")
    if out["enableAutoReply"] and not any(out.get(n) for n in TEXT_FIELDS):
        raise _bad("Invalid vacation settings: a response subject or body is required")
    return out


def vacation_of(state: EmulatorState, email: str) -> dict[str, Any]:
    """Return a user's stored vacation settings (defaults when never set)."""
    return dict(state.vacations.get(email) or dict.fromkeys(BOOL_FIELDS, False))


def _user(state: EmulatorState, user_id: str) -> str:
    subject = caller().subject
    if user_id not in ("me", subject):
        raise forbidden(f"Delegation denied for {subject}")
    if subject not in state.users:
        raise not_found()
    return subject


@bp.get("/users/<user_id>/settings/vacation")
@google_api("gmail.users.settings.getVacation")
def get_vacation(user_id: str) -> Response:
    """``users.settings.getVacation``."""
    state = current_state()
    with state.lock:
        return reply(vacation_of(state, _user(state, user_id)))


@bp.put("/users/<user_id>/settings/vacation")
@google_api("gmail.users.settings.updateVacation")
def update_vacation(user_id: str) -> Response:
    """``users.settings.updateVacation`` (replaces the settings)."""
    state = current_state()
    settings = validate_vacation(json_body())
    with state.lock:
        state.vacations[_user(state, user_id)] = settings
    return reply(settings)
