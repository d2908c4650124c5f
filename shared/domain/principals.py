"""Orgs, principals (people and rooms) and devices, with the activation state machine.

States::

    pending ──▶ validating ──▶ active
                    │   ▲         │
                    ▼   │         │ revalidate
                  error ◀─────────┘ (via validating)
    any state ──▶ deactivated ──▶ pending (a later activation starts clean)
                      │
                      └──▶ purged (the record itself is deleted)

A deactivated principal keeps its record (state, when and by whom) with every other piece of its
data destroyed, until an admin purges it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

import msgspec
from msgspec.structs import replace

from shared.errors import InvalidInput


class PrincipalKind(StrEnum):
    """A person or a room resource."""

    PERSON = "person"
    ROOM = "room"


class PrincipalState(StrEnum):
    """Where a principal stands in activation."""

    PENDING = "pending"
    VALIDATING = "validating"
    ACTIVE = "active"
    ERROR = "error"
    DEACTIVATED = "deactivated"


class ErrorReason(StrEnum):
    """Machine-readable reasons a principal is in error (or active with a limitation)."""

    DELEGATION_NOT_AUTHORIZED = "delegation_not_authorized"
    CALENDAR_NOT_FOUND = "calendar_not_found"
    FORBIDDEN = "forbidden"
    GMAIL_SCOPE_MISSING = "gmail_scope_missing"
    EMAIL_MISMATCH = "email_mismatch"
    UNAVAILABLE = "unavailable"
    SECRET_UNAVAILABLE = "secret_unavailable"
    CREDENTIALS_UNAVAILABLE = "credentials_unavailable"
    PROCESSING_FAILED = "processing_failed"


HINTS: dict[ErrorReason, str] = {
    ErrorReason.DELEGATION_NOT_AUTHORIZED: (
        "In the Google Admin console, open Security > Access and data control > API controls > "
        "Manage domain-wide delegation and authorise the client id for the scopes shown."
    ),
    ErrorReason.CALENDAR_NOT_FOUND: (
        "The user or room has no Google Calendar in this Workspace: check the address and that the "
        "account has a Calendar licence."
    ),
    ErrorReason.FORBIDDEN: (
        "Google refused access to the calendar: check that the account is not suspended and that "
        "sharing policies allow the service account's delegated access."
    ),
    ErrorReason.GMAIL_SCOPE_MISSING: (
        "Out-of-office presence is disabled: authorise the gmail.settings.basic scope for the client "
        "id, then revalidate."
    ),
    ErrorReason.EMAIL_MISMATCH: "The address does not belong to the org's domain.",
    ErrorReason.UNAVAILABLE: (
        "Google was unavailable during validation on every retry; revalidate once Google is reachable."
    ),
    ErrorReason.SECRET_UNAVAILABLE: (
        "The org's service-account key could not be read from Secret Manager: check that the secret version "
        "exists and is enabled and that the functions may access it (roles/secretmanager.secretAccessor), "
        "then revalidate."
    ),
    ErrorReason.CREDENTIALS_UNAVAILABLE: (
        "The service found no credentials of its own to sign for the org's service account: a keyless "
        "credential needs Google Cloud (the runtime's service account with the Service Account Token "
        "Creator role) or Application Default Credentials. Off Google Cloud give the org a key file "
        "(orgs set ORG --key-file key.json), then revalidate."
    ),
    ErrorReason.PROCESSING_FAILED: (
        "Work for this principal failed on every retry and was dead-lettered: see the dead letters "
        "(hybrid-calendar dead-letters ORG) and the logs for the principal id, fix the cause, then revalidate."
    ),
}

_ALLOWED: dict[PrincipalState, frozenset[PrincipalState]] = {
    PrincipalState.PENDING: frozenset({PrincipalState.VALIDATING, PrincipalState.DEACTIVATED}),
    PrincipalState.VALIDATING: frozenset({PrincipalState.ACTIVE, PrincipalState.ERROR, PrincipalState.DEACTIVATED}),
    PrincipalState.ACTIVE: frozenset({PrincipalState.VALIDATING, PrincipalState.DEACTIVATED}),
    PrincipalState.ERROR: frozenset({PrincipalState.VALIDATING, PrincipalState.DEACTIVATED}),
    PrincipalState.DEACTIVATED: frozenset({PrincipalState.PENDING}),
}

RESOURCE_DOMAIN = "resource.calendar.google.com"

DEFAULT_KEYWORDS: dict[str, str] = {
    "@webex": "personal_room",
    "@webex:myroom": "personal_room",
    "@webex:space": "space",
    "@meet": "space",
}


class CredentialRef(msgspec.Struct, frozen=True):
    """Where an org's service-account credential lives.

    ``kind`` is ``stored`` (the key file JSON, kept encrypted in the store), ``secret`` (a
    Secret Manager version name) or ``keyless`` (a service account email signed for through
    IAM ``signJwt``).
    """

    kind: str
    reference: str
    client_id: str | None = None


class Org(msgspec.Struct, frozen=True):
    """A Google Workspace organisation served by this deployment."""

    id: str
    domain: str
    credential: CredentialRef
    keywords: dict[str, str] = msgspec.field(default_factory=lambda: dict(DEFAULT_KEYWORDS))
    join_lead: timedelta = timedelta(minutes=5)
    default_locale: str = "en"
    kms_key: str | None = None
    provider: str = "personal_room"
    webex_site: str = "example.webex.com"
    send_updates: str = "all"
    room_delegate: str | None = None
    created_at: datetime | None = None
    room_display_presence: bool = True  # room displays mark people who are away (off for displays in public spaces)

    def owns_principal(self, email: str, kind: PrincipalKind) -> bool:
        """Tell whether a principal of ``kind`` may be activated for this org.

        People must be in the org's domain; rooms may also carry Google's resource-calendar
        address (``...@resource.calendar.google.com``), which the room delegate's access proves.
        """
        if kind is PrincipalKind.ROOM and email.lower().endswith("@" + RESOURCE_DOMAIN):
            return True
        return self.owns(email)

    def owns(self, email: str) -> bool:
        """Tell whether ``email`` belongs to this org's domain."""
        _, _, domain = email.rpartition("@")
        return domain.lower() == self.domain.lower()


