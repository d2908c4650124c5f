"""Real processes for the hardening tests: ``hybrid-calendar emulator`` and ``hybrid-calendar serve``.

Each runs in its own session (so a ``kill -9`` hits exactly it), optionally with a descriptor
limit set through ``resource.setrlimit`` before ``exec`` (``ulimit -n``). Waiting is on conditions with a bound
(an answered ``/healthz``, a request-log count), never on fixed sleeps. ``reader()`` opens the
data directory read-only beside a running service (WAL allows it) to check what it stored.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from emulator.client import ControlClient
from emulator.testing import access_token
from shared.adapters.crypto.envelope import EnvelopeCipher
from shared.adapters.crypto.local import LocalKek
from shared.adapters.store.repositories import DocumentStores
from shared.adapters.store.sqlite import SqliteDocumentStore
from shared.clock import ManualClock
from shared.config import GOOGLE_SCOPES
from tests.support.gcp_emulators import free_port
from tests.support.instant import T0, z
from tests.support.wait import wait_until

CLI = str(Path(sys.executable).with_name("hybrid-calendar"))
ADMIN_TOKEN = "hardening-admin-token"


def _limited(command: list[str], nofile: int | None) -> list[str]:
    """``command`` run under a descriptor limit: a fresh interpreter calls ``setrlimit``, then ``exec``s it.

    (Not ``preexec_fn``: it runs Python in a fork of this threaded process, which gRPC's fork
    handlers, loaded by other tests, do not survive.)
    """
    if nofile is None:
        return command
    code = (
        "import os, resource, sys; "
        f"resource.setrlimit(resource.RLIMIT_NOFILE, ({nofile}, {nofile})); "
        "os.execv(sys.argv[1], sys.argv[1:])"
    )
    return [sys.executable, "-c", code, *command]


@dataclass
class Proc:
    """A child process, its port and where its output goes."""

    name: str
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def url(self) -> str:
        """The base URL it serves."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        """Its process id."""
        return self.process.pid

    def output(self) -> str:
        """Everything it wrote so far."""
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def kill9(self) -> None:
        """``kill -9`` it and reap it."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        """Interrupt it (Ctrl-C) and wait; kill it when it does not stop."""
        if self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.process.pid, signal.SIGINT)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill9()


def spawn(name: str, args: list[str], env: dict[str, str], log_dir: Path, nofile: int | None = None) -> Proc:
    """Start ``hybrid-calendar <args>`` in its own session, its output in ``log_dir/<name>.log``."""
    port = int(args[args.index("--port") + 1])
    log = log_dir / f"{name}.log"
    with log.open("ab") as out:
        process = subprocess.Popen(
            _limited([CLI, *args], nofile), env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    return Proc(name, process, port, log)


def answers(proc: Proc, path: str = "/healthz", timeout: float = 60.0) -> bool:
    """Wait until ``proc`` answers ``path`` (any status); False when it died or the bound passed."""

    def up() -> bool:
        if proc.process.poll() is not None:
            return True
        try:
            httpx.get(proc.url + path, timeout=2)
        except httpx.HTTPError:
            return False
        return True

    return wait_until(up, timeout=timeout, interval=0.1) and proc.process.poll() is None


@dataclass
class Deployment:
    """An emulator process and a service process wired to each other over loopback."""

    tmp: Path
    emulator: Proc
    control: ControlClient
    key: dict[str, Any]
    data_dir: Path
    env: dict[str, str]
    service: Proc | None = None
    starts: int = 0
    extra: dict[str, str] = field(default_factory=dict)

    def start_service(self, *, nofile: int | None = None) -> Proc:
        """Start ``hybrid-calendar serve`` on the data dir, its clock where the emulator's is now."""
        port = self.service.port if self.service is not None else free_port()
        now = self.control.clock()["time"]
        env = {
            **self.env,
            "HYBRIDCAL_PUBLIC_URL": f"http://127.0.0.1:{port}",
            "HYBRIDCAL_CLOCK_START": now,
            **self.extra,
        }
        self.starts += 1
        proc = spawn(
            f"serve-{self.starts}", ["serve", "--host", "127.0.0.1", "--port", str(port)], env, self.tmp, nofile
        )
        assert answers(proc), proc.output()[-3000:]
        self.service = proc
        return proc

    def admin(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Call the admin API of the running service."""
        assert self.service is not None
        headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        return httpx.request(method, f"{self.service.url}/admin/v1{path}", headers=headers, timeout=30, **kwargs)

    def google(self, who: str) -> httpx.Client:
        """A Calendar API client of the emulator acting as ``who``."""
        with httpx.Client(base_url=self.emulator.url, timeout=30) as raw:
            token = access_token(raw, self.key, who, list(GOOGLE_SCOPES))
        return httpx.Client(base_url=self.emulator.url, headers={"Authorization": f"Bearer {token}"}, timeout=30)

    def close(self) -> None:
        """Stop both processes."""
        if self.service is not None:
            self.service.stop()
        self.control.close()
        self.emulator.stop()


@contextlib.contextmanager
def deployment(tmp: Path, users: list[dict[str, str]], domain: str = "example.com") -> Iterator[Deployment]:
    """The emulator (clock at T0, running) with ``users`` and a delegated service account; no service yet."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HYBRIDCAL_")}
    env.update(PYTHONUNBUFFERED="1")
    ports = ["--port", str(free_port()), "--kms-port", str(free_port())]
    emulator = spawn("emulator", ["emulator", "--host", "127.0.0.1", *ports], env, tmp)
    assert answers(emulator, "/emulator/v1/clock"), emulator.output()[-3000:]
    control = ControlClient(base_url=emulator.url)
    control.set_clock(time=z(T0), frozen=False)
    control.create_domain(domain, users=users, rooms=[])
    key = control.create_service_account(domain, list(GOOGLE_SCOPES))
    data_dir = tmp / "data"
    service_env = {
        **env,
        "HYBRIDCAL_DATA_DIR": str(data_dir),
        "HYBRIDCAL_GOOGLE_BASE_URL": emulator.url,
        "HYBRIDCAL_ADMIN_TOKEN": ADMIN_TOKEN,
        "HYBRIDCAL_SCHEDULER": "off",
        "HYBRIDCAL_LOG_LEVEL": "WARNING",
    }
    world = Deployment(tmp, emulator, control, key, data_dir, service_env)
    try:
        yield world
    finally:
        world.close()


def reader(data_dir: Path, at: datetime) -> tuple[DocumentStores, SqliteDocumentStore]:
    """The stored view of a data directory, opened beside the service that owns it (reads only)."""
    store = SqliteDocumentStore(data_dir / "hybrid-calendar.sqlite3")
    kek = LocalKek.from_file(data_dir / "local-kek.key", create=False)
    return DocumentStores(store, EnvelopeCipher(store, kek, ManualClock(at))), store


def copy_data_dir(data_dir: Path) -> Path:
    """A copy of the database, its -wal and the key file, as a thief with the disk would have them."""
    target = Path(tempfile.mkdtemp(prefix="hybridcal-copy-"))
    for name in ("hybrid-calendar.sqlite3", "hybrid-calendar.sqlite3-wal", "local-kek.key"):
        if (data_dir / name).exists():
            shutil.copy2(data_dir / name, target / name)
    return target
