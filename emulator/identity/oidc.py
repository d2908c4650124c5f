"""An OpenID Connect issuer: discovery document, signing keys and ID tokens for emulated users.

Google signs ID tokens with RS256 and publishes its keys twice: as a JWK set
(``/oauth2/v3/certs``, named by the discovery document's ``jwks_uri``) and as X.509
certificates by key id (``/oauth2/v1/certs``, what google-auth's ``verify_token`` reads by
default). The emulator does the same with one RSA key per emulator state, made on first use.
``POST /emulator/v1/id-tokens`` issues a token for a user of an emulated domain: ``iss`` is this
emulator's base URL, ``aud`` the requested client id, ``sub`` a stable numeric id, ``email``,
``email_verified``, ``hd`` (the user's domain) and ``iat``/``exp`` on the emulator clock.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import weakref
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from flask import Blueprint, Response, request
from google.auth import crypt, jwt

from emulator.api import current_state, json_body, reply
from emulator.errors import invalid, not_found
from emulator.state import EmulatorState

bp = Blueprint("oidc", __name__)

ID_TOKEN_LIFETIME = 3600
MAX_LIFETIME = 24 * 3600


@dataclass(frozen=True, slots=True)
class IssuerKey:
    """The issuer's RSA signing key, its key id and a self-signed certificate."""

    kid: str
    private_pem: str
    certificate_pem: str
    public_key: rsa.RSAPublicKey

    def jwk(self) -> dict[str, str]:
        """The public key as a JWK (RFC 7517)."""
        numbers = self.public_key.public_numbers()
        return {
            "kty": "RSA",
            "alg": "RS256",
            "use": "sig",
            "kid": self.kid,
            "n": _b64int(numbers.n),
            "e": _b64int(numbers.e),
        }


def _b64int(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _new_key(state: EmulatorState) -> IssuerKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "emulator-oidc")])
    now = state.now()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=3650))
        .not_valid_after(now + timedelta(days=3650))
        .sign(private, hashes.SHA256())
    )
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return IssuerKey(
        kid=secrets.token_hex(20),
        private_pem=pem,
        certificate_pem=certificate.public_bytes(serialization.Encoding.PEM).decode(),
        public_key=private.public_key(),
    )


_keys: weakref.WeakKeyDictionary[EmulatorState, IssuerKey] = weakref.WeakKeyDictionary()
_keys_lock = threading.Lock()


def issuer_key(state: EmulatorState) -> IssuerKey:
    """The signing key of this emulator state (made once; a reset keeps it, as Google keeps its keys)."""
    with _keys_lock:
        key = _keys.get(state)
        if key is None:
            key = _keys[state] = _new_key(state)
        return key


def issuer_url() -> str:
    """This emulator's base URL, which is the ``iss`` of its ID tokens."""
    return request.host_url.rstrip("/")


def subject_id(email: str) -> str:
    """A stable numeric ``sub`` for a user, like Google's 21-digit account ids."""
    digest = int.from_bytes(hashlib.sha256(email.lower().encode()).digest()[:9], "big")
    return str(100000000000000000000 + digest % 899999999999999999999)


def issue_id_token(
    state: EmulatorState, issuer: str, email: str, audience: str, lifetime: int = ID_TOKEN_LIFETIME
) -> tuple[str, dict[str, Any]]:
    """Sign an ID token for ``email``; ``KeyError`` when it is not a user of an emulated domain."""
    with state.lock:
        user = state.users[email.lower()]
        now = state.now()
    iat = int(now.timestamp())
    claims: dict[str, Any] = {
        "iss": issuer,
        "azp": audience,
        "aud": audience,
        "sub": subject_id(user.email),
        "email": user.email,
        "email_verified": True,
        "hd": user.domain,
        "name": user.name,
        "locale": user.locale,
        "iat": iat,
        "exp": iat + lifetime,
    }
    key = issuer_key(state)
    signer = crypt.RSASigner.from_string(key.private_pem, key_id=key.kid)  # type: ignore[no-untyped-call]
    token = jwt.encode(signer, claims)  # type: ignore[no-untyped-call]
    return token.decode() if isinstance(token, bytes) else str(token), claims


@bp.get("/.well-known/openid-configuration")
def discovery() -> Response:
    """The OpenID Connect discovery document, shaped like Google's."""
    base = issuer_url()
    return reply(
        {
            "issuer": base,
            "authorization_endpoint": f"{base}/o/oauth2/v2/auth",
            "token_endpoint": f"{base}/token",
            "jwks_uri": f"{base}/oauth2/v3/certs",
            "response_types_supported": ["id_token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "claims_supported": ["aud", "email", "email_verified", "exp", "hd", "iat", "iss", "locale", "name", "sub"],
        }
    )


@bp.get("/oauth2/v3/certs")
def jwks() -> Response:
    """The signing keys as a JWK set."""
    key = issuer_key(current_state())
    return reply({"keys": [key.jwk()]}, headers={"Cache-Control": "public, max-age=3600"})


@bp.get("/oauth2/v1/certs")
def x509_certs() -> Response:
    """The signing keys as PEM certificates by key id (google-auth's default format)."""
    key = issuer_key(current_state())
    return reply({key.kid: key.certificate_pem}, headers={"Cache-Control": "public, max-age=3600"})


@bp.post("/emulator/v1/id-tokens")
def id_tokens() -> Response:
    """Issue an ID token: ``{"email", "audience", "lifetimeSeconds"?}`` → ``{"idToken", "claims"}``."""
    state = current_state()
    body = json_body()
    email, audience = body.get("email"), body.get("audience")
    if not isinstance(email, str) or "@" not in email:
        raise invalid("email must be the address of an emulated user", "email")
    if not isinstance(audience, str) or not audience.strip():
        raise invalid("audience (the OAuth client id) is required", "audience")
    lifetime = body.get("lifetimeSeconds", ID_TOKEN_LIFETIME)
    if not isinstance(lifetime, int) or isinstance(lifetime, bool) or not 0 < lifetime <= MAX_LIFETIME:
        raise invalid(f"lifetimeSeconds must be an integer between 1 and {MAX_LIFETIME}", "lifetimeSeconds")
    try:
        token, claims = issue_id_token(state, issuer_url(), email, audience.strip(), lifetime)
    except KeyError:
        raise not_found(f"Unknown user {email}") from None
    return reply({"idToken": token, "claims": claims})
