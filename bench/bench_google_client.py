"""Google client benchmark: paging 10,000 events through ``shared.adapters.google`` against floors.

Run from the repository root::

    python -m bench.bench_google_client

One emulator state holds 10,000 events. Each variant pages all of them with ``maxResults=250``
(Google's default page size, so per-request overhead weighs most) and the same query
parameters (including the client's ``fields=``):

- **floor (in-process)**: a bare ``httpx`` loop through the emulator's WSGI transport;
- **ours (in-process)**: ``GoogleCalendar.iter_events`` through the same transport (quota
  guard, token cache, retry wrapper, counter and error mapping all on the path);
- **floor / ours over HTTP**: the same two against a real HTTP ``EmulatorServer``;
- **google-api-python-client over HTTP**: ``events().list`` / ``list_next`` with google-auth;
- **floor / ours on canned pages**: the same two through an ``httpx.MockTransport`` answering
  the pre-rendered pages, so the emulator's own work (which dominates the other figures and
  varies with machine load) drops out and the client layers' own cost shows.

Variants run interleaved, ``ROUNDS`` times; the best round of each is reported. Target:
ours ≤ 1.2x the floor (both in-process and over HTTP).
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import orjson

from emulator import testing
from emulator.app import create_app
from emulator.calendar import events
from emulator.client import ControlClient
from emulator.server import EmulatorServer
from emulator.state import EmulatorState
from shared.adapters.google.auth import ServiceAccountKey
from shared.adapters.google.calendar import CALENDAR_SCOPE, LIST_FIELDS
from shared.adapters.google.clients import GoogleClients
from shared.clock import SystemClock
from shared.config import Settings

USER = "bench@example.com"
EVENT_COUNT = 10_000
PAGE = 250
ROUNDS = 5


def _seed(state: EmulatorState) -> dict[str, Any]:
    app = create_app(state)
    control = ControlClient(transport=testing.transport(app))
    control.create_domain("example.com", users=[{"email": USER, "timeZone": "Europe/Berlin"}])
    key = control.create_service_account("example.com", [CALENDAR_SCOPE])
    start = datetime(2026, 1, 1, 8, tzinfo=UTC)
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
                    "attendees": [{"email": f"guest{i % 7}@partner.example"}],
                    "start": {"dateTime": begin.isoformat()},
                    "end": {"dateTime": (begin + timedelta(minutes=30)).isoformat()},
                },
            )
    control.close()
    return key


def floor(http: httpx.Client, token: str, base: str) -> int:
    """Bare httpx: GET each page, decode JSON (orjson), follow nextPageToken."""
    url = f"{base}/calendar/v3/calendars/{USER}/events"
    headers = {"Authorization": f"Bearer {token}"}
    seen, page_token = 0, None
    while True:
        params: list[tuple[str, Any]] = [("maxResults", str(PAGE)), ("fields", LIST_FIELDS)]
        if page_token:
            params.append(("pageToken", page_token))
        page = orjson.loads(http.get(url, params=params, headers=headers).content)
        seen += len(page["items"])
        page_token = page.get("nextPageToken")
        if not page_token:
            return seen


def ours(clients: GoogleClients, credential: ServiceAccountKey) -> int:
    """This client: iter_events over every page."""
    return sum(1 for _ in clients.calendar(credential, USER).iter_events(USER, max_results=PAGE))


def google_client(service: Any) -> int:
    """google-api-python-client: events().list then list_next."""
    seen = 0
    request = service.events().list(calendarId=USER, maxResults=PAGE, fields=LIST_FIELDS)
    while request is not None:
        page = request.execute()
        seen += len(page["items"])
        request = service.events().list_next(request, page)
    return seen


def canned_transport(http: httpx.Client, token: str, app: Any) -> httpx.MockTransport:
    """A transport answering every page from bytes fetched once (``/token`` still goes to the emulator)."""
    pages: dict[str, bytes] = {}
    url = f"{testing.BASE_URL}/calendar/v3/calendars/{USER}/events"
    page_token = ""
    while True:
        params: list[tuple[str, Any]] = [("maxResults", str(PAGE)), ("fields", LIST_FIELDS)] + (
            [("pageToken", page_token)] if page_token else []
        )
        response = http.get(url, params=params, headers={"Authorization": f"Bearer {token}"})
        pages[page_token] = response.content
        page_token = response.json().get("nextPageToken") or ""
        if not page_token:
            break
    headers = {"Content-Type": "application/json; charset=UTF-8"}
    emulator = testing.transport(app)

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/token":
            response = emulator.handle_request(request)
            response.read()
            return response
        return httpx.Response(200, content=pages[request.url.params.get("pageToken", "")], headers=headers)

    return httpx.MockTransport(answer)


def _stack(base: str, transport: httpx.BaseTransport | None) -> GoogleClients:
    # Quotas far above the run's rate: the guard still runs on every call but never sleeps.
    settings = Settings(google_base_url=base, user_quota_per_minute=10**7, process_quota_per_second=10**6)
    return GoogleClients(settings, SystemClock(), transport=transport or httpx.HTTPTransport())


def main() -> None:
    """Measure every variant and print a Markdown section."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    state = EmulatorState()
    key = _seed(state)
    credential = ServiceAccountKey(key)
    app = create_app(state)
    server = EmulatorServer(state=state)
    local_http = testing.client(app)
    remote_http = httpx.Client(base_url=server.url)
    ours_local = _stack(testing.BASE_URL, testing.transport(app))
    ours_remote = _stack(server.url, None)
    token = ours_local.tokens.token(credential, USER, (CALENDAR_SCOPE,))
    service = testing.google_service(server.url, key, USER, [CALENDAR_SCOPE], token_uri=f"{server.url}/token")
    canned = canned_transport(local_http, token, app)
    canned_http = httpx.Client(transport=canned, base_url=testing.BASE_URL)
    ours_canned = _stack(testing.BASE_URL, canned)
    variants: dict[str, Callable[[], int]] = {
        "floor_canned": lambda: floor(canned_http, token, testing.BASE_URL),
        "ours_canned": lambda: ours(ours_canned, credential),
        "floor_local": lambda: floor(local_http, token, testing.BASE_URL),
        "ours_local": lambda: ours(ours_local, credential),
        "floor_http": lambda: floor(remote_http, token, server.url),
        "ours_http": lambda: ours(ours_remote, credential),
        "google_http": lambda: google_client(service),
    }
    for run in variants.values():  # warm caches, connections and tokens
        assert run() == EVENT_COUNT
    best = dict.fromkeys(variants, float("inf"))
    for _ in range(ROUNDS):
        for name, run in variants.items():
            began = time.perf_counter()
            seen = run()
            best[name] = min(best[name], time.perf_counter() - began)
            assert seen == EVENT_COUNT, (name, seen)
    server.stop()
    state.close()

    def row(label: str, name: str, base: str | None, target: str) -> str:
        seconds = best[name]
        ratio = f"{seconds / best[base]:.2f}x" if base else "1.00x (floor)"
        return f"| {label} | {seconds:.3f} s | {EVENT_COUNT / seconds:,.0f} events/s | {ratio} | {target} |"

    pages = -(-EVENT_COUNT // PAGE)
    print(f"## Google client: paging {EVENT_COUNT:,} events ({pages} pages of {PAGE})\n")
    print("| variant | best of 5 | rate | ratio | target |")
    print("|---|---|---|---|---|")
    print(row("bare httpx loop, canned pages (floor)", "floor_canned", None, ""))
    print(row("this client, canned pages", "ours_canned", "floor_canned", "≤ 1.2x floor"))
    print(row("bare httpx loop, in-process (floor)", "floor_local", None, ""))
    print(row("this client, in-process", "ours_local", "floor_local", "≤ 1.2x floor"))
    print(row("bare httpx loop, real HTTP (floor)", "floor_http", None, ""))
    print(row("this client, real HTTP", "ours_http", "floor_http", "≤ 1.2x floor"))
    print(row("google-api-python-client, real HTTP", "google_http", "floor_http", "(beside them)"))
    print()
    print(f"google-api-python-client / this client over real HTTP: {best['google_http'] / best['ours_http']:.2f}x.")
    print(f"command: `python -m bench.bench_google_client` (Python {sys.version.split()[0]})")


if __name__ == "__main__":
    main()
