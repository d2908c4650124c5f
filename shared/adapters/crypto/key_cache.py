"""The envelope cipher's cache of unwrapped keys, kept safe across store transactions.

Keys read from the store were committed: they are cached at once, for ``ttl`` seconds of
monotonic time. A key made inside a store transaction may be rolled back with it, and
ciphertexts made by other threads under a key that was never committed would never open again.
Such keys stay visible to the transaction's own thread only, until it commits (then everyone's)
or rolls back (then gone).
"""

from __future__ import annotations

import threading

from shared.ports import DocumentStore
from shared.ports.clock import Clock

CacheKey = tuple[str, ...]


class _TtlCache:
    """A small thread-safe cache whose entries expire after ``ttl`` seconds of monotonic time."""

    def __init__(self, clock: Clock, ttl: float) -> None:
        self._clock, self._ttl = clock, ttl
        self._items: dict[CacheKey, tuple[float, bytes]] = {}
        self._lock = threading.Lock()

    def get(self, key: CacheKey) -> bytes | None:
        hit = self._items.get(key)  # one dict read is atomic: only writers take the lock
        if hit is None:
            return None
        if hit[0] < self._clock.monotonic():
            with self._lock:
                if self._items.get(key) is hit:
                    del self._items[key]
            return None
        return hit[1]

    def put(self, key: CacheKey, value: bytes) -> None:
        with self._lock:
            self._items[key] = (self._clock.monotonic() + self._ttl, value)

    def evict(self, prefix: CacheKey) -> None:
        with self._lock:
            for key in [k for k in self._items if k[: len(prefix)] == prefix]:
                del self._items[key]


class KeyCache:
    """Committed keys for everyone (with a TTL); keys made in this thread's open transaction for it alone."""

    def __init__(self, store: DocumentStore, clock: Clock, ttl: float) -> None:
        self._store = store
        self._cache = _TtlCache(clock, ttl)
        self._tx = threading.local()  # keys made inside this thread's open store transaction

    def _pending(self) -> dict[CacheKey, bytes]:
        pending: dict[CacheKey, bytes] | None = getattr(self._tx, "keys", None)
        if pending is None:
            pending = self._tx.keys = {}
        return pending

    def lookup(self, key: CacheKey) -> bytes | None:
        """The key cached under ``key``, this thread's uncommitted ones first."""
        pending: dict[CacheKey, bytes] | None = getattr(self._tx, "keys", None)
        if pending:
            hit = pending.get(key)
            if hit is not None:
                return hit
        return self._cache.get(key)

    def fresh(self, *keys: CacheKey) -> bool:
        """True when any of ``keys`` was made in this thread's open transaction (not committed yet)."""
        pending = self._pending()
        return any(k in pending for k in keys)

    def remember(self, key: CacheKey, value: bytes, *, fresh: bool) -> None:
        """Cache ``value``; a ``fresh`` one (made in the open transaction) only once that commits."""
        if not fresh:
            self._cache.put(key, value)
            return
        pending = self._pending()
        first = not pending
        pending[key] = value
        if first:
            self._store.after_commit(self._promote)  # at once when there is no transaction
            self._store.after_rollback(pending.clear)

    def _promote(self) -> None:
        pending = self._pending()
        for key, value in pending.items():
            self._cache.put(key, value)
        pending.clear()

    def evict(self, prefix: CacheKey) -> None:
        """Forget every committed key whose cache key starts with ``prefix``."""
        self._cache.evict(prefix)
