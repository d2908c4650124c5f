"""The sync lease of one calendar: taken by compare-and-set on its sync state, one holder at a time.

The holder is named ``<instance>:<nonce>``; a lease whose instance is gone (``leases.py``) is
taken over at once. Inside one process syncs of a calendar take turns at a gate first, so only
a holder in another live process is ever met here. A lease held by a live instance raises
``LeaseHeld`` with ``retry_after`` past the lease's end (the bus defers the message that long
without spending an attempt) and sets the ``resync`` flag, so the holder syncs once more before
it lets go. Releasing keeps a pending flag a notification set meanwhile. A notification marks
the flag (``mark_pending``: no second message while a fresh one is queued); ``drop_pending``
clears the flag of a sync that will not run, so a stale flag never holds the next
notification back. Every one of these is a step of one compare-and-set loop (``_swap``).
"""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import TypeVar

import msgspec
from msgspec.structs import replace

from shared.domain.sync import SYNC_LEASE, SyncState, lease_instance
from shared.errors import Conflict, LeaseHeld, PreconditionFailed
from shared.logs import ctx, get_logger
from shared.ports.clock import Clock
from shared.ports.leases import Instances
from shared.ports.stores import SyncStateRepository
from shared.services.leases import SoleInstance

log = get_logger(__name__)
LEASE = SYNC_LEASE
LEASE_MARGIN = timedelta(seconds=5)
# A pending flag vouches for a queued sync that has not started yet. That sync may wait out a held
# lease (its retry comes after the lease's end), so only a flag older than that is stale.
PENDING_STALE_AFTER = SYNC_LEASE + timedelta(minutes=1)
ATTEMPTS = 5
T = TypeVar("T")


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


class Lease(msgspec.Struct):
    """A lease this process holds: the sync state as written, its version and the owner name."""

    state: SyncState
    version: str
    owner: str


# A step of the compare-and-set loop: from the state read, the state to write
# (None: write nothing) and what the operation answers once that write went through.
Step = Callable[[SyncState], tuple[SyncState | None, T]]


class SyncLeases:
    """The lease and pending flag of calendars: take, release, mark and clear, through one retry loop."""

    def __init__(self, sync_states: SyncStateRepository, clock: Clock, instances: Instances | None = None) -> None:
        self._sync_states = sync_states
        self._clock = clock
        self._instances: Instances = instances or SoleInstance()

    def _swap(
        self,
        org_id: str,
        principal_id: str,
        step: Step[T],
        known: tuple[SyncState, str | None] | None = None,
        *,
        create: bool = True,
    ) -> tuple[T, str | None] | None:
        """Read, change and write the calendar's sync state by compare-and-set, a few times at most.

        ``known`` is a state and version already in hand (the first try writes over it without a
        read); ``create=False`` never writes a state that is not stored. Answers the step's result
        with the version now stored, or None when every try lost.
        """
        for _ in range(ATTEMPTS):
            state, version = known or self._sync_states.get_sync_state(org_id, principal_id)
            known = None
            new, result = step(state)
            if new is None:
                return result, version
            if not create and version is None:  # gone meanwhile (the principal was deactivated): write nothing
                return None
            try:
                return result, self._sync_states.put_sync_state(
                    new, if_version=version, create=create and version is None
                )
            except (PreconditionFailed, Conflict):
                continue
        return None

    def acquire(self, org_id: str, principal_id: str, known: tuple[SyncState, str | None] | None = None) -> Lease:
        """Take the calendar's lease; a lease of an instance that is gone is taken over at once.

        A lease held by a live instance raises LeaseHeld with ``retry_after`` past the lease's end,
        after asking the holder (the ``resync`` flag) to sync once more when it is done. ``known``
        (a state and version already read) is written over without a read; a lost race reads again.
        """
        now = self._clock.now()
        self._instances.beat()
        owner = f"{self._instances.instance}:{uuid.uuid4().hex[:12]}"

        def take(state: SyncState) -> tuple[SyncState | None, SyncState | LeaseHeld]:
            holder = lease_instance(state.lease_owner)
            if state.leased(now) and holder is not None and self._instances.alive(holder):
                assert state.lease_until is not None
                wait = (state.lease_until - now + LEASE_MARGIN).total_seconds()
                held = LeaseHeld(
                    "another worker is syncing this calendar", retry_after=min(wait, 2 * LEASE.total_seconds())
                )
                return (None if state.resync else replace(state, resync=True)), held
            if state.leased(now):
                log.info("lease of a stopped instance taken over", extra=ctx(org=org_id, principal=principal_id))
            leased = replace(
                state, lease_owner=owner, lease_until=now + LEASE, pending=False, pending_since=None, resync=False
            )
            return leased, leased

        outcome = self._swap(org_id, principal_id, take, known)
        if outcome is None:
            raise LeaseHeld("could not take the lease on this calendar", retry_after=1.0)
        taken, version = outcome
        if isinstance(taken, LeaseHeld):
            raise taken
        assert version is not None
        return Lease(taken, version, owner)

    def release(self, lease: Lease, **changes: object) -> bool:
        """Write the results and drop the lease; True when someone asked for another sync meanwhile."""
        final = replace(lease.state, lease_owner=None, lease_until=None, **changes)

        def let_go(current: SyncState) -> tuple[SyncState, bool]:
            # A notification (pending) or a sync that found the lease held (resync) may have written
            # meanwhile: keep both.
            merged = replace(final, pending=current.pending, pending_since=current.pending_since, resync=False)
            if current.lease_owner != lease.owner:  # taken over meanwhile: leave the new holder's lease alone
                merged = replace(merged, lease_owner=current.lease_owner, lease_until=current.lease_until)
            return merged, current.resync and current.lease_owner == lease.owner

        key = lease.state.org_id, lease.state.principal_id
        outcome = self._swap(*key, let_go, (lease.state, lease.version), create=False)
        return outcome is not None and outcome[0]

    def read(self, org_id: str, principal_id: str) -> tuple[SyncState, str | None]:
        """The calendar's sync state and its version, to hand to ``mark_pending`` as ``known``."""
        return self._sync_states.get_sync_state(org_id, principal_id)

    def pending_fresh(self, state: SyncState) -> bool:
        """Whether ``state`` vouches for a queued sync that has not gone stale (a notification adds nothing)."""
        return state.pending_fresh(self._clock.now(), PENDING_STALE_AFTER)

    def mark_pending(self, org_id: str, principal_id: str, known: tuple[SyncState, str | None] | None = None) -> bool:
        """Set the calendar's pending flag; False when a fresh sync is already pending.

        ``known`` (from ``read``) is written over at its version without a second read; a lost race reads again.
        """
        now = self._clock.now()

        def mark(state: SyncState) -> tuple[SyncState | None, bool]:
            if state.pending_fresh(now, PENDING_STALE_AFTER):
                return None, False
            return replace(state, pending=True, pending_since=now), True

        outcome = self._swap(org_id, principal_id, mark, known)
        return outcome is None or outcome[0]  # heavy contention: publishing once more is harmless

    def drop_pending(self, org_id: str, principal_id: str) -> None:
        """Clear the pending flag of a sync that will not run, so it cannot hold the next notification back."""

        def clear(state: SyncState) -> tuple[SyncState | None, None]:
            return (replace(state, pending=False, pending_since=None) if state.pending else None), None

        self._swap(org_id, principal_id, clear, create=False)
