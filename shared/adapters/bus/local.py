"""The embedded message bus: worker threads with Pub/Sub's delivery semantics.

At-least-once delivery to every subscription of a topic; messages with the same ordering key
are delivered one at a time, in publish order, and a failing message blocks its key until it
succeeds or is dead-lettered; failures are retried with jittered exponential backoff; after
``max_attempts`` deliveries a message goes to the dead-letter list (and to the
``<topic>-dead-letter`` topic when something subscribes to it). A message published to a topic
without subscriptions is dropped, as Pub/Sub drops it.
"""

from __future__ import annotations

import heapq
import itertools
import random
import threading
import uuid
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from shared.clock import Clock, SystemClock
from shared.errors import Unavailable
from shared.logs import ctx, get_logger
from shared.ports import BusMessage, Handler

log = get_logger(__name__)


@dataclass(slots=True)
class _Subscription:
    name: str
    topic: str
    handler: Handler
    queues: dict[str, deque[BusMessage]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """A message that exhausted its delivery attempts."""

    subscription: str
    message: BusMessage
    attempts: int
    error: str


class LocalBus:
    """MessageBus in process: ordering keys, retries with backoff, dead letters."""

    def __init__(
        self,
        *,
        workers: int = 4,
        max_attempts: int = 5,
        backoff_base: float = 0.05,
        backoff_cap: float = 10.0,
        clock: Clock | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self._clock = clock or SystemClock()
        self._rng = rng or random.Random()
        self._max_attempts = max_attempts
        self._backoff_base, self._backoff_cap = backoff_base, backoff_cap
        self._subs: dict[str, list[_Subscription]] = {}
        self._ready: deque[tuple[_Subscription, str]] = deque()
        self._delayed: list[tuple[float, int, _Subscription, str]] = []
        self._seq = itertools.count()
        self._inflight = 0
        self._cond = threading.Condition()
        self._closed = False
        self._dead: list[DeadLetter] = []
        self.published: dict[str, int] = {}
        self.delivered: dict[str, int] = {}
        self._threads = [
            threading.Thread(target=self._work, name=f"local-bus-{i}", daemon=True) for i in range(workers)
        ]
        for thread in self._threads:
            thread.start()

    # ------------------------------------------------------------ MessageBus port

    def publish(
        self,
        topic: str,
        data: bytes,
        *,
        ordering_key: str | None = None,
        attributes: Mapping[str, str] | None = None,
    ) -> str:
        """Queue a copy for every subscription of ``topic``; return the message id."""
        message_id = uuid.uuid4().hex
        message = BusMessage(
            topic=topic,
            data=bytes(data),
            attributes=dict(attributes or {}),
            ordering_key=ordering_key or None,
            message_id=message_id,
            publish_time=self._clock.now(),
        )
        with self._cond:
            if self._closed:
                raise Unavailable("the bus is closed")
            self.published[topic] = self.published.get(topic, 0) + 1
            for sub in self._subs.get(topic, ()):
                key = ordering_key or f"\x00{message_id}"
                queue = sub.queues.setdefault(key, deque())
                queue.append(message)
                if len(queue) == 1:
                    self._ready.append((sub, key))
            self._cond.notify_all()
        return message_id

    def subscribe(self, topic: str, handler: Handler, *, name: str | None = None) -> None:
        """Add a subscription to ``topic`` delivering to ``handler``."""
        with self._cond:
            subs = self._subs.setdefault(topic, [])
            subs.append(_Subscription(name or f"{topic}-sub-{len(subs)}", topic, handler))

    def close(self) -> None:
        """Stop the workers (undelivered messages are dropped)."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        for thread in self._threads:
            thread.join(timeout=5)

    # ------------------------------------------------------------ inspection

    def dead_letters(self) -> list[DeadLetter]:
        """Messages that exhausted their attempts, oldest first."""
        with self._cond:
            return list(self._dead)

    def pending(self) -> int:
        """Messages queued or in flight."""
        with self._cond:
            return self._inflight + sum(len(q) for subs in self._subs.values() for s in subs for q in s.queues.values())

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until nothing is queued, delayed or in flight; False on timeout."""
        deadline = self._clock.monotonic() + timeout
        with self._cond:
            while True:
                busy = self._inflight or self._ready or self._delayed
                if not busy:
                    return True
                remaining = deadline - self._clock.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(min(remaining, 0.05))

    # ------------------------------------------------------------ delivery

    def _next(self) -> tuple[_Subscription, str, BusMessage] | None:
        with self._cond:
            while not self._closed:
                now = self._clock.monotonic()
                while self._delayed and self._delayed[0][0] <= now:
                    _, _, sub, key = heapq.heappop(self._delayed)
                    self._ready.append((sub, key))
                if self._ready:
                    sub, key = self._ready.popleft()
                    self._inflight += 1
                    return sub, key, sub.queues[key][0]
                wait = self._delayed[0][0] - now if self._delayed else None
                self._cond.wait(wait)
            return None

    def _work(self) -> None:
        while True:
            item = self._next()
            if item is None:
                return
            sub, key, message = item
            error: str | None = None
            try:
                sub.handler(message)
            except Exception as exc:  # any handler failure means redelivery
                error = f"{type(exc).__name__}: {exc}"
            self._settle(sub, key, message, error)

    def _settle(self, sub: _Subscription, key: str, message: BusMessage, error: str | None) -> None:
        with self._cond:
            queue = sub.queues[key]
            if error is None:
                self.delivered[sub.topic] = self.delivered.get(sub.topic, 0) + 1
                queue.popleft()
            elif message.delivery_attempt >= self._max_attempts:
                queue.popleft()
                self._dead_letter(sub, message, error)
            else:
                queue[0] = replace(message, delivery_attempt=message.delivery_attempt + 1)
                delay = self._rng.uniform(0, min(self._backoff_cap, self._backoff_base * 2**message.delivery_attempt))
                heapq.heappush(self._delayed, (self._clock.monotonic() + delay, next(self._seq), sub, key))
                self._inflight -= 1
                self._cond.notify_all()
                return
            if queue:
                self._ready.append((sub, key))
            else:
                del sub.queues[key]
            # In-flight drops only now, after any dead-letter copy is queued, so wait_idle never sees a gap.
            self._inflight -= 1
            self._cond.notify_all()

    def _dead_letter(self, sub: _Subscription, message: BusMessage, error: str) -> None:
        """Record a message that exhausted its attempts and forward it (called with the lock held)."""
        self._dead.append(DeadLetter(sub.name, message, message.delivery_attempt, error))
        log.warning(
            "message dead-lettered",
            extra=ctx(
                topic=sub.topic, subscription=sub.name, message_id=message.message_id, attempts=message.delivery_attempt
            ),
        )
        if f"{sub.topic}-dead-letter" in self._subs:
            attrs = {**message.attributes, "deadLetterReason": error, "sourceTopic": sub.topic}
            self.publish(f"{sub.topic}-dead-letter", message.data, attributes=attrs)
