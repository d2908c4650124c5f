"""IAM Credentials in the emulator: ID tokens for service accounts (``generateIdToken``).

Cloud Scheduler and Pub/Sub push call a function with an OIDC token minted for a service
account (the ``oidc_token`` blocks in ``infra/``). ``POST /v1/projects/-/serviceAccounts/{email}:generateIdToken``
with ``{"audience", "includeEmail"}`` answers ``{"token"}``: signed by the same key and issuer as
the emulator's user ID tokens (:mod:`emulator.oidc`), with ``aud``, ``azp`` and ``sub`` (a stable
numeric id), ``iat``/``exp`` (one hour) on the emulator clock and, with ``includeEmail``,
``email`` and ``email_verified``. Only ``*.gserviceaccount.com`` accounts get tokens; the
caller's own credentials are not checked (the emulator stands in for Google's own callers).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response
from google.auth import crypt, jwt

from emulator.api import current_state, json_body, reply
from emulator.errors import invalid
from emulator.identity.oidc import ID_TOKEN_LIFETIME, issuer_key, issuer_url, subject_id

bp = Blueprint("iam", __name__)


@bp.post("/v1/projects/<project>/serviceAccounts/<email_verb>")
def generate_id_token(project: str, email_verb: str) -> Response:
    """Sign an ID token for a service account and an audience."""
    email, _, verb = email_verb.partition(":")
    if verb != "generateIdToken":
        raise invalid(f"unknown method {verb!r} on serviceAccounts", "name")
    if not email.endswith(".gserviceaccount.com") or "@" not in email:
        raise invalid("name must be a service account email (…@….iam.gserviceaccount.com)", "name")
    body = json_body()
    audience = body.get("audience")
    if not isinstance(audience, str) or not audience.strip():
        raise invalid("audience is required", "audience")
    state = current_state()
    iat = int(state.now().timestamp())
    claims: dict[str, Any] = {
        "iss": issuer_url(),
        "aud": audience.strip(),
        "azp": subject_id(email),
        "sub": subject_id(email),
        "iat": iat,
        "exp": iat + ID_TOKEN_LIFETIME,
    }
    if body.get("includeEmail") is True:
        claims.update(email=email.lower(), email_verified=True)
    key = issuer_key(state)
    signer = crypt.RSASigner.from_string(key.private_pem, key_id=key.kid)  # type: ignore[no-untyped-call]
    token = jwt.encode(signer, claims)  # type: ignore[no-untyped-call]
    return reply({"token": token.decode() if isinstance(token, bytes) else str(token)})
