"""Who may hold a calendar's sync lease: one id per process start, and whether that process is still there.

Every start of a process gets a fresh instance id, and each lease names it. A lease held by an
instance that is gone is taken over at once, not after the lease runs out:

* ``SoleInstance`` (the embedded backend): the data directory is locked by one process, so
  every instance other than this one is a process that stopped or was killed.
* ``HeartbeatInstances`` (several processes on one store, as Cloud Functions instances share
  Firestore): an instance records ``instances/{id}`` with an ``aliveUntil`` it moves forward
  while it works (``beat()``, at most every ``ttl / 3``); one whose record lapsed or is missing
  is gone. Its lease is then taken over after at most ``ttl`` instead of the whole lease.
"""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

from shared.documents import Delete, Put, doc_path
from shared.errors import HybridCalendarError
from shared.ports import DocumentStore
from shared.ports.clock import Clock

HEARTBEAT_TTL = timedelta(seconds=60)


def new_instance_id() -> str:
    """A fresh id for this start of this process."""
    return uuid.uuid4().hex[:16]


class SoleInstance:
    """Liveness where one process at a time owns the store (the locked data directory)."""

    def __init__(self, instance: str | None = None) -> None:
        self._instance = instance or new_instance_id()

    @property
    def instance(self) -> str:
        """The id of this process start."""
        return self._instance

    def alive(self, instance: str) -> bool:
        """Only this instance is alive: any other one is a process that is gone."""
        return instance == self._instance

    def beat(self) -> None:
        """Nothing to record."""

    def close(self) -> None:
        """Nothing to record."""


class HeartbeatInstances:
    """Liveness through ``instances/{id}`` records that working instances keep fresh."""

    def __init__(self, store: DocumentStore, clock: Clock, *, ttl: timedelta = HEARTBEAT_TTL) -> None:
        self._store, self._clock, self._ttl = store, clock, ttl
        self._instance = new_instance_id()
        self._last = 0.0
        self._lock = threading.Lock()

    @property
    def instance(self) -> str:
        """The id of this process start."""
        return self._instance

    def alive(self, instance: str) -> bool:
        """True while ``instance``'s record is fresh."""
        if instance == self._instance:
            return True
        doc = self._store.get(doc_path("instances", instance))
        return doc is not None and doc.data.get("aliveUntil") is not None and doc.data["aliveUntil"] > self._clock.now()

    def beat(self) -> None:
        """Move this instance's ``aliveUntil`` forward when a third of the ttl has passed since the last beat."""
        mono = self._clock.monotonic()
        with self._lock:
            if self._last and mono - self._last < self._ttl.total_seconds() / 3:
                return
            self._last = mono
        now = self._clock.now()
        data = {"aliveUntil": now + self._ttl, "expireAt": now + self._ttl + timedelta(days=1)}
        self._store.write([Put(doc_path("instances", self._instance), data)])

    def close(self) -> None:
        """Drop this instance's record (best effort: a lapsed record means the same)."""
        if self._last:
            try:
                self._store.write([Delete(doc_path("instances", self._instance))])
            except HybridCalendarError:
                return
