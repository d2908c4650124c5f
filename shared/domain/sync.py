"""Watch channels and per-calendar sync state, with the lease rules of one sync at a time.

A lease names its holder as ``<instance>:<nonce>``: the instance is one start of one process
(see ``shared/services/leases.py``), so a lease whose instance is gone can be taken over at
once instead of after ``SYNC_LEASE``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

import msgspec

SYNC_LEASE = timedelta(minutes=5)


def lease_instance(owner: str | None) -> str | None:
    """The process instance part of a lease owner (``<instance>:<nonce>``)."""
    return None if not owner else owner.split(":", 1)[0]


class ChannelState(StrEnum):
    """Whether Google still sends to a channel."""

    ACTIVE = "active"
    STOPPED = "stopped"


class WatchChannel(msgspec.Struct, frozen=True):
    """A Calendar push channel (``events.watch``) for one principal's calendar."""

    id: str
    org_id: str
    principal_id: str
    resource_id: str
    token_hash: str
    expiration: datetime
    state: ChannelState = ChannelState.ACTIVE
    created_at: datetime | None = None
    stop_requested_at: datetime | None = None

    def needs_renewal(self, now: datetime, overlap: timedelta) -> bool:
        """True when the channel expires within ``overlap`` of ``now``."""
        return self.state is ChannelState.ACTIVE and self.expiration - now <= overlap


class SyncState(msgspec.Struct, frozen=True):
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
    resync: bool = False

    def pending_fresh(self, now: datetime, stale_after: timedelta) -> bool:
        """True while a sync is pending and was asked for less than ``stale_after`` ago."""
        return self.pending and self.pending_since is not None and now - self.pending_since < stale_after

    def leased(self, now: datetime) -> bool:
        """True while a worker holds an unexpired lease."""
        return self.lease_owner is not None and self.lease_until is not None and self.lease_until > now
