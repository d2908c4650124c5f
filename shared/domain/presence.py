"""Presence (out of office, focus time, in a meeting, working location) and join-button notices."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import msgspec

from shared.domain.meetings import JoinTarget, Meeting


class PresenceStatus(StrEnum):
    """A principal's presence as this service sets it."""

    AVAILABLE = "available"
    IN_MEETING = "in_meeting"
    DO_NOT_DISTURB = "do_not_disturb"
    OUT_OF_OFFICE = "out_of_office"


class PresenceSource(StrEnum):
    """Where an out-of-office status comes from."""

    NONE = "none"
    GMAIL_VACATION = "gmail_vacation"
    CALENDAR_EVENT = "calendar_event"
    BOTH = "both"


class Presence(msgspec.Struct, frozen=True):
    """A principal's current presence."""

    org_id: str
    principal_id: str
    status: PresenceStatus = PresenceStatus.AVAILABLE
    message: str = ""
    since: datetime | None = None
    until: datetime | None = None
    source: PresenceSource = PresenceSource.NONE
    working_location: str = ""
    """Where the person works now (``kind|label``, see ``shared.domain.status``), shown beside the status."""

    def same_as(self, other: Presence | None) -> bool:
        """True when ``other`` says the same thing (ignoring identity)."""
        if other is None:
            return self.status is PresenceStatus.AVAILABLE and not self.working_location
        return (self.status, self.message, self.since, self.until, self.source, self.working_location) == (
            other.status,
            other.message,
            other.since,
            other.until,
            other.source,
            other.working_location,
        )


class NoticeKind(StrEnum):
    """A join button, or its correction.

    ``moved``: new times (and the current join target); ``updated``: a new join target;
    ``removed``: no join target any more (the keyword was removed), the button goes;
    ``cancelled``: the meeting is gone.
    """

    JOIN = "join"
    MOVED = "moved"
    UPDATED = "updated"
    REMOVED = "removed"
    CANCELLED = "cancelled"


CHAINED = frozenset({NoticeKind.MOVED, NoticeKind.UPDATED, NoticeKind.REMOVED})
"""Corrections that can repeat for one meeting: each names the notice it corrects."""


class RecipientKind(StrEnum):
    """Who receives a join button: a person's app or a room's device."""

    PERSON = "person"
    DEVICE = "device"


class NoticeHeader(msgspec.Struct, frozen=True):
    """What a join-button notice says in plain text: which meeting instance, for whom, what kind, when.

    A stored notice keeps these unencrypted, so that dispatch ranks and matches notices without
    opening them; the title and the join target are the sealed rest.
    """

    meeting_id: str
    recipient_kind: RecipientKind
    recipient_id: str
    kind: NoticeKind
    start: datetime
    end: datetime
    sent_at: datetime

    @property
    def key(self) -> str:
        """One recipient's view of one meeting instance: what the notices of a chain share."""
        return f"{self.meeting_id}|{self.recipient_kind}|{self.recipient_id}"


class JoinButtonNotice(NoticeHeader, frozen=True):
    """One join button for one recipient and one meeting instance."""

    org_id: str
    title: str
    target: JoinTarget | None
    follows: str = ""
    """For a chained correction: the id of the notice it corrects (not stored; part of the identity)."""

    @property
    def identity(self) -> str:
        """What makes a notice exactly-once (its stored id is a hash of this).

        A join button and a cancellation are sent once per meeting instance, recipient and start.
        A chained correction also names the target and the notice it corrects, so a meeting that
        moves back and forth, or whose join target changes and changes back, is corrected every
        time, while dispatchers racing on one change still record it once.
        """
        base = f"{self.key}|{self.kind}|{self.start.isoformat()}"
        if self.kind not in CHAINED:
            return base
        uri = self.target.uri if self.target else ""
        return f"{base}|{self.end.isoformat()}|{uri}|after:{self.follows}"


def _same_target(a: JoinTarget | None, b: JoinTarget | None) -> bool:
    if a is None or b is None:
        return a is b
    return (a.kind, a.uri) == (b.kind, b.uri)


def correction(latest: JoinButtonNotice, meeting: Meeting | None) -> NoticeKind | None:
    """The correction a recipient needs after ``latest`` (their newest notice), or None.

    ``meeting`` is the recipient's calendar copy now (None when it is gone). Gone or cancelled →
    ``cancelled``; new start or end → ``moved``; otherwise a join target that went away →
    ``removed`` and one that changed (or came back) → ``updated``. After a cancellation nothing.
    """
    if latest.kind is NoticeKind.CANCELLED:
        return None
    if meeting is None or meeting.cancelled:
        return NoticeKind.CANCELLED
    if (meeting.start, meeting.end) != (latest.start, latest.end):
        return NoticeKind.MOVED
    current = meeting.primary_join_target
    if _same_target(latest.target, current):
        return None
    return NoticeKind.REMOVED if current is None else NoticeKind.UPDATED
