"""The one error tree of Hybrid Calendar.

Every adapter maps what it meets (HTTP status and Google ``reason``, gRPC codes, SQLite
errors) onto this tree, so services and functions never see a transport exception::

    HybridCalendarError
    ├── ConfigError                 bad or missing setting; names the variable
    ├── RetryableError              try again later: Pub/Sub redelivers, the bus retries
    │   ├── RateLimited             429, 403 rateLimitExceeded / userRateLimitExceeded
    │   ├── Unavailable             5xx, timeouts, connection errors, UNAVAILABLE
    │   └── LeaseHeld               another worker holds the lease on this calendar
    └── PermanentError              retrying the same input cannot help: log and acknowledge
        ├── InvalidInput            400, malformed message or request
        ├── Unauthenticated         401 that survived one token refresh
        │   └── CredentialsUnavailable  no runtime credentials to sign with (keyless off Google Cloud)
        ├── Forbidden               403 with its ``reason``
        │   └── DelegationDenied    the token endpoint's ``unauthorized_client``
        ├── NotFound                404 / 410 ``deleted``
        ├── Conflict                409 duplicate, a failed create-if-absent
        ├── PreconditionFailed      412 stale ETag, a failed compare-and-set
        ├── SyncTokenExpired        410 ``fullSyncRequired``: run a full sync
        ├── IntegrityError          a ciphertext that does not decrypt under its associated data
        └── NotImplementedCapability  a capability a later release builds

Functions map the two families: ``RetryableError`` is raised (so Pub/Sub redelivers),
``PermanentError`` is logged and acknowledged (or dead-lettered).
"""

from __future__ import annotations

from collections.abc import Sequence


class HybridCalendarError(Exception):
    """Root of every error this project raises on purpose."""

    code: str = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_dict(self) -> dict[str, object]:
        """Render the error as the JSON body our HTTP APIs answer with."""
        return {"error": {"code": self.code, "message": self.message}}


class ConfigError(HybridCalendarError):
    """A setting is missing or invalid; the message names the variable."""

    code = "invalid_configuration"


class RetryableError(HybridCalendarError):
    """The operation may succeed if tried again later."""

    code = "retryable"

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RateLimited(RetryableError):
    """A quota or rate limit was hit (429, 403 rateLimitExceeded)."""

    code = "rate_limited"


class Unavailable(RetryableError):
    """The backend is unavailable or timed out (5xx, connection errors)."""

    code = "unavailable"


class LeaseHeld(RetryableError):
    """Another worker holds the lease on the resource."""

    code = "lease_held"


class PermanentError(HybridCalendarError):
    """Retrying the same input cannot help."""

    code = "permanent"


class InvalidInput(PermanentError):
    """The input is malformed or violates a rule."""

    code = "invalid_input"


class Unauthenticated(PermanentError):
    """Credentials were rejected even after one refresh."""

    code = "unauthenticated"


class CredentialsUnavailable(Unauthenticated):
    """This process has no credentials of its own to sign with (e.g. a keyless credential off Google Cloud)."""

    code = "credentials_unavailable"


class Forbidden(PermanentError):
    """Access was refused; ``reason`` carries Google's reason string."""

    code = "forbidden"

    def __init__(self, message: str, *, reason: str = "forbidden") -> None:
        super().__init__(message)
        self.reason = reason


class DelegationDenied(Forbidden):
    """Domain-wide delegation is not authorised for this client id and these scopes."""

    code = "delegation_not_authorized"

    def __init__(self, message: str, *, client_id: str, scopes: Sequence[str]) -> None:
        super().__init__(message, reason="unauthorized_client")
        self.client_id = client_id
        self.scopes = tuple(scopes)


class NotFound(PermanentError):
    """The resource does not exist or is not visible."""

    code = "not_found"


class Conflict(PermanentError):
    """The resource already exists or a create-if-absent lost a race."""

    code = "conflict"


class PreconditionFailed(PermanentError):
    """A compare-and-set or an If-Match precondition failed."""

    code = "precondition_failed"


class SyncTokenExpired(PermanentError):
    """Google answered 410 fullSyncRequired: the caller must run a full sync."""

    code = "sync_token_expired"


class IntegrityError(PermanentError):
    """A ciphertext failed authentication: tampered, moved, or its key is gone."""

    code = "integrity_error"


class NotImplementedCapability(PermanentError):
    """The capability exists in the design but is not built in this release."""

    code = "not_implemented"

    def __init__(self, capability: str) -> None:
        super().__init__(f"{capability} is not available in this release")
        self.capability = capability

    def to_dict(self) -> dict[str, object]:
        """Render the error with the missing capability named."""
        body = super().to_dict()
        inner = body["error"]
        assert isinstance(inner, dict)
        inner["capability"] = self.capability
        return body
