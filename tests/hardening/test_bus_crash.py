"""The durable embedded bus across ``kill -9``: what was queued or in flight is delivered again, in order."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from shared.adapters.bus.local import LocalBus
from shared.adapters.store.sqlite import SqliteDocumentStore
from shared.ports import BusMessage
from tests.support.wait import wait_until


def test_messages_queued_or_in_flight_at_a_kill_9_are_delivered_after_the_restart_in_order(tmp_path: Path) -> None:
    """Killed while delivering message 5 of 20: after a restart 5 comes again (attempt 2), then 6..19, in order;
    the message published with a document arrives, the one whose transaction rolled back never does."""
    db, log = tmp_path / "bus.sqlite3", tmp_path / "delivered.log"
    child = subprocess.Popen([sys.executable, "-m", "tests.hardening.bus_child", str(db), str(log)])
    try:
        assert wait_until(lambda: log.exists() and "5 1" in log.read_text().split("\n"), timeout=60)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    before = [line.split() for line in log.read_text().splitlines()]
    assert [d for d, _ in before] == [str(i) for i in range(6)]
    store = SqliteDocumentStore(db)
    bus = LocalBus(store, workers=2, max_attempts=5)
    after: list[tuple[str, int]] = []
    finished = threading.Event()

    def handler(message: BusMessage) -> None:
        after.append((message.data.decode(), message.delivery_attempt))
        if message.data == b"19":
            finished.set()

    try:
        bus.subscribe("work", handler, name="work-sub")
        assert finished.wait(60)
        assert bus.wait_idle(10)
        assert after == [("5", 2)] + [(str(i), 1) for i in range(6, 20)]
        assert store.get("things/three") is not None
        assert bus.dead_letters() == [] and bus.pending() == 0
    finally:
        bus.close()
        store.close()
