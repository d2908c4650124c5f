"""The embedded message bus: durable in the service's SQLite database, with Pub/Sub's delivery semantics.

A publish stores the message once and a delivery row for every subscription of its topic (a topic
nobody subscribes to drops it, as Pub/Sub does). Inside the store's ``atomic()`` block those rows
commit with the state change that caused them, a transactional outbox, and only then become
deliverable. Subscriptions are stored as well, so what is published while no handler is attached
(during a restart) waits for it, and what was queued or in flight when the process died is
delivered again when it starts: at least once, never lost.

Worker threads deliver to the handlers attached in this process. Messages with the same ordering
key go one at a time, in publish order, and a failing message blocks its key until it succeeds or
is dead-lettered. A delivery counts as an attempt when it starts (so a message that kills the
process every time is still dead-lettered in the end). Failures are retried with jittered
exponential backoff, or no sooner than the error's ``retry_after``; a held lease (``LeaseHeld``)
is deferred by its ``retry_after`` without spending an attempt. After ``max_attempts`` deliveries
a message is dead-lettered: kept with its last error (see ``dead_letters()``) and published to
``<topic>-dead-letter``. ``wait_idle()`` waits on a condition until nothing is queued, delayed or
in flight; ``drain()`` delivers on the caller's thread until then (with ``workers=0`` every
delivery happens there, for deterministic tests).

Only one process may deliver from a database; the embedded backend guarantees it with a lock on
the data directory. A bus made without a store keeps its messages in a private temporary database
until ``bind()`` gives it the service's. ``send_all`` stores many messages in one transaction.
"""

from __future__ import annotations

import contextlib
import random
import shutil
import sqlite3
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from shared.adapters.bus import local_schema as rows
from shared.adapters.bus.local_schedule import DeliverySchedule, Key, Subscription
from shared.adapters.bus.wire import DeadLetter, SendsMessages
from shared.adapters.store.sqlite_pool import SqlitePool
from shared.clock import SystemClock
from shared.errors import LeaseHeld, Unavailable
from shared.logs import ctx, get_logger, redact
from shared.ports import BusMessage, Handler
from shared.ports.clock import Clock
from shared.ports.messages import Message

if TYPE_CHECKING:
    from shared.adapters.store.sqlite import SqliteDocumentStore
    from shared.ports.documents import DocumentStore

log = get_logger(__name__)
RETENTION = timedelta(days=7)
_Outgoing = tuple[str, bytes, str | None, Mapping[str, str]]  # a message to store: topic, data, key, attributes
MAX_DEFERRALS = 20


