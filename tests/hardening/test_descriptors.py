"""Finding 1: unauthenticated connections cannot exhaust the server's descriptors or memory."""

from __future__ import annotations

import http.client
import os
import threading
import uuid
from pathlib import Path

import psutil
import pytest

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
        fds_before, rss_before = proc.num_fds(), proc.memory_info().rss
        rest = _wave(port, CONNECTIONS - 800)
        # the server closes its side of the last connections just after answering them: wait until it has
        # (a leak never comes down), then read the figures
        wait_until(lambda: proc.num_fds() <= fds_before + 16, timeout=30)
        fds_after, rss_after = proc.num_fds(), proc.memory_info().rss
        statuses = warm + rest
        print(  # the figures of the run, for the record
            f"\nconnections={len(statuses)} fds: {fds_before} -> {fds_after} (limit {LIMIT}); "
            f"rss: {rss_before / 2**20:.1f} MiB -> {rss_after / 2**20:.1f} MiB"
        )
        assert len(statuses) == CONNECTIONS
        assert set(statuses) == {200}
        assert fds_after <= fds_before + 16 and fds_after < 64  # at most the pool's 8 connections more
        assert rss_after - rss_before < 24 * 2**20
        assert serve.process.poll() is None
    finally:
        serve.stop()
