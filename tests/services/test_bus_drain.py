"""The embedded bus's synchronous drain: every delivery on the caller's thread, follow-ups and retries included."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from shared.adapters.bus.local import LocalBus
from shared.errors import LeaseHeld, Unavailable
from shared.ports import BusMessage


@pytest.fixture
def bus() -> Iterator[LocalBus]:
    """A bus without worker threads: nothing is delivered outside ``drain()``."""
    instance = LocalBus(workers=0, max_attempts=3, backoff_base=0.001, backoff_cap=0.005)
    yield instance
    instance.close()


def test_nothing_is_delivered_until_drain_and_then_everything_on_the_callers_thread(bus: LocalBus) -> None:
    """Published messages wait; drain delivers them and the follow-ups their handlers publish, in order."""
    seen: list[tuple[str, bytes, str]] = []

    def first(message: BusMessage) -> None:
        seen.append(("a", message.data, threading.current_thread().name))
        bus.publish("b", message.data + b"+", ordering_key="k")

    bus.subscribe("a", first)
    bus.subscribe("b", lambda m: seen.append(("b", m.data, threading.current_thread().name)))
    bus.publish("a", b"1", ordering_key="k")
    bus.publish("a", b"2", ordering_key="k")
    assert seen == [] and bus.pending() == 2
    assert bus.drain() == 4
    me = threading.current_thread().name
    order = [(t, d) for t, d, _ in seen]
    assert [d for t, d in order if t == "a"] == [b"1", b"2"] and [d for t, d in order if t == "b"] == [b"1+", b"2+"]
    assert order.index(("a", b"1")) < order.index(("b", b"1+")) and order.index(("a", b"2")) < order.index(("b", b"2+"))
    assert {thread for _, _, thread in seen} == {me}
    assert bus.drain() == 0 and bus.pending() == 0


def test_drain_delivers_retries_and_dead_letters_before_it_returns(bus: LocalBus) -> None:
    """A failure is retried after its backoff inside the same drain; one that always fails is dead-lettered."""
    attempts: list[tuple[bytes, int]] = []
    dead: list[bytes] = []

    def handler(message: BusMessage) -> None:
        attempts.append((message.data, message.delivery_attempt))
        if message.data == b"poison" or message.delivery_attempt < 2:
            raise RuntimeError("transient")

    bus.subscribe("t", handler)
    bus.subscribe("t-dead-letter", lambda m: dead.append(m.data))
    bus.publish("t", b"flaky", ordering_key="k1")
    bus.publish("t", b"poison", ordering_key="k2")
    assert bus.drain() == 2 + 3 + 1
    assert sorted(attempts) == [(b"flaky", 1), (b"flaky", 2), (b"poison", 1), (b"poison", 2), (b"poison", 3)]
    assert dead == [b"poison"] and [d.message.data for d in bus.dead_letters()] == [b"poison"]


def test_a_held_lease_waits_for_its_retry_after_inside_drain(bus: LocalBus) -> None:
    """LeaseHeld defers the message by its retry_after; drain waits for it and does not spend an attempt."""
    attempts: list[int] = []

    def handler(message: BusMessage) -> None:
        attempts.append(message.delivery_attempt)
        if len(attempts) == 1:
            raise LeaseHeld("another worker holds the calendar", retry_after=0.01)

    bus.subscribe("t", handler)
    bus.publish("t", b"sync", ordering_key="k")
    assert bus.drain() == 2
    assert attempts == [1, 1] and bus.dead_letters() == []


def test_drain_beside_worker_threads_returns_only_when_their_work_is_done() -> None:
    """With workers running, drain takes turns with them and returns once nothing is queued or in flight."""
    bus = LocalBus(workers=2, max_attempts=3)
    release = threading.Event()
    done: list[bytes] = []

    def handler(message: BusMessage) -> None:
        if message.data == b"slow":
            assert release.wait(30)
        done.append(message.data)

    try:
        bus.subscribe("t", handler)
        bus.publish("t", b"slow", ordering_key="s")
        for i in range(20):
            bus.publish("t", str(i).encode(), ordering_key=f"k{i % 3}")
        threading.Timer(0.05, release.set).start()
        bus.drain()
        assert sorted(done) == sorted([b"slow", *(str(i).encode() for i in range(20))])
        assert bus.wait_idle(0) and bus.pending() == 0
    finally:
        release.set()
        bus.close()


def test_drain_gives_up_with_a_clear_error_instead_of_hanging(bus: LocalBus) -> None:
    """A message deferred past the drain's deadline is a TimeoutError naming what was left; a closed bus refuses."""
    bus.subscribe("t", lambda m: (_ for _ in ()).throw(LeaseHeld("held", retry_after=60)))
    bus.publish("t", b"x", ordering_key="k")
    with pytest.raises(TimeoutError, match="1 delayed"):
        bus.drain(timeout=0.05)
    bus.close()
    with pytest.raises(Unavailable):
        bus.drain()
