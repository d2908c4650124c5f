"""Calendar sync benchmark: initial and incremental syncs against floors measured in the same run.

Run from the repository root::

    python -m bench.bench_sync                      # 1k, 5k and 20k events, the reported figures
    python -m bench.bench_sync --sizes 1000 --incremental 30 --rounds 1   # a quick look
    python -m bench.bench_sync --clock thread       # CPU time of the measuring thread (a loaded machine)

For each size one in-process emulator holds a calendar: 30% of its events inside the retention
window [now - 7 d, now + 31 d] (4% of all events weekly recurring series of 4, inside it), the rest
outside (5k events: 1,500 in the window, 200 series). Variants, interleaved over ``--rounds``
rounds (best round reported):

- **sync floor** = **paging floor** + **store floor**. The paging floor is a bare ``httpx`` loop
  paging the window with ``singleEvents=true`` (the fewest calls that return every instance:
  ``timeMin``/``timeMax`` = the window, ``showDeleted``, the sync's ``fields``, 2,500 a page, Google's
  largest, as the sync pages); the
  store floor is ``put_meetings`` of the very meetings the sync stored, in one call, on a fresh
  SQLite store with the null cipher;
- **unexpanded paging + instances**: the same window without ``singleEvents`` plus one bare
  ``events.instances`` per recurring master (the calls today's sync makes);
- **ours, initial sync**: ``SyncService.sync`` on a fresh embedded App (SQLite, envelope cipher);
- **ours, incremental**: one event changed, then ``SyncService.sync`` with the stored token, beside
  a bare ``events.list?syncToken=`` of the same token (median of ``--incremental`` pairs), and that
  bare list plus the least store work any incremental sync must do (read the sync state, write the
  changed meeting, write the new token by compare-and-set) through the same App's store.

At 5k events google-api-python-client pages the same window (``singleEvents=true``) over real HTTP
beside a bare ``httpx`` loop and this project's client on the same server. The timed syncs lift the
service's quota guard; the pacing it would add at the default limits is reported from the call count.
The seeded emulator is frozen out of garbage collection (``gc.freeze``) while a size is measured, so a
full collection in a timed run walks what the variant made, not every event the emulator holds; so is each
round's freshly built App before its sync, as ``main.py`` freezes what a function instance built. With
``--clock thread`` the real-HTTP comparison times the client side alone (the server runs in its own thread).
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson

from emulator import testing
from emulator.app import create_app
from emulator.calendar import events as emulator_events
from emulator.client import ControlClient
from emulator.state import EmulatorState
from shared.adapters.bus.local import LocalBus
from shared.adapters.crypto.envelope import NullCipher
from shared.adapters.google import event_fields
from shared.adapters.google.calendar import LIST_FIELDS
from shared.adapters.store.repositories import DocumentStores
from shared.adapters.store.sqlite import SqliteDocumentStore
from shared.bootstrap import App, build
from shared.clock import SystemClock
from shared.config import GOOGLE_SCOPES, Settings
from shared.domain import agenda, joinlinks, keywords, normalise
from shared.domain.meetings import Meeting
from shared.domain.principals import CredentialRef, Org, Principal, PrincipalKind, PrincipalState
from shared.domain.retention import RetentionWindow
from shared.services.sync_series import WINDOW_PAGE

USER = "bench@example.com"
# Wall-clock time, or the CPU time of the measuring thread: every variant runs in that thread (the emulator is
# in process), so on a shared, loaded machine the thread's CPU time leaves out the time others hold the cores.
CLOCKS: dict[str, Callable[[], float]] = {"wall": time.perf_counter, "thread": time.thread_time}
_clock = "wall"
Params = list[tuple[str, str | int | float | bool | None]]


@dataclass(slots=True)
class Calendar:
    """One seeded emulator and what the variants need to reach it."""

    total: int
    state: EmulatorState
    emulator: Any
    http: httpx.Client
    control: ControlClient
    key: dict[str, Any]
    token: str
    masters: list[str]
    one_offs: list[str] = field(default_factory=list)


def _shape(total: int) -> tuple[int, int]:
    """Events inside the window and recurring series for a calendar of ``total`` events."""
    return total * 3 // 10, total // 25


def _seed(state: EmulatorState, now: datetime, total: int) -> tuple[list[str], list[str]]:
    """Insert the calendar's events; return the recurring masters' and some one-off events' ids."""
    in_window, recurring = _shape(total)
    window = RetentionWindow.at(now)
    span = (window.end - window.start).total_seconds() - 3 * 3600
    masters: list[str] = []
    one_offs: list[str] = []
    with state.lock:
        for i in range(total):
            if i < in_window:
                begin = window.start + timedelta(hours=1, seconds=span * i / in_window)
            elif i % 2:
                begin = window.start - timedelta(days=1 + (i % 300), hours=i % 9)
            else:
                begin = window.end + timedelta(days=1 + (i % 300), hours=i % 9)
            body: dict[str, Any] = {
                "summary": f"Meeting {i}",
                "location": "Room 4.01" if i % 3 else "https://acme.webex.com/meet/team",
                "description": f"<p>Agenda of meeting {i}</p><ul><li>status</li><li>next steps</li></ul>" * 3,
                "attendees": [{"email": f"guest{i % 7}@partner.example"}, {"email": f"guest{i % 5}@partner.example"}],
                "start": {"dateTime": begin.isoformat(), "timeZone": "Europe/Berlin"},
                "end": {"dateTime": (begin + timedelta(minutes=30)).isoformat(), "timeZone": "Europe/Berlin"},
            }
            if i < recurring:
                body["recurrence"] = ["RRULE:FREQ=WEEKLY;COUNT=4"]
            copy = emulator_events.insert(state, USER, USER, body)
            (masters if i < recurring else one_offs).append(copy.event.event_id)
    return masters, one_offs[: max(1, in_window - recurring)]


