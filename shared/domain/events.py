"""Calendar events as the service reads them: a neutral, snake_case view of Google's resource.

The Google adapter maps each Calendar v3 event onto ``CalendarEvent``; the domain turns it
into a ``Meeting`` (``shared/domain/normalise.py``). Nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import msgspec


class EventAttendee(msgspec.Struct, frozen=True):
    """An attendee entry of an event."""

    email: str
    response_status: str = "needsAction"
    resource: bool = False
    organizer: bool = False
    self_: bool = False
    optional: bool = False
    display_name: str | None = None


class EntryPoint(msgspec.Struct, frozen=True):
    """A conference entry point (``conferenceData.entryPoints[]``)."""

    kind: str
    uri: str
    label: str = ""


class AttachedConference(msgspec.Struct, frozen=True):
    """The conference an event carries (``conferenceData``): its solution's key type, id, name and
    the parameters a conferencing add-on gave it (``parameters.addOnParameters.parameters``)."""

    solution_type: str
    conference_id: str = ""
    name: str = ""
    parameters: Mapping[str, str] = msgspec.field(default_factory=dict)


class CalendarEvent(msgspec.Struct, frozen=True):
    """One event (or event instance) on one calendar."""

    id: str
    status: str = "confirmed"
    summary: str = ""
    description: str = ""
    location: str = ""
    start: datetime | None = None
    end: datetime | None = None
    time_zone: str | None = None
    all_day: bool = False
    recurrence: tuple[str, ...] = ()
    recurring_event_id: str | None = None
    original_start: datetime | None = None
    organizer_email: str | None = None
    organizer_self: bool = False
    attendees: tuple[EventAttendee, ...] = ()
    hangout_link: str | None = None
    entry_points: tuple[EntryPoint, ...] = ()
    conference: AttachedConference | None = None
    private_properties: Mapping[str, str] = msgspec.field(default_factory=dict)
    etag: str | None = None
    updated: datetime | None = None
    event_type: str = "default"
    working_location: str = ""
    ical_uid: str | None = None
    visibility: str = "default"

    @property
    def cancelled(self) -> bool:
        """True for a deleted event or a cancelled instance."""
        return self.status == "cancelled"

    @property
    def is_recurring_master(self) -> bool:
        """True for the master of a recurring series."""
        return bool(self.recurrence) and self.recurring_event_id is None
