"""App API and join buttons: listing 300 meetings for one user (p95) and dispatching 10,000 join buttons.

Listing is measured in process three ways on SQLite: the store read alone (baseline), the use case
with the JSON mapping, and the whole ``GET /v1/me/meetings`` route (ID-token check with cached
certificates, routing, JSON). The use case is measured on the Firestore emulator too when
``gcloud`` can start it. Dispatch: 10,000 active people, each with one meeting starting in the
same minute; one run records and publishes 10,000 notices, a repeated run finds them all sent.
"""

from __future__ import annotations

import gc
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson
from werkzeug.test import Client

from emulator.app import create_app
from emulator.client import ControlClient
from emulator.state import EmulatorState
from emulator.testing import BASE_URL
from shared.adapters.bus.local import LocalBus
from shared.api.app_meetings import listing as app_listing
from shared.api.app_models import iso, meeting_out
from shared.bootstrap import App, build
from shared.clock import ManualClock
from shared.config import Settings
from shared.documents import Filter, Order, Query, collection_path
from shared.domain.meetings import Attendee, JoinKind, JoinTarget, Meeting
from shared.domain.principals import CredentialRef, Org, Principal, PrincipalState
from shared.runtime.server import LocalRuntime
from shared.services.auth import Caller

NOW = datetime(2026, 11, 24, 9, tzinfo=UTC)
USER = "ann@example.com"
LISTINGS = 200
PEOPLE = 10_000
DRAINED: list[float] = []
"""Seconds the bus took, after the first dispatch run, to deliver its messages (before the repeat run)."""
CPU: list[float] = []
"""CPU seconds of the dispatching thread in each dispatch step (baseline, first run, repeat run, later run)."""
LATER: list[float] = []
"""Seconds and writes of a third run, after the repeat: every notice has been read once (the minutes after)."""


def meeting(org: str, pid: str, i: int, start: datetime) -> Meeting:
    """A realistic meeting with six invitees and a Webex target."""
    return Meeting(
        org_id=org,
        principal_id=pid,
        event_id=f"ev{i:05d}",
        start=start,
        end=start + timedelta(minutes=30),
        title=f"Project sync {i}",
        organizer="boss@example.com",
        attendees=(Attendee(USER), *(Attendee(f"person{j}@example.com") for j in range(5))),
        location="Room 4.01",
        agenda="Agenda: " + "discussion points " * 10,
        join_targets=(JoinTarget(JoinKind.WEBEX, f"https://acme.webex.com/meet/u{i}"),),
    )


def seed_user(app: App) -> Caller:
    """One org, one active user with 300 meetings over the next 30 days."""
    org = Org(id="example-com", domain="example.com", credential=CredentialRef("stored", ""))
    app.stores.orgs.put_org(org, json.dumps({"type": "service_account"}))
    pid = app.stores.principals.principal_id(org.id, USER)
    principal = Principal(org.id, pid, USER, state=PrincipalState.ACTIVE, time_zone="Europe/Berlin")
    app.stores.principals.put_principal(principal)
    app.stores.meetings.put_meetings(
        [meeting(org.id, pid, i, NOW + timedelta(hours=2 * i + 1)) for i in range(300)], NOW
    )
    return Caller(org, principal)


Figures = tuple[float, float, float, float]


def p95(run: Callable[[], Any], n: int = LISTINGS) -> Figures:
    """Median and 95th percentile of ``n`` runs in milliseconds: wall time, then the serving thread's CPU time.

    The CPU time (``time.thread_time()``) is the calling thread's own; every path here, the route included
    (the WSGI test client calls the app in this thread), runs on it, so other load on the machine does not
    inflate it the way it inflates wall time.
    """
    run()
    wall, cpu = [], []
    for _ in range(n):
        c0, t0 = time.thread_time(), time.perf_counter()
        run()
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.thread_time() - c0) * 1000)
    return (
        statistics.median(wall),
        statistics.quantiles(wall, n=20)[18],
        statistics.median(cpu),
        statistics.quantiles(cpu, n=20)[18],
    )


