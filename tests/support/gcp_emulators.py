"""Start Google's Firestore and Pub/Sub emulators for a test session and stop them after.

Each emulator runs in its own process group (``setsid``) and is stopped by group. Under
``CI=true`` a missing emulator fails the run; elsewhere the tests that need it skip with a
message that says how to get it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass

import httpx

INSTALL_HINT = (
    "install the Google Cloud CLI with the emulators and Java 17: "
    "`gcloud components install cloud-firestore-emulator pubsub-emulator beta` "
    "(or the Debian packages google-cloud-cli-firestore-emulator and google-cloud-cli-pubsub-emulator)"
)


def free_port() -> int:
    """An unused TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def free_port_pair() -> int:
    """An unused loopback port whose next port is unused too (for servers that also listen on port + 1)."""
    for _ in range(100):
        with socket.socket() as first, socket.socket() as second:
            first.bind(("127.0.0.1", 0))
            port = int(first.getsockname()[1])
            try:
                second.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
            return port
    raise RuntimeError("no two adjacent free ports on loopback")


@dataclass
class EmulatorProcess:
    """A running emulator: its host:port and process."""

    name: str
    host_port: str
    process: subprocess.Popen[bytes]
    log_path: str

    def stop(self) -> None:
        """Stop the whole process group."""
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)


def available() -> str | None:
    """None when the emulators can run here, else why not."""
    if shutil.which("gcloud") is None:
        return "gcloud is not installed; " + INSTALL_HINT
    if shutil.which("java") is None:
        return "java is not installed; " + INSTALL_HINT
    return None


def start(kind: str, project: str = "hybridcal-test", timeout: float = 90.0) -> EmulatorProcess:
    """Start the ``firestore`` or ``pubsub`` emulator and wait until it answers."""
    port = free_port()
    host_port = f"127.0.0.1:{port}"
    if kind == "firestore":
        cmd = ["gcloud", "emulators", "firestore", "start", f"--host-port={host_port}", "--quiet"]
    elif kind == "pubsub":
        data_dir = tempfile.mkdtemp(prefix="pubsub-emulator-")
        cmd = [
            "gcloud",
            "beta",
            "emulators",
            "pubsub",
            "start",
            f"--host-port={host_port}",
            f"--project={project}",
            f"--data-dir={data_dir}",
            "--quiet",
        ]
    else:
        raise ValueError(kind)
    log_path = tempfile.mktemp(prefix=f"{kind}-emulator-", suffix=".log")
    with open(log_path, "wb") as log_file:
        process = subprocess.Popen(cmd, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True)
    emulator = EmulatorProcess(kind, host_port, process, log_path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            if httpx.get(f"http://{host_port}/", timeout=1).status_code == 200:
                return emulator
        except httpx.HTTPError:
            pass
        time.sleep(0.25)  # waiting for an external process to listen
    emulator.stop()
    with open(log_path, errors="replace") as handle:
        tail = handle.read()[-2000:]
    raise RuntimeError(f"the {kind} emulator did not start within {timeout:.0f}s:\n{tail}")
