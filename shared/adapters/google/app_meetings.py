"""The meetings app's calendar over Calendar v3: domain values in, Calendar resources on the wire.

Every body the app sends (``events.insert``, the attendee ``responseStatus`` patch, ACL rules)
is built here, and every answer is mapped to a :class:`CalendarEvent` before a service sees it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from shared.adapters.google.calendar_extras import rfc3339
from shared.adapters.google.mappers import calendar_event_from_api
from shared.domain.events import CalendarEvent
from shared.domain.meetings import ResponseStatus
from shared.errors import InvalidInput, PreconditionFailed
from shared.ports.app_calendar import AppCalendar, Busy, NewEvent

PRIMARY = "primary"


class GoogleMeetingCalendar:
    """The ``MeetingCalendar`` port on one principal's primary calendar."""

    def __init__(self, calendar: AppCalendar) -> None:
        self._calendar = calendar

    def quick_add(self, text: str) -> CalendarEvent:
        """``events.quickAdd``."""
        return calendar_event_from_api(self._calendar.quick_add(PRIMARY, text))

    def insert(self, new: NewEvent) -> CalendarEvent:
        """``events.insert`` with the attendees deduplicated (lower case, first one wins)."""
        body: dict[str, Any] = {
            "summary": new.title,
            "description": new.description,
            "location": new.location,
            "start": {"dateTime": rfc3339(new.start), "timeZone": new.time_zone},
            "end": {"dateTime": rfc3339(new.end), "timeZone": new.time_zone},
            "attendees": [{"email": e} for e in dict.fromkeys(a.lower() for a in new.attendees)],
        }
        return calendar_event_from_api(self._calendar.insert_event(PRIMARY, body))

    def delete(self, event_id: str) -> None:
        """``events.delete``."""
        self._calendar.delete_event(PRIMARY, event_id)

    def respond(self, event_id: str, email: str, response: ResponseStatus) -> CalendarEvent:
        """PATCH ``email``'s own attendee entry (If-Match, one retry on 412)."""
        me = email.lower()
        for attempt in (1, 2):
            event = self._calendar.get_event(PRIMARY, event_id, fields=None)
            attendees = [dict(a) for a in event.get("attendees") or ()]
            entry = next((a for a in attendees if str(a.get("email", "")).lower() == me), None)
            if entry is None:
                raise InvalidInput("you are not on this meeting's guest list")
            entry["responseStatus"] = response.value
            try:
                patched = self._calendar.patch_event(
                    PRIMARY, event_id, {"attendees": attendees}, etag=event.get("etag")
                )
            except PreconditionFailed:
                if attempt == 2:
                    raise
                continue
            return calendar_event_from_api(patched)
        raise PreconditionFailed("the meeting changed while answering; try again")  # pragma: no cover

    def free_busy(self, emails: Sequence[str], start: datetime, end: datetime) -> Busy:
        """``freebusy.query``."""
        return self._calendar.free_busy(emails, start, end)

    def add_delegate(self, email: str, role: str) -> str:
        """``acl.insert`` of a user rule; the rule id (``user:<email>`` when Google gives none)."""
        rule = self._calendar.insert_acl(PRIMARY, role, "user", email)
        return str(rule.get("id") or f"user:{email}")

    def remove_delegate(self, email: str) -> None:
        """``acl.delete`` of the rule ``user:<email>``."""
        self._calendar.delete_acl(PRIMARY, f"user:{email.lower()}")
