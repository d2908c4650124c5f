"""Watch channels and per-calendar sync state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class ChannelState(StrEnum):
    """Whether Google still sends to a channel."""

    ACTIVE = "active"
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True)
class WatchChannel:
    """A Calendar push channel (``events.watch``) for one principal's calendar."""

    id: str
    org_id: str
    principal_id: str
    resource_id: str
    token_hash: str
    expiration: datetime
    state: ChannelState = ChannelState.ACTIVE
    created_at: datetime | None = None

    def needs_renewal(self, now: datetime, overlap: timedelta) -> bool:
        """True when the channel expires within ``overlap`` of ``now``."""
        return self.state is ChannelState.ACTIVE and self.expiration - now <= overlap


@dataclass(frozen=True, slots=True)
class SyncState:
    """Incremental-sync bookkeeping for one calendar, guarded by a lease."""

    org_id: str
    principal_id: str
    sync_token: str | None = None
    lease_owner: str | None = None
    lease_until: datetime | None = None
    pending: bool = False
    pending_since: datetime | None = None
    last_sync: datetime | None = None
    last_full_sync: datetime | None = None
    window_end: datetime | None = None

    def pending_fresh(self, now: datetime, stale_after: timedelta) -> bool:
        """True while a sync is pending and was asked for less than ``stale_after`` ago."""
        return self.pending and self.pending_since is not None and now - self.pending_since < stale_after

    def leased(self, now: datetime) -> bool:
        """True while another worker holds an unexpired lease."""
        return self.lease_owner is not None and self.lease_until is not None and self.lease_until > now
