"""Meetings, sync states, watch channels and presence over the shared store backend."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from shared.adapters.store import app_queries
from shared.adapters.store.records import meeting_doc_id
from shared.documents import Delete, Document, Filter, Order, Put, Query, WriteOp, collection_path, doc_path
from shared.domain.meeting_rows import MeetingRow
from shared.domain.meetings import Meeting
from shared.domain.presence import Presence
from shared.domain.retention import RetentionWindow
from shared.domain.sync import SyncState, WatchChannel
from shared.errors import PreconditionFailed
from shared.ports.stores import DueMeeting
from shared.ports.stores.calendars import SyncSubject

if TYPE_CHECKING:
    from shared.adapters.store.repositories import StoreBackend


class MeetingRepository:
    """The stored copies of each calendar's meetings, inside the retention window."""

    def __init__(self, backend: StoreBackend) -> None:
        self._s = backend

    def put_meetings(self, meetings: Sequence[Meeting], now: datetime) -> int:
        """Store the meetings that overlap the window at ``now``; return how many were written."""
        window = RetentionWindow.at(now)
        ops: list[WriteOp] = []
        for meeting in meetings:
            if not window.overlaps(meeting.start, meeting.end):
                continue
            doc_id, data = self._s.codec.meeting_to_doc(meeting)
            ops.append(Put(doc_path("orgs", meeting.org_id, "meetings", doc_id), data))
        self._s.documents.bulk_write(ops)
        return len(ops)

    def delete_meetings(self, org_id: str, principal_id: str, event_ids: Sequence[str]) -> int:
        """Delete meetings of one calendar by event id."""
        ops: list[WriteOp] = [
            Delete(doc_path("orgs", org_id, "meetings", meeting_doc_id(principal_id, e))) for e in event_ids
        ]
        self._s.documents.bulk_write(ops)
        return len(ops)

    def get_meeting(self, org_id: str, principal_id: str, event_id: str, now: datetime) -> Meeting | None:
        """Read one meeting of one calendar, if it is inside the window."""
        doc_id = meeting_doc_id(principal_id, event_id)
        doc = self._s.documents.get(doc_path("orgs", org_id, "meetings", doc_id))
        if doc is None or doc.data["expireAt"] <= now:
            return None
        return self._s.codec.meeting_from_doc(org_id, doc_id, doc.data)

    def meeting_rows(
        self, org_id: str, principal_id: str, start: datetime, end: datetime, now: datetime
    ) -> list[MeetingRow]:
        """``list_meetings`` as the lean rows a meeting list answers from (no domain objects built)."""
        return app_queries.meeting_rows(self._s, org_id, principal_id, start, end, now)

    def list_meetings(
        self, org_id: str, principal_id: str, start: datetime, end: datetime, now: datetime
    ) -> list[Meeting]:
        """Meetings of one calendar overlapping [start, end) and inside the window at ``now``."""
        window = RetentionWindow.at(now)
        upper = min(end, window.end)
        query = Query(
            collection_path("orgs", org_id, "meetings"),
            (Filter("principal_id", "==", principal_id), Filter("start", "<", upper)),
            (Order("start"),),
        )
        lower = max(start, window.start)
        out = []
        for doc in self._s.documents.query(query):
            if doc.data["end"] <= lower or doc.data["expireAt"] <= now:
                continue
            out.append(self._s.codec.meeting_from_doc(org_id, doc.id, doc.data))
        return out

    def meeting_etags(self, org_id: str, principal_id: str) -> dict[str, str | None]:
        """Event id → etag of every meeting stored for one calendar (for reconciliation)."""
        query = Query(collection_path("orgs", org_id, "meetings"), (Filter("principal_id", "==", principal_id),))
        return {str(doc.data["event_id"]): doc.data.get("etag") for doc in self._s.documents.query(query)}

    def meeting_event_ids(self, org_id: str, principal_id: str) -> set[str]:
        """Event ids stored for one calendar."""
        return set(self.meeting_etags(org_id, principal_id))

    def series_event_ids(self, org_id: str, principal_id: str, series_id: str) -> list[str]:
        """Event ids stored for one recurring series on one calendar."""
        query = Query(
            collection_path("orgs", org_id, "meetings"),
            (Filter("principal_id", "==", principal_id), Filter("series_id", "==", series_id)),
        )
        return sorted(str(doc.data["event_id"]) for doc in self._s.documents.query(query))

    def count_meetings(self, org_id: str, principal_id: str) -> int:
        """How many meetings are stored for one calendar."""
        return len(self.meeting_etags(org_id, principal_id))

    def meetings_starting(self, org_id: str, lower: datetime, upper: datetime) -> list[Meeting]:
        """Meetings of every calendar of an org that have a join target and start in [lower, upper]."""
        return app_queries.meetings_starting(self._s, org_id, lower, upper)

    def due_meetings(self, org_id: str, lower: datetime, upper: datetime) -> list[DueMeeting]:
        """``meetings_starting``'s meetings, unopened (plaintext fields only), by start."""
        return app_queries.due_meetings(self._s, org_id, lower, upper)

    def meeting_heads(self, org_id: str, keys: Sequence[tuple[str, str]]) -> list[DueMeeting | None]:
        """The stored meetings of (calendar, event) pairs, unopened, in the order asked (one batched read)."""
        return app_queries.meeting_heads(self._s, org_id, keys)

    def open_meeting(self, org_id: str, head: DueMeeting) -> Meeting:
        """The whole meeting behind a head (its payload opened)."""
        return app_queries.open_meeting(self._s, org_id, head)


