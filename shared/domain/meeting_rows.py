"""Meeting lists without domain objects: a stored meeting as a row, and what a viewer is shown of it.

A list of hundreds of meetings needs no ``Meeting``/``Attendee`` objects: ``MeetingRow`` is the
stored meeting as plain values, and ``listed`` applies the same rules as the single-meeting
path — cancelled meetings left out; a private meeting's title, organiser, invitees, location
and agenda hidden from devices and from anyone not invited (``shared.domain.privacy``); the
join button shown for a meeting with a join target, not all-day, not declined by the viewer,
from its lead time until it ends; the viewer's own response. Pure: no I/O.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import msgspec

from shared.domain.meetings import PRIVATE_VISIBILITIES, MeetingStatus, ResponseStatus

_CANCELLED = MeetingStatus.CANCELLED.value
_DECLINED = ResponseStatus.DECLINED.value


class MeetingRow(msgspec.Struct, frozen=True):
    """A stored meeting as plain values.

    ``attendees`` are ``[email, response, is_room, is_organizer, optional, display_name]`` and
    ``targets`` ``[kind, uri, label]`` (best first); every time is an aware UTC datetime.
    """

    event_id: str
    start: datetime
    end: datetime
    all_day: bool
    status: str
    series_id: str | None
    title: str
    time_zone: str | None
    organizer: str | None
    attendees: list[list[Any]]
    location: str
    agenda: str
    targets: list[list[Any]]
    visibility: str


class ListedRow(msgspec.Struct, frozen=True):
    """A row as one viewer is shown it: the join-button state, their response, whether details are hidden."""

    row: MeetingRow
    join_button: bool
    join_at: datetime
    my_response: str | None
    details_hidden: bool


def _may_see(row: MeetingRow, viewer: str | None) -> bool:
    """``privacy.may_see_details`` on a row (``viewer`` lower-cased, None for a device)."""
    if row.visibility not in PRIVATE_VISIBILITIES:
        return True
    if not viewer:
        return False
    if row.organizer is not None and row.organizer.lower() == viewer:
        return True
    return any(a[0].lower() == viewer and not a[2] for a in row.attendees)


def listed(
    rows: list[MeetingRow], viewer_email: str, *, device: bool, lead: timedelta, now: datetime
) -> list[ListedRow]:
    """The rows a viewer's list shows, in order, with what ``MeetingsApp.item`` computes for each."""
    me = viewer_email.lower()
    out = []
    for row in rows:
        if row.status == _CANCELLED:
            continue
        mine = [a[1] for a in row.attendees if a[0].lower() == me]
        join_at = row.start - lead
        button = bool(row.targets) and not row.all_day and _DECLINED not in mine and join_at <= now < row.end
        hidden = not _may_see(row, None if device else me)
        out.append(ListedRow(row, button, join_at, mine[0] if mine else None, hidden))
    return out
