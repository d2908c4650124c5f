"""Repository ports: one small Protocol per aggregate, gathered in the :class:`Stores` record.

The document-store adapter (``shared.adapters.store``) implements each over one DocumentStore
and one Cipher; a service takes only the repositories it uses.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from shared.domain.meetings import Meeting
from shared.domain.presence import JoinButtonNotice, NoticeKind, Presence, RecipientKind
from shared.domain.principals import Device, Org, Principal
from shared.domain.sync import SyncState, WatchChannel
from shared.ports.dead_letters import DeadLetterRepository


@dataclass(frozen=True, slots=True)
class StoredNotice:
    """A notice as stored: its id (the stream's cursor part) and the notice."""

    id: str
    notice: JoinButtonNotice


@dataclass(frozen=True, slots=True)
class NoticeHead:
    """A stored notice's plaintext fields, its payload not opened: enough to rank it and match identities.

    ``handle`` is the store's own, opaque to callers; ``NoticeRepository.open_notice`` takes it back.
    """

    id: str
    meeting_id: str
    recipient_kind: RecipientKind
    recipient_id: str
    kind: NoticeKind
    start: datetime
    end: datetime
    sent_at: datetime
    handle: object = field(default=None, compare=False, repr=False)

    @property
    def key(self) -> str:
        """The recipient's view of the meeting (``JoinButtonNotice.key``)."""
        return f"{self.meeting_id}|{self.recipient_kind}|{self.recipient_id}"


@dataclass(frozen=True, slots=True)
class DueMeeting:
    """A stored meeting's plaintext fields, its payload not opened (``MeetingRepository.open_meeting`` opens it).

    ``version`` changes with every write of the stored meeting; ``handle`` is opaque to callers.
    """

    event_id: str
    principal_id: str
    start: datetime
    end: datetime
    all_day: bool
    expire_at: datetime
    version: str
    handle: object = field(default=None, compare=False, repr=False)


class Transactions(Protocol):
    """Groups writes (and a bound local bus's publishes) in one transaction where the store has one."""

    def atomic(self) -> AbstractContextManager[object]:
        """One transaction for this thread's writes and a bound local bus's publishes, where the store has one."""
        ...


class OrgRepository(Protocol):
    """Orgs and their sealed secrets (the service-account key among them)."""

    def get_org(self, org_id: str) -> Org | None:
        """Read an org."""
        ...

    def put_org(self, org: Org, service_account_key: str | None = None, *, create: bool = False) -> None:
        """Create (Conflict if it exists) or replace an org; the key is stored encrypted."""
        ...

    def list_orgs(self) -> list[Org]:
        """Every org of the deployment."""
        ...

    def service_account_key(self, org_id: str) -> str | None:
        """The org's stored service-account key JSON, opened."""
        ...

    def put_org_secret(self, org_id: str, name: str, value: str | None) -> None:
        """Seal (or remove) a named secret of an org."""
        ...

    def org_secret(self, org_id: str, name: str) -> str | None:
        """Open a named secret of an org."""
        ...

    def org_secret_names(self, org_id: str) -> frozenset[str]:
        """The names of an org's sealed secrets (never their values)."""
        ...

    def org_by_domain(self, domain: str) -> Org | None:
        """The org serving ``domain``, if any: always the same one (its domain claim, else the oldest)."""
        ...


class PrincipalRepository(Protocol):
    """Principals (people and rooms) by id or by email's blind index; the purge of a principal's data."""

    def principal_id(self, org_id: str, email: str) -> str:
        """The stable id of the principal with this email."""
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

    def update_principal(
        self, org_id: str, principal_id: str, change: Callable[[Principal], Principal]
    ) -> Principal | None:
        """Apply ``change`` to the stored principal atomically (compare-and-set); None if it is gone."""
        ...

    def list_principals(self, org_id: str, *, active_only: bool = False) -> list[Principal]:
        """Principals of an org."""
        ...

    def delete_principal(self, org_id: str, principal_id: str) -> None:
        """Delete a principal's own record (the purge after deactivation)."""
        ...

    def destroy_principal_data(self, org_id: str, principal_id: str) -> int:
        """Delete everything stored for a principal and shred its key material."""
        ...


class MeetingRepository(Protocol):
    """The stored copies of each calendar's meetings, inside the retention window."""

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

    def count_meetings(self, org_id: str, principal_id: str) -> int:
        """How many meetings are stored for one calendar."""
        ...

    def meetings_starting(self, org_id: str, lower: datetime, upper: datetime) -> list[Meeting]:
        """Meetings of every calendar of an org that have a join target and start in [lower, upper]."""
        ...

    def due_meetings(self, org_id: str, lower: datetime, upper: datetime) -> list[DueMeeting]:
        """``meetings_starting``'s meetings, unopened (plaintext fields only), by start."""
        ...

    def meeting_heads(self, org_id: str, keys: Sequence[tuple[str, str]]) -> list[DueMeeting | None]:
        """The stored meetings of (calendar, event) pairs, unopened, in the order asked (one batched read)."""
        ...

    def open_meeting(self, org_id: str, head: DueMeeting) -> Meeting:
        """The whole meeting behind a head (its payload opened)."""
        ...


class SyncStateRepository(Protocol):
    """Each calendar's sync state, written by compare-and-set."""

    def get_sync_state(self, org_id: str, principal_id: str) -> tuple[SyncState, str | None]:
        """The sync state and its version (None when it was never written)."""
        ...

    def put_sync_state(self, state: SyncState, *, if_version: str | None, create: bool) -> str:
        """Compare-and-set the sync state; return the new version."""
        ...


class ChannelRepository(Protocol):
    """Watch channels (ids are global)."""

    def put_channel(self, channel: WatchChannel) -> None:
        """Create or replace a watch channel."""
        ...

    def get_channel(self, channel_id: str) -> WatchChannel | None:
        """Read a channel by id (ids are global)."""
        ...

    def channels_of(self, org_id: str, principal_id: str) -> list[WatchChannel]:
        """Every channel recorded for one calendar."""
        ...

    def mark_stop_requested(self, channel_id: str, at: datetime, *, seen: datetime | None) -> bool:
        """Record that a stop was asked for a channel unless another request got there first."""
        ...


class PresenceRepository(Protocol):
    """Each principal's presence."""

    def put_presence(self, presence: Presence) -> None:
        """Replace a principal's presence."""
        ...

    def get_presence(self, org_id: str, principal_id: str) -> Presence | None:
        """Read a principal's presence."""
        ...


class DecisionRepository(Protocol):
    """What the join-detail rewrite decided per event."""

    def record_decision(
        self, org_id: str, principal_id: str, event_id: str, outcome: str, reason: str | None, at: datetime
    ) -> None:
        """Remember what the join-detail rewrite decided for one event."""
        ...

    def list_decisions(self, org_id: str, principal_id: str, limit: int = 20) -> list[dict[str, object]]:
        """The latest join-detail decisions for a principal."""
        ...


class NoticeRepository(Protocol):
    """Join-button notices, stored once per identity."""

    def record_notice(self, notice: JoinButtonNotice, now: datetime) -> bool:
        """Store a notice if none exists for its key; True when this call stored it."""
        ...

    def notice_id(self, notice: JoinButtonNotice) -> str:
        """The id ``record_notice`` stores a notice under."""
        ...

    def live_notices(self, org_id: str, now: datetime) -> list[StoredNotice]:
        """Every notice of an org whose meeting had not ended at ``now``."""
        ...

    def live_notice_heads(self, org_id: str, now: datetime) -> list[NoticeHead]:
        """``live_notices``, unopened (one query, no decryption)."""
        ...

    def open_notice(self, org_id: str, head: NoticeHead) -> StoredNotice:
        """The whole notice behind a head (its payload opened)."""
        ...

    def notices_for(
        self, org_id: str, kind: RecipientKind, recipient_id: str, since: datetime | None = None
    ) -> list[StoredNotice]:
        """A recipient's notices sent at or after ``since``, oldest first (ties by id)."""
        ...

    def get_notice(self, org_id: str, notice_id: str) -> StoredNotice | None:
        """One notice by its id."""
        ...


class DeviceRepository(Protocol):
    """Room devices (their tokens only as hashes)."""

    def put_device(self, device: Device) -> None:
        """Create or replace a device."""
        ...

    def get_device(self, device_id: str) -> Device | None:
        """Read a device by id."""
        ...

    def devices_of(self, org_id: str, room_id: str) -> list[Device]:
        """Every device of one room, oldest first."""
        ...

    def delete_device(self, device_id: str) -> None:
        """Delete a device (its token stops working at once)."""
        ...

    def device_by_token_hash(self, token_hash: str) -> Device | None:
        """The device whose token hashes to ``token_hash``."""
        ...

    def devices_of_room(self, org_id: str, room_id: str) -> list[Device]:
        """Every device of one room, by id (names opened; without the token times)."""
        ...


@dataclass(frozen=True)
class Stores:
    """Every repository of one deployment's store, and its transactions."""

    orgs: OrgRepository
    principals: PrincipalRepository
    meetings: MeetingRepository
    sync_states: SyncStateRepository
    channels: ChannelRepository
    presence: PresenceRepository
    decisions: DecisionRepository
    notices: NoticeRepository
    devices: DeviceRepository
    dead_letters: DeadLetterRepository
    transactions: Transactions

    def atomic(self) -> AbstractContextManager[object]:
        """One transaction for this thread's writes and a bound local bus's publishes, where the store has one."""
        return self.transactions.atomic()