def _calendar(total: int) -> Calendar:
    state = EmulatorState()
    emulator = create_app(state)
    control = ControlClient(transport=testing.transport(emulator))
    control.create_domain("example.com", users=[{"email": USER, "timeZone": "Europe/Berlin"}])
    key = control.create_service_account("example.com", list(GOOGLE_SCOPES))
    masters, one_offs = _seed(state, datetime.now(UTC), total)
    http = httpx.Client(transport=httpx.WSGITransport(app=emulator), base_url=testing.BASE_URL)
    token = testing.access_token(http, key, USER, list(GOOGLE_SCOPES))
    return Calendar(total, state, emulator, http, control, key, token, masters, one_offs)


def _service_app(tmp: Path, cal: Calendar) -> tuple[App, Org, str]:
    """A fresh embedded App with the org and the active user, the quota guard lifted."""
    settings = Settings(
        data_dir=tmp,
        google_base_url=testing.BASE_URL,
        public_url="http://bench.test",
        scheduler=False,
        user_quota_per_minute=1_000_000,
        process_quota_per_second=1_000_000,
    )
    transport = httpx.WSGITransport(app=cal.emulator)
    app = build(settings, clock=SystemClock(), bus=LocalBus(workers=1), google_transport=transport)
    org = Org(id="bench-org", domain="example.com", credential=CredentialRef("stored", "", cal.key["client_id"]))
    app.provisioning.create_org(org, service_account_key=json.dumps(cal.key))
    principal_id = app.stores.principals.principal_id(org.id, USER)
    app.stores.principals.put_principal(
        Principal(org_id=org.id, id=principal_id, email=USER, kind=PrincipalKind.PERSON, state=PrincipalState.ACTIVE)
    )
    return app, org, principal_id


def _window_params(single: bool) -> Params:
    window = RetentionWindow.at(datetime.now(UTC))
    params: Params = [("timeMin", window.start.isoformat()), ("timeMax", window.end.isoformat())]
    if single:
        params.append(("singleEvents", "true"))
    return [*params, ("showDeleted", "true"), ("fields", LIST_FIELDS), ("maxResults", str(WINDOW_PAGE))]


