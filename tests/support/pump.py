"""Every function through functions-framework in one process, and a bus that records who publishes what.

There is no local runtime here: a published message waits in the :class:`RecordingBus` until the
test delivers it to its consumer as the wrapped push body Pub/Sub sends, and each publish is
recorded with the entry point that was running when it happened (the emulator's pushes reach
``calendar_webhook`` the same way). Tests use it to see exactly what a function does with a push
body and what each function publishes.
"""

from __future__ import annotations

import base64
import contextlib
import contextvars
import itertools
import json
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import functions_framework
import httpx
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from emulator.app import create_app as create_emulator
from emulator.client import ControlClient
from emulator.state import EmulatorState
from emulator.testing import BASE_URL as EMULATOR_URL
from functions.registry import ENTRY_POINTS
from shared.adapters.bus.wire import SendsMessages
from shared.bootstrap import App, build, set_app
from shared.clock import ManualClock
from shared.config import GOOGLE_SCOPES, Settings
from shared.ports import BusMessage, Handler
from shared.runtime.server import main_source
from tests.support.instant import T0, z

TOPIC_OF = {ep.name: ep.topic for ep in ENTRY_POINTS}
CURRENT: contextvars.ContextVar[str | None] = contextvars.ContextVar("running_function", default=None)
PUBLIC_URL = "http://functions.test"
DOMAIN = "pump.example.com"
USERS = [
    {"email": "alice@pump.example.com", "name": "Alice", "locale": "en", "timeZone": "Europe/Berlin"},
    {"email": "bob@pump.example.com", "name": "Bob", "locale": "de", "timeZone": "Europe/Berlin"},
]


@dataclass(frozen=True, slots=True)
class Published:
    """One publish: the entry point that made it (None outside any function), the topic and the message."""

    function: str | None
    topic: str
    message: BusMessage


class RecordingBus(SendsMessages):
    """A MessageBus that keeps every message for the test to deliver, and remembers who published it."""

    def __init__(self) -> None:
        self.published: list[Published] = []
        self._queues: dict[str, deque[BusMessage]] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def publish(
        self, topic: str, data: bytes, *, ordering_key: str | None = None, attributes: Mapping[str, str] | None = None
    ) -> str:
        """Record and queue the message; return its id."""
        with self._lock:
            message_id = str(next(self._ids))
            message = BusMessage(topic, bytes(data), dict(attributes or {}), ordering_key, message_id, T0)
            self.published.append(Published(CURRENT.get(), topic, message))
            self._queues.setdefault(topic, deque()).append(message)
        return message_id

    def subscribe(self, topic: str, handler: Handler, *, name: str | None = None) -> None:
        """Nothing is delivered by the bus itself: the test pumps."""

    def close(self) -> None:
        """Nothing to release."""

    def take(self, topic: str) -> list[BusMessage]:
        """Every queued message of ``topic``, oldest first, removed from the queue."""
        with self._lock:
            queued = self._queues.pop(topic, deque())
        return list(queued)

    def queued(self, topic: str) -> int:
        """How many messages of ``topic`` wait."""
        with self._lock:
            return len(self._queues.get(topic, ()))


def push_body(message: BusMessage, *, delivery_attempt: int | None = 1, project: str = "pump") -> dict[str, Any]:
    """The wrapped push body Pub/Sub posts for ``message`` (``deliveryAttempt`` only with a dead-letter policy)."""
    published = z(message.publish_time or T0)
    body: dict[str, Any] = {
        "message": {
            "attributes": dict(message.attributes),
            "data": base64.b64encode(message.data).decode(),
            "messageId": message.message_id,
            "message_id": message.message_id,
            "publishTime": published,
            "publish_time": published,
        },
        "subscription": f"projects/{project}/subscriptions/{message.topic}-push",
    }
    if message.ordering_key:
        body["message"]["orderingKey"] = message.ordering_key
    if delivery_attempt is not None:
        body["deliveryAttempt"] = delivery_attempt
    return body


