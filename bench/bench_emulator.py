"""Emulator benchmark: paging 10,000 events in-process, recurring series, and push latency.

Run from the repository root::

    python -m bench.bench_emulator

(1) pages ``events.list`` over 10,000 stored events through ``httpx`` and the WSGI transport
(target: at least 5,000 events/s); (2) with 200 weekly series (52 instances, two modified each)
among 1,000 and then 10,000 single events, times ``events.instances`` of a series and a one-week
``events.list(singleEvents=true)`` (best median of three rounds) against the floor of an
``events.get`` in the same calendar
(target: instances flat, within 1.5x, from 1,000 to 10,000 events: the emulator never is what a
sync bench measures); (3) measures the time from an ``events.patch`` to the push notification's
arrival at a real HTTP receiver (target: p99 under 100 ms).
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

from emulator import testing
from emulator.app import create_app
from emulator.calendar import events
from emulator.client import ControlClient
from emulator.state import EmulatorState

USER = "bench@example.com"
SCOPE = "https://www.googleapis.com/auth/calendar"
EVENT_COUNT = 10_000
PUSH_SAMPLES = 200
SERIES = 200
SERIES_SIZES = (1_000, 10_000)
ROUNDS = 3


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


def _timed(http: Any, path: str, headers: dict[str, str], params: dict[str, str] | None = None) -> float:
    began = time.perf_counter()
    response = http.get(path, params=params, headers=headers)
    elapsed = (time.perf_counter() - began) * 1000
    assert response.status_code == 200, response.text
    return elapsed


def bench_series(singles: int) -> dict[str, float]:
    """Median ms of events.get (floor), events.instances and a one-week singleEvents list."""
    state = EmulatorState()
    http, headers = _setup(state)
    start = datetime(2024, 1, 1, 8, tzinfo=UTC)
    masters = []
    with state.lock:
        for i in range(singles):
            begin = start + timedelta(minutes=47 * i)
            body = {"summary": f"One-off {i}", "start": {"dateTime": begin.isoformat()}}
            body["end"] = {"dateTime": (begin + timedelta(minutes=30)).isoformat()}
            events.insert(state, USER, USER, body)
        for i in range(SERIES):
            begin = start + timedelta(minutes=30 * i)
            body = {
                "summary": f"Weekly {i}",
                "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=52"],
                "start": {"dateTime": begin.isoformat(), "timeZone": "Europe/Berlin"},
                "end": {"dateTime": (begin + timedelta(minutes=30)).isoformat(), "timeZone": "Europe/Berlin"},
            }
            master = events.insert(state, USER, USER, body)
            for week in (3, 9):
                moment = (begin + timedelta(weeks=week)).strftime("%Y%m%dT%H%M%SZ")
                events.patch(state, USER, USER, f"{master.event.event_id}_{moment}", {"summary": "moved"})
            masters.append(master.event.event_id)
    base = f"/calendar/v3/calendars/{USER}/events"
    best: dict[str, float] = {}
    for round_no in range(ROUNDS):  # best median of a few rounds: a loaded machine only ever adds time
        floor = [_timed(http, f"{base}/{masters[i]}", headers) for i in range(SERIES)]
        instances = [_timed(http, f"{base}/{masters[i]}/instances", headers) for i in range(SERIES)]
        weeks = []
        for week in range(40):
            low = start + timedelta(weeks=week, hours=round_no)
            high = (low + timedelta(days=7)).isoformat()
            weeks.append(
                _timed(http, base, headers, {"singleEvents": "true", "timeMin": low.isoformat(), "timeMax": high})
            )
        for name, values in (("get", floor), ("instances", instances), ("week", weeks)):
            best[name] = min(best.get(name, float("inf")), statistics.median(values))
    state.close()
    return best


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
    series = {size: bench_series(size) for size in SERIES_SIZES}
    pushes = sorted(bench_push())
    p50 = statistics.median(pushes)
    p99 = pushes[min(len(pushes) - 1, int(len(pushes) * 0.99))]
    print("## Google emulator: paging 10,000 events in process, recurring series, and push latency\n")
    print("| measurement | figure | target |")
    print("|---|---|---|")
    print(f"| page 10,000 events, maxResults=2500 | {big_rate:,.0f} events/s ({big_s:.2f} s) | >= 5,000 events/s |")
    print(
        f"| page 10,000 events, maxResults=250 | {small_rate:,.0f} events/s ({small_s:.2f} s) | (default page size) |"
    )
    for size, figures in series.items():
        floor = figures["get"]
        label = f"{size:,} one-off events + {SERIES} weekly series"
        print(f"| {label}: events.get (floor) | {floor:.2f} ms | |")
        for key, what in (("instances", "events.instances (52)"), ("week", "one-week list, singleEvents")):
            print(f"| {label}: {what} | {figures[key]:.2f} ms ({figures[key] / floor:.1f}x floor) | |")
    small, large = (series[size]["instances"] for size in SERIES_SIZES)
    print(f"| events.instances, 10,000 vs 1,000 events | {large / small:.2f}x | <= 1.5x (indexed) |")
    print(f"| push latency p50 ({PUSH_SAMPLES} patches) | {p50:.1f} ms | < 100 ms |")
    print(f"| push latency p99 | {p99:.1f} ms | < 100 ms |")
    print()
    print(f"command: `python -m bench.bench_emulator` (Python {sys.version.split()[0]})")


if __name__ == "__main__":
    main()
