"""Conferencing ports: the providers that make join details, and the per-meeting record."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from shared.domain.conference import ConferenceRequest, HeldMeeting, MeetingRecord
from shared.domain.joindetails import JoinDetails
from shared.domain.meetings import Meeting
from shared.domain.principals import Org, Principal


class ConferencingProvider(Protocol):
    """Makes join details for a meeting (a personal room, a space, or a Webex meeting)."""

    @property
    def name(self) -> str:
        """The provider's configuration name."""
        ...

    def join_details(
        self, org: Org, organizer: Principal, meeting: Meeting, action: str, existing_ref: str | None
    ) -> JoinDetails:
        """Join details for ``meeting`` under the keyword ``action`` (reusing ``existing_ref`` when given)."""
        ...

    def release(self, org: Org, organizer: Principal, meeting_ref: str) -> None:
        """Release what ``join_details`` created (a space or an API meeting)."""
        ...


class ConferencingProviders(Protocol):
    """Picks a provider: for a keyword action under the org's choice, or by the name a stored meeting has."""

    def __call__(self, org: Org, action: str) -> ConferencingProvider:
        """The provider for ``action`` (``personal_room``, ``space``, ...) under the org's choice."""
        ...

    def named(self, org: Org, name: str) -> ConferencingProvider:
        """The provider called ``name``."""
        ...


class MeetingRecordStore(Protocol):
    """The per-meeting record: the latest decision and the meeting held for one calendar's event."""

    def get(self, org_id: str, principal_id: str, event_id: str) -> MeetingRecord | None:
        """The meeting held for the event, or None."""
        ...

    def decide(
        self,
        org_id: str,
        principal_id: str,
        event_id: str,
        outcome: str,
        reason: str | None,
        at: datetime,
        *,
        meeting: MeetingRecord | None = None,
        keep_until: datetime | None = None,
        request: ConferenceRequest | None = None,
    ) -> None:
        """Record a decision (and the meeting now held, and an add-on request id seen)."""
        ...

    def conflicting(self, org_id: str, principal_id: str, event_id: str, request: ConferenceRequest) -> bool:
        """Whether the request id was seen before with another body."""
        ...

    def reserved(self, org_id: str, made_before: datetime) -> list[HeldMeeting]:
        """Meetings the add-on reserved before ``made_before`` and the service has not matched to an event."""
        ...
