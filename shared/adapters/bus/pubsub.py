"""The cloud message bus: ``MessageBus`` on Cloud Pub/Sub (``google-cloud-pubsub``).

Topics are ``projects/<project>/topics/<prefix><topic>``. ``publish()`` uses an ordering-enabled
publisher and blocks until Pub/Sub accepted the message (so the webhook answers 200 only after
that); when a publish with an ordering key fails, the key is resumed before the error is raised.

``subscribe()`` (the embedded runtime and tests; Cloud Functions get push deliveries from
Eventarc instead) creates an ordered subscription with a retry policy and, for topics that have
one, a dead-letter policy to ``<topic>-dead-letter``, then runs a streaming pull: the handler's
success acks, an exception nacks. On top of what the server does, the adapter keeps the bus
contract in process:

* Ordering across redeliveries: the client hands a key's next message to us as soon as the
  previous one was nacked. We hold a key at its failed message and nack its later messages until
  the failed one succeeds, so a key never runs out of order.
* Held leases: a handler raising ``LeaseHeld`` gets its message back after the error's
  ``retry_after`` (the ack deadline is moved, at most 600 s) without spending an attempt.
* Dead letters: after ``max_attempts`` deliveries the message is republished to
  ``<topic>-dead-letter`` (attributes ``sourceTopic`` and ``deadLetterReason``), listed by
  ``dead_letters()`` and acked. The subscription's server-side dead-letter policy stays as the
  safety net for a crashed consumer. (Google's emulator drops ordered messages at the limit
  instead of dead-lettering them, and ignores retry backoff; this code path is what the contract
  tests exercise there.)
"""

from __future__ import annotations

import contextlib
import math
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from shared import errors
from shared.adapters.bus.local import DeadLetter
from shared.adapters.bus.wire import SendsMessages
from shared.clock import SystemClock
from shared.errors import HybridCalendarError, NotFound, Unavailable
from shared.logs import ctx, get_logger
from shared.ports import BusMessage, Handler
from shared.ports.clock import Clock
from shared.topics import BY_NAME, TOPICS, TopicSpec

log = get_logger(__name__)
DEAD_LETTER_SUFFIX = "-dead-letter"
MAX_DEFERRALS = 10


@contextlib.contextmanager
def mapped_errors(what: str) -> Iterator[None]:
    """Translate google.api_core, gRPC and publisher errors raised inside the block onto shared.errors.

    ``RuntimeError`` is what a stopped publisher raises.
    """
    import grpc
    from google.api_core import exceptions as gexc
    from google.auth import exceptions as auth_exc
    from google.cloud.pubsub_v1.publisher import exceptions as pexc

    transient = (pexc.PublishToPausedOrderingKeyException, pexc.FlowControlLimitError)
    try:
        yield
    except HybridCalendarError:
        raise
    except gexc.NotFound as exc:
        raise NotFound(f"{what}: no such topic or subscription") from exc
    except (gexc.InvalidArgument, pexc.MessageTooLargeError) as exc:
        raise errors.InvalidInput(f"{what}: {exc}") from exc
    except gexc.PermissionDenied as exc:
        raise errors.Forbidden(f"{what}: permission denied", reason="permissionDenied") from exc
    except gexc.Unauthenticated as exc:
        raise errors.Unauthenticated(f"{what}: unauthenticated") from exc
    except gexc.ResourceExhausted as exc:
        raise errors.RateLimited(f"{what}: quota exhausted") from exc
    except auth_exc.DefaultCredentialsError as exc:
        raise errors.Unauthenticated(f"{what}: no Google credentials for Pub/Sub") from exc
    except (gexc.GoogleAPIError, grpc.RpcError, TimeoutError, RuntimeError, *transient) as exc:
        raise Unavailable(f"{what}: Pub/Sub is unavailable ({type(exc).__name__})") from exc


