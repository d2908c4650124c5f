"""Emulator benchmark: paging 10,000 events in-process, and push-notification latency.

Run from the repository root::

    python -m bench.bench_emulator

(1) pages ``events.list`` over 10,000 stored events through ``httpx`` and the WSGI transport
(target: at least 5,000 events/s); (2) measures the time from an ``events.patch`` to the
push notification's arrival at a real HTTP receiver (target: p99 under 100 ms).
"""

from __future__ import annotations

import logging
import statistics
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from emulator import events, testing
from emulator.app import create_app
from emulator.client import ControlClient
from emulator.state import EmulatorState

USER = "bench@example.com"
SCOPE = "https://www.googleapis.com/auth/calendar"
EVENT_COUNT = 10_000
PUSH_SAMPLES = 200


def _setup(state: EmulatorState) -> tuple[Any, dict[str, str]]:
    app = create_app(state)
    control = ControlClient(transport=testing.transport(app))
    control.create_domain("example.com", users=[{"email": USER, "timeZone": "Europe/Berlin"}])
    key = control.create_service_account("example.com", [SCOPE])
    http = testing.client(app)
    token = testing.access_token(http, key, USER, [SCOPE])
    return http, {"Authorization": f"Bearer {token}"}


def bench_paging(page_size: int) -> tuple[float, float]:
    """Return (seconds, events/s) for listing 10,000 events with ``maxResults=page_size``."""
    state = EmulatorState()
    http, headers = _setup(state)
    start = datetime(2024, 1, 1, 8, tzinfo=UTC)
    with state.lock:
        for i in range(EVENT_COUNT):
            begin = start + timedelta(minutes=30 * i)
            events.insert(
                state,
                USER,
                USER,
                {
                    "summary": f"Meeting {i}",
                    "location": "Room 1",
                    "description": "Agenda " * 10,
                    "start": {"dateTime": begin.isoformat()},
                    "end": {"dateTime": (begin + timedelta(minutes=30)).isoformat()},
                },
            )
    seen = 0
    token: str | None = None
    began = time.perf_counter()
    while True:
        params = {"maxResults": str(page_size), **({"pageToken": token} if token else {})}
        page = http.get(f"/calendar/v3/calendars/{USER}/events", params=params, headers=headers).json()
        seen += len(page["items"])
        token = page.get("nextPageToken")
        if not token:
            break
    elapsed = time.perf_counter() - began
    state.close()
    assert seen == EVENT_COUNT, seen
    return elapsed, seen / elapsed


class _Receiver:
    def __init__(self) -> None:
        self.arrivals: dict[int, float] = {}
        self.cond = threading.Condition()
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def app(self, environ: dict[str, Any], start_response: Any) -> Any:
        now = time.perf_counter()
        number = int(Request(environ).headers["X-Goog-Message-Number"])
        with self.cond:
            self.arrivals[number] = now
            self.cond.notify_all()
        return Response(status=200)(environ, start_response)

    def wait_for(self, number: int, timeout: float = 5.0) -> float:
        deadline = time.monotonic() + timeout
        with self.cond:
            while number not in self.arrivals:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"push {number} never arrived")
                self.cond.wait(remaining)
            return self.arrivals[number]


def bench_push() -> list[float]:
    """Return push latencies (ms) from the patch request to arrival at a real HTTP receiver."""
    state = EmulatorState()
    http, headers = _setup(state)
    receiver = _Receiver()
    base = f"/calendar/v3/calendars/{USER}/events"
    http.post(f"{base}/watch", headers=headers, json={"id": "bench", "type": "web_hook", "address": receiver.url})
    receiver.wait_for(1)
    event = http.post(
        base,
        headers=headers,
        json={
            "summary": "x",
            "start": {"dateTime": "2024-01-01T10:00:00Z"},
            "end": {"dateTime": "2024-01-01T11:00:00Z"},
        },
    ).json()
    receiver.wait_for(2)
    latencies = []
    for i in range(PUSH_SAMPLES):
        began = time.perf_counter()
        http.patch(f"{base}/{event['id']}", headers=headers, json={"summary": f"v{i}"})
        arrived = receiver.wait_for(3 + i)
        latencies.append((arrived - began) * 1000)
    receiver.server.shutdown()
    state.close()
    return latencies


def main() -> None:
    """Run both benchmarks and print a Markdown table."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    big_s, big_rate = bench_paging(2500)
    small_s, small_rate = bench_paging(250)
    pushes = sorted(bench_push())
    p50 = statistics.median(pushes)
    p99 = pushes[min(len(pushes) - 1, int(len(pushes) * 0.99))]
    print("## Google emulator: paging 10,000 events in process, and push latency\n")
    print("| measurement | figure | target |")
    print("|---|---|---|")
    print(f"| page 10,000 events, maxResults=2500 | {big_rate:,.0f} events/s ({big_s:.2f} s) | >= 5,000 events/s |")
    print(
        f"| page 10,000 events, maxResults=250 | {small_rate:,.0f} events/s ({small_s:.2f} s) | (default page size) |"
    )
    print(f"| push latency p50 ({PUSH_SAMPLES} patches) | {p50:.1f} ms | < 100 ms |")
    print(f"| push latency p99 | {p99:.1f} ms | < 100 ms |")
    print()
    print(f"command: `python -m bench.bench_emulator` (Python {sys.version.split()[0]})")


if __name__ == "__main__":
    main()
