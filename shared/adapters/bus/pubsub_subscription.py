"""One streaming-pull subscription of the Pub/Sub bus: how it is created, how it keeps each key in order.

``subscription_request`` is what the bus asks the server for: an ordered subscription with a
retry policy and, where the topic has one, a dead-letter policy. The client hands a key's next
message to us as soon as the previous one was nacked; a subscription holds a key at its failed
message and refuses the key's later messages (they are nacked and come back) until the failed
one succeeds, and a hold whose message never returns (acked elsewhere, or expired) lapses after
the hold timeout. It also counts each message's attempts and the deferrals a held lease spent
(the bus calls these methods under its own lock), and ``received`` turns what the client
delivered into the ``BusMessage`` a handler gets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.ports import BusMessage, Handler
from shared.ports.clock import Clock


@dataclass(slots=True)
class PullSubscription:
    """A subscription's handler, its stream and the keys it holds at a failed message."""

    name: str
    topic: str
    handler: Handler
    dead_letter: bool
    future: Any = None
    held: dict[str, tuple[float, list[str]]] = field(default_factory=dict)  # key -> (since, ids in order)
    attempts: dict[str, int] = field(default_factory=dict)
    deferrals: dict[str, int] = field(default_factory=dict)

    def admit(self, key: str, mid: str, clock: Clock, hold_timeout: float) -> bool:
        """True when ``mid`` may run now: its key is not held at an earlier message."""
        since, ids = self.held.get(key, (0.0, []))
        if ids and clock.monotonic() - since > hold_timeout:
            ids.pop(0)  # the held message never came back (acked elsewhere, or expired)
            self.held[key] = (clock.monotonic(), ids)
        if not ids or ids[0] == mid:
            return True
        if mid not in ids:
            ids.append(mid)
        return False

    def settle(self, key: str, mid: str, clock: Clock, *, failed: bool) -> None:
        """Hold ``key`` at a failed message or release it; forget a success's attempts."""
        if key:
            ids = self.held.pop(key, (0.0, []))[1]
            if failed and not ids:
                ids.append(mid)
            elif not failed and ids and ids[0] == mid:
                ids.pop(0)
            if ids:
                self.held[key] = (clock.monotonic(), ids)
        if not failed:
            self.attempts.pop(mid, None)


def subscription_request(
    name: str, topic: str, *, ack_deadline: int, backoff: tuple[float, float], dead_letter: tuple[str, int] | None
) -> dict[str, Any]:
    """The ordered subscription ``name`` on ``topic`` (full paths); ``dead_letter`` is (topic path, attempts)."""
    request: dict[str, Any] = {
        "name": name,
        "topic": topic,
        "enable_message_ordering": True,
        "ack_deadline_seconds": ack_deadline,
        "retry_policy": {
            "minimum_backoff": timedelta(seconds=backoff[0]),
            "maximum_backoff": timedelta(seconds=backoff[1]),
        },
    }
    if dead_letter is not None:
        request["dead_letter_policy"] = {"dead_letter_topic": dead_letter[0], "max_delivery_attempts": dead_letter[1]}
    return request


def received(message: Any, topic: str, attempt: int) -> BusMessage:
    """The ``BusMessage`` of a message the streaming pull delivered, counted as delivery ``attempt``."""
    published = message.publish_time
    return BusMessage(
        topic=topic,
        data=bytes(message.data),
        attributes=dict(message.attributes),
        ordering_key=message.ordering_key or None,
        message_id=message.message_id,
        publish_time=None if published is None else datetime.fromtimestamp(published.timestamp(), UTC),
        delivery_attempt=attempt,
    )
