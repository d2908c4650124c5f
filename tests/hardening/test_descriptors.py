"""Finding 1: unauthenticated connections cannot exhaust the server's descriptors or memory."""

from __future__ import annotations

import http.client
import os
import threading
import uuid
from pathlib import Path

import psutil
import pytest

from shared.adapters.store.sqlite_pool import POOL_SIZE
from tests.hardening.procs import ADMIN_TOKEN, answers, spawn
from tests.support.gcp_emulators import free_port
from tests.support.instant import T0, z
from tests.support.wait import wait_until

pytestmark = pytest.mark.slow
LIMIT = 256
CONNECTIONS = 5000
CLIENTS = 16


def _post_webhook(port: int, statuses: list[int], lock: threading.Lock, count: int) -> None:
    """``count`` webhook POSTs, each on a fresh TCP connection, for channels the service never made."""
    for _ in range(count):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            headers = {
                "X-Goog-Channel-ID": uuid.uuid4().hex,
                "X-Goog-Resource-ID": "forged-resource",
                "X-Goog-Resource-State": "exists",
                "Connection": "close",
            }
            conn.request("POST", "/calendar_webhook", body=b"", headers=headers)
            status = conn.getresponse().status
        except OSError:
            status = -1
        finally:
            conn.close()
        with lock:
            statuses.append(status)


def _descriptors(proc: psutil.Process) -> tuple[int, int]:
    """(descriptors on the database's files, every other descriptor) of the server."""
    database = sum(1 for f in proc.open_files() if Path(f.path).name.startswith("hybrid-calendar.sqlite3"))
    return database, proc.num_fds() - database


def _wave(port: int, total: int) -> list[int]:
    statuses: list[int] = []
    lock = threading.Lock()
    shares = [total // CLIENTS + (1 if i < total % CLIENTS else 0) for i in range(CLIENTS)]
    threads = [threading.Thread(target=_post_webhook, args=(port, statuses, lock, n)) for n in shares]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    return statuses


def test_five_thousand_connections_under_256_descriptors_keep_descriptors_and_memory_flat(tmp_path: Path) -> None:
    """`serve` under `ulimit -n 256` answers 5,000 connections that touch the store, all 200, fds and RSS flat."""
    port = free_port()
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
        "HYBRIDCAL_DATA_DIR": str(tmp_path / "data"),
        "HYBRIDCAL_ADMIN_TOKEN": ADMIN_TOKEN,
        "HYBRIDCAL_SCHEDULER": "off",
        "HYBRIDCAL_LOG_LEVEL": "WARNING",
        "HYBRIDCAL_CLOCK_START": z(T0),
    }
    serve = spawn("serve", ["serve", "--host", "127.0.0.1", "--port", str(port)], env, tmp_path, nofile=LIMIT)
    try:
        assert answers(serve), serve.output()[-2000:]
        proc = psutil.Process(serve.pid)
        assert proc.rlimit(psutil.RLIMIT_NOFILE) == (LIMIT, LIMIT)
        warm = _wave(port, 800)
        (_, others_before), rss_before = _descriptors(proc), proc.memory_info().rss
        rest = _wave(port, CONNECTIONS - 800)
        # the server closes its side of the last connections just after answering them: wait until it has
        # (a leak never comes down), then read the figures. The store's pool may open more connections in the
        # second wave than in the first: its descriptors are bounded by the pool, the others by the first wave's.
        wait_until(lambda: _descriptors(proc)[1] <= others_before + 16, timeout=30)
        (database, others_after), rss_after = _descriptors(proc), proc.memory_info().rss
        statuses = warm + rest
        print(  # the figures of the run, for the record
            f"\nconnections={len(statuses)} fds other than the database's: {others_before} -> {others_after}, "
            f"the database's {database} (limit {LIMIT}); rss: {rss_before / 2**20:.1f} -> {rss_after / 2**20:.1f} MiB"
        )
        assert len(statuses) == CONNECTIONS
        assert set(statuses) == {200}
        assert others_after <= others_before + 16  # sockets and the rest: 4,200 connections leave none behind
        assert database <= 2 * POOL_SIZE + 1  # the pool at its bound: a database file and a WAL each, one -shm
        assert database + others_after < 64
        assert rss_after - rss_before < 24 * 2**20
        assert serve.process.poll() is None
    finally:
        serve.stop()
