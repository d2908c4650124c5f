"""Finding 2: ``kill -9`` of ``serve`` in the middle of a 150-event keyworded sync loses nothing and freezes nothing."""

from __future__ import annotations

import re
import sqlite3
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from shared.domain.joinblock import BLOCK_BEGIN
from shared.domain.retention import RetentionWindow
from tests.hardening.procs import Deployment, deployment, reader
from tests.support.instant import T0
from tests.support.wait import wait_until

pytestmark = pytest.mark.slow
ALICE = "alice@example.com"
EVENTS = 150
PATCH = "calendar.events.patch"


def _event(summary: str, hours: float) -> dict[str, Any]:
    start = T0 + timedelta(hours=hours)
    return {
        "summary": summary,
        "location": "@webex",
        "start": {"dateTime": start.isoformat()},
        "end": {"dateTime": (start + timedelta(minutes=30)).isoformat()},
    }


def _patches(world: Deployment) -> Counter[str]:
    """Successful events.patch calls per event id, from the emulator's request log."""
    items = world.control.requests(operation=PATCH)["items"]
    return Counter(str(i["path"]).rsplit("/", 1)[-1] for i in items if i["status"] == 200)


def _blocks(world: Deployment) -> dict[str, int]:
    """Join blocks per live event of Alice's calendar (read without spending API calls)."""
    return {
        str(e["id"]): str(e.get("description") or "").count(BLOCK_BEGIN)
        for e in world.control.events(ALICE, show_deleted=False)
    }


def _activate(world: Deployment) -> None:
    body = {"domain": "example.com", "service_account_key": world.key}
    assert world.admin("POST", "/orgs", json=body).status_code == 201
    assert world.admin("POST", "/orgs/example-com/principals", json={"email": ALICE}).status_code == 202

    def active() -> bool:
        return world.admin("GET", f"/orgs/example-com/principals/{ALICE}").json().get("state") == "active"

    assert wait_until(active, timeout=60), world.admin("GET", f"/orgs/example-com/principals/{ALICE}").json()


def _stored_titles(world: Deployment) -> set[str]:
    now = T0 + timedelta(minutes=30)
    stores, store = reader(world.data_dir, now)
    try:
        pid = stores.principals.principal_id("example-com", ALICE)
        window = RetentionWindow.at(now)
        return {m.title for m in stores.meetings.list_meetings("example-com", pid, window.start, window.end, now)}
    finally:
        store.close()


def _undelivered(world: Deployment) -> int:
    with sqlite3.connect(world.data_dir / "hybrid-calendar.sqlite3") as conn:
        return int(conn.execute("SELECT count(*) FROM bus_deliveries").fetchone()[0])


def test_kill_9_mid_sync_writes_every_block_once_and_later_changes_sync_within_a_minute(tmp_path: Path) -> None:
    """After `kill -9` during the rewrites of 150 keyworded events and a restart (no reconcile), each block is
    written exactly once, nothing is dead-lettered or left queued, and later changes sync within a minute."""
    users = [{"email": ALICE, "name": "Alice", "locale": "en", "timeZone": "UTC"}]
    with deployment(tmp_path, users) as world:
        world.extra["HYBRIDCAL_USER_QUOTA_PER_MINUTE"] = "6000"
        world.start_service()
        _activate(world)
        world.control.set_faults("calendar.events.watch", pushDropRate=1.0)  # one sync will see all 150 at once
        with world.google(ALICE) as google:
            ids = [
                google.post(f"/calendar/v3/calendars/{ALICE}/events", json=_event(f"Keyworded {i}", 2 + i * 0.25))
                .raise_for_status()
                .json()["id"]
                for i in range(EVENTS)
            ]
        world.control.clear_faults()
        world.control.clear_requests()
        with world.google(ALICE) as google:  # one more change: its push starts the sync of all of them
            ids.append(google.post(f"/calendar/v3/calendars/{ALICE}/events", json=_event("Trigger", 1)).json()["id"])

        assert wait_until(lambda: sum(_patches(world).values()) >= 10, timeout=120, interval=0.02)
        assert world.service is not None
        world.service.kill9()
        written_before = sum(_patches(world).values())
        assert 10 <= written_before < len(ids), f"the kill came too late to test anything ({written_before})"

        started = time.monotonic()
        world.start_service()  # same data dir; the scheduler (and so the reconcile) stays off

        def converged() -> bool:
            blocks = _blocks(world)
            return all(blocks.get(i) == 1 for i in ids)

        assert wait_until(converged, timeout=180, interval=0.5), Counter(_blocks(world).values())
        seconds = time.monotonic() - started
        patches = _patches(world)
        assert {i: patches[i] for i in ids} == dict.fromkeys(ids, 1)  # every block written exactly once
        assert world.admin("GET", "/dead-letters").json()["total"] == 0
        assert wait_until(lambda: _undelivered(world) == 0, timeout=60)

        changed = time.monotonic()
        with world.google(ALICE) as google:
            later = google.post(f"/calendar/v3/calendars/{ALICE}/events", json=_event("Later", 30)).json()["id"]
            renamed = google.patch(f"/calendar/v3/calendars/{ALICE}/events/{ids[0]}", json={"summary": "Renamed"})
            assert renamed.status_code == 200
        assert wait_until(lambda: _blocks(world).get(later) == 1, timeout=60, interval=0.2)
        assert wait_until(lambda: "Renamed" in _stored_titles(world), timeout=60 - (time.monotonic() - changed))
        print(  # the figures of the run, for the record
            f"\nrewrites due={len(ids)} written before kill={written_before} written after restart="
            f"{sum(patches.values()) - written_before} max per event={max(patches.values())} "
            f"lost=0 converged in {seconds:.1f}s; later changes synced in {time.monotonic() - changed:.1f}s"
        )
        assert re.search(r"Traceback", world.service.output() if world.service else "") is None
