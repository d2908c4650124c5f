"""Repository ports of each calendar's copy: its stored meetings, its sync state, its watch channels."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

import msgspec

from shared.domain.meeting_rows import MeetingRow
from shared.domain.meetings import Meeting
from shared.domain.principals import Org, Principal
from shared.domain.sync import SyncState, WatchChannel


class DueMeeting(msgspec.Struct, frozen=True, eq=False):
    """A stored meeting's plaintext fields, its payload not opened (``MeetingRepository.open_meeting`` opens it).

    ``version`` changes with every write of the stored meeting; ``handle`` is opaque to callers. A due
    meeting equals only itself and its ``repr`` leaves the handle out (the stored document it came from).
    """

    event_id: str
    principal_id: str
    start: datetime
    end: datetime
    all_day: bool
    expire_at: datetime
    version: str
    handle: object = None

    def __repr__(self) -> str:
        return f"DueMeeting(event_id={self.event_id!r}, principal_id={self.principal_id!r}, version={self.version!r})"


class MeetingRepository(Protocol):
    """The stored copies of each calendar's meetings, inside the retention window."""

    def put_meetings(self, meetings: Sequence[Meeting], now: datetime) -> int:
        """Store meetings inside the retention window; return how many were written."""
        ...

    def delete_meetings(self, org_id: str, principal_id: str, event_ids: Sequence[str]) -> int:
        """Delete meetings of one calendar by event id."""
        ...

    def meeting_rows(
        self, org_id: str, principal_id: str, start: datetime, end: datetime, now: datetime
    ) -> list[MeetingRow]:
        """``list_meetings`` as the lean rows a meeting list answers from (no domain objects built)."""
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


class SyncSubject(msgspec.Struct, frozen=True):
    """What a sync of one calendar starts from: its org, its principal, and its sync state with the version."""

    org: Org | None
    principal: Principal | None
    state: SyncState
    version: str | None


class SyncStateRepository(Protocol):
    """Each calendar's sync state, written by compare-and-set."""

    def get_sync_state(self, org_id: str, principal_id: str) -> tuple[SyncState, str | None]:
        """The sync state and its version (None when it was never written)."""
        ...

    def sync_subject(self, org_id: str, principal_id: str) -> SyncSubject:
        """The org, the principal and the sync state, read in one round trip (one batched read)."""
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
