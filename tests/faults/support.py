"""Helpers for the fault tests: the emulator's truth, the stored view, captured pushes and fault-injecting wrappers.

The wrappers are small decorators around the real adapters (no mocks): one makes the store fail
the sync-token write once (a crash between storing meetings and storing the token), one
invalidates the calendar's sync tokens after the first page of an incremental listing (410 in
the middle of paging).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx

from emulator.client import ControlClient
from shared.domain.principals import Org, Principal
from shared.domain.sync import SyncState
from shared.errors import Unavailable
from shared.ports import CalendarEventPage, ChannelInfo, SyncCalendar
from shared.ports.calendar import EventQuery, WatchRequest
from shared.ports.stores import SyncStateRepository
from shared.ports.stores.calendars import SyncSubject
from shared.services.sync import SyncService
from tests.support.world import PUBLIC_URL, T0, World
from tests.support.world import stored as stored
from tests.support.world import truth as truth

ALICE, BOB = "alice@example.com", "bob@example.com"


def event_body(summary: str, start_hours: float, *, attendees: tuple[str, ...] = ()) -> dict[str, Any]:
    """An Events resource starting ``start_hours`` after T0, 30 minutes long."""
    start = T0 + timedelta(hours=start_hours)
    return {
        "summary": summary,
        "start": {"dateTime": start.isoformat(), "timeZone": "Europe/Berlin"},
        "end": {"dateTime": (start + timedelta(minutes=30)).isoformat(), "timeZone": "Europe/Berlin"},
        "attendees": [{"email": a} for a in attendees],
    }


def create(world: World, who: str, body: dict[str, Any]) -> dict[str, Any]:
    """Insert an event on ``who``'s calendar as ``who`` (a user acting by hand)."""
    with world.http(who) as http:
        response = http.post(f"/calendar/v3/calendars/{who}/events", json=body)
    assert response.status_code == 200, response.text
    created: dict[str, Any] = response.json()
    return created


def create_many(world: World, who: str, bodies: list[dict[str, Any]]) -> list[str]:
    """Insert many events through one authorised client; return their ids."""
    ids = []
    with world.http(who) as http:
        for body in bodies:
            response = http.post(f"/calendar/v3/calendars/{who}/events", json=body)
            assert response.status_code == 200, response.text
            ids.append(str(response.json()["id"]))
    return ids


def delete_many(world: World, who: str, event_ids: list[str]) -> None:
    """Delete many events through one authorised client."""
    with world.http(who) as http:
        for event_id in event_ids:
            assert http.delete(f"/calendar/v3/calendars/{who}/events/{event_id}").status_code == 204


def rename(world: World, who: str, event_id: str, summary: str) -> None:
    """PATCH an event's title."""
    with world.http(who) as http:
        response = http.patch(f"/calendar/v3/calendars/{who}/events/{event_id}", json={"summary": summary})
    assert response.status_code == 200, response.text


def delete(world: World, who: str, event_id: str) -> None:
    """DELETE an event."""
    with world.http(who) as http:
        assert http.delete(f"/calendar/v3/calendars/{who}/events/{event_id}").status_code == 204


def pid(world: World, email: str) -> str:
    """The principal id of ``email``."""
    return world.app.stores.principals.principal_id(world.org.id, email)


def principal(world: World, email: str) -> Principal:
    """The stored principal of ``email``."""
    found = world.app.stores.principals.find_principal(world.org.id, email)
    assert found is not None
    return found


def statuses(control: ControlClient, operation: str) -> dict[str, int]:
    """Status → count of one operation in the emulator's request log."""
    counts: dict[str, int] = control.requests()["countsByOperationStatus"].get(operation, {})
    return dict(counts)


@dataclass(frozen=True, slots=True)
class CapturedPush:
    """One push notification as the webhook received it."""

    headers: dict[str, str]
    status: int


