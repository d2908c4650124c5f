"""A whole deployment in one process: the Google emulator and the local runtime, wired both ways.

Google's pushes reach the runtime's webhook through an httpx transport, and the service's
Google calls reach the emulator the same way, so tests run the real flow with no sockets:
emulator push → webhook → bus → sync → store → rewrite → patch.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from emulator.app import create_app as create_emulator
from emulator.client import ControlClient
from emulator.state import EmulatorState
from emulator.testing import BASE_URL as EMULATOR_URL
from shared.adapters.bus.local import LocalBus
from shared.bootstrap import App, build
from shared.clock import ManualClock
from shared.config import GOOGLE_SCOPES, Settings
from shared.domain.principals import CredentialRef, Org, PrincipalKind
from shared.domain.retention import RetentionWindow
from shared.runtime.server import LocalRuntime
from tests.support.instant import T0

DOMAIN = "example.com"
PUBLIC_URL = "http://hybrid-calendar.test"
USERS = [
    {"email": "alice@example.com", "name": "Alice", "locale": "de", "timeZone": "Europe/Berlin"},
    {"email": "bob@example.com", "name": "Bob", "locale": "en", "timeZone": "America/New_York"},
    {"email": "carol@example.com", "name": "Carol", "locale": "ja", "timeZone": "Asia/Tokyo"},
]
ROOMS = [{"email": "room-1@resource.calendar.google.com", "name": "Room 1"}]


@dataclass
class World:
    """The emulator, its control client, the service App and the local runtime."""

    emulator_state: EmulatorState
    emulator: Any
    control: ControlClient
    app: App
    runtime: LocalRuntime
    clock: ManualClock
    key: dict[str, Any]
    org: Org

    def http(self, subject: str) -> httpx.Client:
        """An httpx client calling the emulator's Calendar API as ``subject`` (a user acting by hand)."""
        from emulator.testing import access_token

        transport = httpx.WSGITransport(app=self.emulator)
        with httpx.Client(transport=transport, base_url=EMULATOR_URL) as raw:
            token = access_token(raw, self.key, subject, list(GOOGLE_SCOPES))
        return httpx.Client(transport=transport, base_url=EMULATOR_URL, headers={"Authorization": f"Bearer {token}"})

    def settle(self, timeout: float = 30.0) -> None:
        """Deliver until the bus is drained and the emulator has no push queued, both at once.

        One round waits for the emulator's queued pushes, then drains the bus on this thread (beside
        its workers); the deployment is settled when a round ends with nothing queued on either side
        and no push enqueued since the round began (the emulator's counter did not move), since a
        push posted to the webhook publishes, and a sync patching an event enqueues a push.
        """
        deadline = time.monotonic() + timeout
        bus = self.app.bus
        assert isinstance(bus, LocalBus)
        push = self.emulator_state.push
        while True:
            before = push.counts()["enqueued"]
            remaining = deadline - time.monotonic()
            assert remaining > 0 and push.wait_idle(remaining), f"the emulator's pushes did not drain: {push.counts()}"
            bus.drain(timeout=max(deadline - time.monotonic(), 0.001))
            after = push.counts()
            if after["queued"] == 0 and after["enqueued"] == before and bus.pending() == 0:
                return

    def activate(self, email: str, kind: PrincipalKind = PrincipalKind.PERSON) -> None:
        """Activate a principal through the provisioning service and wait for validation, sync and watch."""
        self.app.provisioning.activate(self.org.id, email, kind, [])
        self.settle()

    def count(self, operation: str, subject: str | None = None) -> int:
        """Calls of a Google operation in the emulator's request log (optionally by one subject)."""
        items = self.control.requests(operation=operation, subject=subject)["items"]
        return len(items)

    def subjects(self, operation: str) -> set[str]:
        """Who made calls of ``operation``."""
        return {str(item["subject"]) for item in self.control.requests(operation=operation)["items"]}

    def close(self) -> None:
        """Stop everything."""
        self.emulator_state.close()  # no push may reach a runtime that is closing
        self.runtime.close()
        self.control.close()


def make_world(
    tmp_path: Path,
    *,
    scopes: list[str] | None = None,
    configure: Callable[[Settings], Settings] | None = None,
    workers: int = 4,
) -> World:
    """Build an emulated Workspace domain and a service wired to it (``workers=0``: every bus delivery in settle)."""
    state = EmulatorState()
    emulator = create_emulator(state)
    control = ControlClient(base_url=EMULATOR_URL, transport=httpx.WSGITransport(app=emulator))
    control.set_clock(time=T0.isoformat().replace("+00:00", "Z"), frozen=True)
    control.create_domain(DOMAIN, users=USERS, rooms=ROOMS)
    key = control.create_service_account(DOMAIN, scopes if scopes is not None else list(GOOGLE_SCOPES))
    clock = ManualClock(T0)
    settings = Settings(
        data_dir=tmp_path / "data",
        google_base_url=EMULATOR_URL,
        public_url=PUBLIC_URL,
        admin_token="admin",
        bus_workers=workers,
        scheduler=False,
        bus_max_attempts=4,
    )
    if configure is not None:
        settings = configure(settings)
    app = build(
        settings,
        clock=clock,
        bus=LocalBus(workers=workers, max_attempts=4, backoff_base=0.01, backoff_cap=0.05),
        google_transport=httpx.WSGITransport(app=emulator),
    )
    runtime = LocalRuntime(app, scheduler=False)
    state.set_push_transport(httpx.WSGITransport(app=runtime))
    org = Org(
        id="example-com",
        domain=DOMAIN,
        credential=CredentialRef("stored", "", key["client_id"]),
        room_delegate="alice@example.com",
    )
    app.provisioning.create_org(org, service_account_key=json.dumps(key))
    created = app.stores.orgs.get_org(org.id)
    assert created is not None
    return World(state, emulator, control, app, runtime, clock, key, created)


def stored(world: World, email: str) -> dict[str, str]:
    """Event id → title of the meetings stored for a calendar, inside the window."""
    pid = world.app.stores.principals.principal_id(world.org.id, email)
    window = RetentionWindow.at(world.clock.now())
    meetings = world.app.stores.meetings.list_meetings(world.org.id, pid, window.start, window.end, world.clock.now())
    return {m.event_id: m.title for m in meetings}


def truth(world: World, email: str) -> dict[str, str]:
    """The emulator's own view of a calendar in the window: event id → title of single events."""
    window = RetentionWindow.at(world.clock.now())
    out: dict[str, str] = {}
    token = None
    with world.http(email) as http:
        while True:
            params: dict[str, Any] = {
                "singleEvents": "true",
                "timeMin": window.start.isoformat(),
                "timeMax": window.end.isoformat(),
                "maxResults": 2500,
            }
            if token:
                params["pageToken"] = token
            page = http.get(f"/calendar/v3/calendars/{email}/events", params=params).json()
            out.update({e["id"]: e.get("summary", "") for e in page.get("items", []) if e["status"] != "cancelled"})
            token = page.get("nextPageToken")
            if not token:
                return out
