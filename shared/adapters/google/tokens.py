"""``TokenCache``: delegated access tokens per (credential, subject, scopes), on the injected clock.

It keeps one access token per key, refreshes it a margin before it expires, lets one thread
refresh while the others for the same key wait, and maps every failure onto ``shared/errors.py``:
the token endpoint's ``unauthorized_client`` becomes :class:`~shared.errors.DelegationDenied` with
the client id and the exact scopes the admin must authorise.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
from google.auth import exceptions

from shared.adapters.google.auth import DEFAULT_LIFETIME, Credential
from shared.adapters.google.counter import CallCounter
from shared.adapters.google.failures import from_status, retry_after
from shared.adapters.google.transport import HttpxRequest, RetryableStatus
from shared.errors import (
    DelegationDenied,
    Forbidden,
    HybridCalendarError,
    InvalidInput,
    Unauthenticated,
    Unavailable,
)
from shared.ports.clock import Clock


@dataclass(slots=True)
class _Entry:
    lock: threading.Lock = field(default_factory=threading.Lock)
    token: str | None = None
    refresh_at: float = 0.0


class TokenCache:
    """Access tokens per (credential, subject, scopes), refreshed ``margin`` seconds early."""

    def __init__(
        self, clock: Clock, client: httpx.Client, counter: CallCounter, *, token_uri: str, margin: float = 300.0
    ) -> None:
        self._clock, self._client, self._counter, self._margin = clock, client, counter, margin
        self.token_uri = token_uri
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, str, tuple[str, ...]], _Entry] = {}

    def _entry(self, credential: Credential, subject: str, scopes: Sequence[str]) -> _Entry:
        key = (credential.cache_id, subject.lower(), tuple(sorted(scopes)))
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                entry = self._entries[key] = _Entry()
            return entry

    def token(self, credential: Credential, subject: str, scopes: Sequence[str]) -> str:
        """A live access token for ``subject`` (fetched or refreshed when due)."""
        entry = self._entry(credential, subject, scopes)
        token = entry.token
        if token is not None and self._clock.monotonic() < entry.refresh_at:
            return token
        with entry.lock:
            if entry.token is not None and self._clock.monotonic() < entry.refresh_at:
                return entry.token
            started = self._clock.monotonic()
            token, lifetime = self._fetch(credential, subject, scopes)
            entry.token = token
            entry.refresh_at = started + max(lifetime - self._margin, lifetime / 2)
            return token

    def invalidate(self, credential: Credential, subject: str, scopes: Sequence[str], token: str) -> None:
        """Forget ``token`` (after a 401) unless another thread already replaced it."""
        entry = self._entry(credential, subject, scopes)
        with entry.lock:
            if entry.token == token:
                entry.token = None

    def forget(self, subject: str) -> int:
        """Drop every cached token of ``subject`` (any credential, any scopes); return how many were dropped."""
        wanted = subject.lower()
        with self._lock:
            keys = [key for key in self._entries if key[1] == wanted]
            entries = [self._entries.pop(key) for key in keys]
        return sum(1 for entry in entries if entry.token is not None)

    def _fetch(self, credential: Credential, subject: str, scopes: Sequence[str]) -> tuple[str, float]:
        def observe(operation: str, outcome: str) -> None:
            self._counter.record(operation, subject if operation == "oauth2.token" else "", outcome)

        request = HttpxRequest(self._client, token_uri=self.token_uri, observer=observe)
        try:
            creds = credential.delegated(request, subject, scopes, self.token_uri)
            creds.refresh(request)  # type: ignore[no-untyped-call]
        except RetryableStatus as exc:
            wait = retry_after(exc.retry_after, self._clock.now())
            raise from_status(exc.operation, exc.status, request.last_body, wait=wait) from None
        except exceptions.RefreshError as exc:
            raise _refused(exc, credential, scopes) from None
        except exceptions.TransportError as exc:
            raise _transport_failed(exc, request) from None
        except exceptions.GoogleAuthError as exc:
            raise Unauthenticated(f"token exchange failed: {type(exc).__name__}") from None
        except (ValueError, TypeError) as exc:
            raise InvalidInput(f"cannot sign the token request: {type(exc).__name__}") from None
        token = creds.token
        if not isinstance(token, str) or not token:
            raise Unauthenticated("the token endpoint answered without an access token")
        return token, _lifetime(request.last_body)


def _lifetime(body: Any) -> float:
    if isinstance(body, Mapping):
        try:
            return float(body.get("expires_in", DEFAULT_LIFETIME))
        except (TypeError, ValueError):
            return DEFAULT_LIFETIME
    return DEFAULT_LIFETIME


def _refused(exc: exceptions.RefreshError, credential: Credential, scopes: Sequence[str]) -> HybridCalendarError:
    data = exc.args[1] if len(exc.args) > 1 else None
    error = str(data.get("error") or "") if isinstance(data, Mapping) else ""
    if error == "unauthorized_client":
        return DelegationDenied(
            f"domain-wide delegation is not authorised for client id {credential.client_id} "
            f"and scopes {' '.join(scopes)}",
            client_id=credential.client_id,
            scopes=tuple(scopes),
        )
    if error in ("invalid_grant", "invalid_scope", "access_denied"):
        return Forbidden(f"the token endpoint refused the grant: {error}", reason=error)
    return Unauthenticated(f"the token endpoint refused the grant: {error or 'no reason'}")


def _transport_failed(exc: exceptions.TransportError, request: HttpxRequest) -> HybridCalendarError:
    status = request.last_status
    if status is not None and 400 <= status < 500:
        return Forbidden(f"signing the token request was refused: HTTP {status}", reason="signingRefused")
    return Unavailable(f"token exchange failed: {exc.args[0] if exc.args else 'transport error'}")
