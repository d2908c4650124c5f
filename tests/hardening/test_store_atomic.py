"""The embedded store's transactions and pool: outbox atomicity, keys made in a rolled-back transaction, bounds."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest

from shared.adapters.bus.local import LocalBus
from shared.adapters.crypto.envelope import EnvelopeCipher
from shared.adapters.crypto.local import LocalKek
from shared.adapters.store.sqlite import SqliteDocumentStore
from shared.clock import ManualClock
from shared.documents import Put, doc_path
from shared.ports import BusMessage
from shared.ports.messages import JoinButton
from tests.support.instant import T0


def test_a_rolled_back_block_leaves_neither_its_writes_nor_its_messages(tmp_path: Path) -> None:
    """Writes and publishes inside atomic() commit together; when the block fails neither is left."""
    store = SqliteDocumentStore(tmp_path / "db.sqlite3")
    bus = LocalBus(store, workers=1)
    got: list[BusMessage] = []
    bus.subscribe("t", got.append)
    try:
        with store.atomic():
            store.write([Put(doc_path("things", "kept"), {"n": 1})])
            bus.publish("t", b"kept")

        def failing_change() -> None:
            with store.atomic():
                store.write([Put(doc_path("things", "lost"), {"n": 2})])
                bus.publish("t", b"lost")
                raise RuntimeError("the state change failed")

        with pytest.raises(RuntimeError):
            failing_change()
        assert bus.wait_idle(10)
        assert [m.data for m in got] == [b"kept"]
        assert store.get("things/kept") is not None and store.get("things/lost") is None
    finally:
        bus.close()
        store.close()


def test_a_key_made_in_a_rolled_back_transaction_is_never_used_again(tmp_path: Path) -> None:
    """A principal key created inside a failed block is forgotten: later ciphertexts open after every cache is gone."""
    store = SqliteDocumentStore(tmp_path / "db.sqlite3")
    clock = ManualClock(T0)
    kek = LocalKek.from_file(tmp_path / "kek.key")
    cipher = EnvelopeCipher(store, kek, clock, cache_seconds=60)
    try:

        def failing_change() -> None:
            with store.atomic():
                cipher.encrypt("o1", b"first", b"aad", principal_id="p1")
                raise RuntimeError("rolled back")

        with pytest.raises(RuntimeError):
            failing_change()
        assert store.get(doc_path("orgs", "o1", "principalKeys", "p1")) is None
        seen: list[str] = []
        thread = threading.Thread(target=lambda: seen.append(cipher.encrypt("o1", b"later", b"aad", principal_id="p1")))
        thread.start()
        thread.join(timeout=30)
        clock.advance(timedelta(minutes=5))  # every cached key expires
        fresh = EnvelopeCipher(store, kek, clock)
        assert fresh.decrypt("o1", seen[0], b"aad", principal_id="p1") == b"later"
    finally:
        store.close()


def test_many_threads_share_a_bounded_number_of_connections(tmp_path: Path) -> None:
    """Sixty-four threads reading and writing at once never open more than the pool's eight connections."""
    store = SqliteDocumentStore(tmp_path / "db.sqlite3", pool_size=8)
    peak: list[int] = []
    barrier = threading.Barrier(64)

    def work(n: int) -> None:
        barrier.wait(timeout=30)
        for i in range(20):
            store.write([Put(doc_path("things", f"t{n}-{i}"), {"n": i})])
            assert store.get(f"things/t{n}-{i}") is not None
            peak.append(store.pool.open_connections)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(64)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert len(peak) == 64 * 20 and max(peak) <= 8
    finally:
        store.close()


def test_send_all_is_one_transaction_and_rolls_back_with_the_block(tmp_path: Path) -> None:
    """A batch of messages is stored in one transaction (five publishes take five); inside a failed
    ``atomic()`` block none of the batch is delivered."""
    store = SqliteDocumentStore(tmp_path / "db.sqlite3")
    bus = LocalBus(store, workers=1)
    got: list[BusMessage] = []
    bus.subscribe(JoinButton.topic, got.append)
    pool = store.pool
    real, opened, me = pool.transaction, [], threading.get_ident()

    def counted() -> object:
        if threading.get_ident() == me:  # the bus's workers open their own for deliveries
            opened.append(pool.in_transaction())  # True: joined an open transaction (a savepoint)
        return real()

    pool.transaction = counted  # type: ignore[method-assign]
    batch = [JoinButton(org_id="o", notice_id=f"n{i}", recipient_kind="person", recipient_id="r") for i in range(5)]
    try:
        bus.send_all(batch)
        assert opened == [False]
        opened.clear()
        for message in batch:
            bus.send(message)
        assert opened == [False] * 5

        def failing_dispatch() -> None:
            with store.atomic():
                bus.send_all([JoinButton(org_id="o", notice_id="lost", recipient_kind="person", recipient_id="r")])
                raise RuntimeError("the notices could not be recorded")

        with pytest.raises(RuntimeError):
            failing_dispatch()
        assert bus.wait_idle(10)
        assert sorted(JoinButton.decode(m.data).notice_id for m in got) == sorted([f"n{i}" for i in range(5)] * 2)
    finally:
        pool.transaction = real  # type: ignore[method-assign]
        bus.close()
        store.close()
