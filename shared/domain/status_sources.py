"""Calendar status from synced meetings: focus-time blocks, accepted meetings in progress, working location.

The sync already stores every event of a principal's primary calendar with its ``eventType``; this
module reads those copies (no Google call) and turns them into the inputs of the precedence rule
in ``shared.domain.status``, then into the stored ``Presence``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from msgspec.structs import replace

from shared.domain.meetings import Meeting, ResponseStatus
from shared.domain.presence import Presence, PresenceSource, PresenceStatus
from shared.domain.status import StatusBlock, StatusState, WorkingLocation, decode_location, encode_location, resolve


def _accepted(meeting: Meeting, email: str) -> bool:
    if meeting.is_organizer_copy:
        return True
    me = email.lower()
    return any(a.email.lower() == me and a.response_status is ResponseStatus.ACCEPTED for a in meeting.attendees)


STATUS_TYPES = frozenset({"focusTime", "outOfOffice", "workingLocation"})


def touches_status(meetings: Sequence[Meeting], now: datetime) -> bool:
    """True when storing ``meetings`` may change presence at ``now``.

    Any status event (focus time, out of office, working location) counts, wherever it falls (it
    may have moved away from now), and so does a timed meeting covering now.
    """
    return any(
        m.event_type in STATUS_TYPES or (m.event_type == "default" and not m.all_day and m.start <= now < m.end)
        for m in meetings
    )


def status_blocks(meetings: Sequence[Meeting], email: str) -> tuple[StatusBlock, ...]:
    """Focus-time blocks (``do_not_disturb``) and accepted timed meetings (``in_meeting``)."""
    blocks: list[StatusBlock] = []
    for m in meetings:
        if m.cancelled:
            continue
        if m.event_type == "focusTime":
            blocks.append(StatusBlock(StatusState.DO_NOT_DISTURB, m.start, m.end))
        elif m.event_type == "default" and not m.all_day and _accepted(m, email):
            blocks.append(StatusBlock(StatusState.IN_MEETING, m.start, m.end))
    return tuple(blocks)


def working_location(meetings: Sequence[Meeting], now: datetime) -> WorkingLocation | None:
    """The working location covering ``now`` (a timed one wins over the all-day one; then the latest start)."""
    current = [
        m
        for m in meetings
        if m.event_type == "workingLocation" and not m.cancelled and m.start <= now < m.end and m.working_location
    ]
    if not current:
        return None
    best = max(current, key=lambda m: (not m.all_day, m.start))
    return decode_location(best.working_location)


_STATES = {
    StatusState.DO_NOT_DISTURB: PresenceStatus.DO_NOT_DISTURB,
    StatusState.IN_MEETING: PresenceStatus.IN_MEETING,
}


def with_calendar_status(presence: Presence, meetings: Sequence[Meeting], email: str, now: datetime) -> Presence:
    """``presence`` (the out-of-office decision) with focus time, a meeting in progress and the working location.

    Out of office keeps precedence; otherwise the rule in ``shared.domain.status`` decides, with
    ``since`` the start of the earliest covering block of the winning state and ``until`` its end.
    """
    location = working_location(meetings, now)
    code = encode_location(location)
    if presence.status is PresenceStatus.OUT_OF_OFFICE:
        return replace(presence, working_location=code)
    blocks = status_blocks(meetings, email)
    view = resolve(now, blocks, location=location)
    state = _STATES.get(view.state)
    if state is None:
        return replace(presence, working_location=code)
    since = min(b.start for b in blocks if b.state is view.state and b.covers(now))
    return Presence(
        org_id=presence.org_id,
        principal_id=presence.principal_id,
        status=state,
        since=since,
        until=view.until,
        source=PresenceSource.CALENDAR_EVENT,
        working_location=code,
    )