def lean_floor(app: App, caller: Caller, start: datetime, end: datetime) -> bytes:
    """The floor: SQL, decrypt, the output dicts, orjson. No window, privacy or join-button rules, no objects."""
    org, pid = caller.org.id, caller.principal.id
    query = Query(
        collection_path("orgs", org, "meetings"),
        (Filter("principal_id", "==", pid), Filter("start", "<", end)),
        (Order("start"),),
    )
    out = []
    for doc in app.stores.documents.query(query):
        d = doc.data
        if d["end"] <= start:
            continue
        p = orjson.loads(app.stores.codec.open(org, "meetings", doc.id, "payload", d["payload"], pid))
        targets = [{"kind": t[0], "uri": t[1], "label": t[2]} for t in p["targets"]]
        out.append(
            {
                "id": d["event_id"],
                "title": p["title"],
                "start": iso(d["start"]),
                "end": iso(d["end"]),
                "time_zone": p["tz"],
                "all_day": d["allDay"],
                "status": d["status"],
                "organizer": p["organizer"],
                "attendees": [
                    {"email": a[0], "response_status": a[1], "is_room": a[2], "optional": a[4], "display_name": a[5]}
                    for a in p["attendees"]
                ],
                "location": p["location"],
                "agenda": p["agenda"],
                "join_target": targets[0] if targets else None,
                "join_targets": targets,
                "join_button": {"eligible": False, "at": iso(d["start"])},
                "my_response": None,
                "series_id": d.get("series_id"),
                "visibility": p.get("vis", "default"),
                "details_hidden": False,
            }
        )
    return orjson.dumps({"meetings": out})


def listing(app: App, caller: Caller) -> dict[str, Figures]:
    """Lean floor, store read (domain objects), the old use case + JSON, the lean list + JSON, on one app."""
    end = NOW + timedelta(days=31)
    args = {"from": iso(NOW) or "", "to": iso(end) or ""}

    def floor() -> None:
        assert len(orjson.loads(lean_floor(app, caller, NOW, end))["meetings"]) == 300

    def store() -> None:
        assert len(app.stores.meetings.list_meetings(caller.org.id, caller.principal.id, NOW, end, NOW)) == 300

    def use_case() -> None:
        _, _, items = app.meetings_api.meetings.list_meetings(caller, NOW, end)
        orjson.dumps([meeting_out(i) for i in items])

    def lean() -> None:
        assert len(orjson.loads(orjson.dumps(app_listing(app.meetings_api, caller, args)))["meetings"]) == 300

    return {"floor": p95(floor), "store": p95(store), "use_case": p95(use_case), "lean": p95(lean)}


def sqlite_listing(tmp: Path) -> dict[str, Figures]:
    """Listing on SQLite, and the whole route with an emulator-issued ID token."""
    state = EmulatorState()
    emulator = create_app(state)
    control = ControlClient(transport=httpx.WSGITransport(app=emulator))
    control.set_clock(time="2026-11-24T09:00:00Z", frozen=True)
    control.create_domain("example.com", users=[{"email": USER, "name": "Ann", "timeZone": "Europe/Berlin"}])
    settings = Settings(data_dir=tmp / "sqlite", google_base_url=BASE_URL, scheduler=False)
    app = build(settings, clock=ManualClock(NOW), google_transport=httpx.WSGITransport(app=emulator))
    caller = seed_user(app)
    gc.collect()
    gc.freeze()  # as ``serve`` and every entry point do after start-up
    results = listing(app, caller)
    token = control._http.post("/emulator/v1/id-tokens", json={"email": USER, "audience": settings.oidc_client_id})
    headers = {"Authorization": f"Bearer {token.json()['idToken']}"}
    client = Client(LocalRuntime(app, scheduler=False))
    query = "/v1/me/meetings?from=2026-11-24T09:00:00Z&to=2026-12-25T09:00:00Z"

    def route() -> None:
        response = client.get(query, headers=headers)
        assert response.status_code == 200 and len(response.get_json()["meetings"]) == 300

    results["route"] = p95(route)
    app.close()
    state.close()
    return results


