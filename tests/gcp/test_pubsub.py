"""PubSubBus on the Pub/Sub emulator: topics, subscription settings, errors; the contract suite covers delivery."""

from __future__ import annotations

import httpx
import pytest

from shared.adapters.bus.pubsub import MAX_DEFERRALS, PubSubBus
from shared.errors import NotFound, Unavailable
from shared.ports import BusMessage
from shared.topics import JOIN_BUTTONS, TOPICS
from tests.contract.conftest import GCP_PROJECT
from tests.support.gcp_emulators import EmulatorProcess

pytestmark = pytest.mark.pubsub


def _rest(emulator: EmulatorProcess, path: str) -> httpx.Response:
    return httpx.get(f"http://{emulator.host_port}/v1/projects/{GCP_PROJECT}/{path}", timeout=30)


def test_ensure_topics_creates_every_topic_and_dead_letter_topic(
    pubsub_bus: PubSubBus, pubsub_emulator: EmulatorProcess
) -> None:
    """Every topic of shared/topics.py exists with the prefix, plus a dead-letter topic where the spec asks."""
    pubsub_bus.ensure_topics()
    pubsub_bus.ensure_topics()  # idempotent
    names = {t["name"] for t in _rest(pubsub_emulator, "topics?pageSize=1000").json()["topics"]}
    ours = {n.rsplit("/", 1)[1][len(pubsub_bus.prefix) :] for n in names if f"/{pubsub_bus.prefix}" in n}
    expected = {s.name for s in TOPICS} | {s.dead_letter_name for s in TOPICS if s.dead_letter}
    assert ours == expected


def test_subscriptions_are_ordered_with_retry_and_dead_letter_policies(
    pubsub_bus: PubSubBus, pubsub_emulator: EmulatorProcess
) -> None:
    """A subscription enables ordering, a retry policy and a dead-letter policy; topics without one get none."""
    pubsub_bus.ensure_topics()
    pubsub_bus.subscribe("calendar-sync", lambda m: None, name="sync-worker")
    pubsub_bus.subscribe(JOIN_BUTTONS, lambda m: None)
    sub = _rest(pubsub_emulator, f"subscriptions/{pubsub_bus.prefix}sync-worker").json()
    assert sub["topic"] == pubsub_bus.topic_path("calendar-sync")
    assert sub["enableMessageOrdering"] is True
    assert sub["deadLetterPolicy"] == {
        "deadLetterTopic": pubsub_bus.topic_path("calendar-sync-dead-letter"),
        "maxDeliveryAttempts": 5 + MAX_DEFERRALS,  # deliveries a held lease defers count at the server too
    }
    assert sub["retryPolicy"]["maximumBackoff"] == "1s"
    plain = _rest(pubsub_emulator, f"subscriptions/{pubsub_bus.prefix}{JOIN_BUTTONS}-sub-0").json()
    assert "deadLetterPolicy" not in plain


def test_publish_to_a_missing_topic_is_not_found(pubsub_bus: PubSubBus) -> None:
    """Without create_missing_topics a publish to an unknown topic raises NotFound, and the key can publish again."""
    with pytest.raises(NotFound):
        pubsub_bus.publish("no-such-topic", b"x", ordering_key="k")
    pubsub_bus.ensure_topic("no-such-topic")
    assert pubsub_bus.publish("no-such-topic", b"x", ordering_key="k")


def test_delivery_carries_publish_time_and_attempt(pubsub_bus: PubSubBus) -> None:
    """A handler sees an aware publish time, the first delivery attempt and no ordering key when none was set."""
    got: list[BusMessage] = []
    pubsub_bus.ensure_topics()
    pubsub_bus.subscribe("vacation-check", got.append)
    pubsub_bus.publish("vacation-check", b"v", attributes={"org": "o1"})
    assert pubsub_bus.wait_idle(10)
    assert len(got) == 1 and got[0].ordering_key is None and got[0].delivery_attempt == 1
    assert got[0].publish_time is not None and got[0].publish_time.tzinfo is not None


def test_exhausted_message_without_dead_letter_topic_is_recorded_and_dropped(pubsub_bus: PubSubBus) -> None:
    """On a topic without a dead-letter topic, a poison message is listed after max attempts and acknowledged."""
    attempts: list[int] = []

    def fail(m: BusMessage) -> None:
        attempts.append(m.delivery_attempt)
        raise RuntimeError("poison")

    pubsub_bus.ensure_topics()
    pubsub_bus.subscribe(JOIN_BUTTONS, fail)
    pubsub_bus.publish(JOIN_BUTTONS, b"p")
    assert pubsub_bus.wait_idle(10)
    assert attempts == [1, 2, 3]
    assert [d.message.data for d in pubsub_bus.dead_letters()] == [b"p"]


def test_publish_after_close_is_unavailable(pubsub_bus: PubSubBus) -> None:
    """A closed bus refuses to publish with a retryable error."""
    pubsub_bus.ensure_topics()
    pubsub_bus.publish("vacation-check", b"1")
    pubsub_bus.close()
    with pytest.raises(Unavailable):
        pubsub_bus.publish("vacation-check", b"2")
