"""OAuth2: the JWT-bearer grant with domain-wide delegation (what ``POST /token`` answers).

The assertion's ``iat``/``exp`` are checked against real time (clients sign with wall time)
with Google's five-minute skew; the access tokens it yields expire after 3600 s on the
emulator clock. Errors are Google's OAuth JSON (``invalid_grant``, ``unauthorized_client``,
``invalid_scope``, ``unsupported_grant_type``).
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from datetime import timedelta
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from emulator.model import AccessToken
from emulator.state import EmulatorState

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
GOOGLE_AUDIENCES = {
    "https://oauth2.googleapis.com/token",
    "https://www.googleapis.com/oauth2/v4/token",
    "https://accounts.google.com/o/oauth2/token",
}
SKEW = 300
TOKEN_LIFETIME = 3600


class OAuthError(Exception):
    """An OAuth2 token-endpoint error in Google's JSON shape."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(f"{error}: {description}")
        self.status = status
        self.error = error
        self.description = description

    def body(self) -> dict[str, str]:
        """Return ``{"error", "error_description"}``."""
        return {"error": self.error, "error_description": self.description}


def _b64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _invalid_grant(description: str) -> OAuthError:
    return OAuthError(400, "invalid_grant", description)


def _decode(assertion: str) -> tuple[dict[str, Any], dict[str, Any], bytes, bytes]:
    try:
        head, body, sig = assertion.split(".")
        header = json.loads(_b64(head))
        payload = json.loads(_b64(body))
        signature = _b64(sig)
    except (ValueError, TypeError) as exc:
        raise _invalid_grant("Invalid JWT: malformed assertion.") from exc
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise _invalid_grant("Invalid JWT: malformed assertion.")
    return header, payload, signature, f"{head}.{body}".encode()


def exchange(state: EmulatorState, form: dict[str, str], token_url: str) -> dict[str, Any]:
    """Answer a token request; raise :class:`OAuthError` as Google would."""
    grant = form.get("grant_type")
    if grant != JWT_BEARER:
        raise OAuthError(400, "unsupported_grant_type", f"Invalid grant_type: {grant or ''}")
    assertion = form.get("assertion")
    if not assertion:
        raise _invalid_grant("Missing required parameter: assertion")
    header, payload, signature, signed = _decode(assertion)
    if header.get("alg") != "RS256":
        raise _invalid_grant("Invalid JWT Signature.")
    with state.lock:
        account = next(
            (a for a in state.service_accounts.values() if a.client_email == payload.get("iss")),
            None,
        )
    if account is None:
        raise _invalid_grant("Invalid grant: account not found")
    try:
        account.public_key.verify(signature, signed, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature as exc:
        raise _invalid_grant("Invalid JWT Signature.") from exc
    audiences = GOOGLE_AUDIENCES | {token_url}
    if payload.get("aud") not in audiences:
        raise _invalid_grant(
            "Invalid JWT: Failed audience check. The right audience is https://oauth2.googleapis.com/token"
        )
    now = time.time()
    try:
        iat, exp = float(payload["iat"]), float(payload["exp"])
    except (KeyError, TypeError, ValueError) as exc:
        raise _invalid_grant("Invalid JWT: iat and exp are required.") from exc
    if exp - iat > TOKEN_LIFETIME + 1 or exp < now - SKEW or iat > now + SKEW:
        raise _invalid_grant(
            "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable "
            "timeframe. Check your iat and exp values in the JWT claim."
        )
    scopes = frozenset(str(payload.get("scope", "")).split())
    if not scopes:
        raise OAuthError(400, "invalid_scope", "Invalid OAuth scope or ID token audience provided.")
    if not scopes <= account.scopes:
        raise OAuthError(
            401,
            "unauthorized_client",
            "Client is unauthorized to retrieve access tokens using this method, or client not "
            "authorized for any of the scopes requested.",
        )
    subject = str(payload.get("sub") or account.client_email).lower()
    with state.lock:
        if payload.get("sub"):
            user = state.users.get(subject)
            if user is None or user.domain != account.domain:
                raise _invalid_grant("Invalid email or User ID")
        token = AccessToken(
            token="ya29.emu-" + secrets.token_urlsafe(40),
            client_id=account.client_id,
            subject=subject,
            scopes=scopes,
            expires_at=state.now() + timedelta(seconds=TOKEN_LIFETIME),
        )
        state.tokens[token.token] = token
    return {"access_token": token.token, "expires_in": TOKEN_LIFETIME - 1, "token_type": "Bearer"}
