"""Pub/Sub push, as Google does it, on top of the Pub/Sub emulator's subscriptions.

The emulator's own push leaves out what the functions need (tests/cloud/README.md): its push
body has no ``deliveryAttempt`` and no ``orderingKey``, it sends no OIDC token, and a push
subscription with a dead-letter policy stops delivering after the last attempt instead of
dead-lettering. So the harness creates each subscription infra declares as a pull subscription
(with infra's ordering, ack deadline, retention and policies) and :class:`Pusher` does the
pushing: it streams the messages, POSTs the wrapped push body to the endpoint infra names with
an OIDC token for infra's service account and audience (minted by the project's emulator),
acknowledges on 102/200/201/202/204, otherwise retries the same message with infra's exponential
backoff (scaled down for tests) while later messages of the same ordering key wait (the client
library delivers a key's messages one at a time), and after ``max_delivery_attempts`` publishes
it to the dead-letter topic with Pub/Sub's ``CloudPubSubDeadLetter*`` attributes.

Tests can hold a consumer's deliveries (a function being restarted) and read every delivery.
"""

from __future__ import annotations

import base64
import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx

from tests.cloud.harness import gcp_clients
from tests.cloud.harness.infra import PushSubscription

ACK_STATUSES = {102, 200, 201, 202, 204}


@dataclass(frozen=True, slots=True)
class Delivery:
    """One push attempt: to whom, which message, which attempt, what the function answered (0: no answer)."""

    consumer: str
    message_id: str
    ordering_key: str
    attempt: int
    status: int
    data: bytes


def _z(value: Any) -> str:
    return str(value.isoformat()).replace("+00:00", "Z") if value is not None else ""


