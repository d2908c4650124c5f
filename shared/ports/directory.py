"""Directory port: whether a principal's calendar and Gmail settings are reachable with delegated access.

The Google adapter (``shared.adapters.google.workspace``) implements it against Workspace or the
emulator; provisioning is written against it and never sees an HTTP error.
"""

from __future__ import annotations

from typing import Protocol

import msgspec

from shared.domain.principals import ErrorReason, Org, Principal
from shared.domain.vacation import VacationResponder


class ValidationResult(msgspec.Struct, frozen=True):
    """What validation found: a reason when it failed, and what it learned when it passed."""

    reason: ErrorReason | None = None
    detail: str | None = None
    presence_enabled: bool = True
    locale: str | None = None
    time_zone: str | None = None
    name: str | None = None


class PrincipalValidator(Protocol):
    """Checks delegated access to a principal's calendar and Gmail settings."""

    def validate(self, org: Org, principal: Principal) -> ValidationResult:
        """Validate; raise RetryableError when Google is unavailable."""
        ...

    def forget_tokens(self, org: Org, principal: Principal) -> None:
        """Drop this process's cached access tokens for the principal, so the next call asks Google afresh."""
        ...


class VacationReader(Protocol):
    """Reads a principal's Gmail vacation responder, delegated as that principal."""

    def vacation_for(self, org: Org, principal: Principal) -> VacationResponder:
        """The principal's vacation responder."""
        ...
