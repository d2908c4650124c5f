"""The embedded bus's schedule in memory: which delivery runs next, which waits, which is in flight.

It mirrors the stored delivery rows for the handlers attached in this process. A key is a
subscription and an ordering key; each key has a queue of message sequence numbers, and only
its head is ever ready or in flight, so one key delivers one message at a time, in order. A
failed head waits in ``delayed`` until its backoff is due. Everything here is guarded by one
condition, a leaf lock: nothing calls the store while holding it.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections import deque

import msgspec

from shared.errors import Unavailable
from shared.ports import Handler
from shared.ports.clock import Clock

Key = tuple[str, str]  # (subscription name, ordering key)


class Subscription(msgspec.Struct):
    """A stored subscription whose handler is attached in this process."""

    name: str
    topic: str
    handler: Handler


Delivery = tuple[Subscription, Key, int]  # the subscription, its key and the message's sequence number


class DeliverySchedule:
    """Ready keys, delayed retries and the in-flight count of the attached subscriptions."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._subs: dict[str, Subscription] = {}
        self._queues: dict[Key, deque[int]] = {}
        self._ready: deque[Key] = deque()
        self._delayed: list[tuple[float, int, Key]] = []
        self._tiebreak = itertools.count()
        self._inflight = 0
        self._cond = threading.Condition()
        self._closed = False

    def ensure_open(self) -> None:
        """Raise Unavailable once ``close()`` ran."""
        with self._cond:
            if self._closed:
                raise Unavailable("the bus is closed")

    def attached(self, topic: str) -> int:
        """How many subscriptions of ``topic`` have a handler here."""
        with self._cond:
            return sum(1 for s in self._subs.values() if s.topic == topic)

    def attach(self, sub: Subscription, backlog: list[tuple[str, int]]) -> None:
        """Give ``sub`` its handler here and queue its stored ``(ordering key, seq)`` backlog."""
        with self._cond:
            if sub.name in self._subs:
                raise ValueError(f"subscription {sub.name!r} already has a handler")
            self._subs[sub.name] = sub
            self._enqueue_locked([((sub.name, okey), seq) for okey, seq in backlog])

    def enqueue(self, items: list[tuple[Key, int]]) -> None:
        """Queue committed deliveries; those of subscriptions not attached here are left to the store."""
        with self._cond:
            self._enqueue_locked(items)

    def _enqueue_locked(self, items: list[tuple[Key, int]]) -> None:
        for key, seq in items:
            if key[0] not in self._subs:
                continue  # stored for a subscription whose handler is not attached in this process
            queue = self._queues.setdefault(key, deque())
            queue.append(seq)
            if len(queue) == 1:
                self._ready.append(key)
        self._cond.notify_all()

    def _take_locked(self) -> tuple[Delivery | None, float | None]:
        """The next ready delivery, marked in flight; else None and the seconds until a delayed one is due."""
        now = self._clock.monotonic()
        while self._delayed and self._delayed[0][0] <= now:
            self._ready.append(heapq.heappop(self._delayed)[2])
        if self._ready:
            key = self._ready.popleft()
            self._inflight += 1
            return (self._subs[key[0]], key, self._queues[key][0]), None
        return None, (self._delayed[0][0] - now if self._delayed else None)

    def next(self) -> Delivery | None:
        """Block until a delivery is ready (a worker's turn); None once the schedule is closed."""
        with self._cond:
            while not self._closed:
                item, due = self._take_locked()
                if item is not None:
                    return item
                self._cond.wait(due)
            return None

    def next_to_drain(self, deadline: float, timeout: float) -> Delivery | None:
        """The next delivery for ``drain()``; None when nothing is queued, delayed or in flight.

        ``deadline`` is in real monotonic time: TimeoutError once it passes with work still left.
        """
        with self._cond:
            while True:
                if self._closed:
                    raise Unavailable("the bus is closed")
                item, due = self._take_locked()
                if item is not None:
                    return item
                if not self._inflight and not self._delayed:
                    return None
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(
                        f"the bus did not drain in {timeout} s: {self._inflight} in flight, "
                        f"{len(self._delayed)} delayed"
                    )
                self._cond.wait(remaining if due is None else min(remaining, due))

    def retry(self, key: Key, delay: float) -> None:
        """The head of ``key`` failed: it is ready again after ``delay`` seconds."""
        with self._cond:
            heapq.heappush(self._delayed, (self._clock.monotonic() + delay, next(self._tiebreak), key))
            self._inflight -= 1
            self._cond.notify_all()

    def advance(self, key: Key) -> None:
        """The head of ``key`` is settled: the next message of the key becomes ready."""
        with self._cond:
            queue = self._queues[key]
            queue.popleft()
            if queue:
                self._ready.append(key)
            else:
                del self._queues[key]
            # In-flight drops only now, after any follow-up is queued, so wait_idle never sees a gap.
            self._inflight -= 1
            self._cond.notify_all()

    def pending(self) -> int:
        """Messages queued, delayed or in flight."""
        with self._cond:
            return sum(len(q) for q in self._queues.values())

    def wait_idle(self, timeout: float) -> bool:
        """Block until nothing is ready, delayed or in flight; False on timeout."""
        deadline = self._clock.monotonic() + timeout
        with self._cond:
            while self._inflight or self._ready or self._delayed:
                remaining = deadline - self._clock.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(min(remaining, 0.05))
            return True

    def close(self) -> None:
        """Wake every waiter: workers stop, ``drain()`` raises Unavailable."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
