"""The room's copy of an event at Google: what room release reads and the decline it writes (the gateway's
``RoomAttendance`` role, through the org's room delegate).

``read`` is one ``events.get`` of the room's copy of an instance; ``decline`` one ``events.patch``
of that instance (never the series, never a delete) setting the room attendee's ``responseStatus``
to ``declined`` with the release note in its ``comment``, with ``If-Match`` on the etag read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.domain.rooms import EXEMPT_PROPERTY, RELEASE_COMMENT, RoomEvent, is_exempt

MAX_HELD = 256
"""Room reads the gateway keeps for a decline that may follow."""
FIELDS = "id,etag,status,description,attendees,extendedProperties"


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
