"""The Calendar gateway: every Google Calendar operation the services use, in domain values only.

Each role below is one narrow Protocol and takes the acting ``(org, principal)`` explicitly (a room
acts through its org's room delegate). ``CalendarGateway`` gathers the roles; one adapter implements
it, the composition root hands that one object to every service, and each service is typed with
the role it uses. Wire formats (camelCase JSON, etags in headers, error bodies) stay in the adapter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

import msgspec

from shared.domain.events import CalendarEvent
from shared.domain.meetings import ResponseStatus
from shared.domain.principals import Org, Principal
from shared.domain.rooms import RoomEvent

Busy = dict[str, tuple[tuple[datetime, datetime], ...] | None]
"""Busy intervals per email (None where Google could not tell)."""


class CalendarEventPage(msgspec.Struct, frozen=True):
    """One page of events, mapped to the neutral ``CalendarEvent`` view."""

    events: tuple[CalendarEvent, ...]
    next_page_token: str | None = None
    next_sync_token: str | None = None


class ChannelInfo(msgspec.Struct, frozen=True):
    """What ``events.watch`` answered."""

    id: str
    resource_id: str
    expiration: datetime


class NewEvent(msgspec.Struct, frozen=True):
    """An event to create on the caller's calendar."""

    title: str
    description: str
    location: str
    start: datetime
    end: datetime
    time_zone: str
    attendees: tuple[str, ...] = ()


class AccessRule(msgspec.Struct, frozen=True):
    """One sharing rule of a calendar: who (a scope) may do what (a role)."""

    rule_id: str
    role: str
    scope_type: str
    scope_value: str | None = None
    etag: str | None = None


class EventQuery(msgspec.Struct, frozen=True):
    """Which page of a calendar's events to list: incremental after ``sync_token``, or inside a window."""

    sync_token: str | None = None
    time_min: datetime | None = None
    time_max: datetime | None = None
    page_token: str | None = None
    single_events: bool = False
    """Recurring series as their instances (and no master)."""
    max_results: int | None = None
    instances_only: bool = False
    """Answer only instances of recurring series: one-off events are dropped before they are mapped."""


@dataclass(frozen=True, slots=True)
class WatchRequest:
    """A push channel to open: its id, the token Google echoes, where it posts and for how long."""

    channel_id: str
    token: str = field(repr=False)
    address: str
    ttl_seconds: int


class JoinWrite(msgspec.Struct, frozen=True):
    """The join details to write: the description and private properties (None deletes one), If-Match ``etag``."""

    description: str
    private: Mapping[str, str | None]
    etag: str | None
    send_updates: str


class SyncCalendar(Protocol):
    """Listing a calendar's events and its push channels (the sync pipeline and the channel upkeep)."""

    def events_page(self, org: Org, principal: Principal, calendar_id: str, query: EventQuery) -> CalendarEventPage:
        """One page of events, deleted ones included (raises SyncTokenExpired when Google forgot the sync token)."""
        ...

    def instances_page(
        self, org: Org, principal: Principal, calendar_id: str, event_id: str, query: EventQuery
    ) -> CalendarEventPage:
        """One page of a recurring master's instances inside the query's window, cancelled ones included."""
        ...

    def watch(self, org: Org, principal: Principal, calendar_id: str, request: WatchRequest) -> ChannelInfo:
        """Open a push channel on the calendar."""
        ...

    def stop_channel(self, org: Org, principal: Principal, channel_id: str, resource_id: str) -> None:
        """Stop a push channel (NotFound when Google no longer knows it)."""
        ...


class JoinDetailEditor(Protocol):
    """Reading an organiser's event and writing its join details (the rewrite and the add-on)."""

    def read_event(self, org: Org, principal: Principal, calendar_id: str, event_id: str) -> CalendarEvent:
        """One event, its etag along."""
        ...

    def write_join(
        self, org: Org, principal: Principal, calendar_id: str, event_id: str, write: JoinWrite
    ) -> CalendarEvent:
        """Write the join details if the event still has the etag (PreconditionFailed when it changed meanwhile)."""
        ...


class MeetingWrites(Protocol):
    """The caller's writes to their own calendar (the meetings app)."""

    def quick_add(self, org: Org, principal: Principal, text: str) -> CalendarEvent:
        """Create an event from one line of text."""
        ...

    def insert_event(self, org: Org, principal: Principal, new: NewEvent) -> CalendarEvent:
        """Create an event (attendees deduplicated, case-insensitively)."""
        ...

    def delete_event(self, org: Org, principal: Principal, event_id: str) -> None:
        """Delete an event (for a guest: remove it from their calendar)."""
        ...

    def respond(self, org: Org, principal: Principal, event_id: str, response: ResponseStatus) -> CalendarEvent:
        """Set the principal's own answer on an event (If-Match, one retry when it changed meanwhile)."""
        ...


class Availability(Protocol):
    """Free/busy of people, asked as the caller."""

    def free_busy(self, org: Org, principal: Principal, emails: Sequence[str], start: datetime, end: datetime) -> Busy:
        """Busy intervals of each person inside [start, end)."""
        ...


class Sharing(Protocol):
    """The sharing rules of the caller's own calendar (delegates)."""

    def access_rules(self, org: Org, principal: Principal) -> tuple[AccessRule, ...]:
        """Every rule of the principal's calendar."""
        ...

    def grant_access(self, org: Org, principal: Principal, email: str, role: str) -> str:
        """Let a person have ``role`` on the principal's calendar; the rule id."""
        ...

    def revoke_access(self, org: Org, principal: Principal, email: str) -> None:
        """Remove a person's rule from the principal's calendar."""
        ...


class RoomAttendance(Protocol):
    """The room's copy of a meeting instance, through the org's room delegate (room release)."""

    def room_event(self, org: Org, room: Principal, event_id: str) -> RoomEvent:
        """What Google says now about the room's copy of one instance."""
        ...

    def decline_room(self, org: Org, room: Principal, event_id: str, *, etag: str | None, send_updates: str) -> None:
        """Decline the room's attendance of an instance read before (If-Match on ``etag``), with the release note."""
        ...


class CallerCalendar(MeetingWrites, Availability, Sharing, Protocol):
    """What the meetings app does as its caller: writes to their calendar, free/busy, sharing."""


class CalendarGateway(SyncCalendar, JoinDetailEditor, MeetingWrites, Availability, Sharing, RoomAttendance, Protocol):
    """Every Calendar operation of the service, in domain values, acting as the principal it is given."""


class SyncListing(msgspec.Struct, frozen=True):
    """The listing part of :class:`SyncCalendar` bound to one acting principal (what the sync helpers pass on);
    the keyword options are :class:`EventQuery`'s."""

    calendar: SyncCalendar
    org: Org
    principal: Principal

    def events_page(self, calendar_id: str, **options: Any) -> CalendarEventPage:
        """:meth:`SyncCalendar.events_page` as this principal."""
        return self.calendar.events_page(self.org, self.principal, calendar_id, EventQuery(**options))

    def instances_page(self, calendar_id: str, event_id: str, **options: Any) -> CalendarEventPage:
        """:meth:`SyncCalendar.instances_page` as this principal."""
        return self.calendar.instances_page(self.org, self.principal, calendar_id, event_id, EventQuery(**options))
