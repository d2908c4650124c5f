"""The cloud message bus: ``MessageBus`` on Cloud Pub/Sub (``google-cloud-pubsub``).

Topics are ``projects/<project>/topics/<prefix><topic>``. ``publish()`` uses an ordering-enabled
publisher and blocks until Pub/Sub accepted the message (so the webhook answers 200 only after
that); ``send_all()`` has a batch in flight together and waits for all. When a publish with an
ordering key fails, the key is resumed before the error is raised.

``subscribe()`` (the embedded runtime and tests; Cloud Functions get push deliveries from Eventarc
instead) creates an ordered subscription with a retry policy and, for topics that have one, a
dead-letter policy to ``<topic>-dead-letter``, then runs a streaming pull: the handler's success
acks, an exception nacks. On top of what the server does, the adapter keeps the contract in process:

* Ordering across redeliveries: a key is held at its failed message, so it never runs out of
  order (``pubsub_subscription``).
* Held leases: a handler raising ``LeaseHeld`` gets its message back after the error's
  ``retry_after`` (the ack deadline is moved, at most 600 s) without spending an attempt.
* Dead letters: after ``max_attempts`` deliveries the message is republished to ``<topic>-dead-letter``
  (attributes ``sourceTopic`` and ``deadLetterReason``), listed by ``dead_letters()`` and acked. The
  subscription's server-side dead-letter policy stays as the safety net for a crashed consumer.
  (Google's emulator drops ordered messages at the limit instead of dead-lettering them, and ignores
  retry backoff; this code path is what the contract tests exercise there.)
"""

from __future__ import annotations

import contextlib
import math
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from shared import errors
from shared.adapters.bus.pubsub_client import (
    mapped_errors,
    new_subscriber,
    open_stream,
    ordered_publisher,
    publish_all,
    shut_down,
)
from shared.adapters.bus.pubsub_subscription import PullSubscription, received, subscription_request
from shared.adapters.bus.wire import DeadLetter, SendsMessages
from shared.clock import SystemClock
from shared.errors import HybridCalendarError, NotFound
from shared.logs import ctx, get_logger
from shared.ports import BusMessage, Handler
from shared.ports.clock import Clock
from shared.ports.messages import Message
from shared.topics import BY_NAME, TOPICS, TopicSpec

log = get_logger(__name__)
DEAD_LETTER_SUFFIX = "-dead-letter"
MAX_DEFERRALS = 10


