"""App calendar ports: the Calendar operations the meetings app and the delegates list run as the caller."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from shared.domain.events import CalendarEvent
from shared.domain.meetings import ResponseStatus
from shared.domain.principals import Org, Principal

Busy = dict[str, tuple[tuple[datetime, datetime], ...] | None]
"""Busy intervals per email (None where Google could not tell)."""


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event to create on the caller's calendar: the fields ``events.insert`` gets."""

    title: str
    description: str
    location: str
    start: datetime
    end: datetime
    time_zone: str
    attendees: tuple[str, ...] = ()


class MeetingCalendar(Protocol):
    """The caller's own calendar as the meetings app uses it: domain values in and out."""

    def quick_add(self, text: str) -> CalendarEvent:
        """Create an event from one line of text."""
        ...

    def insert(self, new: NewEvent) -> CalendarEvent:
        """Create an event."""
        ...

    def delete(self, event_id: str) -> None:
        """Delete an event (for a guest: remove it from their calendar)."""
        ...

    def respond(self, event_id: str, email: str, response: ResponseStatus) -> CalendarEvent:
        """Set ``email``'s answer on an event (If-Match, one retry when it changed meanwhile)."""
        ...

    def free_busy(self, emails: Sequence[str], start: datetime, end: datetime) -> Busy:
        """Busy intervals of people."""
        ...

    def add_delegate(self, email: str, role: str) -> str:
        """Grant a person access to this calendar; return the rule id."""
        ...

    def remove_delegate(self, email: str) -> None:
        """Revoke a person's access."""
        ...


class AppCalendar(Protocol):
    """The Calendar v3 operations the app API uses, acting as the caller."""

    def get_event(self, calendar_id: str, event_id: str, *, fields: str | None = ...) -> Mapping[str, Any]:
        """``events.get``."""
        ...

    def patch_event(
        self,
        calendar_id: str,
        event_id: str,
        body: Mapping[str, Any],
        *,
        etag: str | None,
        send_updates: str = ...,
        conference_data_version: int | None = ...,
    ) -> Mapping[str, Any]:
        """``events.patch`` with If-Match."""
        ...

    def insert_event(
        self,
        calendar_id: str,
        body: Mapping[str, Any],
        *,
        send_updates: str = ...,
        conference_data_version: int | None = ...,
    ) -> Mapping[str, Any]:
        """``events.insert``."""
        ...

    def quick_add(self, calendar_id: str, text: str, *, send_updates: str = ...) -> Mapping[str, Any]:
        """``events.quickAdd``."""
        ...

    def delete_event(self, calendar_id: str, event_id: str, *, send_updates: str = ..., etag: str | None = ...) -> None:
        """``events.delete``."""
        ...

    def free_busy(self, calendar_ids: Sequence[str], time_min: datetime, time_max: datetime) -> Busy:
        """``freebusy.query``."""
        ...

    def insert_acl(
        self,
        calendar_id: str,
        role: str,
        scope_type: str,
        scope_value: str | None = ...,
        *,
        send_notifications: bool = ...,
    ) -> Mapping[str, Any]:
        """``acl.insert``."""
        ...

    def delete_acl(self, calendar_id: str, rule_id: str) -> None:
        """``acl.delete``."""
        ...

    def list_acl(self, calendar_id: str) -> Sequence[Mapping[str, Any]]:
        """``acl.list``."""
        ...


class AppDirectory(Protocol):
    """Gives the calendar client acting as one principal (``GoogleCalendarDirectory`` is one)."""

    def calendar_for(self, org: Org, principal: Principal) -> AppCalendar:
        """The client acting for ``principal``."""
        ...

    def meetings_for(self, org: Org, principal: Principal) -> MeetingCalendar:
        """The principal's own calendar, in domain values, acting for ``principal``."""
        ...


class AclCalendar(Protocol):
    """The ACL read the delegates list needs, acting as the caller."""

    def list_acl(self, calendar_id: str) -> Sequence[Mapping[str, Any]]:
        """``acl.list``."""
        ...
