"""The soak's deployment: the Google emulator with many users and a service App that can be restarted.

Like ``tests/support/world.py`` (emulator and local runtime wired both ways through httpx
transports, no sockets), but with ``n`` users and two rooms, one shared manual clock that moves
the emulator's clock too, a push switch that answers 503 while the runtime is down, and
``restart()``: close the runtime and build a new App over the same data dir and emulator.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from emulator.app import create_app as create_emulator
from emulator.client import ControlClient
from emulator.state import EmulatorState
from emulator.testing import BASE_URL as EMULATOR_URL
from emulator.testing import access_token
from shared.adapters.bus.local import LocalBus
from shared.bootstrap import App, build
from shared.clock import ManualClock
from shared.config import GOOGLE_SCOPES, Settings
from shared.domain.principals import CredentialRef, Org, PrincipalKind
from shared.logs import JsonFormatter
from shared.ports import BusMessage
from shared.runtime.server import LocalRuntime
from tests.support.instant import T0

DOMAIN = "example.com"
PUBLIC_URL = "http://hybrid-calendar.test"
ROOMS = ["room-1@resource.calendar.google.com", "room-2@resource.calendar.google.com"]
LOCALES = ("en", "de", "fr", "ja", "es")
ZONES = ("Europe/Berlin", "America/New_York", "Asia/Tokyo", "UTC")
RETRY_STATUSES = {429, 500, 503}


class SoakClock(ManualClock):
    """Wall time moves only when told to; monotonic time is real time plus every jump.

    The quota guard and retry backoff measure elapsed time on ``monotonic()`` and really sleep;
    with a frozen monotonic reading (a plain ManualClock) their debt would only grow, so every
    call past the process burst would sleep longer than the last.
    """

    def monotonic(self) -> float:
        """Real seconds elapsed plus the seconds the clock was moved forward."""
        return time.monotonic() + super().monotonic()


def user_email(i: int) -> str:
    """The address of soak user ``i``."""
    return f"soak-user{i:02d}@{DOMAIN}"


class PushSwitch(httpx.BaseTransport):
    """Delivers the emulator's pushes to the current runtime, or answers 503 while it is down."""

    def __init__(self) -> None:
        self.target: httpx.BaseTransport | None = None
        self.refused = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Forward to the runtime, or refuse like a service that is restarting."""
        target = self.target
        if target is None:
            self.refused += 1
            return httpx.Response(503, request=request)
        return target.handle_request(request)


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


class SoakWorld:
    """Emulator, service and the knobs the soak turns."""

    def __init__(self, tmp: Path, users: int) -> None:
        self.state = EmulatorState()
        self.emulator = create_emulator(self.state)
        self.transport = httpx.WSGITransport(app=self.emulator)
        self.control = ControlClient(base_url=EMULATOR_URL, transport=self.transport)
        self.clock = SoakClock(T0)
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
        self.push = PushSwitch()
        self.state.set_push_transport(self.push)
        self.taps: dict[str, list[BusMessage]] = {}
        self.restarts = 0
        self.published: Counter[str] = Counter()
        self.dead_letters = 0
        self.closed = False
        self.app, self.runtime = self._start()
        org = Org(
            id="example-com",
            domain=DOMAIN,
            credential=CredentialRef("stored", "", self.key["client_id"]),
            room_delegate=self.emails[0],
        )
        self.app.provisioning.create_org(org, service_account_key=json.dumps(self.key))
        created = self.app.stores.get_org(org.id)
        assert created is not None
        self.org = created
        self._tokens: dict[str, tuple[str, datetime]] = {}

    # ------------------------------------------------------------ the service

    def _start(self) -> tuple[App, LocalRuntime]:
        settings = Settings(
            data_dir=self.data_dir,
            google_base_url=EMULATOR_URL,
            public_url=PUBLIC_URL,
            admin_token="admin",
            bus_workers=4,
            scheduler=False,
            bus_max_attempts=5,
        )
        bus = LocalBus(workers=4, max_attempts=5, backoff_base=0.01, backoff_cap=0.05)
        app = build(settings, clock=self.clock, bus=bus, google_transport=httpx.WSGITransport(app=self.emulator))
        runtime = LocalRuntime(app, scheduler=False)
        for topic, seen in self.taps.items():
            bus.subscribe(topic, seen.append, name=f"{topic}-soak-tap")
        self.push.target = httpx.WSGITransport(app=runtime)
        return app, runtime

    def tap(self, topic: str) -> list[BusMessage]:
        """Keep a copy of every message published on ``topic`` (a subscription of its own)."""
        seen = self.taps.setdefault(topic, [])
        assert isinstance(self.app.bus, LocalBus)
        self.app.bus.subscribe(topic, seen.append, name=f"{topic}-soak-tap")
        return seen

    def restart(self, drain_seconds: float = 10.0) -> None:
        """Restart the runtime: pushes meanwhile answer 503, a new App is built over the same data dir.

        Handlers in flight get ``drain_seconds`` to finish (what Cloud Run grants an instance on
        SIGTERM); whatever is still queued after that is lost with the in-process bus.
        """
        self.push.target = None
        self.bus.wait_idle(drain_seconds)
        self._bank()
        self.runtime.close()
        self.app, self.runtime = self._start()
        self.restarts += 1

    def _bank(self) -> None:
        """Add the current bus's counters to the totals (a restart starts a new bus)."""
        self.published.update(self.bus.published)
        self.dead_letters += len(self.bus.dead_letters())

    @property
    def bus(self) -> LocalBus:
        """The current runtime's bus."""
        assert isinstance(self.app.bus, LocalBus)
        return self.app.bus

    def settle(self, timeout: float = 120.0) -> None:
        """Wait until pushes, bus messages and their follow-ups have all been handled."""
        deadline = time.monotonic() + timeout
        quiet = 0
        while time.monotonic() < deadline:
            pushes_idle = self.state.push.wait_idle(0.5)
            bus_idle = self.bus.wait_idle(0.5)
            quiet = quiet + 1 if pushes_idle and bus_idle and self.bus.pending() == 0 else 0
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
        self.app.provisioning.activate(self.org.id, email, kind, devices or [])

    def principal_id(self, email: str) -> str:
        """The principal id of ``email``."""
        return self.app.stores.principal_id(self.org.id, email)

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
        self.state.close()
        self.push.target = None
        self._bank()
        self.runtime.close()
        self.control.close()


def _rfc3339(when: datetime) -> str:
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z")
