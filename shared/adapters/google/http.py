"""The HTTP layer every Google call goes through: pooling, quotas, retries, 401 refresh, errors.

One process-wide ``httpx.Client`` (:func:`shared_http_client`) keeps connections pooled with
bounded timeouts. :class:`GoogleHttp.call` then, for each attempt: waits for the quota guard
(per user and per process), takes a token from the cache, sends, and on 401 refreshes the
token once and resends. Answers are mapped by status and reason (``failures.py``). Retries
follow Google's guidance with tenacity: 429, 5xx, timeouts and 403 rate-limit reasons back
off with full jitter (or exactly ``Retry-After`` when Google sends it), bounded in attempts
and in total time measured on the injected clock; 400, 401, 404, 409, 410 and 412 are never
retried. Every exchange is counted in the :class:`CallCounter`. No httpx exception leaves.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import httpx
import msgspec
from tenacity import RetryCallState, Retrying, retry_if_exception_type

from shared.adapters.google.auth import Credential
from shared.adapters.google.counter import CallCounter
from shared.adapters.google.failures import from_status, is_retryable, parse_body, reason_of, retry_after
from shared.adapters.google.quota import QuotaGuard
from shared.adapters.google.tokens import TokenCache
from shared.config import Settings
from shared.errors import HybridCalendarError, InvalidInput, RetryableError, Unauthenticated, Unavailable
from shared.logs import ctx, get_logger
from shared.ports.clock import Clock

log = get_logger(__name__)

GOOGLE_CALENDAR = "https://www.googleapis.com/calendar/v3"
GOOGLE_GMAIL = "https://gmail.googleapis.com/gmail/v1"
GOOGLE_TOKEN = "https://oauth2.googleapis.com/token"
USER_AGENT = "hybrid-calendar/0.1"
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0)
DEFAULT_LIMITS = httpx.Limits(max_connections=64, max_keepalive_connections=32, keepalive_expiry=30.0)


class GoogleEndpoints(msgspec.Struct, frozen=True):
    """Base URLs of Calendar v3, Gmail v1 and the OAuth2 token endpoint."""

    calendar: str = GOOGLE_CALENDAR
    gmail: str = GOOGLE_GMAIL
    token: str = GOOGLE_TOKEN

    @classmethod
    def from_settings(cls, settings: Settings) -> GoogleEndpoints:
        """Google's own endpoints, or all under ``HYBRIDCAL_GOOGLE_BASE_URL`` when it is set."""
        base = settings.google_base_url
        if not base:
            return cls()
        base = base.rstrip("/")
        return cls(calendar=f"{base}/calendar/v3", gmail=f"{base}/gmail/v1", token=f"{base}/token")


def new_http_client(transport: httpx.BaseTransport | None = None) -> httpx.Client:
    """A pooled ``httpx.Client`` with the layer's timeouts (``transport`` for in-process tests)."""
    return httpx.Client(
        transport=transport,
        timeout=DEFAULT_TIMEOUT,
        limits=DEFAULT_LIMITS,
        headers={"User-Agent": USER_AGENT},
    )


_shared: httpx.Client | None = None
_shared_lock = threading.Lock()


def shared_http_client() -> httpx.Client:
    """The process-wide client, made on first use."""
    global _shared
    with _shared_lock:
        if _shared is None or _shared.is_closed:
            _shared = new_http_client()
        return _shared


class RetryPolicy(msgspec.Struct, frozen=True):
    """Attempts and backoff: full jitter from ``initial`` doubling up to ``max_wait``, ``total`` s in all."""

    max_attempts: int = 5
    initial: float = 0.5
    max_wait: float = 32.0
    total: float = 60.0


class Delegation(msgspec.Struct, frozen=True):
    """Who a call acts as: a credential, the delegated subject and the scopes asked for."""

    credential: Credential
    subject: str
    scopes: tuple[str, ...]