def page_window(http: httpx.Client, token: str, *, single: bool, base: str = "") -> tuple[int, int]:
    """Bare httpx: page the window's ``events.list``; answer (items, calls)."""
    headers = {"Authorization": f"Bearer {token}"}
    base_params = _window_params(single)
    seen, calls, page_token = 0, 0, None
    while True:
        params = base_params + ([("pageToken", page_token)] if page_token else [])
        page = orjson.loads(
            http.get(f"{base}/calendar/v3/calendars/{USER}/events", params=params, headers=headers).content
        )
        calls += 1
        seen += len(page["items"])
        page_token = page.get("nextPageToken")
        if not page_token:
            return seen, calls


def _instances(http: httpx.Client, token: str, masters: list[str]) -> int:
    """Bare httpx: one ``events.instances`` of each master inside the window."""
    headers = {"Authorization": f"Bearer {token}"}
    params = [*_window_params(False)[:3], ("fields", LIST_FIELDS.replace("nextSyncToken,", ""))]
    seen = 0
    for master in masters:
        url = f"/calendar/v3/calendars/{USER}/events/{master}/instances"
        seen += len(orjson.loads(http.get(url, params=params, headers=headers).content)["items"])
    return seen


def store_floor(tmp: Path, meetings: list[Meeting]) -> float:
    """Seconds to store ``meetings`` in one ``put_meetings`` on a fresh SQLite store with the null cipher."""
    store = SqliteDocumentStore(tmp / "floor.sqlite3")
    stores = DocumentStores(store, NullCipher())
    now = datetime.now(UTC)
    began = CLOCKS[_clock]()
    stores.meetings.put_meetings(meetings, now)
    seconds = CLOCKS[_clock]() - began
    store.close()
    return seconds


def _cold_normaliser() -> None:
    """Forget the parse caches of earlier rounds, so each initial sync parses its descriptions as a first one does."""
    agenda._renderings.cache_clear()
    joinlinks._scan_once.cache_clear()
    normalise.attendee_from_event.cache_clear()
    keywords._find.cache_clear()
    event_fields._ATTENDEES.clear()


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    clock = CLOCKS[_clock]
    started = clock()
    result = fn()
    return clock() - started, result


def _incremental(cal: Calendar, app: App, org: Org, pid: str, pairs: int) -> dict[str, Any]:
    """Median of ``pairs`` one-event incremental syncs and bare syncToken lists of the same token."""
    ours: list[float] = []
    bare: list[float] = []
    least: list[float] = []
    headers = {"Authorization": f"Bearer {cal.token}"}
    lists = 0
    for n in range(pairs):
        one = cal.one_offs[n % len(cal.one_offs)]
        with cal.state.lock:
            emulator_events.patch(cal.state, USER, USER, one, {"summary": f"Changed {n}"})
        sync_state, _ = app.stores.sync_states.get_sync_state(org.id, pid)
        params: Params = [("syncToken", sync_state.sync_token or ""), ("showDeleted", "true"), ("fields", LIST_FIELDS)]
        url = f"/calendar/v3/calendars/{USER}/events"
        seconds, answer = _timed(lambda: orjson.loads(cal.http.get(url, params=params, headers=headers).content))  # noqa: B023
        assert len(answer["items"]) == 1
        bare.append(seconds)
        cal.control.clear_requests()
        seconds, report = _timed(lambda: app.sync.sync(org.id, pid))
        assert report.stored == 1 and not report.full, report
        lists = cal.control.count("calendar.events.list")
        ours.append(seconds)
        meeting = app.stores.meetings.get_meeting(org.id, pid, one, datetime.now(UTC))
        assert meeting is not None
        least.append(bare[-1] + _timed(lambda: _least_store_work(app, org.id, pid, meeting))[0])  # noqa: B023
    return {
        "ours": statistics.median(ours),
        "bare": statistics.median(bare),
        "least": statistics.median(least),
        "lists": lists,
        "pairs": pairs,
    }


def _least_store_work(app: App, org_id: str, pid: str, meeting: Meeting) -> None:
    """What any incremental sync must do in the store: read its state, write the meeting, write the new token."""
    state, version = app.stores.sync_states.get_sync_state(org_id, pid)
    app.stores.meetings.put_meetings([meeting], datetime.now(UTC))
    app.stores.sync_states.put_sync_state(state, if_version=version, create=False)


