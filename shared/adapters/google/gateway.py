"""``GoogleCalendarGateway``: the ``CalendarGateway`` port over Calendar v3, acting as the principal it is given.

Every call picks the Calendar client of the acting principal (a room: the org's room delegate)
from the lazily built Google stack, sends a body one of the mapper modules built and maps the
answer before it returns: services see domain values only. One Google call per operation, as
the Calendar client makes it (``respond`` reads, then patches, and retries once on 412).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict
from datetime import datetime
from typing import TYPE_CHECKING, Any

import msgspec.structs

from shared.adapters.google.acl import rule_from_api, user_rule
from shared.adapters.google.mappers import (
    answer_patch,
    calendar_event_from_api,
    event_from_api,
    insert_body,
    join_patch,
)
from shared.adapters.google.room_attendance import FIELDS as ROOM_FIELDS
from shared.adapters.google.room_attendance import MAX_HELD, decline_body, room_event_from_api
from shared.domain.events import CalendarEvent
from shared.domain.meetings import ResponseStatus
from shared.domain.principals import Org, Principal
from shared.domain.rooms import RoomEvent
from shared.errors import NotFound, PreconditionFailed
from shared.ports.calendar import (
    AccessRule,
    Busy,
    CalendarEventPage,
    ChannelInfo,
    EventQuery,
    JoinWrite,
    NewEvent,
    WatchRequest,
)

if TYPE_CHECKING:
    from shared.adapters.google.calendar import EventPage, GoogleCalendar

PRIMARY = "primary"


def _mapped(page: EventPage, *, instances_only: bool = False) -> CalendarEventPage:
    items = [i for i in page.items if i.get("recurringEventId")] if instances_only else page.items
    return CalendarEventPage(
        events=tuple(calendar_event_from_api(item) for item in items),
        next_page_token=page.next_page_token,
        next_sync_token=page.next_sync_token,
    )


class GoogleCalendarGateway:
    """The one adapter of ``CalendarGateway``: ``calendars(org, principal)`` gives the client acting for them."""

    def __init__(self, calendars: Callable[[Org, Principal], GoogleCalendar]) -> None:
        self._calendars = calendars
        self._lock = threading.Lock()
        self._room_reads: dict[tuple[str, str, str], Mapping[str, Any]] = {}

    # ------------------------------------------------------------ SyncCalendar

    def events_page(self, org: Org, principal: Principal, calendar_id: str, query: EventQuery) -> CalendarEventPage:
        """``events.list`` with deleted events: masters unexpanded unless ``single_events`` asks for instances."""
        options = msgspec.structs.asdict(query)
        instances_only = options.pop("instances_only")
        page = self._calendars(org, principal).list_events(calendar_id, show_deleted=True, **options)
        return _mapped(page, instances_only=instances_only)

    def instances_page(
        self, org: Org, principal: Principal, calendar_id: str, event_id: str, query: EventQuery
    ) -> CalendarEventPage:
        """``events.instances`` with cancelled instances."""
        calendar, q = self._calendars(org, principal), query
        page = calendar.instances(
            calendar_id, event_id, time_min=q.time_min, time_max=q.time_max, page_token=q.page_token, show_deleted=True
        )
        return _mapped(page)

    def watch(self, org: Org, principal: Principal, calendar_id: str, request: WatchRequest) -> ChannelInfo:
        """``events.watch``."""
        return self._calendars(org, principal).watch(calendar_id, **asdict(request))

    def stop_channel(self, org: Org, principal: Principal, channel_id: str, resource_id: str) -> None:
        """``channels.stop``."""
        self._calendars(org, principal).stop_channel(channel_id, resource_id)

    # ------------------------------------------------------------ JoinDetails

    def read_event(self, org: Org, principal: Principal, calendar_id: str, event_id: str) -> CalendarEvent:
        """``events.get``, mapped (the etag comes along)."""
        return calendar_event_from_api(self._calendars(org, principal).get_event(calendar_id, event_id))

    def write_join(
        self, org: Org, principal: Principal, calendar_id: str, event_id: str, write: JoinWrite
    ) -> CalendarEvent:
        """``events.patch`` of the description and private properties with If-Match on the etag."""
        body = join_patch(write.description, write.private)
        answer = self._calendars(org, principal).patch_event(
            calendar_id, event_id, body, etag=write.etag, send_updates=write.send_updates
        )
        return calendar_event_from_api(answer)

    # ------------------------------------------------------------ MeetingWrites

    def quick_add(self, org: Org, principal: Principal, text: str) -> CalendarEvent:
        """``events.quickAdd`` on the principal's primary calendar."""
        return calendar_event_from_api(self._calendars(org, principal).quick_add(PRIMARY, text))

    def insert_event(self, org: Org, principal: Principal, new: NewEvent) -> CalendarEvent:
        """``events.insert`` on the principal's primary calendar."""
        return calendar_event_from_api(self._calendars(org, principal).insert_event(PRIMARY, insert_body(new)))

    def delete_event(self, org: Org, principal: Principal, event_id: str) -> None:
        """``events.delete``."""
        self._calendars(org, principal).delete_event(PRIMARY, event_id)

    def respond(self, org: Org, principal: Principal, event_id: str, response: ResponseStatus) -> CalendarEvent:
        """``events.get`` then ``events.patch`` of the principal's own attendee entry (If-Match, one retry on 412)."""
        calendar = self._calendars(org, principal)
        for attempt in (1, 2):
            event = event_from_api(calendar.get_event(PRIMARY, event_id, fields=None))
            body = answer_patch(event, principal.email, response.value)
            try:
                patched = calendar.patch_event(PRIMARY, event_id, body, etag=event.etag)
            except PreconditionFailed:
                if attempt == 2:
                    raise
                continue
            return calendar_event_from_api(patched)
        raise PreconditionFailed("the meeting changed while answering; try again")  # pragma: no cover

    # ------------------------------------------------------------ Availability, Sharing

    def free_busy(self, org: Org, principal: Principal, emails: Sequence[str], start: datetime, end: datetime) -> Busy:
        """``freebusy.query`` as the principal."""
        return self._calendars(org, principal).free_busy(emails, start, end)

    def access_rules(self, org: Org, principal: Principal) -> tuple[AccessRule, ...]:
        """``acl.list`` of the principal's primary calendar."""
        return tuple(rule_from_api(r) for r in self._calendars(org, principal).list_acl(PRIMARY))

    def grant_access(self, org: Org, principal: Principal, email: str, role: str) -> str:
        """``acl.insert`` of a user rule; the rule id (``user:<email>`` when Google gives none)."""
        wanted = user_rule(email, role)
        rule = self._calendars(org, principal).insert_acl(PRIMARY, role, "user", email)
        return str(rule.get("id") or wanted.rule_id)

    def revoke_access(self, org: Org, principal: Principal, email: str) -> None:
        """``acl.delete`` of the rule ``user:<email>``."""
        self._calendars(org, principal).delete_acl(PRIMARY, user_rule(email, "none").rule_id)

    # ------------------------------------------------------------ RoomAttendance

    def room_event(self, org: Org, room: Principal, event_id: str) -> RoomEvent:
        """``events.get`` of the room's copy (its attendees kept for the decline that may follow)."""
        event = self._calendars(org, room).get_event(room.email, event_id, fields=ROOM_FIELDS)
        with self._lock:
            if len(self._room_reads) >= MAX_HELD:  # reads not followed by a decline (exempt, already declined)
                self._room_reads.clear()
            self._room_reads[(org.id, room.id, event_id)] = event
        return room_event_from_api(event, room.email)

    def decline_room(self, org: Org, room: Principal, event_id: str, *, etag: str | None, send_updates: str) -> None:
        """``events.patch`` of this instance: the room attendee declined with the release note."""
        with self._lock:
            event = self._room_reads.pop((org.id, room.id, event_id), None)
        if event is None:
            raise NotFound("read the event before declining it")
        body = decline_body(event, room.email)
        self._calendars(org, room).patch_event(room.email, event_id, body, etag=etag, send_updates=send_updates)
