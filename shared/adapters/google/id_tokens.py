"""Google-style ID-token verification: the issuer's certificates cached on the injected clock.

google-auth's ``verify_token`` checks the RS256 signature against the issuer's certificates
(fetched through ``httpx`` and cached for the ``max-age`` the issuer sends) and the audience;
:class:`IdTokenVerifier` checks the issuer (Google's, or the emulator's base URL when
``HYBRIDCAL_GOOGLE_BASE_URL`` is set), ``iat``/``exp`` on the injected clock and, for a person,
``email_verified`` and ``hd``. google-auth, httpx and the certificate cache are imported and built
the first time a token is verified, not when the verifier is wired.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from shared.adapters.google.lazy import Lazy
from shared.config import Settings
from shared.errors import Forbidden, Unauthenticated, Unavailable
from shared.ports.clock import Clock

if TYPE_CHECKING:
    import httpx

    from shared.adapters.google.certs import CachedCerts

GOOGLE_ISSUERS = ("https://accounts.google.com", "accounts.google.com")
GOOGLE_CERTS = "https://www.googleapis.com/oauth2/v1/certs"
SKEW_SECONDS = 60
# google-auth checks iat/exp against the wall clock; we check them on the injected clock
# instead, so its own window is opened wide and only the signature and audience count there.
_WIDE_SKEW = 10 * 365 * 86400


class IdTokenVerifier:
    """Verifies Google-style ID tokens for one audience and issuer."""

    def __init__(
        self, settings: Settings, clock: Clock, http: Callable[[], httpx.Client], *, audience: str | None = None
    ) -> None:
        """``http()`` gives the pooled HTTP client the certificates are fetched with (asked on the first fetch)."""
        base = settings.google_base_url
        self.audience = audience or settings.oidc_client_id
        self.issuers = (base.rstrip("/"),) if base else GOOGLE_ISSUERS
        self.certs_url = f"{base.rstrip('/')}/oauth2/v1/certs" if base else GOOGLE_CERTS
        self._http, self._clock = http, clock
        self._certs: Lazy[CachedCerts] = Lazy(self._new_certs)

    def _new_certs(self) -> CachedCerts:
        from shared.adapters.google.certs import CachedCerts

        return CachedCerts(self._http(), self._clock, self.certs_url)

    @property
    def certs(self) -> CachedCerts:
        """The issuer's certificates, cached on the clock (built, with the HTTP client, on first use)."""
        return self._certs.get()

    def _verify(self, token: str) -> Mapping[str, Any]:
        from google.oauth2 import id_token

        return id_token.verify_token(
            token, self.certs, audience=self.audience, certs_url=self.certs.url, clock_skew_in_seconds=_WIDE_SKEW
        )

    def claims(self, token: str) -> Mapping[str, Any]:
        """The claims of a token signed by the issuer for the audience and valid now; Unauthenticated otherwise."""
        from google.auth import exceptions as google_exceptions

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


class AddOnIdTokens(IdTokenVerifier):
    """The app's ID-token checks, with the Calendar add-on's client ids accepted as audiences too."""

    def __init__(
        self, settings: Settings, clock: Clock, http: Callable[[], httpx.Client], app: IdTokenVerifier
    ) -> None:
        """``http()`` gives the pooled HTTP client; the certificates are ``app``'s (one cache for both)."""
        super().__init__(settings, clock, http)
        self._app = app
        self.audiences = [settings.oidc_client_id, *settings.addon_client_ids]

    @property
    def certs(self) -> CachedCerts:
        """The app verifier's certificate cache: one for both."""
        return self._app.certs

    def _verify(self, token: str) -> Mapping[str, Any]:
        from google.oauth2 import id_token  # on first use, as the app's verifier does

        return id_token.verify_token(
            token, self.certs, audience=self.audiences, certs_url=self.certs.url, clock_skew_in_seconds=_WIDE_SKEW
        )
