"""Who is calling the app API: users by Google-signed ID token, room devices by device token.

Users present ``Authorization: Bearer <ID token>``. google-auth's ``verify_token`` checks the
RS256 signature against the issuer's certificates (fetched through ``httpx`` and cached) and
the audience (``HYBRIDCAL_OIDC_CLIENT_ID``); this module checks the issuer (Google's, or the
emulator's base URL when ``HYBRIDCAL_GOOGLE_BASE_URL`` is set), ``iat``/``exp`` on the injected
clock, ``email_verified``, and that ``hd`` names an org whose active person this is. Devices
present ``Authorization: Device <token>``; only the token's SHA-256 is stored, and a device
sees only its own room. Anything else is refused: deny by default.
"""

from __future__ import annotations

import hmac
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from google.auth import exceptions as google_exceptions
from google.auth import transport as google_transport
from google.oauth2 import id_token

from shared.adapters.google.transport import HttpxRequest
from shared.adapters.store import app_queries
from shared.adapters.store.repositories import DocumentStores
from shared.config import Settings
from shared.domain.principals import Device, Org, Principal, PrincipalKind
from shared.domain.tokens import token_hash
from shared.errors import Forbidden, HybridCalendarError, NotFound, Unauthenticated, Unavailable
from shared.logs import ctx, get_logger
from shared.ports.clock import Clock

log = get_logger(__name__)
GOOGLE_ISSUERS = ("https://accounts.google.com", "accounts.google.com")
GOOGLE_CERTS = "https://www.googleapis.com/oauth2/v1/certs"
SKEW_SECONDS = 60
# google-auth checks iat/exp against the wall clock; we check them on the injected clock
# instead, so its own window is opened wide and only the signature and audience count there.
_WIDE_SKEW = 10 * 365 * 86400
_MAX_AGE = re.compile(r"max-age=(\d+)")


@dataclass(frozen=True, slots=True)
class Caller:
    """An authenticated caller: a person of an org, or a device of one room."""

    org: Org
    principal: Principal
    device: Device | None = None

    @property
    def is_device(self) -> bool:
        """True for a room device."""
        return self.device is not None


class CachedCerts(google_transport.Request):
    """A google-auth request that serves the issuer's certificates from a cache.

    The certificates are kept for the ``max-age`` the issuer sends (60 s to 24 h, 1 h by
    default) on the injected clock; ``invalidate`` forces a fetch (a key id we don't know yet).
    """

    def __init__(self, http: httpx.Client, clock: Clock, certs_url: str) -> None:
        self._inner = HttpxRequest(http, timeout=10.0)
        self._clock, self._url = clock, certs_url
        self._lock = threading.Lock()
        self._cached: tuple[float, google_transport.Response] | None = None
        self.fetches = 0

    @property
    def url(self) -> str:
        """The certificates URL this request caches."""
        return self._url

    def invalidate(self) -> bool:
        """Drop the cache unless it was filled in the last minute; True when dropped."""
        with self._lock:
            if self._cached is not None and self._clock.monotonic() - self._cached[0] < 60:
                return False
            self._cached = None
            return True

    def __call__(
        self,
        url: str,
        method: str = "GET",
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        **kwargs: Any,
    ) -> google_transport.Response:
        """Answer the certificate fetch from the cache; pass anything else through."""
        if url != self._url or method != "GET":
            return self._inner(url, method, body, headers, timeout, **kwargs)
        now = self._clock.monotonic()
        with self._lock:
            if self._cached is not None and now < self._cached[0] + self._ttl(self._cached[1]):
                return self._cached[1]
        response = self._inner(url, "GET", None, headers, timeout)
        if response.status == 200:
            with self._lock:
                self._cached = (now, response)
                self.fetches += 1
        return response

    @staticmethod
    def _ttl(response: google_transport.Response) -> float:
        match = _MAX_AGE.search(str(response.headers.get("Cache-Control", "")))
        return float(min(max(int(match.group(1)), 60), 86400)) if match else 3600.0


class IdTokenVerifier:
    """Verifies Google-style ID tokens for one audience and issuer."""

    def __init__(self, settings: Settings, clock: Clock, http: httpx.Client, *, audience: str | None = None) -> None:
        base = settings.google_base_url
        self.audience = audience or settings.oidc_client_id
        self.issuers = (base.rstrip("/"),) if base else GOOGLE_ISSUERS
        self.certs = CachedCerts(http, clock, f"{base.rstrip('/')}/oauth2/v1/certs" if base else GOOGLE_CERTS)
        self._clock = clock

    def _verify(self, token: str) -> Mapping[str, Any]:
        return id_token.verify_token(
            token, self.certs, audience=self.audience, certs_url=self.certs.url, clock_skew_in_seconds=_WIDE_SKEW
        )

    def claims(self, token: str) -> Mapping[str, Any]:
        """The claims of a token signed by the issuer for the audience and valid now; Unauthenticated otherwise."""
        try:
            try:
                claims = self._verify(token)
            except ValueError as exc:
                if "key id" not in str(exc).lower() or not self.certs.invalidate():
                    raise
                claims = self._verify(token)
        except google_exceptions.TransportError as exc:
            raise Unavailable("the ID token issuer's certificates could not be fetched") from exc
        except (ValueError, TypeError, google_exceptions.GoogleAuthError) as exc:
            raise Unauthenticated(f"the ID token does not verify: {_reason(exc)}") from None
        if claims.get("iss") not in self.issuers:
            raise Unauthenticated("the ID token has the wrong issuer")
        now = self._clock.now().timestamp()
        try:
            iat, exp = float(claims["iat"]), float(claims["exp"])
        except (KeyError, TypeError, ValueError):
            raise Unauthenticated("the ID token lacks iat or exp") from None
        if exp <= now - SKEW_SECONDS:
            raise Unauthenticated("the ID token has expired")
        if iat > now + SKEW_SECONDS:
            raise Unauthenticated("the ID token is not valid yet")
        return claims

    def verify(self, token: str) -> Mapping[str, Any]:
        """The claims of a person's ID token (verified email, a Workspace ``hd``); Unauthenticated otherwise."""
        claims = self.claims(token)
        if claims.get("email_verified") is not True or not isinstance(claims.get("email"), str):
            raise Unauthenticated("the ID token carries no verified email")
        if not isinstance(claims.get("hd"), str):
            raise Forbidden("the ID token is not from a Google Workspace domain", reason="hd_missing")
        return claims


