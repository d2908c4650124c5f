"""Presence (out of office) and join-button notices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from shared.domain.meetings import JoinTarget


class PresenceStatus(StrEnum):
    """A principal's presence as this service sets it."""

    AVAILABLE = "available"
    OUT_OF_OFFICE = "out_of_office"


class PresenceSource(StrEnum):
    """Where an out-of-office status comes from."""

    NONE = "none"
    GMAIL_VACATION = "gmail_vacation"
    CALENDAR_EVENT = "calendar_event"
    BOTH = "both"


@dataclass(frozen=True, slots=True)
class Presence:
    """A principal's current presence."""

    org_id: str
    principal_id: str
    status: PresenceStatus = PresenceStatus.AVAILABLE
    message: str = ""
    since: datetime | None = None
    until: datetime | None = None
    source: PresenceSource = PresenceSource.NONE

    def same_as(self, other: Presence | None) -> bool:
        """True when ``other`` says the same thing (ignoring identity)."""
        if other is None:
            return self.status is PresenceStatus.AVAILABLE
        return (self.status, self.message, self.since, self.until, self.source) == (
            other.status,
            other.message,
            other.since,
            other.until,
            other.source,
        )


class NoticeKind(StrEnum):
    """A join button, or its correction."""

    JOIN = "join"
    MOVED = "moved"
    CANCELLED = "cancelled"


class RecipientKind(StrEnum):
    """Who receives a join button: a person's app or a room's device."""

    PERSON = "person"
    DEVICE = "device"


@dataclass(frozen=True, slots=True)
class JoinButtonNotice:
    """One join button for one recipient and one meeting instance."""

    org_id: str
    meeting_id: str
    recipient_kind: RecipientKind
    recipient_id: str
    kind: NoticeKind
    start: datetime
    end: datetime
    title: str
    target: JoinTarget | None
    sent_at: datetime

    @property
    def key(self) -> str:
        """The identity that makes a notice exactly-once: instance, recipient and start."""
        return f"{self.meeting_id}|{self.recipient_kind}|{self.recipient_id}"
