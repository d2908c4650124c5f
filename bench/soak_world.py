"""The soak's deployment: the Google emulator with many users and the service in a process of its own.

The emulator runs in the soak's process (the soak calls it in process, and serves it over
loopback for the service); the service runs in ``bench/soak_service.py``'s process on a data
dir, so ``restart(kill=True)`` can ``kill -9`` it in the middle of its work. One clock file moves
the service's clock with the emulator's; a push switch answers 503 while the service is down;
``world.app`` reads what the service stored, from its data dir, beside it.
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from bench.soak_clock import FileClock
from emulator.app import create_app as create_emulator
from emulator.client import ControlClient
from emulator.server import EmulatorServer
from emulator.state import EmulatorState
from emulator.testing import BASE_URL as EMULATOR_URL
from emulator.testing import access_token
from shared.adapters.crypto.envelope import EnvelopeCipher
from shared.adapters.crypto.local import LocalKek
from shared.adapters.store.repositories import DocumentStores
from shared.adapters.store.sqlite import SqliteDocumentStore
from shared.config import GOOGLE_SCOPES
from shared.domain.principals import PrincipalKind
from shared.errors import HybridCalendarError, Unavailable
from shared.logs import JsonFormatter
from shared.ports import BusMessage
from tests.support.gcp_emulators import free_port
from tests.support.instant import T0

DOMAIN = "example.com"
PUBLIC_URL = "http://hybrid-calendar.test"
ROOMS = ["room-1@resource.calendar.google.com", "room-2@resource.calendar.google.com"]
LOCALES = ("en", "de", "fr", "ja", "es")
ZONES = ("Europe/Berlin", "America/New_York", "Asia/Tokyo", "UTC")
RETRY_STATUSES = {429, 500, 503}


def user_email(i: int) -> str:
    """The address of soak user ``i``."""
    return f"soak-user{i:02d}@{DOMAIN}"


class PushSwitch(httpx.BaseTransport):
    """Delivers the emulator's pushes to the service process, or answers 503 while it is down or dying."""

    def __init__(self) -> None:
        self.target: httpx.BaseTransport | None = None
        self.refused = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Forward to the service, or refuse like a service that is restarting."""
        target = self.target
        if target is not None:
            try:
                return target.handle_request(request)
            except httpx.TransportError:
                pass  # killed, or not listening yet
        self.refused += 1
        return httpx.Response(503, request=request)


class LogCapture(logging.Handler):
    """Keeps every log line the service writes, formatted as it would be written (JSON)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []
        self._guard = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        """Format and keep one record."""
        line = self.format(record)
        with self._guard:
            self.lines.append(line)