def _reason(exc: Exception) -> str:
    text = str(exc)
    if "audience" in text.lower():
        return "wrong audience"
    if "signature" in text.lower():
        return "bad signature"
    return "malformed or unsigned token"


class Authenticator:
    """Turns an ``Authorization`` header into a :class:`Caller`, or refuses."""

    def __init__(self, stores: DocumentStores, verifier: IdTokenVerifier) -> None:
        self._stores = stores
        self.verifier = verifier

    def authenticate(self, header: str | None) -> Caller:
        """The caller behind ``header``; Unauthenticated or Forbidden otherwise."""
        scheme, _, value = (header or "").strip().partition(" ")
        value = value.strip()
        if not value or len(value) > 8192:
            raise Unauthenticated("sign in: send Authorization: Bearer <ID token> (or Device <token>)")
        if scheme.lower() == "bearer":
            return self.person(value)
        if scheme.lower() == "device":
            return self.device(value)
        raise Unauthenticated("unsupported authorization scheme")

    def person(self, token: str) -> Caller:
        """An active person of the org whose domain the token's ``hd`` names."""
        claims = self.verifier.verify(token)
        email, hd = str(claims["email"]).lower(), str(claims["hd"]).lower()
        org = app_queries.org_by_domain(self._stores, hd)
        if org is None or not org.owns(email):
            raise Forbidden("this Google Workspace domain does not use the service", reason="org_unknown")
        principal = self._stores.find_principal(org.id, email)
        if principal is None or not principal.active or principal.kind is not PrincipalKind.PERSON:
            raise Forbidden("this account is not activated for the service", reason="not_activated")
        return Caller(org=org, principal=principal)

    def device(self, token: str) -> Caller:
        """The device whose token this is, with its room (which must be active)."""
        digest = token_hash(token)
        device = app_queries.device_by_token_hash(self._stores, digest)
        if device is None or not hmac.compare_digest(device.token_hash, digest):
            raise Unauthenticated("unknown device token")
        org = self._stores.get_org(device.org_id)
        room = self._stores.get_principal(device.org_id, device.room_id) if org else None
        if org is None or room is None or not room.active:
            log.info("device refused: room not active", extra=ctx(org=device.org_id, device=device.id))
            raise Forbidden("this device's room is not active", reason="room_inactive")
        return Caller(org=org, principal=room, device=device)


class DevSignIn:
    """Local sign-in: pick a user of the emulator and get an ID token from its OIDC issuer.

    Offered only when ``HYBRIDCAL_GOOGLE_BASE_URL`` points at the project's emulator (its control
    plane answers); against Google it is never available.
    """

    def __init__(self, settings: Settings, http: httpx.Client) -> None:
        self._base = settings.google_base_url
        self._audience = settings.oidc_client_id
        self._http = http
        self._available: bool | None = None

    def _control(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self._http.request(method, f"{self._base}/emulator/v1{path}", timeout=10.0, **kwargs)
        except httpx.HTTPError as exc:
            raise Unavailable("the emulator did not answer") from exc
        if response.status_code == 404:
            raise NotFound("no such user in the emulator")
        if response.status_code >= 400:
            raise Unavailable(f"the emulator answered {response.status_code}")
        return response.json()

    @property
    def available(self) -> bool:
        """True when the Google base URL is the emulator (checked once)."""
        if self._available is None:
            self._available = False
            if self._base:
                try:
                    self._available = isinstance(self._control("GET", "/clock").get("time"), str)
                except (HybridCalendarError, ValueError, AttributeError):
                    self._available = False
        return self._available

    def users(self) -> list[dict[str, str]]:
        """Every user of the emulated domains (email, name, domain)."""
        if not self.available:
            raise NotFound("development sign-in is only offered against the emulator")
        domains = self._control("GET", "/domains").get("items") or []
        return [
            {"email": u["email"], "name": u["name"], "domain": d["domain"]}
            for d in domains
            for u in d.get("users") or ()
        ]

    def sign_in(self, email: str) -> str:
        """An ID token for ``email`` issued by the emulator for this service's client id."""
        if not self.available:
            raise NotFound("development sign-in is only offered against the emulator")
        answer = self._control("POST", "/id-tokens", json={"email": email, "audience": self._audience})
        return str(answer["idToken"])
