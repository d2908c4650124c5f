"""The OAuth2 token endpoint ``POST /token`` (JWT-bearer grant)."""

from __future__ import annotations

from flask import Blueprint, Response, g, request

from emulator.api import current_state, reply
from emulator.identity import tokens

bp = Blueprint("oauth", __name__)


@bp.post("/token")
def token() -> Response:
    """Exchange a signed JWT assertion for an access token."""
    g.operation = "oauth2.token"
    state = current_state()
    state.faults.check("oauth2.token", "", state.now())
    form = {key: request.form[key] for key in request.form}
    try:
        answer = tokens.exchange(state, form, request.host_url + "token")
    except tokens.OAuthError as exc:
        g.reason = exc.error
        return reply(exc.body(), exc.status)
    with state.lock:
        g.subject = state.tokens[answer["access_token"]].subject
    return reply(answer, headers={"Cache-Control": "no-cache, no-store, max-age=0"})