def firestore_listing() -> dict[str, Figures] | str:
    """Listing on the Firestore emulator, or why it could not run."""
    try:
        from shared.adapters.store.firestore import FirestoreDocumentStore
        from tests.support import gcp_emulators
    except ImportError as exc:
        return f"not measured: {exc}"
    reason = gcp_emulators.available()
    if reason is not None:
        return f"not measured: {reason}"
    emulator = gcp_emulators.start("firestore")
    os.environ["FIRESTORE_EMULATOR_HOST"] = emulator.host_port
    try:
        with tempfile.TemporaryDirectory() as tmp:
            app = build(Settings(data_dir=Path(tmp), scheduler=False), clock=ManualClock(NOW))
            store = FirestoreDocumentStore("hybridcal-bench")
            app.close()
            from shared.adapters.bus.local import LocalBus
            from shared.adapters.crypto.envelope import EnvelopeCipher
            from shared.adapters.store.datadir import NoLock
            from shared.adapters.store.repositories import DocumentStores
            from shared.bootstrap import rewire

            cipher = EnvelopeCipher(store, app.kek, app.clock)
            stores = DocumentStores(store, cipher)
            app = rewire(app, documents=store, cipher=cipher, stores=stores, bus=LocalBus(None), lock=NoLock())
            results = listing(app, seed_user(app))
            app.close()
            return results
    finally:
        emulator.stop()


def dispatch(tmp: Path, count: int = PEOPLE) -> tuple[float, float, float, int, int]:
    """Seconds to load the due meetings (baseline), to dispatch them, and to run again; notices sent, repeat writes.

    The repeat run starts once the bus has delivered the first run's messages to the in-process
    streams' subscription (a run a minute later finds it idle); the drain is timed apart. A third
    run, the steady state of the minutes after (every notice read once), is kept in ``LATER``.
    """
    clock, bus = ManualClock(NOW), LocalBus(workers=1)
    app = build(Settings(data_dir=tmp / "dispatch", scheduler=False), clock=clock, bus=bus)
    org = Org(id="example-com", domain="example.com", credential=CredentialRef("stored", ""))
    app.stores.orgs.put_org(org)
    start = NOW + timedelta(minutes=4)
    people, meetings = [], []
    for i in range(count):
        email = f"person{i}@example.com"
        pid = app.stores.principals.principal_id(org.id, email)
        people.append(Principal(org.id, pid, email, state=PrincipalState.ACTIVE))
        meetings.append(meeting(org.id, pid, i, start + timedelta(seconds=i % 60)))
    for person in people:
        app.stores.principals.put_principal(person)
    app.stores.meetings.put_meetings(meetings, NOW)
    del people, meetings  # the seed data is not the dispatcher's: out of the heap the runs collect
    gc.collect()
    gc.freeze()  # as every entry point does once the App is built

    t0, c0 = time.perf_counter(), time.thread_time()
    assert len(app.stores.meetings.meetings_starting(org.id, NOW, NOW + timedelta(minutes=5))) == count
    t1, c1 = time.perf_counter(), time.thread_time()
    report = app.join_buttons.dispatch()
    t2, c2 = time.perf_counter(), time.thread_time()
    writes: list[int] = []
    real_write, me = app.documents.write, threading.get_ident()

    def counted(ops: Any) -> list[str | None]:
        if threading.get_ident() == me:
            writes.append(len(ops))
        return real_write(ops)

    app.documents.write = counted  # type: ignore[method-assign]
    assert bus.wait_idle(600)
    DRAINED.append(time.perf_counter() - t2)
    t2b, c2b = time.perf_counter(), time.thread_time()
    again = app.join_buttons.dispatch()
    t3, c3 = time.perf_counter(), time.thread_time()
    repeat_writes = sum(writes)
    later = app.join_buttons.dispatch()
    t4, c4 = time.perf_counter(), time.thread_time()
    CPU[:] = [c1 - c0, c2 - c1, c3 - c2b, c4 - c3]
    LATER[:] = [t4 - t3, sum(writes) - repeat_writes]
    assert again.sent == 0 and again.duplicates == count
    assert later.sent == 0 and later.duplicates == count
    gc.unfreeze()
    app.close()
    return t1 - t0, t2 - t1, t3 - t2b, report.sent, repeat_writes