@dataclass(slots=True)
class _Sub:
    name: str
    topic: str
    handler: Handler
    dead_letter: bool
    future: Any = None
    held: dict[str, tuple[float, list[str]]] = field(default_factory=dict)  # key -> (since, ids in order)
    attempts: dict[str, int] = field(default_factory=dict)
    deferrals: dict[str, int] = field(default_factory=dict)


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
        self._max_attempts = max_attempts
        self._backoff = (min_backoff, max_backoff)
        self._ack_deadline = ack_deadline
        self._publish_timeout = publish_timeout
        self._create_missing = create_missing_topics
        self._clock = clock or SystemClock()
        self._hold_timeout = max_backoff + ack_deadline + 60.0
        self._publisher: Any = None
        self._subscriber: Any = None
        self._subs: dict[str, list[_Sub]] = {}
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
            import google.cloud.pubsub_v1 as pubsub_v1

            self._publisher = pubsub_v1.PublisherClient(
                batch_settings=pubsub_v1.types.BatchSettings(max_latency=0.005),
                publisher_options=pubsub_v1.types.PublisherOptions(enable_message_ordering=True),
            )
        return self._publisher

    @property
    def subscriber(self) -> Any:
        """The ``SubscriberClient``, made on first use."""
        if self._subscriber is None:
            import google.cloud.pubsub_v1 as pubsub_v1

            self._subscriber = pubsub_v1.SubscriberClient()
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
        try:
            message_id = self._publish_once(topic, data, ordering_key, attributes)
        except NotFound:
            if not self._create_missing:
                raise
            self.ensure_topic(topic)
            message_id = self._publish_once(topic, data, ordering_key, attributes)
        with self._cond:
            for sub in self._subs.get(topic, ()):
                key = (sub.name, message_id)
                if key in self._early:
                    self._early.discard(key)
                else:
                    self._pending.add(key)
        return message_id

    def _publish_once(
        self, topic: str, data: bytes, ordering_key: str | None, attributes: Mapping[str, str] | None
    ) -> str:
        path = self.topic_path(topic)
        try:
            with mapped_errors("publish"):
                future = self.publisher.publish(
                    path,
                    bytes(data),
                    ordering_key=ordering_key or "",
                    timeout=self._publish_timeout,
                    **(attributes or {}),
                )
                return str(future.result(timeout=self._publish_timeout + 5))
        except HybridCalendarError:
            if ordering_key:
                with contextlib.suppress(Exception):
                    self.publisher.resume_publish(path, ordering_key)
            raise

    def subscribe(self, topic: str, handler: Handler, *, name: str | None = None) -> None:
        """Create (or reuse) an ordered subscription on ``topic`` and stream it to ``handler``."""
        import google.cloud.pubsub_v1 as pubsub_v1
        from google.api_core import exceptions as gexc

        spec = BY_NAME.get(topic)
        dead_letter = not topic.endswith(DEAD_LETTER_SUFFIX) and (spec is None or spec.dead_letter)
        if self._create_missing:
            self.ensure_topic(topic)
            if dead_letter:
                self.ensure_topic(topic + DEAD_LETTER_SUFFIX)
        with self._cond:
            subs = self._subs.setdefault(topic, [])
            sub = _Sub(name or f"{topic}-sub-{len(subs)}", topic, handler, dead_letter)
        request: dict[str, Any] = {
            "name": self.subscription_path(sub.name),
            "topic": self.topic_path(topic),
            "enable_message_ordering": True,
            "ack_deadline_seconds": self._ack_deadline,
            "retry_policy": {
                "minimum_backoff": timedelta(seconds=self._backoff[0]),
                "maximum_backoff": timedelta(seconds=self._backoff[1]),
            },
        }
        if dead_letter:
            request["dead_letter_policy"] = {
                "dead_letter_topic": self.topic_path(topic + DEAD_LETTER_SUFFIX),
                "max_delivery_attempts": min(100, max(5, self._max_attempts) + MAX_DEFERRALS),
            }
        with mapped_errors("create subscription"), contextlib.suppress(gexc.AlreadyExists):
            self.subscriber.create_subscription(request=request)
        with mapped_errors("subscribe"):
            sub.future = self.subscriber.subscribe(
                request["name"], self._callback(sub), flow_control=pubsub_v1.types.FlowControl(max_messages=100)
            )
        sub.future.add_done_callback(lambda f: self._stream_ended(sub, f))
        with self._cond:
            subs.append(sub)

    def _stream_ended(self, sub: _Sub, future: Any) -> None:
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
        for future in futures:
            future.cancel()
        for future in futures:
            with contextlib.suppress(Exception):
                future.result(timeout=10)
        if self._subscriber is not None:
            with contextlib.suppress(Exception):
                self._subscriber.close()
        if self._publisher is not None:
            with contextlib.suppress(Exception):
                self._publisher.stop()

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

    def _callback(self, sub: _Sub) -> Callable[[Any], None]:
        def deliver(message: Any) -> None:
            key, mid = message.ordering_key or "", message.message_id
            with self._cond:
                if not self._admit(sub, key, mid):
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

    def _admit(self, sub: _Sub, key: str, mid: str) -> bool:
        """True when ``mid`` may run now: its key is not held at an earlier message (lock held)."""
        since, ids = sub.held.get(key, (0.0, []))
        if ids and self._clock.monotonic() - since > self._hold_timeout:
            ids.pop(0)  # the held message never came back (acked elsewhere, or expired)
            sub.held[key] = (self._clock.monotonic(), ids)
        if not ids or ids[0] == mid:
            return True
        if mid not in ids:
            ids.append(mid)
        return False

    def _settle(self, sub: _Sub, key: str, mid: str, *, failed: bool) -> None:
        """Hold the key at a failed message or release it; mark a success settled (lock held)."""
        if key:
            ids = sub.held.pop(key, (0.0, []))[1]
            if failed and not ids:
                ids.append(mid)
            elif not failed and ids and ids[0] == mid:
                ids.pop(0)
            if ids:
                sub.held[key] = (self._clock.monotonic(), ids)
        if not failed:
            sub.attempts.pop(mid, None)
            if (sub.name, mid) in self._pending:
                self._pending.discard((sub.name, mid))
            else:
                self._early.add((sub.name, mid))
            self._cond.notify_all()

    def _handle(self, sub: _Sub, message: Any, attempt: int) -> tuple[bool, int | None]:
        """Run the handler: (redeliver?, seconds to defer a held lease by, or None)."""
        published = message.publish_time
        bus_message = BusMessage(
            topic=sub.topic,
            data=bytes(message.data),
            attributes=dict(message.attributes),
            ordering_key=message.ordering_key or None,
            message_id=message.message_id,
            publish_time=None if published is None else datetime.fromtimestamp(published.timestamp(), UTC),
            delivery_attempt=attempt,
        )
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

    def _failed(self, sub: _Sub, message: BusMessage, attempt: int, exc: Exception) -> bool:
        error = f"{type(exc).__name__}: {exc}"
        return attempt < self._max_attempts or not self._dead_letter(sub, message, attempt, error)

    def _dead_letter(self, sub: _Sub, message: BusMessage, attempts: int, error: str) -> bool:
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