class PubSubBus(SendsMessages):
    """MessageBus on Cloud Pub/Sub: ordered publishing, streaming pull, retries and dead letters."""

    def __init__(
        self,
        project: str,
        *,
        topic_prefix: str = "",
        max_attempts: int = 5,
        min_backoff: float = 10.0,
        max_backoff: float = 600.0,
        ack_deadline: int = 60,
        publish_timeout: float = 30.0,
        create_missing_topics: bool = False,
        clock: Clock | None = None,
    ) -> None:
        self.project, self.prefix = project, topic_prefix
        self._max_attempts, self._backoff, self._ack_deadline = max_attempts, (min_backoff, max_backoff), ack_deadline
        self._publish_timeout, self._create_missing = publish_timeout, create_missing_topics
        self._clock = clock or SystemClock()
        self._hold_timeout = max_backoff + ack_deadline + 60.0
        self._publisher: Any = None
        self._subscriber: Any = None
        self._subs: dict[str, list[PullSubscription]] = {}
        self._dead: list[DeadLetter] = []
        self._pending: set[tuple[str, str]] = set()
        self._early: set[tuple[str, str]] = set()
        self._inflight = 0
        self._cond = threading.Condition()
        self._closed = False

    # ------------------------------------------------------------ clients and names

    @property
    def publisher(self) -> Any:
        """The ordering-enabled ``PublisherClient`` (honours PUBSUB_EMULATOR_HOST), made on first use."""
        if self._publisher is None:
            self._publisher = ordered_publisher()
        return self._publisher

    @property
    def subscriber(self) -> Any:
        """The ``SubscriberClient``, made on first use."""
        if self._subscriber is None:
            self._subscriber = new_subscriber()
        return self._subscriber

    def topic_path(self, topic: str) -> str:
        """The full resource name of ``topic``."""
        return f"projects/{self.project}/topics/{self.prefix}{topic}"

    def subscription_path(self, name: str) -> str:
        """The full resource name of subscription ``name``."""
        return f"projects/{self.project}/subscriptions/{self.prefix}{name}"

    def ensure_topic(self, topic: str) -> None:
        """Create ``topic`` unless it exists."""
        from google.api_core import exceptions as gexc

        with mapped_errors("create topic"), contextlib.suppress(gexc.AlreadyExists):
            self.publisher.create_topic(name=self.topic_path(topic))

    def ensure_topics(self, specs: Sequence[TopicSpec] = TOPICS) -> None:
        """Create every topic of ``specs`` and the dead-letter topics they need."""
        for spec in specs:
            self.ensure_topic(spec.name)
            if spec.dead_letter:
                self.ensure_topic(spec.dead_letter_name)

    # ------------------------------------------------------------ MessageBus port

    def publish(
        self,
        topic: str,
        data: bytes,
        *,
        ordering_key: str | None = None,
        attributes: Mapping[str, str] | None = None,
    ) -> str:
        """Publish and return the message id once Pub/Sub accepted the message."""
        one = [(self.topic_path(topic), bytes(data), ordering_key, attributes)]
        try:
            message_id = publish_all(self.publisher, one, self._publish_timeout)[0]
        except NotFound:
            if not self._create_missing:
                raise
            self.ensure_topic(topic)
            message_id = publish_all(self.publisher, one, self._publish_timeout)[0]
        self._track(topic, message_id)
        return message_id

    def send_all(self, messages: Sequence[Message]) -> list[str]:
        """Publish every message at once and wait for all (with a topic missing, one at a time as ``send``)."""
        outgoing = [(self.topic_path(m.topic), m.encode(), m.ordering_key, m.attributes) for m in messages]
        try:
            ids = publish_all(self.publisher, outgoing, self._publish_timeout)
        except NotFound:
            if not self._create_missing:
                raise
            return super().send_all(messages)  # creates the topic; at least once, as ever
        for message, message_id in zip(messages, ids, strict=True):
            self._track(message.topic, message_id)
        return ids

    def _track(self, topic: str, message_id: str) -> None:
        with self._cond:
            for sub in self._subs.get(topic, ()):
                key = (sub.name, message_id)
                if key in self._early:
                    self._early.discard(key)
                else:
                    self._pending.add(key)

    def subscribe(self, topic: str, handler: Handler, *, name: str | None = None) -> None:
        """Create (or reuse) an ordered subscription on ``topic`` and stream it to ``handler``."""
        spec = BY_NAME.get(topic)
        dead_letter = not topic.endswith(DEAD_LETTER_SUFFIX) and (spec is None or spec.dead_letter)
        if self._create_missing:
            self.ensure_topic(topic)
            if dead_letter:
                self.ensure_topic(topic + DEAD_LETTER_SUFFIX)
        with self._cond:
            subs = self._subs.setdefault(topic, [])
            sub = PullSubscription(name or f"{topic}-sub-{len(subs)}", topic, handler, dead_letter)
        attempts = min(100, max(5, self._max_attempts) + MAX_DEFERRALS)
        request = subscription_request(
            self.subscription_path(sub.name),
            self.topic_path(topic),
            ack_deadline=self._ack_deadline,
            backoff=self._backoff,
            dead_letter=(self.topic_path(topic + DEAD_LETTER_SUFFIX), attempts) if dead_letter else None,
        )
        sub.future = open_stream(self.subscriber, request, self._callback(sub))
        sub.future.add_done_callback(lambda f: self._stream_ended(sub, f))
        with self._cond:
            subs.append(sub)

    def _stream_ended(self, sub: PullSubscription, future: Any) -> None:
        if not self._closed and not future.cancelled() and future.exception() is not None:
            error = type(future.exception()).__name__
            log.error("subscription stream ended", extra=ctx(subscription=sub.name, error=error))

    def close(self) -> None:
        """Stop every streaming pull and flush the publisher."""
        with self._cond:
            if self._closed:
                return
            self._closed = True
            futures = [s.future for subs in self._subs.values() for s in subs if s.future is not None]
        shut_down(futures, self._subscriber, self._publisher)

    # ------------------------------------------------------------ inspection (tests, runtime)

    def dead_letters(self) -> list[DeadLetter]:
        """Messages this process dead-lettered, oldest first."""
        with self._cond:
            return list(self._dead)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until every message this bus published to its own subscriptions is settled."""
        deadline = self._clock.monotonic() + timeout
        with self._cond:
            while self._pending or self._inflight:
                remaining = deadline - self._clock.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(min(remaining, 0.05))
            return True

    # ------------------------------------------------------------ delivery

    def _callback(self, sub: PullSubscription) -> Callable[[Any], None]:
        def deliver(message: Any) -> None:
            key, mid = message.ordering_key or "", message.message_id
            with self._cond:
                if not sub.admit(key, mid, self._clock, self._hold_timeout):
                    message.nack()
                    return
                self._inflight += 1
                attempt = sub.attempts[mid] = message.delivery_attempt or sub.attempts.get(mid, 0) + 1
            try:
                failed, defer = self._handle(sub, message, attempt - sub.deferrals.get(mid, 0))
            finally:
                with self._cond:
                    self._inflight -= 1
                    self._cond.notify_all()
            with self._cond:
                self._settle(sub, key, mid, failed=failed)
                if defer is not None:
                    sub.deferrals[mid] = sub.deferrals.get(mid, 0) + 1
            if defer is not None:  # a held lease: come back after it ends, without spending an attempt
                message.modify_ack_deadline(defer)
                message.drop()
            elif failed:
                message.nack()
            else:
                message.ack()

        return deliver

    def _settle(self, sub: PullSubscription, key: str, mid: str, *, failed: bool) -> None:
        """Hold or release the key; mark a success settled (lock held)."""
        sub.settle(key, mid, self._clock, failed=failed)
        if not failed:
            if (sub.name, mid) in self._pending:
                self._pending.discard((sub.name, mid))
            else:
                self._early.add((sub.name, mid))
            self._cond.notify_all()

    def _handle(self, sub: PullSubscription, message: Any, attempt: int) -> tuple[bool, int | None]:
        """Run the handler: (redeliver?, seconds to defer a held lease by, or None)."""
        bus_message = received(message, sub.topic, attempt)
        try:
            sub.handler(bus_message)
        except errors.LeaseHeld as exc:
            if sub.deferrals.get(bus_message.message_id, 0) < MAX_DEFERRALS:
                return True, min(600, max(1, math.ceil(exc.retry_after or 0.0)))
            return self._failed(sub, bus_message, attempt, exc), None
        except Exception as exc:  # any handler failure means redelivery or a dead letter
            return self._failed(sub, bus_message, attempt, exc), None
        sub.deferrals.pop(bus_message.message_id, None)
        return False, None

    def _failed(self, sub: PullSubscription, message: BusMessage, attempt: int, exc: Exception) -> bool:
        error = f"{type(exc).__name__}: {exc}"
        return attempt < self._max_attempts or not self._dead_letter(sub, message, attempt, error)

    def _dead_letter(self, sub: PullSubscription, message: BusMessage, attempts: int, error: str) -> bool:
        """Record (and republish, where the topic has one) a message that exhausted its attempts."""
        if sub.dead_letter:
            attributes = {**message.attributes, "deadLetterReason": error[:1000], "sourceTopic": sub.topic}
            try:
                self.publish(sub.topic + DEAD_LETTER_SUFFIX, message.data, attributes=attributes)
            except HybridCalendarError:
                log.warning("dead-letter publish failed", extra=ctx(topic=sub.topic, message_id=message.message_id))
                return False
        with self._cond:
            self._dead.append(DeadLetter(sub.name, message, attempts, error))
        log.warning(
            "message dead-lettered",
            extra=ctx(topic=sub.topic, subscription=sub.name, message_id=message.message_id, attempts=attempts),
        )
        return True