LABELS = {
    "floor": "lean floor: SQL + decrypt + output dicts + orjson",
    "store": "store read to domain objects",
    "use_case": "use case with domain objects + orjson",
    "lean": "lean list (rows, rules, dicts) + orjson",
    "route": "route `GET /v1/me/meetings`",
}


def main() -> None:
    """Print the figures as a Markdown section (``--no-firestore``, ``--people N``, ``--dispatch-only``)."""
    people = int(sys.argv[sys.argv.index("--people") + 1]) if "--people" in sys.argv else PEOPLE
    with tempfile.TemporaryDirectory() as tmp:
        if "--dispatch-only" in sys.argv:
            load, first, second, sent, writes = dispatch(Path(tmp), people)
            _print_dispatch(people, load, first, second, sent, writes)
            return
        sqlite = sqlite_listing(Path(tmp))
        firestore = "not measured: --no-firestore" if "--no-firestore" in sys.argv else firestore_listing()
        load, first, second, sent, writes = dispatch(Path(tmp), people)
    print(f"## App API: listing 300 meetings for one user (in process, {LISTINGS} runs)\n")
    print(
        "| backend | path | median | p95 | p95 vs lean floor | thread CPU median | thread CPU p95 | CPU p95 vs floor |"
    )
    print("|---|---|---|---|---|---|---|---|")
    rows: list[tuple[str, str, Figures, Figures]] = [
        ("SQLite", LABELS[name], sqlite[name], sqlite["floor"])
        for name in ("floor", "store", "use_case", "lean", "route")
    ]
    if not isinstance(firestore, str):
        rows += [
            ("Firestore emulator", LABELS[name], firestore[name], firestore["floor"])
            for name in ("floor", "store", "use_case", "lean")
        ]
    for backend, label, (med, p, cmed, cp), floor in rows:
        print(
            f"| {backend} | {label} | {med:.1f} ms | {p:.1f} ms | {p / floor[1]:.2f}x "
            f"| {cmed:.1f} ms | {cp:.1f} ms | {cp / floor[3]:.2f}x |"
        )
    if isinstance(firestore, str):
        print(f"| Firestore emulator | - | {firestore} | | | | | |")
    _print_dispatch(people, load, first, second, sent, writes)


def _print_dispatch(people: int, load: float, first: float, second: float, sent: int, writes: int) -> None:
    print(f"\n## Join buttons: {people:,} meetings starting in the same minute (SQLite)\n")
    base, one, two, three = CPU
    print("| step | time | vs loading the due meetings | CPU of the dispatching thread |")
    print("|---|---|---|---|")
    print(f"| load and decrypt the due meetings (baseline) | {load:.2f} s | 1.00x | {base:.2f} s |")
    print(f"| dispatch: {sent:,} notices recorded and published | {first:.2f} s | {first / load:.2f}x | {one:.2f} s |")
    print(f"| (the bus delivering them to the streams' subscription) | {DRAINED[-1]:.2f} s | | |")
    print(f"| repeated run (all already sent), {writes} writes | {second:.2f} s | {second / load:.2f}x | {two:.2f} s |")
    later, later_writes = LATER
    label = f"a later run (every notice read once before), {later_writes:.0f} writes"
    print(f"| {label} | {later:.2f} s | {later / load:.2f}x | {three:.2f} s |")


if __name__ == "__main__":
    main()