def measure(total: int, rounds: int, pairs: int) -> dict[str, Any]:
    """Every figure for one calendar size."""
    cal = _calendar(total)
    # The seeded emulator stays out of the collector's walks: a service process holds no emulator, and a
    # full collection during a timed run would otherwise walk every stored event (100-250 ms at 5k).
    gc.collect()
    gc.freeze()
    best: dict[str, float] = {}
    facts: dict[str, Any] = {"total": total, "in_window": _shape(total)[0], "recurring": len(cal.masters)}

    def keep(name: str, seconds: float) -> None:
        best[name] = min(seconds, best.get(name, seconds))

    with tempfile.TemporaryDirectory() as tmp:
        for round_no in range(rounds):
            seconds, (items, calls) = _timed(lambda: page_window(cal.http, cal.token, single=True))
            keep("paging", seconds)
            facts.update(single_items=items, single_calls=calls)
            seconds, (items, calls) = _timed(lambda: page_window(cal.http, cal.token, single=False))
            keep("unexpanded", seconds + _timed(lambda: _instances(cal.http, cal.token, cal.masters))[0])
            facts.update(unexpanded_calls=calls + len(cal.masters))
            app, org, pid = _service_app(Path(tmp) / f"r{round_no}", cal)
            gc.freeze()  # the built App too, as a function instance freezes what its start built (main.py)
            _cold_normaliser()
            cal.control.clear_requests()
            seconds, report = _timed(lambda: app.sync.sync(org.id, pid))  # noqa: B023
            keep("initial", seconds)
            window = RetentionWindow.at(datetime.now(UTC))
            stored = app.stores.meetings.list_meetings(org.id, pid, window.start, window.end, datetime.now(UTC))
            facts.update(
                stored=len(stored),
                lists=cal.control.count("calendar.events.list"),
                instances=cal.control.count("calendar.events.instances"),
                full=report.full,
            )
            floor_dir = Path(tmp) / f"f{round_no}"
            floor_dir.mkdir()
            keep("store", store_floor(floor_dir, stored))
            if round_no == rounds - 1 and pairs:
                facts["incremental"] = _incremental(cal, app, org, pid, pairs)
            app.close()
    cal.http.close()
    cal.control.close()
    cal.state.close()
    gc.unfreeze()
    facts["best"] = best
    return facts


def google_client_paging(rounds: int) -> dict[str, float]:
    """At 5k events over real HTTP: bare httpx, this client and google-api-python-client page the window."""
    from emulator.server import EmulatorServer
    from shared.adapters.google.auth import ServiceAccountKey
    from shared.adapters.google.calendar import CALENDAR_SCOPE
    from shared.adapters.google.clients import GoogleClients

    state = EmulatorState()
    control = ControlClient(transport=testing.transport(create_app(state)))
    control.create_domain("example.com", users=[{"email": USER, "timeZone": "Europe/Berlin"}])
    key = control.create_service_account("example.com", [CALENDAR_SCOPE])
    _seed(state, datetime.now(UTC), 5_000)
    server = EmulatorServer(state=state)
    settings = Settings(google_base_url=server.url, user_quota_per_minute=10**7, process_quota_per_second=10**6)
    clients = GoogleClients(settings, SystemClock(), transport=httpx.HTTPTransport())
    credential = ServiceAccountKey(key)
    token = clients.tokens.token(credential, USER, (CALENDAR_SCOPE,))
    remote = httpx.Client(base_url=server.url)
    service = testing.google_service(server.url, key, USER, [CALENDAR_SCOPE], token_uri=f"{server.url}/token")
    window = RetentionWindow.at(datetime.now(UTC))

    def ours() -> int:
        pages = clients.calendar(credential, USER).iter_pages(
            USER, time_min=window.start, time_max=window.end, single_events=True, show_deleted=True
        )
        return sum(len(page.items) for page in pages)

    def google() -> int:
        seen = 0
        request = service.events().list(
            calendarId=USER,
            timeMin=window.start.isoformat(),
            timeMax=window.end.isoformat(),
            singleEvents=True,
            showDeleted=True,
            fields=LIST_FIELDS,
        )
        while request is not None:
            page = request.execute()
            seen += len(page["items"])
            request = service.events().list_next(request, page)
        return seen

    variants: dict[str, Callable[[], int]] = {
        "bare": lambda: page_window(remote, token, single=True, base=server.url)[0],
        "ours": ours,
        "google": google,
    }
    counts = {name: run() for name, run in variants.items()}  # warm connections and tokens
    assert len(set(counts.values())) == 1, counts
    best = dict.fromkeys(variants, float("inf"))
    for _ in range(rounds):
        for name, run in variants.items():
            best[name] = min(best[name], _timed(run)[0])
    remote.close()
    server.stop()
    control.close()
    state.close()
    return best


