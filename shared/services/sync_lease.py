"""The sync lease of one calendar: taken by compare-and-set on its sync state, one holder at a time.

The holder is named ``<instance>:<nonce>``; a lease whose instance is gone (``leases.py``) is
taken over at once. Inside one process syncs of a calendar take turns at a gate first, so only
a holder in another live process is ever met here. A lease held by a live instance raises
``LeaseHeld`` with ``retry_after`` past the lease's end (the bus defers the message that long
without spending an attempt) and sets the ``resync`` flag, so the holder syncs once more before
it lets go. Releasing keeps a pending flag a notification set meanwhile. ``drop_pending``
clears the flag of a sync that will not run, so a stale flag never holds the next
notification back.
"""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import timedelta

from shared.domain.sync import SYNC_LEASE, SyncState, lease_instance
from shared.errors import Conflict, LeaseHeld, PreconditionFailed
from shared.logs import ctx, get_logger
from shared.ports import Stores
from shared.ports.clock import Clock
from shared.ports.leases import Instances

log = get_logger(__name__)
LEASE = SYNC_LEASE
LEASE_MARGIN = timedelta(seconds=5)


class CalendarGates:
    """One gate per calendar inside this process: two of its own syncs of a calendar take turns.

    Only syncs in other processes meet the lease in the store (and ``LeaseHeld``); inside one
    process the second sync simply waits for the first, then runs with what it left.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._gates: dict[str, tuple[threading.Lock, int]] = {}

    @contextlib.contextmanager
    def hold(self, key: str, timeout: float) -> Iterator[None]:
        """Pass the calendar's gate (waiting at most ``timeout`` seconds, else LeaseHeld)."""
        with self._lock:
            gate, users = self._gates.get(key, (threading.Lock(), 0))
            self._gates[key] = (gate, users + 1)
        try:
            if not gate.acquire(timeout=timeout):
                raise LeaseHeld("another sync of this calendar is still running here", retry_after=timeout)
            try:
                yield
            finally:
                gate.release()
        finally:
            with self._lock:
                gate, users = self._gates[key]
                if users == 1:
                    del self._gates[key]
                else:
                    self._gates[key] = (gate, users - 1)


@dataclass(slots=True)
class Lease:
    """A lease this process holds: the sync state as written, its version and the owner name."""

    state: SyncState
    version: str
    owner: str


class SyncLeases:
    """Takes, releases and inspects the sync leases of calendars."""

    def __init__(self, stores: Stores, clock: Clock, instances: Instances) -> None:
        self._stores, self._clock, self._instances = stores, clock, instances

    def acquire(self, org_id: str, principal_id: str) -> Lease:
        """Take the calendar's lease; a lease of an instance that is gone is taken over at once.

        A lease held by a live instance raises LeaseHeld with ``retry_after`` past the lease's end,
        after asking the holder (the ``resync`` flag) to sync once more when it is done.
        """
        now = self._clock.now()
        self._instances.beat()
        owner = f"{self._instances.instance}:{uuid.uuid4().hex[:12]}"
        for _ in range(5):
            state, version = self._stores.get_sync_state(org_id, principal_id)
            holder = lease_instance(state.lease_owner)
            if state.leased(now) and holder is not None and self._instances.alive(holder):
                if not state.resync:
                    try:
                        self._stores.put_sync_state(replace(state, resync=True), if_version=version, create=False)
                    except (PreconditionFailed, Conflict):
                        continue
                assert state.lease_until is not None
                wait = (state.lease_until - now + LEASE_MARGIN).total_seconds()
                raise LeaseHeld(
                    "another worker is syncing this calendar", retry_after=min(wait, 2 * LEASE.total_seconds())
                )
            if state.leased(now):
                log.info("lease of a stopped instance taken over", extra=ctx(org=org_id, principal=principal_id))
            leased = replace(
                state, lease_owner=owner, lease_until=now + LEASE, pending=False, pending_since=None, resync=False
            )
            try:
                new_version = self._stores.put_sync_state(leased, if_version=version, create=version is None)
            except (PreconditionFailed, Conflict):
                continue
            return Lease(leased, new_version, owner)
        raise LeaseHeld("could not take the lease on this calendar", retry_after=1.0)

    def release(self, lease: Lease, **changes: object) -> bool:
        """Write the results and drop the lease; True when someone asked for another sync meanwhile."""
        final = replace(lease.state, lease_owner=None, lease_until=None, **changes)  # type: ignore[arg-type]
        try:
            self._stores.put_sync_state(final, if_version=lease.version, create=False)
            return False
        except PreconditionFailed:
            pass
        # A notification (pending) or a sync that found the lease held (resync) wrote meanwhile: keep both.
        for _ in range(5):
            current, version = self._stores.get_sync_state(lease.state.org_id, lease.state.principal_id)
            merged = replace(final, pending=current.pending, pending_since=current.pending_since, resync=False)
            if current.lease_owner != lease.owner:  # taken over meanwhile: leave the new holder's lease alone
                merged = replace(merged, lease_owner=current.lease_owner, lease_until=current.lease_until)
            try:
                self._stores.put_sync_state(merged, if_version=version, create=False)
            except PreconditionFailed:
                continue
            return current.resync and current.lease_owner == lease.owner
        return False

    def drop_pending(self, org_id: str, principal_id: str) -> None:
        """Clear the pending flag of a sync that will not run, so it cannot hold the next notification back."""
        state, version = self._stores.get_sync_state(org_id, principal_id)
        if version is None or not state.pending:
            return
        with contextlib.suppress(PreconditionFailed):
            self._stores.put_sync_state(
                replace(state, pending=False, pending_since=None), if_version=version, create=False
            )
