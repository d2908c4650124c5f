"""Fixtures for the emulator tests: in-process app, real HTTP server, push receiver, tokens."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from emulator import testing
from emulator.app import create_app
from emulator.client import ControlClient
from emulator.server import EmulatorServer
from emulator.state import EmulatorState
from tests.emulator.discovery_schema import answer_problems, error_problems, methods
from tests.support.instant import T0, z

CAL = "https://www.googleapis.com/auth/calendar"
CAL_RO = "https://www.googleapis.com/auth/calendar.readonly"
GMAIL = "https://www.googleapis.com/auth/gmail.settings.basic"
DOMAIN = "example.com"
ANN, BOB, CAROL = "ann@example.com", "bob@example.com", "carol@example.com"
ROOM = "room-1@example.com"
OUTSIDER = "olga@other.org"


def wait_until(predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Poll ``predicate`` until it holds or ``timeout`` passes (no fixed sleeps)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        threading.Event().wait(0.005)
    return predicate()


def seed(control: ControlClient) -> dict[str, Any]:
    """Create the test domains and a service account with calendar and gmail scopes, the clock at T0."""
    control.set_clock(time=z(T0))
    control.create_domain(
        DOMAIN,
        users=[
            {"email": ANN, "name": "Ann", "locale": "de", "timeZone": "Europe/Berlin"},
            {"email": BOB, "name": "Bob", "locale": "en", "timeZone": "America/New_York"},
            {"email": CAROL, "name": "Carol"},
        ],
        rooms=[{"email": ROOM, "name": "Room 1"}],
    )
    control.create_domain("other.org", users=[{"email": OUTSIDER, "name": "Olga"}])
    return control.create_service_account(DOMAIN, [CAL, CAL_RO, GMAIL])


def check_answer(state: EmulatorState, response: httpx.Response) -> None:
    """Fail unless a Google method's answer (or error) conforms to the discovery documents."""
    entry = state.log.last()
    if entry is None or entry.path != response.request.url.path or entry.operation not in methods():
        return
    if response.status_code >= 400:
        found = error_problems(response.status_code, response.json())
    elif response.status_code == 204:
        found = [] if not response.content else ["a 204 with a body"]
    else:
        found = answer_problems(entry.operation, response.json())
    assert not found, f"{entry.operation}: {found}"


class Api:
    """An in-process httpx client plus token helpers for one emulator app."""

    def __init__(self, app: Any, state: EmulatorState, key: dict[str, Any]) -> None:
        self.app = app
        self.state = state
        self.key = key
        self.http = testing.client(app)
        self.control = ControlClient(transport=testing.transport(app))
        self._tokens: dict[tuple[str, tuple[str, ...]], str] = {}

    def headers(self, subject: str, scopes: tuple[str, ...] = (CAL, GMAIL)) -> dict[str, str]:
        """Return an Authorization header for ``subject`` (tokens are cached)."""
        cache_key = (subject, scopes)
        if cache_key not in self._tokens:
            self._tokens[cache_key] = testing.access_token(self.http, self.key, subject, list(scopes))
        return {"Authorization": f"Bearer {self._tokens[cache_key]}"}

    def call(self, method: str, path: str, subject: str = ANN, **kwargs: Any) -> httpx.Response:
        """Call a Calendar/Gmail path as ``subject``; the answer must conform to the discovery schema."""
        headers = {**self.headers(subject), **kwargs.pop("headers", {})}
        response = self.http.request(method, path, headers=headers, **kwargs)
        check_answer(self.state, response)
        return response

    def insert(self, body: dict[str, Any], calendar: str = "primary", subject: str = ANN) -> dict[str, Any]:
        """Insert an event and return it (asserting 200)."""
        response = self.call("POST", f"/calendar/v3/calendars/{calendar}/events", subject, json=body)
        assert response.status_code == 200, response.text
        return dict(response.json())


@pytest.fixture
def state() -> Iterator[EmulatorState]:
    """A fresh emulator state; fails the test if a request hit the catch-all handler."""
    value = EmulatorState()
    yield value
    value.close()
    assert value.unexpected_errors == []


@pytest.fixture
def api(state: EmulatorState) -> Iterator[Api]:
    """The emulator mounted in-process, seeded with example.com."""
    app = create_app(state)
    control = ControlClient(transport=testing.transport(app))
    key = seed(control)
    client = Api(app, state, key)
    yield client
    client.http.close()
    client.control.close()
    control.close()


@pytest.fixture(scope="session")
def server() -> Iterator[EmulatorServer]:
    """One real HTTP emulator for the session (reset before each test that uses it)."""
    emulator = EmulatorServer()
    yield emulator
    emulator.stop()
    assert emulator.state.unexpected_errors == []


@pytest.fixture
def live(server: EmulatorServer) -> Iterator[tuple[EmulatorServer, ControlClient, dict[str, Any]]]:
    """The real HTTP emulator, reset and seeded; yields (server, control client, key)."""
    control = ControlClient(server.url)
    control.reset()
    key = seed(control)
    yield server, control, key
    control.close()


class Receiver:
    """A tiny real HTTP server that records push notifications."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.status = 200
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}/hook"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def _app(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        with self.lock:
            self.received.append(
                {
                    "at": time.perf_counter(),
                    "headers": {k.lower(): v for k, v in request.headers.items()},
                    "body": request.get_data(),
                    "path": request.path,
                }
            )
        return Response(status=self.status)(environ, start_response)

    def messages(self) -> list[dict[str, Any]]:
        """Return what arrived so far."""
        with self.lock:
            return list(self.received)

    def clear(self) -> None:
        """Forget what arrived."""
        with self.lock:
            self.received.clear()

    def stop(self) -> None:
        """Shut the server down."""
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture(scope="session")
def receiver_server() -> Iterator[Receiver]:
    """One push receiver for the session."""
    value = Receiver()
    yield value
    value.stop()


@pytest.fixture
def receiver(receiver_server: Receiver) -> Receiver:
    """The push receiver, emptied."""
    receiver_server.clear()
    receiver_server.status = 200
    return receiver_server


def timed(start: str, end: str, **extra: Any) -> dict[str, Any]:
    """Return an event body for a timed event in Europe/Berlin wall time."""
    return {
        "summary": extra.pop("summary", "Meeting"),
        "start": {"dateTime": start, "timeZone": "Europe/Berlin"},
        "end": {"dateTime": end, "timeZone": "Europe/Berlin"},
        **extra,
    }
