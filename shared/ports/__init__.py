"""Ports: every interface (``typing.Protocol``) the services are written against, and nothing else defines one.

Adapters in ``shared/adapters`` implement them: SQLite or Firestore behind the repositories,
the durable local bus or Pub/Sub for the message bus, a local key file or Cloud KMS for the
key-encryption key, the Google client layer (or the emulator) behind the Calendar gateway.
Each name below is imported from its module on first use: a function that reads the bus's names
never loads the Calendar port or the domain records it speaks in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.exports import lazy_exports

if TYPE_CHECKING:
    from shared.ports.bus import Bus, BusMessage, Handler, MessageBus
    from shared.ports.calendar import CalendarEventPage, CalendarGateway, ChannelInfo, SyncCalendar, SyncListing
    from shared.ports.clock import Clock
    from shared.ports.conferencing import ConferencingProvider, ConferencingProviders, MeetingRecordStore
    from shared.ports.crypto import Cipher, KeyEncryptionKey
    from shared.ports.documents import DocumentStore
    from shared.ports.stores import Stores

_WHERE = {
    **dict.fromkeys(("Bus", "BusMessage", "Handler", "MessageBus"), "shared.ports.bus"),
    **dict.fromkeys(
        ("CalendarEventPage", "CalendarGateway", "ChannelInfo", "SyncCalendar", "SyncListing"), "shared.ports.calendar"
    ),
    "Clock": "shared.ports.clock",
    **dict.fromkeys(
        ("ConferencingProvider", "ConferencingProviders", "MeetingRecordStore"), "shared.ports.conferencing"
    ),
    **dict.fromkeys(("Cipher", "KeyEncryptionKey"), "shared.ports.crypto"),
    "DocumentStore": "shared.ports.documents",
    "Stores": "shared.ports.stores",
}
__getattr__, __dir__ = lazy_exports(__name__, _WHERE)

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
