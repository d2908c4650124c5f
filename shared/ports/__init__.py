"""Ports: every interface (``typing.Protocol``) the services are written against, and nothing else defines one.

Adapters in ``shared/adapters`` implement them: SQLite or Firestore behind the repositories,
the durable local bus or Pub/Sub for the message bus, a local key file or Cloud KMS for the
key-encryption key, the Google client layer (or the emulator) behind the Calendar gateway.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shared.ports.bus import Bus, BusMessage, Handler, MessageBus
    from shared.ports.calendar import CalendarEventPage, CalendarGateway, ChannelInfo, SyncCalendar, SyncListing
    from shared.ports.clock import Clock
    from shared.ports.conferencing import ConferencingProvider, ConferencingProviders, MeetingRecordStore
    from shared.ports.crypto import Cipher, KeyEncryptionKey
    from shared.ports.documents import DocumentStore
    from shared.ports.stores import Stores

_HOME = {
    **dict.fromkeys(("Bus", "BusMessage", "Handler", "MessageBus"), "bus"),
    **dict.fromkeys(("CalendarEventPage", "CalendarGateway", "ChannelInfo", "SyncCalendar", "SyncListing"), "calendar"),
    "Clock": "clock",
    **dict.fromkeys(("ConferencingProvider", "ConferencingProviders", "MeetingRecordStore"), "conferencing"),
    **dict.fromkeys(("Cipher", "KeyEncryptionKey"), "crypto"),
    "DocumentStore": "documents",
    "Stores": "stores",
}


def __getattr__(name: str) -> Any:
    """Each port imported from its own module on first use (a function's instance loads the ports it uses)."""
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


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
