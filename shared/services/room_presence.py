"""The presence a room display shows: the state of the org's people on the room's meetings.

Only people of the room's org (active person principals with presence on) who organise or attend
one of the room's meetings in the range the display lists are given; a private meeting's invitees
are hidden from devices, so they are left out, and outside attendees, other rooms and anyone else
get nothing. Only the state is given, never the out-of-office message nor the working location.
Everything is read from the store: no Google call.
"""

from __future__ import annotations

from collections.abc import Iterable

import msgspec

from shared.domain.meeting_rows import ListedRow
from shared.domain.presence import PresenceStatus
from shared.domain.principals import Org, PrincipalKind
from shared.ports.stores import PresenceRepository, PrincipalRepository

LIMIT = 200  # people per display: a day of a busy room stays far below


class RoomPerson(msgspec.Struct, frozen=True):
    """A person of the org on one of the room's meetings."""

    principal_id: str
    email: str


def room_people(org: Org, principals: PrincipalRepository, items: Iterable[ListedRow]) -> tuple[RoomPerson, ...]:
    """The org's people on the meetings a device is shown (organisers and invitees, rooms left out).

    Nothing when the org turned the marks off for its room displays (``room_display_presence``).
    """
    if not org.room_display_presence:
        return ()
    emails: dict[str, None] = {}
    for item in items:
        if item.details_hidden:
            continue
        row = item.row
        if row.organizer:
            emails[row.organizer.lower()] = None
        for attendee in row.attendees:
            if not attendee[2]:
                emails[str(attendee[0]).lower()] = None
    out: list[RoomPerson] = []
    for email in emails:
        if len(out) >= LIMIT:
            break
        if len(email) > 254 or not org.owns(email):
            continue
        found = principals.find_principal(org.id, email)
        if found is not None and found.active and found.kind is PrincipalKind.PERSON and found.presence_enabled:
            out.append(RoomPerson(found.id, email))
    return tuple(out)


def states(org_id: str, presence: PresenceRepository, people: Iterable[RoomPerson]) -> dict[str, PresenceStatus]:
    """Each person's stored presence state by email (available when none is stored)."""
    out = {}
    for person in people:
        current = presence.get_presence(org_id, person.principal_id)
        out[person.email] = current.status if current is not None else PresenceStatus.AVAILABLE
    return out
