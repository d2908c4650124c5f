"""Mapping Google's answers onto ``shared/errors.py``: status + ``reason`` → one error class.

============================================  ===========================================
Google answers                                we raise
============================================  ===========================================
429, 403 ``rateLimitExceeded`` /              :class:`RateLimited` (retried here first)
``userRateLimitExceeded`` / ``quotaExceeded``
500, 502, 503, 504, timeouts, no connection   :class:`Unavailable` (retried here first)
400                                           :class:`InvalidInput`
401 (after one token refresh)                 :class:`Unauthenticated`
403 any other reason                          :class:`Forbidden` carrying the reason
404, 410 ``deleted``                          :class:`NotFound`
409                                           :class:`Conflict`
410 ``fullSyncRequired``                      :class:`SyncTokenExpired`
412                                           :class:`PreconditionFailed`
============================================  ===========================================

Messages name the operation, status and reason only: never an email, a token or event text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

import orjson

from shared.errors import (
    Conflict,
    Forbidden,
    HybridCalendarError,
    InvalidInput,
    NotFound,
    PreconditionFailed,
    RateLimited,
    SyncTokenExpired,
    Unauthenticated,
    Unavailable,
)

RATE_LIMIT_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded"})
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


def parse_body(content: bytes) -> Any:
    """Decode a JSON body, or return None when it is not JSON.

    orjson first (a listing page of 250 events parses several times faster); what it refuses but
    the standard library reads (lone surrogates, NaN) goes to the latter. orjson reads an integer
    past 64 bits as a float; Google writes its 64-bit integers as strings, so none arrive.
    """
    if not content:
        return None
    try:
        return orjson.loads(content)
    except orjson.JSONDecodeError:
        pass
    try:
        return json.loads(content)
    except (ValueError, UnicodeDecodeError):
        return None


def reason_of(body: Any) -> tuple[str, str]:
    """Return (reason, message) from Google's error body (empty strings when absent)."""
    if not isinstance(body, Mapping):
        return "", ""
    error = body.get("error")
    if not isinstance(error, Mapping):
        return "", ""
    message = str(error.get("message") or "")
    details = error.get("errors")
    if isinstance(details, list) and details and isinstance(details[0], Mapping):
        return str(details[0].get("reason") or ""), message
    return str(error.get("status") or ""), message


def retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - now).total_seconds())


def is_retryable(status: int, reason: str) -> bool:
    """Whether Google's guidance says to back off and try again."""
    return status in RETRYABLE_STATUSES or (status == 403 and reason in RATE_LIMIT_REASONS)


def from_status(operation: str, status: int, body: Any, *, wait: float | None = None) -> HybridCalendarError:
    """The error for a non-2xx answer of ``operation``."""
    reason, _ = reason_of(body)
    text = f"{operation}: HTTP {status}" + (f" {reason}" if reason else "")
    if status == 429 or (status == 403 and reason in RATE_LIMIT_REASONS):
        return RateLimited(text, retry_after=wait)
    if status >= 500:
        return Unavailable(text, retry_after=wait)
    if status == 400:
        return InvalidInput(text)
    if status == 401:
        return Unauthenticated(text)
    if status == 403:
        return Forbidden(text, reason=reason or "forbidden")
    if status == 404:
        return NotFound(text)
    if status == 409:
        return Conflict(text)
    if status == 410:
        if reason == "deleted":
            return NotFound(text)
        return SyncTokenExpired(text)
    if status == 412:
        return PreconditionFailed(text)
    if status == 408:
        return Unavailable(text, retry_after=wait)
    return InvalidInput(text)