class ServiceBus:
    """The service process's bus as the soak sees it: idle waits, re-publishing, counters."""

    def __init__(self, world: SoakWorld) -> None:
        self._world = world

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait (on the bus's condition, in the service) until nothing is queued or in flight."""
        answer = self._world.soak("/soak/idle", {"timeout": timeout}, timeout=timeout + 30)
        return bool(answer.get("idle")) and answer.get("pending") == 0

    def publish(
        self, topic: str, data: bytes, *, ordering_key: str | None = None, attributes: dict[str, str] | None = None
    ) -> None:
        """Publish once more through the service's bus."""
        body = {"topic": topic, "data": base64.b64encode(data).decode(), "key": ordering_key, "attributes": attributes}
        self._world.soak("/soak/publish", body)


class ServiceRuntime:
    """The scheduled jobs of the service process, called as Cloud Scheduler would."""

    def __init__(self, world: SoakWorld) -> None:
        self._world = world

    def run_job(self, name: str) -> int:
        """POST one scheduled path; Unavailable on a 5xx (the next run retries)."""
        response = self._world.service_http().post(f"/{name}", json={})
        if response.status_code >= 500:
            raise Unavailable(f"{name} answered {response.status_code}")
        return response.status_code


class StoreView:
    """What the service stored, read from its data dir beside it (WAL lets a second process read)."""

    def __init__(self, data_dir: Path, clock: FileClock) -> None:
        self.documents = SqliteDocumentStore(data_dir / "hybrid-calendar.sqlite3")
        kek = LocalKek.from_file(data_dir / "local-kek.key", create=False)
        self.stores = DocumentStores(self.documents, EnvelopeCipher(self.documents, kek, clock))

    def close(self) -> None:
        """Close the read connections."""
        self.documents.close()


class SoakWorld:
    """Emulator, the service process and the knobs the soak turns."""

    def __init__(self, tmp: Path, users: int) -> None:
        self.tmp = tmp
        self.state = EmulatorState()
        self.emulator = create_emulator(self.state)
        self.transport = httpx.WSGITransport(app=self.emulator)
        self.control = ControlClient(base_url=EMULATOR_URL, transport=self.transport)
        self.emulator_server = EmulatorServer(state=self.state)
        self.clock = FileClock(tmp / "clock", start=T0)
        self.control.set_clock(time=_rfc3339(T0), frozen=True)
        self.emails = [user_email(i) for i in range(users)]
        people = [
            {
                "email": e,
                "name": f"Soak User {i}",
                "locale": LOCALES[i % len(LOCALES)],
                "timeZone": ZONES[i % len(ZONES)],
            }
            for i, e in enumerate(self.emails)
        ]
        rooms = [{"email": r, "name": f"Room {i + 1}"} for i, r in enumerate(ROOMS)]
        self.control.create_domain(DOMAIN, users=people, rooms=rooms)
        self.key = self.control.create_service_account(DOMAIN, list(GOOGLE_SCOPES))
        self.data_dir = tmp / "data"
        self.taps_dir = tmp / "taps"
        self.taps_dir.mkdir()
        self.logs_dir = tmp / "logs"
        self.logs_dir.mkdir()
        self.port = free_port()
        self.push = PushSwitch()
        self.state.set_push_transport(self.push)
        self.tapped_topics: list[str] = []
        self.restarts = 0
        self.crashes = 0
        self.published: Counter[str] = Counter()
        self.closed = False
        self.bus = ServiceBus(self)
        self.runtime = ServiceRuntime(self)
        self.process = self._start()
        self.view = StoreView(self.data_dir, self.clock)
        org = {
            "id": "example-com",
            "domain": DOMAIN,
            "service_account_key": self.key,
            "room_delegate": self.emails[0],
        }
        response = self.admin("POST", "/orgs", org)
        assert response.status_code == 201, response.text
        created = self.app.stores.orgs.get_org("example-com")
        assert created is not None
        self.org = created
        self._tokens: dict[str, tuple[str, datetime]] = {}

    # ------------------------------------------------------------ the service process

    @property
    def app(self) -> StoreView:
        """What the service stored (``world.app.stores``, ``world.app.documents``)."""
        return self.view

    def _start(self) -> subprocess.Popen[bytes]:
        command = [
            sys.executable,
            "-m",
            "bench.soak_service",
            *("--data-dir", str(self.data_dir), "--emulator", self.emulator_server.url, "--port", str(self.port)),
            *("--clock", str(self.clock.path), "--taps", str(self.taps_dir)),
            *("--log", str(self.logs_dir / f"service-{self.restarts + self.crashes}.log")),
            *[arg for topic in self.tapped_topics for arg in ("--tap", topic)],
        ]
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError("the soak's service process exited at start")
            try:
                httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.05)  # waiting for another process to listen
        self.push.target = httpx.HTTPTransport()
        return process

    def service_http(self) -> httpx.Client:
        """An HTTP client of the service process with the admin token."""
        return httpx.Client(
            base_url=f"http://127.0.0.1:{self.port}", headers={"Authorization": "Bearer admin"}, timeout=120
        )

    def soak(self, path: str, body: dict[str, Any] | None = None, timeout: float = 120) -> dict[str, Any]:
        """Call a bench-only route of the service; Unavailable when it answers 503."""
        with self.service_http() as http:
            response = http.post(path, json=body or {}, timeout=timeout)
        if response.status_code >= 500:
            raise Unavailable(f"{path} answered {response.status_code}")
        answer: dict[str, Any] = response.json()
        return answer

    def admin(self, method: str, path: str, body: Any = None) -> httpx.Response:
        """Call the service's admin API."""
        with self.service_http() as http:
            return http.request(method, f"/admin/v1{path}", json=body)

    def _stats(self) -> dict[str, Any]:
        try:
            with self.service_http() as http:
                answer: dict[str, Any] = http.get("/soak/stats", timeout=10).json()
                return answer
        except httpx.HTTPError:
            return {}

    def tap(self, topic: str) -> None:
        """Keep a copy of every message published on ``topic`` (a stored subscription of its own)."""
        self.tapped_topics.append(topic)
        self.soak("/soak/tap", {"topic": topic})

    def tapped(self, topic: str) -> list[BusMessage]:
        """The messages published on a tapped topic, each once (a crash may deliver a tap copy twice)."""
        path = self.taps_dir / f"{topic}.jsonl"
        seen: dict[str, BusMessage] = {}
        for line in path.read_text().splitlines() if path.exists() else []:
            item = _tap_line(line)
            if item is None:
                continue
            seen.setdefault(
                item["id"],
                BusMessage(
                    topic=topic,
                    data=base64.b64decode(item["data"]),
                    attributes=item["attributes"],
                    ordering_key=item["key"],
                    message_id=item["id"],
                ),
            )
        return list(seen.values())

    def restart(self, *, kill: bool = False, drain_seconds: float = 10.0) -> None:
        """Restart the service process: cleanly (SIGINT after a drain) or with ``kill -9`` mid-flight.

        Pushes meanwhile answer 503. What was queued or in flight stays in the database and is
        delivered by the new process.
        """
        self.push.target = None
        if kill:
            self.published.update(self._stats().get("published", {}))
            os.kill(self.process.pid, signal.SIGKILL)
            self.crashes += 1
        else:
            with contextlib.suppress(HybridCalendarError, httpx.HTTPError):
                self.bus.wait_idle(drain_seconds)
            self.published.update(self._stats().get("published", {}))
            os.kill(self.process.pid, signal.SIGINT)
            self.restarts += 1
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)
        self.process = self._start()

    @property
    def dead_letters(self) -> int:
        """Dead letters in the database (they survive restarts)."""
        return int(self._stats().get("dead_letters", 0))

    def settle(self, timeout: float = 120.0) -> None:
        """Wait until pushes, bus messages and their follow-ups have all been handled."""
        deadline = time.monotonic() + timeout
        quiet = 0
        while time.monotonic() < deadline:
            pushes_idle = self.state.push.wait_idle(0.5)
            bus_idle = self.bus.wait_idle(0.5)
            quiet = quiet + 1 if pushes_idle and bus_idle else 0
            if quiet >= 2:
                return
        raise AssertionError("the deployment did not settle")

    def advance(self, delta: timedelta) -> None:
        """Move the service's and the emulator's clocks together."""
        self.set_time(self.clock.now() + delta)

    def set_time(self, when: datetime) -> None:
        """Set both clocks to ``when``."""
        self.control.set_clock(time=_rfc3339(when), frozen=True)
        self.clock.set(when)

    def activate(
        self, email: str, kind: PrincipalKind = PrincipalKind.PERSON, devices: list[str] | None = None
    ) -> None:
        """Queue the activation of one principal (validation, full sync and watch follow on the bus)."""
        body = {"email": email, "kind": kind.value, "devices": devices or []}
        response = self.admin("POST", f"/orgs/{self.org.id}/principals", body)
        assert response.status_code == 202, response.text

    def principal_id(self, email: str) -> str:
        """The principal id of ``email``."""
        return self.app.stores.principals.principal_id(self.org.id, email)

    def reconcile(self, principal_id: str) -> int:
        """The maintenance's bounded full resync of one calendar, in the service process."""
        answer = self.soak("/soak/reconcile", {"org_id": self.org.id, "principal_id": principal_id})
        return int(answer["repaired"])

    def log_lines(self) -> list[str]:
        """Every log line the service processes wrote."""
        return [line for path in sorted(self.logs_dir.iterdir()) for line in path.read_text().splitlines()]

    # ------------------------------------------------------------ users acting by hand

    def call(self, who: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """A Calendar API call as ``who``; retries what Google asks clients to retry and refreshes tokens."""
        for attempt in range(12):
            with httpx.Client(transport=self.transport, base_url=EMULATOR_URL) as http:
                headers = {"Authorization": f"Bearer {self._token(who, http, fresh=attempt > 0)}"}
                response = http.request(method, path, headers=headers, **kwargs)
            if response.status_code not in RETRY_STATUSES and response.status_code != 401:
                return response
        return response

    def _token(self, who: str, http: httpx.Client, *, fresh: bool) -> str:
        cached = self._tokens.get(who)
        now = self.clock.now()
        if cached is None or fresh or cached[1] <= now:
            token = access_token(http, self.key, who, list(GOOGLE_SCOPES))
            cached = (token, now + timedelta(minutes=50))
            self._tokens[who] = cached
        return cached[0]

    def close(self) -> None:
        """Stop everything (once)."""
        if self.closed:
            return
        self.closed = True
        self.push.target = None
        self.published.update(self._stats().get("published", {}))
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.process.pid, signal.SIGINT)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)
        self.view.close()
        self.state.close()
        self.emulator_server.stop()
        self.control.close()


def _tap_line(line: str) -> dict[str, Any] | None:
    """One tap copy; None for a write cut short by ``kill -9`` or still in progress (redelivery writes it again).

    A copy appended after a cut-short write shares its line: the last object on the line is read.
    """
    for start in (0, line.rfind('{"id"', 1)):
        if start >= 0:
            try:
                item: dict[str, Any] = json.loads(line[start:])
                return item
            except ValueError:
                continue
    return None


def _rfc3339(when: datetime) -> str:
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z")
