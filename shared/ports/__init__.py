"""Ports: every interface (``typing.Protocol``) the services are written against, and nothing else defines one.

Adapters in ``shared/adapters`` implement them: SQLite or Firestore behind the repositories,
the durable local bus or Pub/Sub for the message bus, a local key file or Cloud KMS for the
key-encryption key, the Google client layer (or the emulator) behind the Calendar gateway.
"""

from __future__ import annotations

from shared.ports.bus import Bus, BusMessage, Handler, MessageBus
from shared.ports.calendar import CalendarEventPage, CalendarGateway, ChannelInfo, SyncCalendar, SyncListing
from shared.ports.clock import Clock
from shared.ports.conferencing import ConferencingProvider, ConferencingProviders, MeetingRecordStore
from shared.ports.crypto import Cipher, KeyEncryptionKey
from shared.ports.documents import DocumentStore
from shared.ports.stores import Stores

__all__ = [
    "Bus",
    "BusMessage",
    "CalendarEventPage",
    "CalendarGateway",
    "ChannelInfo",
    "Cipher",
    "Clock",
    "ConferencingProvider",
    "ConferencingProviders",
    "DocumentStore",
    "Handler",
    "KeyEncryptionKey",
    "MeetingRecordStore",
    "MessageBus",
    "Stores",
    "SyncCalendar",
    "SyncListing",
]
