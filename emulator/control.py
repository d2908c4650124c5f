"""Control plane, directory part: domains, users, service accounts, vacation, admin views.

Everything lives under ``/emulator/v1`` and needs no credentials (the emulator is local).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from emulator import addon_conference
from emulator.api import current_state, json_body, reply
from emulator.errors import invalid, not_found
from emulator.gmail import vacation_of, validate_vacation
from emulator.keys import new_service_account
from emulator.model import Domain
from emulator.render import render_copy

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


@bp.post("/domains/<domain>/service-accounts")
def create_service_account(domain: str) -> Response:
    """Create a service account with delegation for ``scopes``; return its key file."""
    state = current_state()
    body = json_body()
    scopes = body.get("scopes", [])
    if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
        raise invalid("scopes must be a list of strings", "scopes")
    with state.lock:
        if domain.lower() not in state.domains:
            raise not_found(f"Unknown domain {domain}")
    account, key_file = new_service_account(domain.lower(), scopes, request.host_url)
    with state.lock:
        state.service_accounts[account.client_id] = account
    return reply(key_file)


@bp.patch("/domains/<domain>/service-accounts/<client_id>")
def update_service_account(domain: str, client_id: str) -> Response:
    """Change the scopes a service account is authorised for (e.g. revoke delegation)."""
    state = current_state()
    scopes = json_body().get("scopes")
    if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
        raise invalid("scopes must be a list of strings", "scopes")
    with state.lock:
        account = state.service_accounts.get(client_id)
        if account is None or account.domain != domain.lower():
            raise not_found(f"Unknown service account {client_id}")
        account.scopes = set(scopes)
        return reply({"clientId": client_id, "domain": account.domain, "scopes": sorted(account.scopes)})


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
