"""Measure what each operation costs: Google calls, store reads and writes, bus messages, KMS calls.

One small scenario on ``tests/support/world.py`` (the emulator and the service in one process):
three activated people; Alice creates a meeting with Bob and Carol; she adds ``@webex``; Bob
accepts; a recurring series is created; the vacation poll runs; the join buttons of the meeting
are dispatched; Alice's calendar is reconciled. Google calls come from the emulator's request
log, store reads and writes from a counting decorator around the document store (a Firestore
read is a document returned, a write a document written), bus messages from the local bus.
The tests cited in ``docs/capacity.md`` assert the same counts exactly.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from shared.adapters.bus.local import LocalBus
from shared.documents import Document, Query, WriteOp
from shared.ports import DocumentStore
from tests.support.world import T0, World, make_world

ALICE, BOB, CAROL = "alice@example.com", "bob@example.com", "carol@example.com"


class CountingStore:
    """A DocumentStore decorator counting document reads and writes as Firestore bills them."""

    def __init__(self, inner: DocumentStore) -> None:
        self.inner = inner
        self.reads = 0
        self.writes = 0

    def get(self, path: str) -> Document | None:
        """One read."""
        self.reads += 1
        return self.inner.get(path)

    def get_all(self, paths: Sequence[str]) -> list[Document | None]:
        """One read per path."""
        self.reads += len(paths)
        return self.inner.get_all(paths)

    def query(self, query: Query) -> Iterator[Document]:
        """One read per document returned (at least one per query)."""
        docs = list(self.inner.query(query))
        self.reads += max(1, len(docs))
        return iter(docs)

    def write(self, ops: Sequence[WriteOp]) -> list[str | None]:
        """One write per operation."""
        self.writes += len(ops)
        return self.inner.write(ops)

    def bulk_write(self, ops: Sequence[WriteOp]) -> None:
        """One write per operation."""
        self.writes += len(ops)
        self.inner.bulk_write(ops)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@dataclass
class Cost:
    """What one step cost."""

    google: Counter[str] = field(default_factory=Counter)
    reads: int = 0
    writes: int = 0
    published: Counter[str] = field(default_factory=Counter)
    pushes: int = 0


class Meter:
    """Snapshots the counters around each step of the scenario."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.store = CountingStore(world.app.stores.documents)
        world.app.stores.backend.documents = self.store
        self.costs: dict[str, Cost] = {}

    def step(self, name: str) -> _Step:
        """Measure the block run under ``with meter.step(name):``."""
        return _Step(self, name)


class _Step:
    def __init__(self, meter: Meter, name: str) -> None:
        self.meter, self.name = meter, name

    def __enter__(self) -> None:
        world = self.meter.world
        world.settle()
        world.control.clear_requests()
        self.pushes = len(world.control.pushes())
        self.reads, self.writes = self.meter.store.reads, self.meter.store.writes
        bus = world.app.bus
        assert isinstance(bus, LocalBus)
        self.published = Counter(bus.published)

    def __exit__(self, *exc: object) -> None:
        world = self.meter.world
        world.settle()
        bus = world.app.bus
        assert isinstance(bus, LocalBus)
        counts = world.control.requests()["countsByOperation"]
        self.meter.costs[self.name] = Cost(
            google=Counter({k: v for k, v in counts.items() if k != "oauth2.token"}),
            reads=self.meter.store.reads - self.reads,
            writes=self.meter.store.writes - self.writes,
            published=Counter(bus.published) - self.published,
            pushes=len(world.control.pushes()) - self.pushes,
        )


def _event(summary: str, start: datetime, **extra: Any) -> dict[str, Any]:
    return {
        "summary": summary,
        "start": {"dateTime": start.isoformat(), "timeZone": "Europe/Berlin"},
        "end": {"dateTime": (start + timedelta(minutes=30)).isoformat(), "timeZone": "Europe/Berlin"},
        **extra,
    }


def measure() -> dict[str, Cost]:
    """Run the scenario and return each step's cost."""
    with tempfile.TemporaryDirectory() as tmp:
        world = make_world(Path(tmp))
        try:
            for email in (ALICE, BOB, CAROL):
                world.activate(email)
            meter = Meter(world)
            guests = [{"email": BOB}, {"email": CAROL}]
            with world.http(ALICE) as http, meter.step("create, 3 calendars"):
                body = _event("Planning", T0 + timedelta(hours=3), attendees=guests)
                created = http.post(f"/calendar/v3/calendars/{ALICE}/events", json=body).json()
            with world.http(ALICE) as http, meter.step("keyword added, 3 calendars"):
                http.patch(f"/calendar/v3/calendars/{ALICE}/events/{created['id']}", json={"location": "@webex"})
            with world.http(BOB) as http, meter.step("RSVP, 3 calendars"):
                rsvp = [{"email": BOB, "responseStatus": "accepted"}, {"email": CAROL}, {"email": ALICE}]
                http.patch(f"/calendar/v3/calendars/{BOB}/events/{created['id']}", json={"attendees": rsvp})
            with world.http(ALICE) as http, meter.step("recurring series created, 1 calendar"):
                weekly = _event("Weekly", T0 + timedelta(hours=5), recurrence=["RRULE:FREQ=WEEKLY;COUNT=8"])
                http.post(f"/calendar/v3/calendars/{ALICE}/events", json=weekly)
            with meter.step("vacation poll, 3 people"):
                world.runtime.run_job("poll_vacations")
            with meter.step("join-button dispatch, 1 meeting, 3 invitees"):
                world.clock.set(T0 + timedelta(hours=3) - timedelta(minutes=4))
                world.app.join_buttons.dispatch()
            with meter.step("dispatch run, nothing due"):
                world.app.join_buttons.dispatch()
            with meter.step("reconcile, 1 calendar (6 meetings)"):
                principal = world.app.stores.principals.find_principal(world.org.id, ALICE)
                assert principal is not None
                world.app.channels.reconcile(world.org, principal)
            return meter.costs
        finally:
            world.close()