class GoogleHttp:
    """Sends Google API calls with quotas, token refresh, retries, error mapping and counting."""

    def __init__(
        self,
        client: httpx.Client,
        tokens: TokenCache,
        counter: CallCounter,
        quota: QuotaGuard,
        clock: Clock,
        sleep: Callable[[float], None],
        policy: RetryPolicy | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.client = client
        self.tokens = tokens
        self.counter = counter
        self.quota = quota
        self._clock = clock
        self._sleep = sleep
        self.policy = policy or RetryPolicy()
        self._rng = rng or random.Random()
        self.on_rate_limited: Callable[[str, int], None] | None = None
        """Told (subject, status) of every rate-limit answer, for the org health report's quota pressure."""

    def call(
        self,
        operation: str,
        who: Delegation,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | Sequence[tuple[str, str]] | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """Make the call (retrying as the policy says) and return the decoded JSON (None for 204)."""
        started = self._clock.monotonic()
        policy = self.policy

        def stop(state: RetryCallState) -> bool:
            elapsed = self._clock.monotonic() - started
            return state.attempt_number >= policy.max_attempts or elapsed + state.upcoming_sleep > policy.total

        def before_sleep(state: RetryCallState) -> None:
            error = state.outcome.exception() if state.outcome else None
            log.warning(
                "google call retried",
                extra=ctx(
                    operation=operation,
                    attempt=state.attempt_number,
                    error=type(error).__name__,
                    wait_seconds=round(state.upcoming_sleep, 3),
                ),
            )

        retrying = Retrying(
            stop=stop,
            wait=self._wait,
            retry=retry_if_exception_type(RetryableError),
            sleep=self._sleep,
            before_sleep=before_sleep,
            reraise=True,
        )
        return retrying(self._attempt, operation, who, method, url, params, body, headers)

    def _wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        hinted = getattr(error, "retry_after", None)
        if hinted is not None:
            return float(hinted)
        ceiling = min(self.policy.max_wait, self.policy.initial * 2 ** (state.attempt_number - 1))
        return self._rng.uniform(0.0, ceiling)

    def _attempt(
        self,
        operation: str,
        who: Delegation,
        method: str,
        url: str,
        params: Any,
        body: Any,
        headers: Mapping[str, str] | None,
    ) -> Any:
        self.quota.acquire(who.subject)
        token = self.tokens.token(who.credential, who.subject, who.scopes)
        response = self._send(operation, who.subject, method, url, params, body, headers, token)
        if response.status_code == 401:
            self.tokens.invalidate(who.credential, who.subject, who.scopes, token)
            token = self.tokens.token(who.credential, who.subject, who.scopes)
            self.quota.acquire(who.subject)
            response = self._send(operation, who.subject, method, url, params, body, headers, token)
            if response.status_code == 401:
                raise Unauthenticated(f"{operation}: HTTP 401 after a token refresh")
        status = response.status_code
        if status < 300:
            if status == 204 or not response.content:
                return None
            decoded = parse_body(response.content)
            if decoded is None:
                raise Unavailable(f"{operation}: HTTP {status} with a body that is not JSON")
            return decoded
        decoded = parse_body(response.content)
        reason, _ = reason_of(decoded)
        wait = None
        if is_retryable(status, reason):
            wait = retry_after(response.headers.get("Retry-After"), self._clock.now())
            if status in (429, 403) and self.on_rate_limited is not None:
                self._tell_rate_limited(who.subject, status)
        raise from_status(operation, status, decoded, wait=wait)

    def _tell_rate_limited(self, subject: str, status: int) -> None:
        assert self.on_rate_limited is not None
        try:
            self.on_rate_limited(subject, status)
        except HybridCalendarError as exc:  # counting must never fail the call
            log.warning("rate limit not counted", extra=ctx(error_code=exc.code))

    def _send(
        self,
        operation: str,
        subject: str,
        method: str,
        url: str,
        params: Any,
        body: Any,
        headers: Mapping[str, str] | None,
        token: str,
    ) -> httpx.Response:
        merged = {"Authorization": f"Bearer {token}", **(headers or {})}
        try:
            response = self.client.request(method, url, params=params, json=body, headers=merged)
        except httpx.TimeoutException:
            self.counter.record(operation, subject, "timeout")
            raise Unavailable(f"{operation}: timed out") from None
        except httpx.InvalidURL:
            self.counter.record(operation, subject, "transport_error")
            raise InvalidInput(f"{operation}: invalid URL") from None
        except httpx.HTTPError as exc:
            self.counter.record(operation, subject, "transport_error")
            raise Unavailable(f"{operation}: {type(exc).__name__}") from None
        self.counter.record(operation, subject, str(response.status_code))
        return response
