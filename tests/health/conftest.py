"""A whole deployment (every function, the emulator) with one active user, and a loopback alert receiver."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from shared.clock import ManualClock
from tests.support.pump import DOMAIN, USERS, PumpWorld, make_pump_world

ORG = DOMAIN.replace(".", "-")
ALICE = USERS[0]["email"]


@dataclass
class Received:
    """One request the receiver got: its headers and body."""

    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """A loopback HTTP server that records every POST and answers ``status``."""

    status: int = 204
    received: list[Received] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        """Where it listens."""
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/alerts"


class VerifierAt(Webhook):
    """Standard Webhooks verification with the receiver's clock set to the service's (the tests' fixed instant)."""

    def __init__(self, secret: str, clock: ManualClock) -> None:
        super().__init__(secret)
        self._clock = clock

    def _Webhook__verify_timestamp(self, timestamp_header: str) -> Any:  # the library's tolerance, on our clock
        from datetime import UTC, datetime

        stamp = datetime.fromtimestamp(float(timestamp_header), tz=UTC)
        if abs(stamp - self._clock.now()) > timedelta(minutes=5):
            raise WebhookVerificationError("Message timestamp outside the tolerance")
        return stamp


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A loopback alert receiver on a free port."""
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            state.received.append(Received({k.lower(): v for k, v in self.headers.items()}, self.rfile.read(length)))
            self.send_response(state.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return

    state.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=state.server.serve_forever, daemon=True)
    thread.start()
    yield state
    state.server.shutdown()
    state.server.server_close()
    thread.join(10)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[PumpWorld]:
    """The deployment with the org created and Alice active (initial sync and channel done)."""
    w = make_pump_world(tmp_path)
    created = w.functions.call(
        "admin_api", "POST", "/admin/v1/orgs", json={"domain": DOMAIN, "service_account_key": w.key}
    )
    assert created.status_code == 201, created.get_json()
    activated = w.functions.call("admin_api", "POST", f"/admin/v1/orgs/{ORG}/principals", json={"email": ALICE})
    assert activated.status_code == 202
    w.settle()
    assert principal(w)["state"] == "active"
    yield w
    w.close()


def principal(w: PumpWorld) -> dict[str, Any]:
    """Alice as the admin API shows her."""
    answer = w.functions.call("admin_api", "GET", f"/admin/v1/orgs/{ORG}/principals/{ALICE}")
    assert answer.status_code == 200
    body: dict[str, Any] = answer.get_json()
    return body


def admin(w: PumpWorld, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
    """One admin API call under the org: status and JSON."""
    answer = w.functions.call("admin_api", method, f"/admin/v1/orgs/{ORG}{path}", **kwargs)
    return answer.status_code, answer.get_json()


def run(w: PumpWorld, job: str) -> dict[str, Any]:
    """Run a scheduled job once (POST with the admin token) and return its answer."""
    answer = w.functions.call(job, "POST")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    body: dict[str, Any] = answer.get_json()
    return body
