"""Repository ports: one small Protocol per aggregate, gathered in the :class:`Stores` record.

The document-store adapter (``shared.adapters.store``) implements each over one DocumentStore
and one Cipher; a service takes only the repositories it uses. The Protocols live by what they
keep: ``directory`` (orgs, principals, devices), ``calendars`` (meetings, sync state, channels)
and ``notices`` (join-button notices, presence, rewrite decisions); each is importable from here, and
imported from its module on first use.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from shared.exports import lazy_exports

if TYPE_CHECKING:
    from shared.ports.dead_letters import DeadLetterRepository
    from shared.ports.stores.calendars import ChannelRepository, DueMeeting, MeetingRepository, SyncStateRepository
    from shared.ports.stores.directory import DeviceRepository, OrgRepository, PrincipalRepository
    from shared.ports.stores.notices import (
        DecisionRepository,
        NoticeHead,
        NoticeRepository,
        PresenceRepository,
        StoredNotice,
    )

_WHERE = {
    "DeadLetterRepository": "shared.ports.dead_letters",
    **dict.fromkeys(
        ("ChannelRepository", "DueMeeting", "MeetingRepository", "SyncStateRepository"), "shared.ports.stores.calendars"
    ),
    **dict.fromkeys(("DeviceRepository", "OrgRepository", "PrincipalRepository"), "shared.ports.stores.directory"),
    **dict.fromkeys(
        ("DecisionRepository", "NoticeHead", "NoticeRepository", "PresenceRepository", "StoredNotice"),
        "shared.ports.stores.notices",
    ),
}
__getattr__, __dir__ = lazy_exports(__name__, _WHERE)

__all__ = [
    "ChannelRepository",
    "DecisionRepository",
    "DeviceRepository",
    "DueMeeting",
    "MeetingRepository",
    "NoticeHead",
    "NoticeRepository",
    "OrgRepository",
    "PresenceRepository",
    "PrincipalRepository",
    "StoredNotice",
    "Stores",
    "SyncStateRepository",
    "Transactions",
]


class Transactions(Protocol):
    """Groups writes (and a bound local bus's publishes) in one transaction where the store has one."""

    def atomic(self) -> AbstractContextManager[object]:
        """One transaction for this thread's writes and a bound local bus's publishes, where the store has one."""
        ...


@dataclass(frozen=True)
class Stores:
    """Every repository of one deployment's store, and its transactions."""

    orgs: OrgRepository
    principals: PrincipalRepository
    meetings: MeetingRepository
    sync_states: SyncStateRepository
    channels: ChannelRepository
    presence: PresenceRepository
    decisions: DecisionRepository
    notices: NoticeRepository
    devices: DeviceRepository
    dead_letters: DeadLetterRepository
    transactions: Transactions

    def atomic(self) -> AbstractContextManager[object]:
        """One transaction for this thread's writes and a bound local bus's publishes, where the store has one."""
        return self.transactions.atomic()
