"""``CachedCerts``: a google-auth request that serves an ID-token issuer's certificates from a cache.

Imported by :class:`shared.adapters.google.id_tokens.IdTokenVerifier` the first time it verifies a
token, so a function that verifies none never loads google-auth or httpx.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping

import httpx
from google.auth import transport as google_transport

from shared.adapters.google.transport import HttpxRequest
from shared.ports.clock import Clock

_MAX_AGE = re.compile(r"max-age=(\d+)")


class CachedCerts(HttpxRequest):
    """The google-auth request over httpx, serving the issuer's certificates from a cache.

    The certificates are kept for the ``max-age`` the issuer sends (60 s to 24 h, 1 h by
    default) on the injected clock; ``invalidate`` forces a fetch (a key id we don't know yet).
    """

    def __init__(self, http: httpx.Client, clock: Clock, certs_url: str) -> None:
        super().__init__(http, timeout=10.0)
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

    def _request(
        self, url: str, method: str, body: bytes | None, headers: Mapping[str, str] | None, timeout: float | None
    ) -> google_transport.Response:
        """Answer the certificate fetch from the cache; pass anything else through."""
        if url != self._url or method != "GET":
            return super()._request(url, method, body, headers, timeout)
        now = self._clock.monotonic()
        with self._lock:
            if self._cached is not None and now < self._cached[0] + self._ttl(self._cached[1]):
                return self._cached[1]
        response = super()._request(url, "GET", None, headers, timeout)
        if response.status == 200:
            with self._lock:
                self._cached = (now, response)
                self.fetches += 1
        return response

    @staticmethod
    def _ttl(response: google_transport.Response) -> float:
        match = _MAX_AGE.search(str(response.headers.get("Cache-Control", "")))
        return float(min(max(int(match.group(1)), 60), 86400)) if match else 3600.0
