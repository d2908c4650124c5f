"""Google Calendar ports."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from shared.domain.events import CalendarEvent
from shared.domain.principals import Org, Principal


@dataclass(frozen=True, slots=True)
class EventPage:
    """One page of ``events.list`` or ``events.instances``."""

    items: tuple[Mapping[str, Any], ...]
    next_page_token: str | None = None
    next_sync_token: str | None = None


class CalendarApi(Protocol):
    """The Calendar v3 operations the service uses, acting as one delegated subject."""

    def list_events(
        self,
        calendar_id: str,
        *,
        sync_token: str | None = None,
        time_min: datetime | None = None,
        time_max: datetime | None = None,
        page_token: str | None = None,
    ) -> EventPage:
        """One page of events (incremental when ``sync_token`` is given)."""
        ...

    def get_event(self, calendar_id: str, event_id: str) -> Mapping[str, Any]:
        """One event."""
        ...

    def patch_event(
        self, calendar_id: str, event_id: str, body: Mapping[str, Any], *, etag: str | None
    ) -> Mapping[str, Any]:
        """Patch an event with If-Match on ``etag``."""
        ...


class GmailApi(Protocol):
    """The Gmail settings operation the service uses."""

    def get_vacation(self, user_id: str) -> Mapping[str, Any]:
        """``users.settings.getVacation`` for one user."""
        ...


@dataclass(frozen=True, slots=True)
class CalendarEventPage:
    """One page of events, mapped to the neutral ``CalendarEvent`` view."""

    events: tuple[CalendarEvent, ...]
    next_page_token: str | None = None
    next_sync_token: str | None = None


@dataclass(frozen=True, slots=True)
class ChannelInfo:
    """What ``events.watch`` answered."""

    id: str
    resource_id: str
    expiration: datetime


class SyncCalendarApi(Protocol):
    """Calendar v3 operations of the sync pipeline, acting as the calendar's delegated subject."""

    def events_page(
        self,
        calendar_id: str,
        *,
        sync_token: str | None = None,
        time_min: datetime | None = None,
        time_max: datetime | None = None,
        page_token: str | None = None,
        single_events: bool = False,
        max_results: int | None = None,
    ) -> CalendarEventPage:
        """One page of ``events.list`` (incremental with ``sync_token``; raises SyncTokenExpired on 410).

        With ``single_events`` recurring series come as their instances (and no master).
        """
        ...

    def instances_page(
        self, calendar_id: str, event_id: str, *, time_min: datetime, time_max: datetime, page_token: str | None = None
    ) -> CalendarEventPage:
        """One page of ``events.instances`` of a recurring master inside [time_min, time_max)."""
        ...

    def watch(self, calendar_id: str, *, channel_id: str, token: str, address: str, ttl_seconds: int) -> ChannelInfo:
        """``events.watch``: open a push channel."""
        ...

    def stop_channel(self, channel_id: str, resource_id: str) -> None:
        """``channels.stop``."""
        ...


class CalendarDirectory(Protocol):
    """Gives the calendar operations for one principal of one org (delegated as that principal)."""

    def calendar_for(self, org: Org, principal: Principal) -> SyncCalendarApi:
        """The calendar client acting for ``principal`` (rooms: acting for the org's delegate)."""
        ...


class EventEditor(Protocol):
    """Reads and patches one event on a calendar (the join-detail rewrite)."""

    def read(self, calendar_id: str, event_id: str) -> CalendarEvent:
        """``events.get``, mapped; the etag comes along."""
        ...

    def write_join(
        self,
        calendar_id: str,
        event_id: str,
        *,
        description: str,
        private: Mapping[str, str | None],
        etag: str | None,
        send_updates: str,
    ) -> CalendarEvent:
        """``events.patch`` of the description and private properties (None deletes) with If-Match."""
        ...
