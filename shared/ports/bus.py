"""The message bus port: services ``send`` typed messages; the runtime subscribes handlers to topics.

A message names its own topic, ordering key and attributes (``shared.ports.messages``), so no
caller picks a topic or a key. ``Bus`` is what the composition root and the runtime hold: the
same bus with raw ``publish`` (dead letters and operators re-publish bytes as they were) and
``subscribe``. Delivery is at least once, in order per ordering key, with dead letters.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

import msgspec

from shared.ports.messages import Message

if TYPE_CHECKING:
    from shared.ports.documents import DocumentStore


class BusMessage(msgspec.Struct, frozen=True):
    """A message as handlers receive it."""

    topic: str
    data: bytes
    attributes: Mapping[str, str] = msgspec.field(default_factory=dict)
    ordering_key: str | None = None
    message_id: str = ""
    publish_time: datetime | None = None
    delivery_attempt: int = 1


Handler = Callable[[BusMessage], None]


class MessageBus(Protocol):
    """Sends typed messages; the services' view of the bus."""

    def send(self, message: Message) -> str:
        """Publish ``message`` on its topic with its ordering key and attributes; return the message id
        once the bus has accepted it (inside the store's ``atomic()`` block where the bus is an outbox)."""
        ...

    def send_all(self, messages: Sequence[Message]) -> list[str]:
        """``send`` each message, in order, and return their ids once the bus has accepted them all: the
        embedded outbox stores them in one transaction, Pub/Sub has them in flight together."""
        ...


class Bus(MessageBus, Protocol):
    """The bus as the composition root and the runtime hold it: send, raw publish, subscribe, close."""

    def publish(
        self,
        topic: str,
        data: bytes,
        *,
        ordering_key: str | None = None,
        attributes: Mapping[str, str] | None = None,
    ) -> str:
        """Publish raw bytes (a dead letter, an operator's replay) and return the message id."""
        ...

    def subscribe(self, topic: str, handler: Handler, *, name: str | None = None) -> None:
        """Add a subscription delivering ``topic`` to ``handler`` (embedded runtime and tests)."""
        ...

    def close(self) -> None:
        """Stop delivering and release resources."""
        ...

    @property
    def delivers_here(self) -> bool:
        """True when subscribers run in this process (the embedded bus), so in-process listeners attach."""
        ...

    def attach(self, documents: DocumentStore) -> None:
        """Keep the bus's messages beside ``documents`` where it can (the embedded outbox); else nothing."""
        ...
