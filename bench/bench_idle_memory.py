"""Idle memory of ``hybrid-calendar serve``: resident set size after start and after ``/healthz``.

The service is started on the embedded default (SQLite, local key file, in-process bus and
scheduler) in an empty data dir; its RSS (psutil, the process and any children) is read once
the port accepts connections and again after a ``GET /healthz``. The baseline is a bare
``python -c "import flask"`` process measured the same way in the same run. Medians of
``REPEATS`` runs.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parent.parent
REPEATS = 3
SETTLE = 1.0  # seconds to let a started process finish its start-up work before reading RSS
MIB = 1024 * 1024


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss(process: psutil.Process) -> int:
    """Resident bytes of ``process`` and its children."""
    total = process.memory_info().rss
    for child in process.children(recursive=True):
        try:
            total += child.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total


def baseline() -> int:
    """RSS of a bare interpreter that imported flask."""
    code = "import flask, sys; print('ready', flush=True); sys.stdin.read()"
    with subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    ) as process:
        assert process.stdout is not None and process.stdin is not None
        process.stdout.readline()
        time.sleep(SETTLE)
        value = rss(psutil.Process(process.pid))
        process.stdin.close()
        process.wait(10)
    return value


def serve() -> tuple[int, int, float]:
    """RSS of ``hybrid-calendar serve`` once listening and after /healthz, and seconds until it listened."""
    port = _free_port()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "HYBRIDCAL_DATA_DIR": tmp, "HYBRIDCAL_ADMIN_TOKEN": "bench"}
        command = [
            str(Path(sys.executable).parent / "hybrid-calendar"),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ]
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"serve exited with {process.returncode}")
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.01)  # not listening yet
                if time.perf_counter() - started > 60:
                    raise RuntimeError("serve did not listen within 60 s")
            listening = time.perf_counter() - started
            time.sleep(SETTLE)
            handle = psutil.Process(process.pid)
            after_start = rss(handle)
            response = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=30)
            assert response.status_code == 200, response.text
            time.sleep(SETTLE)
            after_health = rss(handle)
        finally:
            process.terminate()
            process.wait(10)
    return after_start, after_health, listening


def main() -> None:
    """Print the figures as a Markdown section."""
    base = statistics.median(baseline() for _ in range(REPEATS))
    runs = [serve() for _ in range(REPEATS)]
    started = statistics.median(r[0] for r in runs)
    health = statistics.median(r[1] for r in runs)
    listening = statistics.median(r[2] for r in runs)
    print(f"## Idle memory of `hybrid-calendar serve` (embedded backend, RSS, median of {REPEATS})\n")
    print("| process | RSS | vs baseline |")
    print("|---|---|---|")
    print(f'| `python -c "import flask"` (baseline) | {base / MIB:.1f} MiB | 1.00x |')
    print(f"| serve, listening ({listening:.2f} s after start) | {started / MIB:.1f} MiB | {started / base:.2f}x |")
    print(f"| serve, after `GET /healthz` | {health / MIB:.1f} MiB | {health / base:.2f}x |")


if __name__ == "__main__":
    main()
