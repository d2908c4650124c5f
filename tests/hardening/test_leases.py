"""Finding 2's lease rules: a live holder defers the loser past its lease and syncs again; a gone one is replaced."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from shared.adapters.crypto.envelope import EnvelopeCipher
from shared.adapters.crypto.local import LocalKek
from shared.adapters.store.repositories import DocumentStores
from shared.adapters.store.sqlite import SqliteDocumentStore
from shared.clock import ManualClock
from shared.domain.principals import Org, Principal
from shared.errors import LeaseHeld
from shared.ports import CalendarEventPage, SyncCalendar
from shared.ports.calendar import EventQuery
from shared.services.leases import HeartbeatInstances
from shared.services.sync import SyncService
from shared.services.sync_lease import LEASE, SyncLeases
from tests.faults.support import ALICE, PassThroughSync, create, event_body, pid, stored
from tests.support.instant import T0
from tests.support.world import World


class _Busy(PassThroughSync):
    """A calendar whose first listing, while the lease is held, sees another sync ask and a user's change."""

    def __init__(self, inner: SyncCalendar, during: Any) -> None:
        super().__init__(inner)
        self._during = [during]

    def events_page(self, org: Org, principal: Principal, calendar_id: str, query: EventQuery) -> CalendarEventPage:
        """List, then (only the first time of all) run what happens meanwhile."""
        page = super().events_page(org, principal, calendar_id, query)
        if self._during:
            self._during.pop()()
        return page


def test_a_sync_refused_by_a_live_holder_waits_past_the_lease_and_the_holder_syncs_again(world: World) -> None:
    """The refused sync gets LeaseHeld with retry_after past the lease's end; the holder then syncs once more,
    so a change made while it held the lease is stored without waiting for that retry."""
    world.activate(ALICE)
    world.settle()
    refused: list[LeaseHeld] = []

    def meanwhile() -> None:
        world.control.set_faults("calendar.events.watch", pushDropRate=1.0)  # only the sync below meets the lease
        create(world, ALICE, event_body("Changed while the lease was held", 5))
        world.control.clear_faults()

        def other() -> None:
            try:
                world.app.sync.sync(world.org.id, pid(world, ALICE))
            except LeaseHeld as exc:
                refused.append(exc)

        thread = threading.Thread(target=other)
        thread.start()
        thread.join(timeout=30)

    s = world.app.stores
    calendar = _Busy(world.app.calendar, meanwhile)
    holder = SyncService(
        s.orgs,
        s.principals,
        s.meetings,
        s.decisions,
        s.transactions,
        s.sync_states,
        world.app.bus,
        calendar,
        world.clock,
        world.app.instances,
    )
    report = holder.sync(world.org.id, pid(world, ALICE))
    assert len(refused) == 1 and refused[0].retry_after is not None
    assert LEASE.total_seconds() < refused[0].retry_after <= LEASE.total_seconds() + 30
    assert report.follow_ups == 1
    assert "Changed while the lease was held" in stored(world, ALICE).values()
    state, _ = world.app.stores.sync_states.get_sync_state(world.org.id, pid(world, ALICE))
    assert (state.lease_owner, state.resync) == (None, False)


def _leases(tmp_path: Path, clock: ManualClock) -> tuple[DocumentStores, SqliteDocumentStore]:
    store = SqliteDocumentStore(tmp_path / "shared.sqlite3")
    return DocumentStores(store, EnvelopeCipher(store, LocalKek.from_file(tmp_path / "kek.key"), clock)), store


def test_processes_sharing_a_store_take_over_a_lease_once_its_holders_heartbeat_lapses(tmp_path: Path) -> None:
    """Two instances on one store: the lease holds while its holder beats, and is taken over once it stops."""
    clock = ManualClock(T0)
    stores, store = _leases(tmp_path, clock)
    try:
        first, second = HeartbeatInstances(store, clock), HeartbeatInstances(store, clock)
        held = SyncLeases(stores.sync_states, clock, first).acquire("o1", "p1")
        with pytest.raises(LeaseHeld) as refused:
            SyncLeases(stores.sync_states, clock, second).acquire("o1", "p1")
        assert refused.value.retry_after is not None and refused.value.retry_after > LEASE.total_seconds()
        clock.advance(timedelta(seconds=61))  # the first instance stopped beating (killed)
        taken = SyncLeases(stores.sync_states, clock, second).acquire("o1", "p1")
        assert taken.owner.startswith(second.instance) and held.owner.startswith(first.instance)
        third = HeartbeatInstances(store, clock)
        third.beat()
        third.close()  # a clean stop drops the record: its leases go at once
        assert not second.alive(third.instance) and second.alive(second.instance)
    finally:
        store.close()
