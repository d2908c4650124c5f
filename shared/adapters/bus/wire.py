"""How a typed message goes on the wire: its topic, its encoded payload, its ordering key and attributes.

Both buses (the durable local bus and Pub/Sub) implement ``send`` by publishing exactly this, so
the topic names, attributes and ordering keys are the ones ``infra/`` declares, whichever bus runs.
A message that exhausts its attempts comes back from either bus's ``dead_letters()`` as a ``DeadLetter``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import msgspec

from shared.ports import BusMessage
from shared.ports.messages import Message

if TYPE_CHECKING:
    from shared.ports.documents import DocumentStore


class DeadLetter(msgspec.Struct, frozen=True):
    """A message that exhausted its delivery attempts."""

    subscription: str
    message: BusMessage
    attempts: int
    error: str


class SendsMessages(ABC):
    """``MessageBus.send`` on top of a bus's raw ``publish``; by default a bus delivering elsewhere."""

    delivers_here: bool = False

    def attach(self, documents: DocumentStore) -> None:
        """A bus with its own storage keeps nothing beside the documents."""
        del documents  # nothing to bind

    @abstractmethod
    def publish(
        self,
        topic: str,
        data: bytes,
        *,
        ordering_key: str | None = None,
        attributes: Mapping[str, str] | None = None,
    ) -> str:
        """Publish raw bytes; the bus class provides it."""

    def send(self, message: Message) -> str:
        """Publish ``message`` on its topic with its ordering key and attributes."""
        return self.publish(
            message.topic, message.encode(), ordering_key=message.ordering_key, attributes=message.attributes
        )

    def send_all(self, messages: Sequence[Message]) -> list[str]:
        """``send`` each message in turn (a bus that can do better overrides this)."""
        return [self.send(message) for message in messages]
