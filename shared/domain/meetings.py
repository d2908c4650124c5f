"""Meetings as the service keeps them: one per calendar and event instance."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import msgspec
import msgspec.structs

from shared.clock import utc
from shared.domain.retention import expire_at


class JoinKind(StrEnum):
    """What a join target points at, best first in ``JOIN_KIND_RANK``."""

    WEBEX = "webex"
    SIP = "sip"
    H323 = "h323"
    GOOGLE_MEET = "google_meet"
    ZOOM = "zoom"
    TEAMS = "teams"
    GOTO = "goto"
    BLUEJEANS = "bluejeans"
    CHIME = "chime"
    JITSI = "jitsi"
    URL = "url"


# The precedence of kinds (rule R8 of ``shared.domain.joinlinks``).
JOIN_KIND_RANK: dict[JoinKind, int] = {
    JoinKind.WEBEX: 0,
    JoinKind.SIP: 1,
    JoinKind.GOOGLE_MEET: 2,
    JoinKind.ZOOM: 3,
    JoinKind.TEAMS: 4,
    JoinKind.GOTO: 5,
    JoinKind.BLUEJEANS: 6,
    JoinKind.CHIME: 7,
    JoinKind.JITSI: 8,
    JoinKind.H323: 9,
    JoinKind.URL: 10,
}


PRIVATE_VISIBILITIES = frozenset({"private", "confidential"})
"""Event visibilities whose details only the attendees may see."""


class ResponseStatus(StrEnum):
    """An attendee's answer, as Google names it."""

    NEEDS_ACTION = "needsAction"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    TENTATIVE = "tentative"


class MeetingStatus(StrEnum):
    """The event status, as Google names it."""

    CONFIRMED = "confirmed"
    TENTATIVE = "tentative"
    CANCELLED = "cancelled"


class JoinTarget(msgspec.Struct, frozen=True):
    """Somewhere to join a meeting: a Webex link, a SIP URI, a Meet link, ..."""

    kind: JoinKind
    uri: str
    label: str = ""


class Attendee(msgspec.Struct, frozen=True):
    """An invitee with the answer they gave."""

    email: str
    response_status: ResponseStatus = ResponseStatus.NEEDS_ACTION
    is_room: bool = False
    is_organizer: bool = False
    optional: bool = False
    display_name: str | None = None


class Meeting(msgspec.Struct, frozen=True):
    """One event instance on one principal's calendar, normalised.

    ``rewrite_state`` is the keyword the rewrite last wrote join details for; ``conference_ref`` the
    meeting reference of the service's add-on conference the event carries, and ``conference_state``
    the one the rewrite last brought in line (see ``shared.domain.conference``).
    """

    org_id: str
    principal_id: str
    event_id: str
    start: datetime
    end: datetime
    title: str = ""
    time_zone: str | None = None
    all_day: bool = False
    status: MeetingStatus = MeetingStatus.CONFIRMED
    organizer: str | None = None
    attendees: tuple[Attendee, ...] = ()
    location: str = ""
    agenda: str = ""
    join_targets: tuple[JoinTarget, ...] = ()
    series_id: str | None = None
    ical_uid: str | None = None
    etag: str | None = None
    updated: datetime | None = None
    is_organizer_copy: bool = False
    keyword: str | None = None
    rewrite_state: str | None = None
    conference_ref: str | None = None
    conference_state: str | None = None
    event_type: str = "default"
    visibility: str = "default"
    working_location: str = ""
    """For a ``workingLocation`` event: where (``kind|label``, see ``shared.domain.status``)."""

    def __post_init__(self) -> None:
        msgspec.structs.force_setattr(self, "start", utc(self.start))
        msgspec.structs.force_setattr(self, "end", utc(self.end))
        if self.end < self.start:
            raise ValueError("a meeting cannot end before it starts")

    @property
    def rooms(self) -> tuple[Attendee, ...]:
        """The room resources invited."""
        return tuple(a for a in self.attendees if a.is_room)

    @property
    def primary_join_target(self) -> JoinTarget | None:
        """The best join target, or None."""
        return self.join_targets[0] if self.join_targets else None

    @property
    def expire_at(self) -> datetime:
        """When this meeting must be gone from the store."""
        return expire_at(self.end)

    @property
    def cancelled(self) -> bool:
        """True when the meeting is cancelled."""
        return self.status is MeetingStatus.CANCELLED

    @property
    def private(self) -> bool:
        """True for an event its organiser marked private (Google's ``private``, or the older ``confidential``)."""
        return self.visibility in PRIVATE_VISIBILITIES


def rank_join_targets(targets: list[JoinTarget] | tuple[JoinTarget, ...]) -> tuple[JoinTarget, ...]:
    """Order targets best first and drop duplicate URIs, keeping first-seen order on ties."""
    seen: set[str] = set()
    unique: list[JoinTarget] = []
    for target in targets:
        key = target.uri.strip().lower()
        if key not in seen:
            seen.add(key)
            unique.append(target)
    return tuple(sorted(unique, key=lambda t: JOIN_KIND_RANK[t.kind]))