class SyncStateRepository:
    """Each calendar's sync state, by compare-and-set."""

    def __init__(self, backend: StoreBackend) -> None:
        self._s = backend

    def get_sync_state(self, org_id: str, principal_id: str) -> tuple[SyncState, str | None]:
        """The sync state and its version (None when never written)."""
        return self._state(
            org_id, principal_id, self._s.documents.get(doc_path("orgs", org_id, "syncStates", principal_id))
        )

    def _state(self, org_id: str, principal_id: str, doc: Document | None) -> tuple[SyncState, str | None]:
        if doc is None:
            return SyncState(org_id=org_id, principal_id=principal_id), None
        return self._s.codec.sync_from_doc(org_id, principal_id, doc.data), doc.version

    def sync_subject(self, org_id: str, principal_id: str) -> SyncSubject:
        """The org, the principal and the sync state in one ``get_all`` (one round trip on Firestore)."""
        org_doc, principal_doc, state_doc = self._s.documents.get_all(
            [
                doc_path("orgs", org_id),
                doc_path("orgs", org_id, "principals", principal_id),
                doc_path("orgs", org_id, "syncStates", principal_id),
            ]
        )
        codec = self._s.codec
        org = None if org_doc is None else codec.org_from_doc(org_id, org_doc.data)
        principal = (
            None if principal_doc is None else codec.principal_from_doc(org_id, principal_id, principal_doc.data)
        )
        return SyncSubject(org, principal, *self._state(org_id, principal_id, state_doc))

    def put_sync_state(self, state: SyncState, *, if_version: str | None, create: bool) -> str:
        """Compare-and-set the sync state; return the new version."""
        path = doc_path("orgs", state.org_id, "syncStates", state.principal_id)
        put = Put(path, self._s.codec.sync_to_doc(state), if_absent=create, if_version=if_version)
        (version,) = self._s.documents.write([put])
        assert version is not None  # a Put always answers its version
        return version


class ChannelRepository:
    """Watch channels."""

    def __init__(self, backend: StoreBackend) -> None:
        self._s = backend

    def mark_stop_requested(self, channel_id: str, at: datetime, *, seen: datetime | None) -> bool:
        """Record that a stop was asked for a channel, unless another request got there first; True if this one did."""
        path = doc_path("channels", channel_id)
        doc = self._s.documents.get(path)
        if doc is None or doc.data.get("stopRequestedAt") != seen:
            return False
        try:
            self._s.documents.write([Put(path, {**doc.data, "stopRequestedAt": at}, if_version=doc.version)])
        except PreconditionFailed:
            return False
        return True

    def put_channel(self, channel: WatchChannel) -> None:
        """Create or replace a watch channel."""
        self._s.documents.write([Put(doc_path("channels", channel.id), self._s.codec.channel_to_doc(channel))])

    def get_channel(self, channel_id: str) -> WatchChannel | None:
        """Read a channel by id."""
        doc = self._s.documents.get(doc_path("channels", channel_id))
        return None if doc is None else self._s.codec.channel_from_doc(channel_id, doc.data)

    def channels_of(self, org_id: str, principal_id: str) -> list[WatchChannel]:
        """Every channel recorded for one calendar."""
        query = Query("channels", (Filter("org_id", "==", org_id), Filter("principal_id", "==", principal_id)))
        return [self._s.codec.channel_from_doc(d.id, d.data) for d in self._s.documents.query(query)]


class PresenceRepository:
    """Each principal's presence."""

    def __init__(self, backend: StoreBackend) -> None:
        self._s = backend

    def put_presence(self, presence: Presence) -> None:
        """Replace a principal's presence."""
        path = doc_path("orgs", presence.org_id, "presence", presence.principal_id)
        self._s.documents.write([Put(path, self._s.codec.presence_to_doc(presence))])

    def get_presence(self, org_id: str, principal_id: str) -> Presence | None:
        """Read a principal's presence."""
        doc = self._s.documents.get(doc_path("orgs", org_id, "presence", principal_id))
        return None if doc is None else self._s.codec.presence_from_doc(org_id, principal_id, doc.data)
