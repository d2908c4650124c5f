"""The message-bus contract: at-least-once, ordering per key, retries, dead letters."""

from __future__ import annotations

import itertools
import threading
import time
from collections import defaultdict

from shared.adapters.bus.local import LocalBus
from shared.errors import LeaseHeld
from shared.ports import BusMessage
from shared.ports.messages import JoinButton


def test_delivers_data_attributes_and_key(bus: LocalBus) -> None:
    """A subscriber receives the payload, attributes, ordering key and a message id."""
    got: list[BusMessage] = []
    bus.subscribe("t", got.append)
    mid = bus.publish("t", b"hello", ordering_key="k", attributes={"a": "1"})
    assert bus.wait_idle(5)
    assert len(got) == 1
    assert (got[0].data, dict(got[0].attributes), got[0].ordering_key, got[0].message_id) == (
        b"hello",
        {"a": "1"},
        "k",
        mid,
    )


def test_every_subscription_gets_a_copy_and_unsubscribed_topics_drop(bus: LocalBus) -> None:
    """Two subscriptions each get every message; a topic nobody subscribes to drops it."""
    a: list[bytes] = []
    b: list[bytes] = []
    bus.subscribe("t", lambda m: a.append(m.data))
    bus.subscribe("t", lambda m: b.append(m.data))
    bus.publish("t", b"1")
    bus.publish("nobody", b"x")
    assert bus.wait_idle(5)
    assert a == [b"1"] and b == [b"1"]


def test_ordering_key_is_serial_and_in_order(bus: LocalBus) -> None:
    """Messages with one key arrive in publish order, never two at once; keys run in parallel."""
    seen: dict[str, list[int]] = defaultdict(list)
    active: dict[str, int] = defaultdict(int)
    overlap: list[str] = []
    lock = threading.Lock()

    def handler(m: BusMessage) -> None:
        key = m.ordering_key or ""
        with lock:
            active[key] += 1
            if active[key] > 1:
                overlap.append(key)
        with lock:
            seen[key].append(int(m.data))
            active[key] -= 1

    bus.subscribe("t", handler)
    for i in range(200):
        bus.publish("t", str(i).encode(), ordering_key=f"k{i % 4}")
    assert bus.wait_idle(10)
    assert not overlap
    for k in range(4):
        assert seen[f"k{k}"] == [i for i in range(200) if i % 4 == k]


def test_failures_retry_then_succeed_in_order(bus: LocalBus) -> None:
    """A failing message is redelivered before the next one of its key."""
    attempts: dict[bytes, int] = defaultdict(int)
    order: list[bytes] = []

    def handler(m: BusMessage) -> None:
        attempts[m.data] += 1
        if m.data == b"1" and attempts[m.data] < 3:
            raise RuntimeError("transient")
        order.append(m.data)

    bus.subscribe("t", handler)
    for i in range(3):
        bus.publish("t", str(i).encode(), ordering_key="k")
    assert bus.wait_idle(5)
    assert order == [b"0", b"1", b"2"]
    assert attempts[b"1"] == 3
    assert bus.dead_letters() == []


def test_dead_letter_after_max_attempts_and_listed(bus: LocalBus) -> None:
    """A message that always fails is dead-lettered after max attempts and its key moves on."""
    ok: list[bytes] = []
    dlq: list[BusMessage] = []

    def handler(m: BusMessage) -> None:
        if m.data == b"poison":
            raise ValueError("bad")
        ok.append(m.data)

    bus.subscribe("t", handler)
    bus.subscribe("t-dead-letter", dlq.append)
    bus.publish("t", b"poison", ordering_key="k")
    bus.publish("t", b"after", ordering_key="k")
    assert bus.wait_idle(5)
    dead = bus.dead_letters()
    assert [d.message.data for d in dead] == [b"poison"]
    assert dead[0].attempts == 3 and "ValueError" in dead[0].error
    assert ok == [b"after"]
    assert [m.data for m in dlq] == [b"poison"] and dlq[0].attributes["sourceTopic"] == "t"


def test_a_held_lease_is_deferred_by_its_retry_after_without_spending_attempts(bus: LocalBus) -> None:
    """LeaseHeld four times (more than max attempts) is retried after its retry_after and never dead-lettered."""
    answers: list[tuple[float, int]] = []
    done = threading.Event()

    def handler(m: BusMessage) -> None:
        answers.append((time.monotonic(), m.delivery_attempt))
        if len(answers) <= 4:
            raise LeaseHeld("another worker is syncing", retry_after=0.5)
        done.set()

    bus.subscribe("t", handler)
    bus.publish("t", b"sync", ordering_key="k")
    assert done.wait(60)
    assert bus.wait_idle(10)
    assert bus.dead_letters() == []
    gaps = [later - earlier for (earlier, _), (later, _) in itertools.pairwise(answers)]
    assert len(answers) == 5 and min(gaps) >= 0.45
    assert max(attempt for _, attempt in answers) < 3 + 4


def test_send_all_answers_an_id_per_message_and_delivers_each(bus: LocalBus) -> None:
    """``send_all`` publishes a batch: one distinct id per message in order, each delivered with its attributes."""
    messages = [
        JoinButton(org_id="o", notice_id=f"n{i}", recipient_kind="person", recipient_id=f"r{i}", notice_kind=kind)
        for i, kind in enumerate(["join", "moved", "join", "cancelled", "join"])
    ]
    got: list[BusMessage] = []
    bus.subscribe(JoinButton.topic, got.append)
    ids = bus.send_all(messages)
    assert len(ids) == len(messages) == len(set(ids))
    assert bus.wait_idle(30)
    by_id = {m.message_id: m for m in got}
    assert sorted(by_id) == sorted(ids) and len(got) == len(messages)
    for message_id, sent in zip(ids, messages, strict=True):
        assert JoinButton.decode(by_id[message_id].data) == sent
        assert dict(by_id[message_id].attributes) == {"org_id": "o", "kind": sent.notice_kind}
    assert bus.send_all([]) == []
