"""Google's JSON error bodies, raised as :class:`ApiError` and rendered by the app.

Every error the emulator answers with has Google's shape::

    {"error": {"code": 404, "message": "Not Found", "status": "NOT_FOUND",
               "errors": [{"domain": "global", "reason": "notFound", "message": "Not Found"}]}}
"""

from __future__ import annotations

from typing import Any

# HTTP status -> ``google.rpc.Code`` name (every ``status`` the emulator answers is one of them).
_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    405: "UNIMPLEMENTED",  # the method is not supported on that path
    409: "ALREADY_EXISTS",
    410: "FAILED_PRECONDITION",
    412: "FAILED_PRECONDITION",
    413: "INVALID_ARGUMENT",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    503: "UNAVAILABLE",
}
# Reasons Google reports under the ``calendar`` error domain rather than ``global``.
CALENDAR_REASONS = frozenset(
    {
        "timeRangeEmpty",
        "fullSyncRequired",
        "requiredAccessLevel",
        "eventTypeRestriction",
        "forbiddenForNonOrganizer",
        "tooManyCalendarsRequested",
    }
)


class ApiError(Exception):
    """An error answered in Google's format; carries status, reason and extra headers."""

    def __init__(
        self,
        code: int,
        reason: str,
        message: str,
        *,
        domain: str = "global",
        location: str | None = None,
        location_type: str | None = None,
        headers: dict[str, str] | None = None,
        status: str | None = None,
    ) -> None:
        super().__init__(f"{code} {reason}: {message}")
        self.code = code
        self.reason = reason
        self.message = message
        self.domain = "calendar" if domain == "global" and reason in CALENDAR_REASONS else domain
        self.location = location
        self.location_type = location_type
        self.headers = dict(headers or {})
        self.status = status or _STATUS.get(code, "UNKNOWN" if code < 500 else "INTERNAL")

    def body(self) -> dict[str, Any]:
        """Return the JSON body Google would send."""
        detail: dict[str, Any] = {
            "domain": self.domain,
            "reason": self.reason,
            "message": self.message,
        }
        if self.location:
            detail["location"] = self.location
            detail["locationType"] = self.location_type or "parameter"
        return {
            "error": {
                "code": self.code,
                "message": self.message,
                "errors": [detail],
                "status": self.status,
            }
        }


def bad_request(message: str = "Bad Request", reason: str = "badRequest") -> ApiError:
    """Return a 400 error with ``reason``."""
    return ApiError(400, reason, message)


def invalid(message: str, location: str | None = None) -> ApiError:
    """Return Google's 400 ``invalid`` error, optionally naming the offending parameter."""
    return ApiError(400, "invalid", message, location=location)


def required(message: str, location: str | None = None) -> ApiError:
    """Return Google's 400 ``required`` error for a missing field."""
    return ApiError(400, "required", message, location=location)


def parse_error(message: str) -> ApiError:
    """Return Google's 400 ``parseError`` for a body that is not valid JSON."""
    return ApiError(400, "parseError", message)


def not_found(message: str = "Not Found") -> ApiError:
    """Return Google's 404 ``notFound``."""
    return ApiError(404, "notFound", message)


def deleted() -> ApiError:
    """Return Google's 410 ``deleted`` for a resource that was already deleted."""
    return ApiError(410, "deleted", "Resource has been deleted")


def full_sync_required() -> ApiError:
    """Return Google's 410 ``fullSyncRequired`` for an invalid or expired sync token."""
    return ApiError(410, "fullSyncRequired", "Sync token is no longer valid, a full sync is required.")


def forbidden(message: str = "Forbidden", reason: str = "forbidden") -> ApiError:
    """Return a 403 error with ``reason``."""
    return ApiError(403, reason, message)


def insufficient_permissions() -> ApiError:
    """Return Google's 403 for a token whose scopes do not cover the method."""
    return ApiError(
        403,
        "insufficientPermissions",
        "Request had insufficient authentication scopes.",
    )


def duplicate() -> ApiError:
    """Return Google's 409 ``duplicate`` for an identifier that already exists."""
    return ApiError(409, "duplicate", "The requested identifier already exists.")


def precondition_failed() -> ApiError:
    """Return Google's 412 for an ``If-Match`` etag that no longer matches."""
    return ApiError(
        412,
        "conditionNotMet",
        "Precondition Failed",
        location="If-Match",
        location_type="header",
    )


def auth_error(missing: bool = False) -> ApiError:
    """Return Google's 401 for a missing, invalid or expired bearer token."""
    challenge = {"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'}
    if missing:
        return ApiError(
            401,
            "required",
            "Request is missing required authentication credential. Expected OAuth 2 access "
            "token, login cookie or other valid authentication credential.",
            location="Authorization",
            location_type="header",
            headers=challenge,
        )
    challenge["WWW-Authenticate"] += ', error="invalid_token"'
    return ApiError(
        401,
        "authError",
        "Request had invalid authentication credentials. Expected OAuth 2 access token, "
        "login cookie or other valid authentication credential.",
        location="Authorization",
        location_type="header",
        headers=challenge,
    )


def rate_limited(code: int, reason: str, retry_after: int | None = None) -> ApiError:
    """Return a quota error: 429 / 403 ``rateLimitExceeded`` / 403 ``userRateLimitExceeded``."""
    messages = {
        "rateLimitExceeded": "Rate Limit Exceeded",
        "userRateLimitExceeded": "User Rate Limit Exceeded",
        "quotaExceeded": "Calendar usage limits exceeded.",
    }
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    return ApiError(
        code,
        reason,
        messages.get(reason, "Rate Limit Exceeded"),
        domain="usageLimits",
        headers=headers,
        status="RESOURCE_EXHAUSTED" if code == 429 else "PERMISSION_DENIED",
    )


def backend_error(code: int, retry_after: int | None = None) -> ApiError:
    """Return Google's 500/503 ``backendError``."""
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    return ApiError(code, "backendError", "Backend Error", headers=headers)
