"""Exact store work of an incremental sync: the documents one sync of one changed event reads and writes."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tests.support.counting import CountingDocuments
from tests.support.world import T0, make_world

ALICE = "alice@example.com"


def test_incremental_sync_of_one_event_reads_and_writes_each_document_once(tmp_path: Path) -> None:
    """One changed event: the org, the principal and the sync state come in one batched read, and the lease is
    taken and released by two compare-and-sets with no read-back between them."""
    world = make_world(tmp_path, workers=0)  # bus deliveries only in settle: the direct sync below is the only one
    try:
        world.activate(ALICE)
        principal = world.app.stores.principals.find_principal(world.org.id, ALICE)
        assert principal is not None
        start = T0 + timedelta(hours=3)
        with world.http(ALICE) as http:
            body = {
                "summary": "Changed once",
                "start": {"dateTime": start.isoformat()},
                "end": {"dateTime": (start + timedelta(minutes=30)).isoformat()},
            }
            assert http.post(f"/calendar/v3/calendars/{ALICE}/events", json=body).status_code == 200
        assert world.emulator_state.push.wait_idle(30)  # the push's pending flag is written before the count starts
        counted = CountingDocuments(world.app.stores.backend.documents)
        world.app.stores.backend.documents = counted
        report = world.app.sync.sync(world.org.id, principal.id)
        assert (report.full, report.events, report.stored) == (False, 1, 1)
        org = f"orgs/{world.org.id}"
        state = f"{org}/syncStates/{principal.id}"
        assert counted.reads == [org, f"{org}/principals/{principal.id}", state]  # no read-back of a version
        assert counted.round_trips == 1  # one get_all: one round trip on Firestore
        assert len(counted.writes) == 3
        assert counted.writes[0] == state and counted.writes[2] == state  # the lease taken, then released
        assert counted.writes[1].startswith(f"{org}/meetings/")
    finally:
        world.close()