class RecordingTransport(httpx.BaseTransport):
    """Forwards the emulator's pushes to the runtime and keeps a copy of each (for replays)."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self._inner = inner
        self._lock = threading.Lock()
        self.pushes: list[CapturedPush] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Deliver, then record the headers and the webhook's status."""
        response = self._inner.handle_request(request)
        response.read()
        headers = {k: v for k, v in request.headers.items() if k.lower().startswith("x-goog-")}
        with self._lock:
            self.pushes.append(CapturedPush(headers, response.status_code))
        return response


def post_notification(world: World, headers: dict[str, str]) -> httpx.Response:
    """POST a notification to the runtime's webhook, as Google would."""
    with httpx.Client(transport=httpx.WSGITransport(app=world.runtime), base_url=PUBLIC_URL) as client:
        return client.post("/calendar_webhook", headers=headers, content=b"")


class FailTokenWriteOnce:
    """A sync-state repository whose first write of a new sync token fails, as if the process died right there."""

    def __init__(self, inner: SyncStateRepository) -> None:
        self._inner = inner
        self.failed = 0

    def put_sync_state(self, state: SyncState, *, if_version: str | None, create: bool) -> str:
        """Fail (once) the write that would store a new sync token; pass every other write through."""
        current, _ = self._inner.get_sync_state(state.org_id, state.principal_id)
        if not self.failed and state.sync_token != current.sync_token:
            self.failed += 1
            raise Unavailable("simulated crash before the sync token was stored")
        return self._inner.put_sync_state(state, if_version=if_version, create=create)

    def get_sync_state(self, org_id: str, principal_id: str) -> tuple[SyncState, str | None]:
        """The stored sync state, unchanged."""
        return self._inner.get_sync_state(org_id, principal_id)

    def sync_subject(self, org_id: str, principal_id: str) -> SyncSubject:
        """The stored org, principal and sync state, unchanged."""
        return self._inner.sync_subject(org_id, principal_id)


class PassThroughSync:
    """The gateway's sync role passed through unchanged; a fault decorator overrides what it changes."""

    def __init__(self, inner: SyncCalendar) -> None:
        self._inner = inner

    def events_page(self, org: Org, principal: Principal, calendar_id: str, query: EventQuery) -> CalendarEventPage:
        """One real page."""
        return self._inner.events_page(org, principal, calendar_id, query)

    def instances_page(
        self, org: Org, principal: Principal, calendar_id: str, event_id: str, query: EventQuery
    ) -> CalendarEventPage:
        """One real page of instances."""
        return self._inner.instances_page(org, principal, calendar_id, event_id, query)

    def watch(self, org: Org, principal: Principal, calendar_id: str, request: WatchRequest) -> ChannelInfo:
        """A real watch."""
        return self._inner.watch(org, principal, calendar_id, request)

    def stop_channel(self, org: Org, principal: Principal, channel_id: str, resource_id: str) -> None:
        """A real stop."""
        self._inner.stop_channel(org, principal, channel_id, resource_id)


class InvalidatingCalendar(PassThroughSync):
    """After the first page of an incremental listing, Google forgets the calendar's sync tokens."""

    def __init__(self, inner: SyncCalendar, control: ControlClient) -> None:
        super().__init__(inner)
        self._control = control
        self.invalidated = 0

    def events_page(self, org: Org, principal: Principal, calendar_id: str, query: EventQuery) -> CalendarEventPage:
        """One real page; invalidates the calendar's sync tokens once a paged incremental listing began."""
        page = super().events_page(org, principal, calendar_id, query)
        if query.sync_token and page.next_page_token and not self.invalidated:
            self._control.invalidate_sync_tokens(calendar_id)
            self.invalidated += 1
        return page


def sync_service(
    world: World, calendar: SyncCalendar, *, sync_states: SyncStateRepository | None = None
) -> SyncService:
    """A sync service over the world's repositories, bus and clock (``sync_states`` replaces that one repository)."""
    s = world.app.stores
    states = sync_states or s.sync_states
    return SyncService(
        s.orgs, s.principals, s.meetings, s.decisions, s.transactions, states, world.app.bus, calendar, world.clock
    )
