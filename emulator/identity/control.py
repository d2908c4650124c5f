"""Control plane, identity part: service accounts with domain-wide delegation and their scopes."""

from __future__ import annotations

from flask import Blueprint, Response, request

from emulator.api import current_state, json_body, reply
from emulator.errors import invalid, not_found
from emulator.identity.keys import new_service_account

bp = Blueprint("identity_control", __name__, url_prefix="/emulator/v1")


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
        revoked = 0
        if json_body().get("revokeTokens") is True:  # also end the access tokens already issued (a reset grant)
            issued = [t for t, token in state.tokens.items() if token.client_id == client_id]
            for value in issued:
                del state.tokens[value]
            revoked = len(issued)
        return reply(
            {
                "clientId": client_id,
                "domain": account.domain,
                "scopes": sorted(account.scopes),
                "revokedTokens": revoked,
            }
        )
