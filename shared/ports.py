"""Ports: the interfaces services are written against (``typing.Protocol``).

Adapters in ``shared/adapters`` implement them: SQLite or Firestore for the document store,
the in-process queue or Pub/Sub for the bus, a local key file or Cloud KMS for the
key-encryption key, the Google client layer (or the emulator) for Calendar and Gmail.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from shared.clock import Clock
from shared.documents import Document, Query, WriteOp
from shared.domain.events import CalendarEvent
from shared.domain.joindetails import JoinDetails
from shared.domain.meetings import Meeting
from shared.domain.presence import JoinButtonNotice, Presence
from shared.domain.principals import Device, Org, Principal
from shared.domain.sync import SyncState, WatchChannel

__all__ = [
    "BusMessage",
    "CalendarApi",
    "Cipher",
    "Clock",
    "ConferencingProvider",
    "DocumentStore",
    "EventPage",
    "GmailApi",
    "KeyEncryptionKey",
    "MessageBus",
    "Stores",
]


# ---------------------------------------------------------------- document store


class DocumentStore(Protocol):
    """A document database with atomic batches and compare-and-set (SQLite or Firestore)."""

    def get(self, path: str) -> Document | None:
        """Read one document, or None."""
        ...

    def get_all(self, paths: Sequence[str]) -> list[Document | None]:
        """Read several documents in one round trip, in the order asked."""
        ...

    def query(self, query: Query) -> Iterator[Document]:
        """Stream the documents a query matches."""
        ...

    def write(self, ops: Sequence[WriteOp]) -> None:
        """Apply up to 500 writes atomically; raise PreconditionFailed or Conflict."""
        ...

    def bulk_write(self, ops: Sequence[WriteOp]) -> None:
        """Apply many unconditional writes in batches (not atomic as a whole)."""
        ...

    def purge_expired(self, now: datetime) -> int:
        """Delete documents whose ``expireAt`` has passed (a no-op where TTL does it)."""
        ...

    def atomic(self) -> AbstractContextManager[object]:
        """Group this thread's writes (and a bound local bus's publishes) into one transaction where the
        store has transactions across calls (SQLite); elsewhere each write commits on its own."""
        ...

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once this thread's ``atomic()`` block commits (at once outside one)."""
        ...

    def after_rollback(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` if this thread's ``atomic()`` block rolls back (never outside one)."""
        ...

    def scrub(self) -> bool:
        """Make deleted data unrecoverable from the store's own files (SQLite: checkpoint and truncate the WAL)."""
        ...

    def check(self) -> str | None:
        """None when the store is readable and sound, else what is wrong (for /healthz)."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


# ---------------------------------------------------------------- typed stores


class Stores(Protocol):
    """The typed stores services use; one object over one document store and one cipher."""

    def atomic(self) -> AbstractContextManager[object]:
        """One transaction for this thread's writes and a bound local bus's publishes, where the store has one."""
        ...

    def get_org(self, org_id: str) -> Org | None:
        """Read an org."""
        ...

    def put_org(self, org: Org, service_account_key: str | None = None, *, create: bool = False) -> None:
        """Create (Conflict if it exists) or replace an org; the key is stored encrypted."""
        ...

    def put_org_secret(self, org_id: str, name: str, value: str | None) -> None:
        """Seal (or remove) a named secret of an org."""
        ...

    def org_secret(self, org_id: str, name: str) -> str | None:
        """Open a named secret of an org."""
        ...

    def destroy_principal_data(self, org_id: str, principal_id: str) -> int:
        """Delete everything stored for a principal and shred its key material."""
        ...

    def count_meetings(self, org_id: str, principal_id: str) -> int:
        """How many meetings are stored for one calendar."""
        ...

    def get_device(self, device_id: str) -> Device | None:
        """Read a device by id."""
        ...

    def record_decision(
        self, org_id: str, principal_id: str, event_id: str, outcome: str, reason: str | None, at: datetime
    ) -> None:
        """Remember what the join-detail rewrite decided for one event."""
        ...

    def list_decisions(self, org_id: str, principal_id: str, limit: int = 20) -> list[dict[str, object]]:
        """The latest join-detail decisions for a principal."""
        ...

    def list_orgs(self) -> list[Org]:
        """Every org of the deployment."""
        ...

    def get_principal(self, org_id: str, principal_id: str) -> Principal | None:
        """Read a principal by id."""
        ...

    def find_principal(self, org_id: str, email: str) -> Principal | None:
        """Read a principal by email (through its blind index)."""
        ...

    def put_principal(self, principal: Principal, *, if_version: str | None = None) -> None:
        """Create or replace a principal."""
        ...

    def list_principals(self, org_id: str, *, active_only: bool = False) -> list[Principal]:
        """Principals of an org."""
        ...

    def put_meetings(self, meetings: Sequence[Meeting], now: datetime) -> int:
        """Store meetings inside the retention window; return how many were written."""
        ...

    def delete_meetings(self, org_id: str, principal_id: str, event_ids: Sequence[str]) -> int:
        """Delete meetings of one calendar by event id."""
        ...

    def list_meetings(
        self, org_id: str, principal_id: str, start: datetime, end: datetime, now: datetime
    ) -> list[Meeting]:
        """Meetings of one calendar overlapping [start, end), inside the window at ``now``."""
        ...

    def get_meeting(self, org_id: str, principal_id: str, event_id: str, now: datetime) -> Meeting | None:
        """One meeting of one calendar, if inside the window."""
        ...

    def meeting_event_ids(self, org_id: str, principal_id: str) -> set[str]:
        """Event ids stored for one calendar."""
        ...

    def meeting_etags(self, org_id: str, principal_id: str) -> dict[str, str | None]:
        """Event id → etag of every meeting stored for one calendar."""
        ...

    def series_event_ids(self, org_id: str, principal_id: str, series_id: str) -> list[str]:
        """Event ids stored for one recurring series on one calendar."""
        ...

    def principal_id(self, org_id: str, email: str) -> str:
        """The stable id of the principal with this email."""
        ...

    def channels_of(self, org_id: str, principal_id: str) -> list[WatchChannel]:
        """Every channel recorded for one calendar."""
        ...

    def service_account_key(self, org_id: str) -> str | None:
        """The org's stored service-account key JSON, opened."""
        ...

    def get_sync_state(self, org_id: str, principal_id: str) -> tuple[SyncState, str | None]:
        """The sync state and its version (None when it was never written)."""
        ...

    def put_sync_state(self, state: SyncState, *, if_version: str | None, create: bool) -> str:
        """Compare-and-set the sync state; return the new version."""
        ...

    def put_channel(self, channel: WatchChannel) -> None:
        """Create or replace a watch channel."""
        ...

    def get_channel(self, channel_id: str) -> WatchChannel | None:
        """Read a channel by id (ids are global)."""
        ...

    def mark_stop_requested(self, channel_id: str, at: datetime, *, seen: datetime | None) -> bool:
        """Record that a stop was asked for a channel unless another request got there first."""
        ...

    def put_presence(self, presence: Presence) -> None:
        """Replace a principal's presence."""
        ...

    def get_presence(self, org_id: str, principal_id: str) -> Presence | None:
        """Read a principal's presence."""
        ...

    def record_notice(self, notice: JoinButtonNotice, now: datetime) -> bool:
        """Store a notice if none exists for its key; True when this call stored it."""
        ...

    def put_device(self, device: Device) -> None:
        """Create or replace a device."""
        ...

    def devices_of(self, org_id: str, room_id: str) -> list[Device]:
        """Every device of one room, oldest first."""
        ...

    def delete_device(self, device_id: str) -> None:
        """Delete a device (its token stops working at once)."""
        ...

    def delete_principal(self, org_id: str, principal_id: str) -> None:
        """Delete a principal's own record (the purge after deactivation)."""
        ...

    def org_secret_names(self, org_id: str) -> frozenset[str]:
        """The names of an org's sealed secrets (never their values)."""
        ...


# ---------------------------------------------------------------- bus


@dataclass(frozen=True, slots=True)
class BusMessage:
    """A message as handlers receive it."""

    topic: str
    data: bytes
    attributes: Mapping[str, str] = field(default_factory=dict)
    ordering_key: str | None = None
    message_id: str = ""
    publish_time: datetime | None = None
    delivery_attempt: int = 1


Handler = Callable[[BusMessage], None]


class MessageBus(Protocol):
    """Publish messages to topics; deliver them at least once, in order per ordering key."""

    def publish(
        self,
        topic: str,
        data: bytes,
        *,
        ordering_key: str | None = None,
        attributes: Mapping[str, str] | None = None,
    ) -> str:
        """Publish and return the message id once the bus has accepted the message."""
        ...

    def subscribe(self, topic: str, handler: Handler, *, name: str | None = None) -> None:
        """Add a subscription delivering ``topic`` to ``handler`` (embedded runtime and tests)."""
        ...

    def close(self) -> None:
        """Stop delivering and release resources."""
        ...


# ---------------------------------------------------------------- keys


class KeyEncryptionKey(Protocol):
    """Wraps and unwraps data-encryption keys: Cloud KMS, or the local key file."""

    @property
    def name(self) -> str:
        """A stable identifier of the key (a KMS key name or ``local:<fingerprint>``)."""
        ...

    def wrap(self, plaintext: bytes, aad: bytes) -> bytes:
        """Encrypt a data key under associated data."""
        ...

    def unwrap(self, ciphertext: bytes, aad: bytes) -> bytes:
        """Decrypt a data key; raise IntegrityError when it does not authenticate."""
        ...


class Cipher(Protocol):
    """Field encryption bound to its location, and blind indexes for lookups."""

    def encrypt(self, org_id: str, plaintext: bytes, aad: bytes, *, principal_id: str | None = None) -> str:
        """Encrypt ``plaintext`` for an org (and principal) under ``aad``; return a token."""
        ...

    def decrypt(self, org_id: str, token: str, aad: bytes, *, principal_id: str | None = None) -> bytes:
        """Decrypt a token; raise IntegrityError on tampering or a moved ciphertext."""
        ...

    def blind_index(self, org_id: str, value: str, purpose: str) -> str:
        """A keyed hash of ``value`` for equality lookups without storing it."""
        ...

    def shred(self, org_id: str, principal_id: str) -> None:
        """Destroy a principal's key material so its ciphertexts never decrypt again."""
        ...


# ---------------------------------------------------------------- Google APIs


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


class ConferencingProvider(Protocol):
    """Makes join details for a meeting (a personal room, a space, or a Webex meeting)."""

    @property
    def name(self) -> str:
        """The provider's configuration name."""
        ...

    def join_details(
        self, org: Org, organizer: Principal, meeting: Meeting, action: str, existing_ref: str | None
    ) -> JoinDetails:
        """Join details for ``meeting`` under the keyword ``action`` (reusing ``existing_ref`` when given)."""
        ...

    def release(self, org: Org, organizer: Principal, meeting_ref: str) -> None:
        """Release what ``join_details`` created (a space or an API meeting)."""
        ...


# ---------------------------------------------------------------- calendar operations the sync pipeline uses


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
    ) -> CalendarEventPage:
        """One page of ``events.list`` (incremental with ``sync_token``; raises SyncTokenExpired on 410)."""
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
