"""Rooms that release themselves: the release policy, the check-in window, exemptions and outcomes.

A room display checks in to the room's current meeting from ``CHECK_IN_OPENS`` before the start
until the release time (the start plus the room's release delay); without a release policy the
window stays open until the meeting ends. A meeting nobody checked in to by the release time is
released: the room's attendance is declined at Google. Organisers keep a room by writing the
keyword ``#keeproom`` in the description, or by setting the extended property
``hybridcalRoomRelease=exempt`` (shared, or private on the room's copy). Pure rules; no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum

import msgspec

from shared.domain.meetings import Meeting, ResponseStatus
from shared.errors import InvalidInput

CHECK_IN_OPENS = timedelta(minutes=5)
"""How long before the start a display may check in."""
DEFAULT_RELEASE = timedelta(minutes=10)
"""The release delay when a policy is switched on without a delay of its own."""
NO_POLICY_MARK = DEFAULT_RELEASE
"""When a meeting of a room without a policy is counted as ``no_policy`` (start + this)."""
MAX_RELEASE_MINUTES = 240
EXEMPT_KEYWORD = "#keeproom"
EXEMPT_PROPERTY = "hybridcalRoomRelease"
EXEMPT_VALUE = "exempt"
RELEASE_COMMENT = "Released automatically: nobody checked in to this room."
_KEYWORD = re.compile(r"(?<![\w#])#keeproom\b", re.IGNORECASE)


class Outcome(StrEnum):
    """What became of one room's meeting instance."""

    CHECKED_IN = "checked_in"
    RELEASING = "releasing"
    RELEASED = "released"
    EXEMPT = "exempt"
    NO_POLICY = "no_policy"
    FAILED = "failed"


class ReleasePolicy(msgspec.Struct, frozen=True):
    """Release after ``after`` without a check-in; ``after`` None means never (the default)."""

    after: timedelta | None = None

    @property
    def on(self) -> bool:
        """True when meetings are released."""
        return self.after is not None

    @property
    def minutes(self) -> int | None:
        """The delay in whole minutes (None when off)."""
        return None if self.after is None else int(self.after.total_seconds() // 60)


def policy_of_minutes(minutes: int | None) -> ReleasePolicy:
    """A policy from an admin's minutes (None: off); InvalidInput outside 1..MAX_RELEASE_MINUTES."""
    if minutes is None:
        return ReleasePolicy()
    if not 1 <= minutes <= MAX_RELEASE_MINUTES:
        raise InvalidInput(f"a release delay is 1 to {MAX_RELEASE_MINUTES} minutes")
    return ReleasePolicy(timedelta(minutes=minutes))


def effective(org_default: ReleasePolicy, room_override: ReleasePolicy | None) -> ReleasePolicy:
    """The room's override when it has one, else the org's default."""
    return org_default if room_override is None else room_override


class CheckInWindow(msgspec.Struct, frozen=True):
    """When a display may check in to one meeting, and when the room is released without one."""

    opens: datetime
    closes: datetime
    release_at: datetime | None

    def contains(self, at: datetime) -> bool:
        """True while a check-in is accepted."""
        return self.opens <= at < self.closes


class CheckIn(msgspec.Struct, frozen=True):
    """The answer to a check-in: the instance's record and its window."""

    record: OutcomeRecord
    window: CheckInWindow
    already: bool


class DeviceMeeting(msgspec.Struct, frozen=True):
    """A meeting of the room as the display needs it for its check-in button."""

    event_id: str
    window: CheckInWindow
    outcome: Outcome | None


def window(meeting: Meeting, policy: ReleasePolicy) -> CheckInWindow:
    """The check-in window of ``meeting`` under ``policy``."""
    opens = meeting.start - CHECK_IN_OPENS
    if policy.after is None:
        return CheckInWindow(opens, meeting.end, None)
    release_at = min(meeting.start + policy.after, meeting.end)
    return CheckInWindow(opens, release_at, release_at)


def holds_room(meeting: Meeting, room_email: str) -> bool:
    """True for a live, timed meeting the room is invited to and has not declined."""
    if meeting.cancelled or meeting.all_day or meeting.event_type != "default":
        return False
    for attendee in meeting.attendees:
        if attendee.email.lower() == room_email.lower():
            return attendee.response_status is not ResponseStatus.DECLINED
    return False


def is_exempt(description: str, properties: Mapping[str, str]) -> bool:
    """True when the organiser kept the room: the keyword in the description or the extended property."""
    if _KEYWORD.search(description or ""):
        return True
    return str(properties.get(EXEMPT_PROPERTY, "")).lower() == EXEMPT_VALUE


def day_of(at: datetime, zone: tzinfo) -> str:
    """The room's local date of ``at`` (YYYY-MM-DD), the day a meeting is counted on."""
    return at.astimezone(zone).date().isoformat()


class RoomEvent(msgspec.Struct, frozen=True):
    """What Google says now about the room's copy of one event instance (``events.get`` through the delegate)."""

    etag: str | None
    cancelled: bool
    invited: bool
    declined: bool
    exempt: bool


class OutcomeRecord(msgspec.Struct, frozen=True):
    """The recorded outcome of one room's meeting instance (at most one per instance, set by compare-and-set)."""

    org_id: str
    room_id: str
    event_id: str
    outcome: Outcome
    at: datetime
    day: str
    start: datetime
    device_id: str | None = None
    detail: str | None = None