class Principal(msgspec.Struct, frozen=True):
    """A person or room activated (or being activated) for the service."""

    org_id: str
    id: str
    email: str
    kind: PrincipalKind = PrincipalKind.PERSON
    state: PrincipalState = PrincipalState.PENDING
    reason: ErrorReason | None = None
    detail: str | None = None
    presence_enabled: bool = True
    locale: str | None = None
    time_zone: str | None = None
    join_lead_override: timedelta | None = None
    name: str | None = None
    attempts: int = 0
    last_sync: datetime | None = None
    channel_expiry: datetime | None = None
    updated_at: datetime | None = None
    deactivated_at: datetime | None = None
    deactivated_by: str | None = None

    @property
    def active(self) -> bool:
        """True when the service processes this principal."""
        return self.state is PrincipalState.ACTIVE

    @property
    def hint(self) -> str | None:
        """A human hint for the current reason."""
        return HINTS.get(self.reason) if self.reason else None

    def transition(
        self,
        target: PrincipalState,
        *,
        reason: ErrorReason | None = None,
        detail: str | None = None,
        at: datetime | None = None,
    ) -> Principal:
        """Return the principal moved to ``target``; refuse transitions the machine forbids."""
        if target not in _ALLOWED[self.state]:
            raise InvalidInput(f"a principal cannot go from {self.state} to {target}")
        if target is PrincipalState.ERROR and reason is None:
            raise InvalidInput("an error state needs a reason")
        attempts = self.attempts + 1 if target is PrincipalState.VALIDATING else self.attempts
        if target is PrincipalState.ACTIVE:
            attempts = 0
        return replace(
            self,
            state=target,
            reason=reason,
            detail=detail,
            attempts=attempts,
            updated_at=at or self.updated_at,
        )


class Device(msgspec.Struct, frozen=True):
    """A room device (a display or a video endpoint) that shows the room's meetings."""

    org_id: str
    id: str
    room_id: str
    name: str
    token_hash: str
    created_at: datetime | None = None
    rotated_at: datetime | None = None
