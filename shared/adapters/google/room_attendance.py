"""The room's attendance at Google (the ``RoomCalendar`` port), through the org's room delegate.

``read`` is one ``events.get`` of the room's copy of an instance; ``decline`` one ``events.patch``
of that instance (never the series, never a delete) setting the room attendee's ``responseStatus``
to ``declined`` with the release note in its ``comment``, with ``If-Match`` on the etag read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from shared.domain.principals import Org, Principal
from shared.domain.rooms import EXEMPT_PROPERTY, RELEASE_COMMENT, RoomEvent, is_exempt
from shared.errors import NotFound

if TYPE_CHECKING:
    from shared.adapters.google.calendar import GoogleCalendar

MAX_HELD = 256
FIELDS = "id,etag,status,description,attendees,extendedProperties"


class RoomDelegateCalendars(Protocol):
    """The calendar client acting for a room (the org's room delegate): the directory, or the lazy stack."""

    def calendar_for(self, org: Org, principal: Principal) -> GoogleCalendar:
        """The calendar client acting for ``principal``."""
        ...


def _room_entry(event: Mapping[str, Any], room_email: str) -> Mapping[str, Any] | None:
    for entry in event.get("attendees") or []:
        if str(entry.get("email", "")).lower() == room_email.lower():
            return dict(entry)
    return None


def room_event_from_api(event: Mapping[str, Any], room_email: str) -> RoomEvent:
    """The room's view of one event resource: etag, cancelled, invited, declined, exempt."""
    props = event.get("extendedProperties") or {}
    values = [str((props.get(scope) or {}).get(EXEMPT_PROPERTY) or "") for scope in ("private", "shared")]
    entry = _room_entry(event, room_email)
    return RoomEvent(
        etag=event.get("etag"),
        cancelled=event.get("status") == "cancelled",
        invited=entry is not None,
        declined=entry is not None and entry.get("responseStatus") == "declined",
        exempt=any(is_exempt(str(event.get("description") or ""), {EXEMPT_PROPERTY: v}) for v in values),
    )


def decline_body(event: Mapping[str, Any], room_email: str) -> dict[str, Any]:
    """The patch body: every attendee as it is, the room's entry declined with the release note."""
    attendees: list[dict[str, Any]] = []
    for raw in event.get("attendees") or []:
        entry = dict(raw)
        if str(entry.get("email", "")).lower() == room_email.lower():
            entry.update(responseStatus="declined", comment=RELEASE_COMMENT)
        attendees.append(entry)
    return {"attendees": attendees}


class GoogleRoomCalendar:
    """``RoomCalendar`` over the Calendar client acting as the org's room delegate."""

    def __init__(self, directory: RoomDelegateCalendars) -> None:
        self._directory = directory
        self._attendees: dict[tuple[str, str, str], Mapping[str, Any]] = {}

    def read(self, org: Org, room: Principal, event_id: str) -> RoomEvent:
        """``events.get`` of the room's copy (the attendees are kept for the decline that may follow)."""
        calendar = self._directory.calendar_for(org, room)
        event = calendar.get_event(room.email, event_id, fields=FIELDS)
        if len(self._attendees) >= MAX_HELD:  # reads not followed by a decline (exempt, already declined)
            self._attendees.clear()
        self._attendees[(org.id, room.id, event_id)] = event
        return room_event_from_api(event, room.email)

    def decline(self, org: Org, room: Principal, event_id: str, *, etag: str | None, send_updates: str) -> None:
        """``events.patch`` of this instance: the room attendee declined with the release note."""
        event = self._attendees.pop((org.id, room.id, event_id), None)
        if event is None:
            raise NotFound("read the event before declining it")
        calendar = self._directory.calendar_for(org, room)
        body = decline_body(event, room.email)
        calendar.patch_event(room.email, event_id, body, etag=etag, send_updates=send_updates)
