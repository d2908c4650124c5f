"""Control plane, directory part: domains with their users and rooms, and user settings.

Everything lives under ``/emulator/v1`` and needs no credentials (the emulator is local). The
surfaces add their own parts: service accounts (identity), vacation settings (gmail), a
calendar's stored events and add-on conferences (calendar).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from emulator.api import current_state, json_body, reply
from emulator.errors import invalid, not_found
from emulator.model import Domain

bp = Blueprint("control", __name__, url_prefix="/emulator/v1")


def _domain_json(domain: Domain) -> dict[str, Any]:
    return {
        "domain": domain.name,
        "timeZone": domain.time_zone,
        "users": [
            {"email": u.email, "name": u.name, "locale": u.locale, "timeZone": u.time_zone}
            for u in domain.users.values()
        ],
        "rooms": [{"email": r.email, "name": r.name, "timeZone": r.time_zone} for r in domain.rooms.values()],
    }


@bp.post("/domains")
def create_domain() -> Response:
    """Create a domain (or add users and rooms to an existing one)."""
    state = current_state()
    try:
        domain = state.create_domain(json_body())
    except ValueError as exc:
        raise invalid(str(exc)) from exc
    with state.lock:
        return reply(_domain_json(domain))


@bp.get("/domains")
def list_domains() -> Response:
    """List every domain with its users and rooms."""
    state = current_state()
    with state.lock:
        return reply({"items": [_domain_json(d) for d in state.domains.values()]})


@bp.patch("/users/<email>")
def update_user(email: str) -> Response:
    """Change a user's ``name``, ``locale`` or ``timeZone``."""
    state = current_state()
    body = json_body()
    try:
        user = state.update_user(email, body)
    except KeyError as exc:
        raise not_found(f"Unknown user {email}") from exc
    except ValueError as exc:
        raise invalid(str(exc), "timeZone") from exc
    return reply({"email": user.email, "name": user.name, "locale": user.locale, "timeZone": user.time_zone})
