"""Google-style ID-token verification: the issuer's certificates cached on the injected clock.

google-auth's ``verify_token`` checks the RS256 signature against the issuer's certificates
(fetched through ``httpx`` and cached for the ``max-age`` the issuer sends) and the audience;
:class:`IdTokenVerifier` checks the issuer (Google's, or the emulator's base URL when
``HYBRIDCAL_GOOGLE_BASE_URL`` is set), ``iat``/``exp`` on the injected clock and, for a person,
``email_verified`` and ``hd``.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from typing import Any

import httpx
from google.auth import exceptions as google_exceptions
from google.auth import transport as google_transport
from google.oauth2 import id_token

from shared.adapters.google.transport import HttpxRequest
from shared.config import Settings
from shared.errors import Forbidden, Unauthenticated, Unavailable
from shared.ports.clock import Clock

GOOGLE_ISSUERS = ("https://accounts.google.com", "accounts.google.com")
GOOGLE_CERTS = "https://www.googleapis.com/oauth2/v1/certs"
SKEW_SECONDS = 60
# google-auth checks iat/exp against the wall clock; we check them on the injected clock
# instead, so its own window is opened wide and only the signature and audience count there.
_WIDE_SKEW = 10 * 365 * 86400
_MAX_AGE = re.compile(r"max-age=(\d+)")


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