class Functions:
    """functions-framework apps of every entry point; each call runs with :data:`CURRENT` set to its name."""

    def __init__(self, admin_token: str | None) -> None:
        source = main_source()
        self.apps = {ep.name: functions_framework.create_app(target=ep.name, source=source) for ep in ENTRY_POINTS}
        self.admin = {"Authorization": f"Bearer {admin_token}"} if admin_token else {}

    def client(self, name: str) -> FlaskClient:
        """A test client of one function."""
        return self.apps[name].test_client()

    @contextlib.contextmanager
    def running(self, name: str) -> Iterator[None]:
        """Attribute publishes inside the block to ``name``."""
        token = CURRENT.set(name)
        try:
            yield
        finally:
            CURRENT.reset(token)

    def call(self, name: str, method: str, path: str = "/", **kwargs: Any) -> TestResponse:
        """One request to a function (with the admin token unless ``headers`` say otherwise)."""
        headers = {**self.admin, **kwargs.pop("headers", {})}
        with self.running(name):
            return self.client(name).open(path, method=method, headers=headers, **kwargs)

    def push(
        self, name: str, message: BusMessage, attempt: int | None = 1, path: str = "/", **headers: str
    ) -> TestResponse:
        """Deliver ``message`` to a Pub/Sub function as a wrapped push body (to ``path``, the endpoint's)."""
        body = json.dumps(push_body(message, delivery_attempt=attempt))
        return self.call(name, "POST", path, data=body, headers={"Content-Type": "application/json", **headers})

    def wsgi(self, name: str) -> Callable[..., Iterable[bytes]]:
        """The function as a WSGI app that attributes what it publishes to it (for the emulator's pushes)."""
        app = self.apps[name]

        def call(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            with self.running(name):
                return list(app(environ, start_response))

        return call


@dataclass
class PumpWorld:
    """The emulator, the App on a RecordingBus, every function, and the delivery pump."""

    state: EmulatorState
    emulator: Any
    control: ControlClient
    app: App
    bus: RecordingBus
    functions: Functions
    clock: ManualClock
    key: dict[str, Any]
    apis: Any = None
    statuses: list[tuple[str, int]] = field(default_factory=list)

    def deliver(self, name: str, attempt: int = 1) -> list[int]:
        """Push every queued message of the function's topic to it once; the statuses it answered."""
        topic = TOPIC_OF[name]
        assert topic is not None, f"{name} is not a Pub/Sub function"
        answers = [self.functions.push(name, m, attempt).status_code for m in self.bus.take(topic)]
        self.statuses += [(name, status) for status in answers]
        return answers

    def settle(self, rounds: int = 10) -> None:
        """Deliver until no consumed topic has a message waiting and the emulator's pushes are done."""
        consumers = [ep.name for ep in ENTRY_POINTS if ep.trigger == "pubsub"]
        for _ in range(rounds):
            assert self.state.wait_for_push_idle(30), "the emulator's pushes did not drain"
            waiting = [name for name in consumers if self.bus.queued(TOPIC_OF[name] or "")]
            if not waiting:
                return
            for name in waiting:
                self.deliver(name)
        raise AssertionError("messages kept coming after 10 rounds of delivery")

    def id_token(self, audience: str, *, service_account: str | None = None, user: str | None = None) -> str:
        """An ID token from the emulator: a service account's (IAM generateIdToken) or a user's."""
        with httpx.Client(transport=httpx.WSGITransport(app=self.emulator), base_url=EMULATOR_URL) as http:
            if service_account is not None:
                path = f"/v1/projects/-/serviceAccounts/{service_account}:generateIdToken"
                answer = http.post(path, json={"audience": audience, "includeEmail": True})
                answer.raise_for_status()
                return str(answer.json()["token"])
            answer = http.post("/emulator/v1/id-tokens", json={"email": user, "audience": audience})
            answer.raise_for_status()
            return str(answer.json()["idToken"])

    def google(self, subject: str) -> httpx.Client:
        """An httpx client calling the emulator's Calendar and Gmail APIs as ``subject`` (a user by hand)."""
        from emulator.testing import access_token

        transport = httpx.WSGITransport(app=self.emulator)
        with httpx.Client(transport=transport, base_url=EMULATOR_URL) as raw:
            token = access_token(raw, self.key, subject, list(GOOGLE_SCOPES))
        return httpx.Client(transport=transport, base_url=EMULATOR_URL, headers={"Authorization": f"Bearer {token}"})

    def create_event(self, who: str, summary: str, minutes: int, **fields: Any) -> dict[str, Any]:
        """Insert a 30-minute event starting ``minutes`` after the clock's now on ``who``'s calendar."""
        start = self.clock.now() + timedelta(minutes=minutes)
        body = {
            "summary": summary,
            "start": {"dateTime": z(start)},
            "end": {"dateTime": z(start + timedelta(minutes=30))},
            **fields,
        }
        with self.google(who) as http:
            response = http.post(f"/calendar/v3/calendars/{who}/events", json=body)
        assert response.status_code == 200, response.text
        created: dict[str, Any] = response.json()
        return created

    def close(self) -> None:
        """Stop the emulator's pushes and release the App."""
        self.state.close()
        set_app(None)
        self.app.close()
        self.control.close()
        if self.apis is not None:
            self.apis.stop()


def make_pump_world(
    tmp_path: Path, configure: Callable[[Settings], Settings] | None = None, *, grpc: bool = False
) -> PumpWorld:
    """An emulated domain with two users, and the service on a RecordingBus with every function mounted.

    ``grpc`` also serves the emulator's Cloud KMS and Secret Manager over gRPC on a free port, and
    points ``HYBRIDCAL_SECRET_MANAGER_ENDPOINT`` at it.
    """
    state = EmulatorState()
    emulator = create_emulator(state)
    apis = None
    if grpc:
        from emulator.grpc_apis import GrpcApis

        apis = GrpcApis(emulator.extensions["kms"], emulator.extensions["secrets"])
        apis.start()
    control = ControlClient(base_url=EMULATOR_URL, transport=httpx.WSGITransport(app=emulator))
    control.set_clock(time=z(T0), frozen=True)
    control.create_domain(DOMAIN, users=USERS)
    key = control.create_service_account(DOMAIN, list(GOOGLE_SCOPES))
    settings = Settings(
        data_dir=tmp_path / "data",
        google_base_url=EMULATOR_URL,
        public_url=PUBLIC_URL,
        admin_token="pump-admin-token",
        scheduler=False,
        bus_max_attempts=5,
    )
    if apis is not None:
        settings = settings.with_overrides(secret_manager_endpoint=apis.endpoint)
    if configure is not None:
        settings = configure(settings)
    clock = ManualClock(T0)
    bus = RecordingBus()
    app = build(settings, clock=clock, bus=bus, google_transport=httpx.WSGITransport(app=emulator))
    set_app(app)
    functions = Functions(settings.admin_token)
    state.set_push_transport(httpx.WSGITransport(app=functions.wsgi("calendar_webhook")))
    return PumpWorld(state, emulator, control, app, bus, functions, clock, key, apis=apis)
