"""Fixtures: the emulator in-process and over real HTTP, seeded, with a client stack on a manual clock."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from emulator import testing
from emulator.app import create_app
from emulator.client import ControlClient
from emulator.server import EmulatorServer
from emulator.state import EmulatorState
from shared.adapters.google.auth import ServiceAccountKey
from shared.adapters.google.clients import GoogleClients
from shared.adapters.google.http import RetryPolicy
from shared.clock import ManualClock
from shared.config import Settings
from tests.conftest import T0
from tests.support.instant import z

CAL = "https://www.googleapis.com/auth/calendar"
GMAIL = "https://www.googleapis.com/auth/gmail.settings.basic"
DOMAIN = "example.com"
ANN, BOB = "ann@example.com", "bob@example.com"
ROOM = "room-1@example.com"


@dataclass
class FakeSleep:
    """Records every requested delay and moves the manual clock instead of sleeping."""

    clock: ManualClock
    delays: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        self.clock.advance(seconds)


@dataclass
class Env:
    """One emulator (in-process or HTTP), its control client, key and a client stack."""

    mode: str
    control: ControlClient
    key: dict[str, Any]
    credential: ServiceAccountKey
    clock: ManualClock
    sleep: FakeSleep
    base_url: str
    transport: httpx.BaseTransport | None
    state: EmulatorState
    stacks: list[GoogleClients] = field(default_factory=list)

    def clients(self, **kwargs: Any) -> GoogleClients:
        """A fresh client stack against this emulator (kwargs go to GoogleClients)."""
        settings = Settings(google_base_url=self.base_url, **kwargs.pop("settings", {}))
        kwargs.setdefault("sleep", self.sleep)
        kwargs.setdefault("rng", random.Random(7))
        kwargs.setdefault("policy", RetryPolicy())
        stack = GoogleClients(settings, self.clock, transport=self.transport or httpx.HTTPTransport(), **kwargs)
        self.stacks.append(stack)
        return stack

    def counts(self) -> dict[str, int]:
        """The emulator's request counts per operation."""
        return dict(self.control.requests()["countsByOperation"])


def seed(control: ControlClient) -> dict[str, Any]:
    """Create example.com with two users and a room, and a service account for both scopes, at T0."""
    control.set_clock(time=z(T0))
    control.create_domain(
        DOMAIN,
        users=[
            {"email": ANN, "name": "Ann", "locale": "de", "timeZone": "Europe/Berlin"},
            {"email": BOB, "name": "Bob", "locale": "en", "timeZone": "America/New_York"},
        ],
        rooms=[{"email": ROOM, "name": "Room 1"}],
    )
    return control.create_service_account(DOMAIN, [CAL, GMAIL])


@pytest.fixture(scope="session")
def http_emulator() -> Iterator[EmulatorServer]:
    """One real HTTP emulator for the session (reset by each test using it)."""
    server = EmulatorServer()
    yield server
    server.stop()


def _inprocess() -> Iterator[Env]:
    state = EmulatorState()
    app = create_app(state)
    control = ControlClient(transport=testing.transport(app))
    key = seed(control)
    clock = ManualClock(T0)
    env = Env(
        "inprocess",
        control,
        key,
        ServiceAccountKey(key),
        clock,
        FakeSleep(clock),
        testing.BASE_URL,
        testing.transport(app),
        state,
    )
    yield env
    for stack in env.stacks:
        stack.close()
    control.close()
    state.close()
    assert state.unexpected_errors == []


def _http(server: EmulatorServer) -> Iterator[Env]:
    control = ControlClient(server.url)
    control.reset()
    key = seed(control)
    clock = ManualClock(T0)
    env = Env("http", control, key, ServiceAccountKey(key), clock, FakeSleep(clock), server.url, None, server.state)
    yield env
    for stack in env.stacks:
        stack.close()
    control.close()
    assert server.state.unexpected_errors == []


@pytest.fixture
def emu() -> Iterator[Env]:
    """The emulator mounted in-process."""
    yield from _inprocess()


@pytest.fixture(params=["inprocess", "http"])
def env(request: pytest.FixtureRequest) -> Iterator[Env]:
    """The emulator in-process, then over real HTTP."""
    if request.param == "inprocess":
        yield from _inprocess()
    else:
        yield from _http(request.getfixturevalue("http_emulator"))


def timed(start: str, end: str, **extra: Any) -> dict[str, Any]:
    """An event body in Europe/Berlin wall time."""
    return {
        "summary": extra.pop("summary", "Meeting"),
        "start": {"dateTime": start, "timeZone": "Europe/Berlin"},
        "end": {"dateTime": end, "timeZone": "Europe/Berlin"},
        **extra,
    }


def assert_counts_agree(env: Env, stack: GoogleClients) -> None:
    """The client's counter and the emulator's request log agree per operation and status."""
    emulator = env.control.requests()["countsByOperationStatus"]
    assert stack.counter.by_operation_outcome() == emulator