def report(results: list[dict[str, Any]], client: dict[str, float] | None) -> None:
    """Print the figures as a Markdown section."""
    print("## Calendar sync (in-process emulator; 30% of the events in the window, 4% weekly series)\n")
    print(f"Clock: {'wall time' if _clock == 'wall' else 'CPU time of the measuring thread'}.\n")
    print(
        "| events (in window, series) | paging floor: `singleEvents=true` | store floor: null cipher | "
        "sync floor | unexpanded paging + `events.instances` | ours: initial sync | vs sync floor | "
        "ms per stored meeting |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        b = r["best"]
        floor = b["paging"] + b["store"]
        print(
            f"| {r['total']:,} ({r['in_window']:,}, {r['recurring']}) | {b['paging']:.3f} s "
            f"({r['single_calls']} calls, {r['single_items']:,} items) | {b['store']:.3f} s ({r['stored']:,} rows) | "
            f"{floor:.3f} s | {b['unexpanded']:.3f} s ({r['unexpanded_calls']} calls) | {b['initial']:.3f} s "
            f"({r['lists']} lists + {r['instances']} instances) | {b['initial'] / floor:.2f}x | "
            f"{b['initial'] * 1000 / r['stored']:.3f} |"
        )
    per = [r["best"]["initial"] / r["stored"] for r in results]
    if len(per) > 1:
        print(f"\nCost per stored meeting, largest vs smallest calendar: {per[-1] / per[0]:.2f}x (target 0.8-1.2x).")
    print(
        "\n| events | ours: incremental sync of one changed event | bare `syncToken` list (same token) | ratio | "
        "bare list + least store work (read state, write meeting, write token) | ours vs that |"
    )
    print("|---|---|---|---|---|---|")
    for r in results:
        inc = r.get("incremental")
        if inc:
            print(
                f"| {r['total']:,} | {inc['ours'] * 1000:.2f} ms ({inc['lists']} `events.list`) | "
                f"{inc['bare'] * 1000:.2f} ms | {inc['ours'] / inc['bare']:.2f}x (median of {inc['pairs']}) | "
                f"{inc['least'] * 1000:.2f} ms | {inc['ours'] / inc['least']:.2f}x |"
            )
    for r in results:
        calls = r["lists"] + r["instances"]
        paced = max(0, calls - 50) / (300 / 60)
        print(
            f"\n{r['total']:,} events: the initial sync made {r['lists']} `events.list` and {r['instances']} "
            f"`events.instances` calls; at the default quota guard (300 calls per user per minute, burst 50) "
            f"they are paced over at least {paced:.0f} s (the timed runs lift the guard)."
        )
    if client:
        print("\n| 5,000 events, window with `singleEvents=true`, real HTTP | best | vs bare httpx |")
        print("|---|---|---|")
        labels = (("bare", "bare httpx loop"), ("ours", "this client"), ("google", "google-api-python-client"))
        for name, label in labels:
            print(f"| {label} | {client[name]:.3f} s | {client[name] / client['bare']:.2f}x |")


def main() -> None:
    """Measure the sizes asked for and print the section."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000,20000")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--incremental", type=int, default=200, help="one-event syncs per size (median)")
    parser.add_argument("--no-client", action="store_true", help="skip the real-HTTP client comparison")
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="wall", help="wall time or the thread's CPU time")
    args = parser.parse_args()
    global _clock
    _clock = args.clock
    logging.disable(logging.CRITICAL)
    sizes = [int(s) for s in args.sizes.split(",")]
    results = [measure(total, args.rounds, args.incremental) for total in sizes]
    client = None if args.no_client else google_client_paging(args.rounds)
    report(results, client)


if __name__ == "__main__":
    main()