class Pusher:
    """Streams every push subscription and pushes its messages to their endpoint."""

    def __init__(
        self,
        pubsub_host: str,
        project: str,
        subscriptions: list[PushSubscription],
        token: Callable[[str, str], str],
        *,
        backoff_scale: float = 0.02,
        timeout: float = 330.0,
    ) -> None:
        self.pubsub_host = pubsub_host
        self.project = project
        self.subscriptions = subscriptions
        self._token = token
        self._scale = backoff_scale
        self._http = httpx.Client(timeout=timeout)
        self._cond = threading.Condition()
        self._inflight = 0
        self._generation = 0
        self._held: dict[str, int] = {}
        self._pushing: dict[str, int] = {}
        self._waiting: dict[str, int] = {}
        self.deliveries: list[Delivery] = []
        self.dead_lettered: list[Delivery] = []
        self._futures: list[Any] = []
        self._subscriber: Any = None
        self._publisher: Any = None

    # ------------------------------------------------------------ lifecycle

    def start(self) -> None:
        """Open one streaming pull per subscription."""
        from google.cloud import pubsub_v1
        from google.cloud.pubsub_v1.subscriber.scheduler import ThreadScheduler

        self._publisher, self._subscriber = gcp_clients.pubsub(self.pubsub_host)
        for sub in self.subscriptions:
            path = self._subscriber.subscription_path(self.project, sub.name)
            scheduler = ThreadScheduler(executor=ThreadPoolExecutor(max_workers=24, thread_name_prefix=sub.name))
            future = self._subscriber.subscribe(
                path,
                self._callback(sub),
                flow_control=pubsub_v1.types.FlowControl(max_messages=20),
                scheduler=scheduler,
            )
            self._futures.append(future)

    def stop(self) -> None:
        """Stop streaming, abandon retries in progress, close the clients."""
        self.abandon()
        for future in self._futures:
            future.cancel()
        for future in self._futures:
            with contextlib.suppress(Exception):
                future.result(timeout=10)
        if self._subscriber is not None:
            self._subscriber.close()
        if self._publisher is not None:
            self._publisher.stop()
        self._http.close()

    # ------------------------------------------------------------ test controls

    def abandon(self) -> None:
        """Acknowledge every message being retried now without pushing it again (a reset between tests)."""
        with self._cond:
            self._generation += 1
            self._held.clear()
            self._cond.notify_all()

    def wait_idle(self, timeout: float = 60.0) -> bool:
        """Block until no delivery is in progress."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._inflight:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
            return True

    @contextlib.contextmanager
    def holding(self, consumer: str, after_attempt: int = 0) -> Iterator[None]:
        """Inside the block, deliveries to ``consumer`` wait before any attempt later than ``after_attempt``."""
        with self._cond:
            self._held[consumer] = after_attempt
        try:
            yield
        finally:
            with self._cond:
                self._held.pop(consumer, None)
                self._cond.notify_all()

    def pushing(self, consumer: str) -> int:
        """How many pushes to ``consumer`` wait for its answer right now."""
        with self._cond:
            return self._pushing.get(consumer, 0)

    def waiting(self, consumer: str) -> int:
        """How many deliveries to ``consumer`` wait for a hold to end."""
        with self._cond:
            return self._waiting.get(consumer, 0)

    def attempts(self, consumer: str) -> list[Delivery]:
        """Every push attempt made to ``consumer``, oldest first."""
        with self._cond:
            return [d for d in self.deliveries if d.consumer == consumer]

    # ------------------------------------------------------------ delivery

    def _body(self, sub: PushSubscription, message: Any, attempt: int) -> dict[str, Any]:
        published = _z(message.publish_time)
        body: dict[str, Any] = {
            "message": {
                "attributes": dict(message.attributes),
                "data": base64.b64encode(bytes(message.data)).decode(),
                "messageId": message.message_id,
                "message_id": message.message_id,
                "publishTime": published,
                "publish_time": published,
            },
            "subscription": f"projects/{self.project}/subscriptions/{sub.name}",
        }
        if message.ordering_key:
            body["message"]["orderingKey"] = message.ordering_key
        if sub.dead_letter_topic is not None:
            body["deliveryAttempt"] = attempt
        return body

    def _push(self, sub: PushSubscription, message: Any, attempt: int) -> int:
        headers = {"Authorization": f"Bearer {self._token(sub.service_account, sub.audience)}"}
        with self._cond:
            self._pushing[sub.consumer] = self._pushing.get(sub.consumer, 0) + 1
        try:
            answer = self._http.post(sub.endpoint, json=self._body(sub, message, attempt), headers=headers)
        except httpx.HTTPError:
            return 0
        finally:
            with self._cond:
                self._pushing[sub.consumer] -= 1
        return answer.status_code

    def _wait_turn(self, sub: PushSubscription, generation: int, delay: float, attempt: int) -> bool:
        """Wait ``delay`` and any hold on the consumer; False when the message was abandoned meanwhile."""
        deadline = time.monotonic() + delay
        with self._cond:
            while self._generation == generation:
                remaining = deadline - time.monotonic()
                if remaining > 0:
                    self._cond.wait(remaining)
                    continue
                hold = self._held.get(sub.consumer)
                if hold is None or attempt <= hold:
                    return True
                self._waiting[sub.consumer] = self._waiting.get(sub.consumer, 0) + 1
                self._cond.notify_all()
                self._cond.wait()
                self._waiting[sub.consumer] -= 1
            return False

    def _callback(self, sub: PushSubscription) -> Callable[[Any], None]:
        def deliver(message: Any) -> None:
            with self._cond:
                self._inflight += 1
                generation = self._generation
            try:
                attempt, delay = 0, 0.0
                while self._wait_turn(sub, generation, delay, attempt + 1):
                    attempt += 1
                    status = self._push(sub, message, attempt)
                    record = Delivery(
                        sub.consumer,
                        message.message_id,
                        message.ordering_key or "",
                        attempt,
                        status,
                        bytes(message.data),
                    )
                    with self._cond:
                        self.deliveries.append(record)
                        self._cond.notify_all()
                    if status in ACK_STATUSES:
                        break
                    if sub.max_delivery_attempts is not None and attempt >= sub.max_delivery_attempts:
                        self._dead_letter(sub, message, record)
                        break
                    delay = min(sub.max_backoff, sub.min_backoff * 2 ** (attempt - 1)) * self._scale
                message.ack()
            finally:
                with self._cond:
                    self._inflight -= 1
                    self._cond.notify_all()

        return deliver

    def _dead_letter(self, sub: PushSubscription, message: Any, record: Delivery) -> None:
        assert sub.dead_letter_topic is not None
        attributes = {
            **dict(message.attributes),
            "CloudPubSubDeadLetterSourceDeliveryCount": str(record.attempt),
            "CloudPubSubDeadLetterSourceSubscription": sub.name,
            "CloudPubSubDeadLetterSourceSubscriptionProject": self.project,
            "CloudPubSubDeadLetterSourceTopicPublishTime": _z(message.publish_time),
        }
        topic = self._publisher.topic_path(self.project, sub.dead_letter_topic)
        self._publisher.publish(topic, bytes(message.data), **attributes).result(timeout=30)
        with self._cond:
            self.dead_lettered.append(record)
            self._cond.notify_all()