class LocalBus(SendsMessages):
    """MessageBus in the SQLite database: ordering keys, retries with backoff, dead letters, crash-safe."""

    def __init__(
        self,
        store: SqliteDocumentStore | None = None,
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
        self._workers = workers
        self._pool: SqlitePool | None = None
        self._private: Path | None = None
        self._topics: dict[str, list[str]] = {}  # topic -> every stored subscription name
        self._schedule = DeliverySchedule(self._clock)
        self._lock = threading.Lock()  # the binding and the counters; a leaf lock like the schedule's
        self._threads: list[threading.Thread] = []
        self.published: dict[str, int] = {}
        self.delivered: dict[str, int] = {}
        if store is not None:
            self.bind(store)

    # ------------------------------------------------------------ binding

    @property
    def bound(self) -> bool:
        """True once the bus has its database."""
        return self._pool is not None

    delivers_here = True  # subscribers run on this process's workers (or in ``drain``)

    def attach(self, documents: DocumentStore) -> None:
        """Bind to ``documents`` when it is the SQLite store and the bus has no database yet (the outbox)."""
        from shared.adapters.store.sqlite import SqliteDocumentStore

        if isinstance(documents, SqliteDocumentStore) and self._pool is None:
            self.bind(documents)

    def bind(self, store: SqliteDocumentStore) -> None:
        """Keep messages in ``store``'s database (once, before first use) and start the workers."""
        if self._pool is not None:
            raise RuntimeError("the bus is already bound to a database")
        self._start(store.pool)

    def _ensure(self) -> SqlitePool:
        if self._pool is None:
            with self._lock:
                if self._pool is None and self._private is None:
                    self._private = Path(tempfile.mkdtemp(prefix="hybridcal-bus-"))
            self._start(SqlitePool(str(self._private / "bus.sqlite3"), size=max(2, self._workers)))
        assert self._pool is not None
        return self._pool

    def _start(self, pool: SqlitePool) -> None:
        with pool.transaction() as conn:
            rows.create(conn)
            rows.purge_before(conn, self._clock.now() - RETENTION)
            found = rows.subscriptions(conn)
        with self._lock:
            if self._pool is not None:
                return
            self._pool, self._topics = pool, found
            self._threads = [
                threading.Thread(target=self._work, name=f"local-bus-{i}", daemon=True) for i in range(self._workers)
            ]
        for thread in self._threads:
            thread.start()

    @contextlib.contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        try:
            with self._ensure().transaction() as conn:
                yield conn
        except sqlite3.Error as exc:
            raise Unavailable(f"the bus database failed ({exc})") from exc

    # ------------------------------------------------------------ MessageBus port

    def publish(
        self,
        topic: str,
        data: bytes,
        *,
        ordering_key: str | None = None,
        attributes: Mapping[str, str] | None = None,
    ) -> str:
        """Store the message for every subscription of ``topic`` (in the caller's transaction, if any)."""
        return self._store([(topic, bytes(data), ordering_key or None, dict(attributes or {}))])[0]

    def send_all(self, messages: Sequence[Message]) -> list[str]:
        """Store every message for its topic's subscriptions in one transaction (the caller's, if any)."""
        return self._store([(m.topic, m.encode(), m.ordering_key or None, m.attributes) for m in messages])

    def _store(self, outgoing: list[_Outgoing]) -> list[str]:
        self._schedule.ensure_open()
        with self._lock:
            for topic, *_ in outgoing:
                self.published[topic] = self.published.get(topic, 0) + 1
        ids = [uuid.uuid4().hex for _ in outgoing]
        with self._tx() as conn:
            self._insert(conn, list(zip(ids, outgoing, strict=True)))
        return ids

    def _insert(self, conn: sqlite3.Connection, outgoing: list[tuple[str, _Outgoing]]) -> None:
        """Store messages (id, message) and their deliveries; queue the deliveries once they commit."""
        queued: list[tuple[Key, int]] = []
        now = self._clock.now()
        for message_id, (topic, data, ordering_key, attributes) in outgoing:
            names = list(self._topics.get(topic, ()))
            if not names:
                continue
            seq = rows.insert_message(conn, message_id, topic, data, ordering_key, attributes, now)
            okey = ordering_key or f"\x00{message_id}"
            rows.insert_deliveries(conn, names, seq, okey)
            queued += [((n, okey), seq) for n in names]
        if queued:
            self._ensure().after_commit(lambda: self._schedule.enqueue(queued))

    def subscribe(self, topic: str, handler: Handler, *, name: str | None = None) -> None:
        """Attach ``handler`` to a stored subscription of ``topic`` (created when new) and queue its backlog."""
        name = name or f"{topic}-sub-{self._schedule.attached(topic)}"
        # Under the store's write lock, so no publish commits between reading the backlog and attaching.
        with self._tx() as conn:
            backlog = rows.open_subscription(conn, name, topic)
            self._schedule.attach(Subscription(name, topic, handler), backlog)
            names = self._topics.setdefault(topic, [])
            if name not in names:
                names.append(name)

    def close(self) -> None:
        """Stop the workers; what is undelivered stays stored for the next start."""
        self._schedule.close()
        for thread in self._threads:
            thread.join(timeout=5)
        if self._private is not None and self._pool is not None:
            self._pool.close()
            shutil.rmtree(self._private, ignore_errors=True)

    # ------------------------------------------------------------ inspection

    def dead_letters(self) -> list[DeadLetter]:
        """Messages that exhausted their attempts (in this database, across restarts), oldest first."""
        with self._ensure().connection() as conn:
            found = rows.dead_letter_rows(conn)
        return [DeadLetter(sub, message, attempts, error) for sub, message, attempts, error in found]

    def pending(self) -> int:
        """Messages queued, delayed or in flight for the handlers attached here."""
        return self._schedule.pending()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until nothing is queued, delayed or in flight for the attached handlers; False on timeout."""
        return self._schedule.wait_idle(timeout)

    def drain(self, timeout: float = 30.0) -> int:
        """Deliver on the calling thread until nothing is queued, delayed or in flight; return the deliveries made.

        Follow-ups that handlers publish are delivered too, and a retry is delivered once its backoff is
        due. It takes turns with the worker threads, and with ``workers=0`` it is the only deliverer:
        a bus whose every delivery happens inside ``drain()``, in order, on the caller's thread.
        TimeoutError when work is still left after ``timeout`` seconds of real time.
        """
        deadline = time.monotonic() + timeout
        done = 0
        while (item := self._schedule.next_to_drain(deadline, timeout)) is not None:
            self._run(*item)
            done += 1
        return done

    # ------------------------------------------------------------ delivery

    def _work(self) -> None:
        while (item := self._schedule.next()) is not None:
            self._run(*item)

    def _run(self, sub: Subscription, key: Key, seq: int) -> None:
        try:
            self._deliver(sub, key, seq)
        except Unavailable as exc:  # the database is busy or closing: the stored row is tried again
            log.warning("bus delivery not settled", extra=ctx(subscription=sub.name, error_code=exc.code))
            self._schedule.retry(key, 1.0)

    def _deliver(self, sub: Subscription, key: Key, seq: int) -> None:
        with self._tx() as conn:
            counted = rows.start_delivery(conn, sub.name, seq)
            message = rows.load_message(conn, seq, counted[0]) if counted else None
        if counted is None or message is None:
            self._schedule.advance(key)
            return
        error: BaseException | None = None
        try:
            sub.handler(message)
        except Exception as exc:  # any handler failure means redelivery
            error = exc
        if error is None:
            with self._tx() as conn:
                rows.forget_delivery(conn, sub.name, seq)
            with self._lock:
                self.delivered[sub.topic] = self.delivered.get(sub.topic, 0) + 1
            self._schedule.advance(key)
            return
        text = redact(f"{type(error).__name__}: {error}")[:2000]  # stored: no address or token may be in it
        deferred = isinstance(error, LeaseHeld) and int(counted[1]) < MAX_DEFERRALS
        if not deferred and message.delivery_attempt >= self._max_attempts:
            self._dead_letter(sub, key, seq, message, text)
            return
        if deferred:
            delay = max(float(getattr(error, "retry_after", None) or 0.0), self._backoff_base)
        else:
            backoff = self._rng.uniform(0, min(self._backoff_cap, self._backoff_base * 2**message.delivery_attempt))
            delay = max(backoff, float(getattr(error, "retry_after", None) or 0.0))
        with self._tx() as conn:
            rows.note_failure(conn, sub.name, seq, text, deferred=deferred)
        self._schedule.retry(key, delay)

    def _dead_letter(self, sub: Subscription, key: Key, seq: int, message: BusMessage, error: str) -> None:
        """Keep the message with its error and publish it to ``<topic>-dead-letter``, in one transaction."""
        attributes = {**message.attributes, "deadLetterReason": error[:1000], "sourceTopic": sub.topic}
        with self._tx() as conn:
            rows.forget_delivery(conn, sub.name, seq)
            rows.record_dead_letter(conn, sub.name, message, error, self._clock.now())
            self._insert(conn, [(uuid.uuid4().hex, (f"{sub.topic}-dead-letter", message.data, None, attributes))])
        log.warning(
            "message dead-lettered",
            extra=ctx(
                topic=sub.topic, subscription=sub.name, message_id=message.message_id, attempts=message.delivery_attempt
            ),
        )
        self._schedule.advance(key)
