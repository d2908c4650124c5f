"""Repository ports of what the service tells: join-button notices, presence, the rewrite's decisions."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

import msgspec

from shared.domain.presence import JoinButtonNotice, NoticeHeader, Presence, RecipientKind
from shared.ports.notice_batches import NoticeBatches


class StoredNotice(msgspec.Struct, frozen=True):
    """A notice as stored: its id (the stream's cursor part) and the notice."""

    id: str
    notice: JoinButtonNotice


class NoticeHead(NoticeHeader, frozen=True, eq=False):
    """A stored notice's plaintext fields, its payload not opened: enough to rank it and match identities.

    ``handle`` is the store's own, opaque to callers; ``NoticeRepository.open_notice`` takes it back. A
    head equals only itself and its ``repr`` leaves the handle out (the stored document it came from).
    """

    id: str
    handle: object = None

    def __repr__(self) -> str:
        return f"NoticeHead(id={self.id!r}, meeting_id={self.meeting_id!r}, kind={self.kind!r})"


class NoticeRepository(NoticeBatches, Protocol):
    """Join-button notices, stored once per identity (one at a time or a batch at a time)."""

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
