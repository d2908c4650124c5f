"""The Google Workspace side of the use cases: principal validation and vacation reads.

Built on ``GoogleClients`` and ``GoogleCalendarDirectory``; it implements the
``PrincipalValidator`` and ``VacationReader`` ports.
"""

from __future__ import annotations

from datetime import timedelta

from shared.adapters.google.clients import GoogleCalendarDirectory, GoogleClients
from shared.adapters.google.vacation import responder_from_api
from shared.config import GOOGLE_SCOPES
from shared.domain.principals import ErrorReason, Org, Principal, PrincipalKind
from shared.domain.vacation import VacationResponder
from shared.errors import (
    CredentialsUnavailable,
    DelegationDenied,
    Forbidden,
    InvalidInput,
    NotFound,
    Unauthenticated,
)
from shared.ports.clock import Clock
from shared.ports.directory import ValidationResult


def _delegation_detail(exc: DelegationDenied) -> str:
    """The client id and every scope to paste into the Admin console (it replaces the client's list)."""
    return f"client id {exc.client_id}; scopes {','.join(GOOGLE_SCOPES)}"


class GoogleWorkspace:
    """Validation and vacation reads for every org, through one client stack."""

    def __init__(self, clients: GoogleClients, directory: GoogleCalendarDirectory, clock: Clock) -> None:
        self._clients, self._directory, self._clock = clients, directory, clock

    def vacation_for(self, org: Org, principal: Principal) -> VacationResponder:
        """``users.settings.getVacation`` acting as the principal, mapped to the domain."""
        return responder_from_api(self._clients.gmail(self._directory.credential(org), principal.email).get_vacation())

    def forget_tokens(self, org: Org, principal: Principal) -> None:
        """Drop the cached access tokens of the subject acting for ``principal`` (every scope)."""
        try:
            subject = self._directory.subject_for(org, principal)
        except InvalidInput:
            return
        self._clients.tokens.forget(subject)

    def validate(self, org: Org, principal: Principal) -> ValidationResult:
        """Credential, token, calendar and (for people) Gmail settings; RetryableError propagates."""
        if org.credential.kind == "secret":
            try:
                self._directory.credential(org)
            except (NotFound, Forbidden, Unauthenticated, InvalidInput) as exc:
                detail = f"{org.credential.reference}: {exc.message}"[:300]
                return ValidationResult(ErrorReason.SECRET_UNAVAILABLE, detail)
        try:
            calendar = self._directory.calendar_for(org, principal)
            if principal.kind is PrincipalKind.ROOM:
                now = self._clock.now()
                later = now + timedelta(minutes=1)
                calendar.list_events(principal.email, time_min=now, time_max=later, show_deleted=True)
                about = calendar.get_calendar(principal.email)
                return ValidationResult(presence_enabled=False, time_zone=about.time_zone, name=about.name)
            locale = calendar.get_setting("locale")
            time_zone = calendar.get_setting("timezone")
        except DelegationDenied as exc:
            return ValidationResult(ErrorReason.DELEGATION_NOT_AUTHORIZED, _delegation_detail(exc))
        except CredentialsUnavailable as exc:
            return ValidationResult(ErrorReason.CREDENTIALS_UNAVAILABLE, exc.message[:300])
        except (NotFound, Unauthenticated):
            return ValidationResult(ErrorReason.CALENDAR_NOT_FOUND, "the calendar could not be found")
        except InvalidInput as exc:
            return ValidationResult(ErrorReason.CALENDAR_NOT_FOUND, exc.message[:200])
        except Forbidden as exc:
            if exc.reason == "invalid_grant":  # Google's token endpoint on an unknown user
                return ValidationResult(ErrorReason.CALENDAR_NOT_FOUND, "Google knows no such user in the domain")
            return ValidationResult(ErrorReason.FORBIDDEN, f"Google answered {exc.reason}")
        try:
            self._clients.gmail(self._directory.credential(org), principal.email).get_vacation()
        except DelegationDenied as exc:
            return ValidationResult(
                ErrorReason.GMAIL_SCOPE_MISSING,
                _delegation_detail(exc),
                presence_enabled=False,
                locale=locale,
                time_zone=time_zone,
            )
        except (Forbidden, NotFound) as exc:
            return ValidationResult(
                ErrorReason.GMAIL_SCOPE_MISSING,
                f"Gmail settings unreadable: {exc.code}",
                presence_enabled=False,
                locale=locale,
                time_zone=time_zone,
            )
        return ValidationResult(locale=locale, time_zone=time_zone)
