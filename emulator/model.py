"""The emulator's in-memory records: directory, credentials, calendars, events and channels.

Records are plain mutable dataclasses guarded by :class:`emulator.state.EmulatorState`'s lock.
An event is one :class:`SharedEvent` (what organiser and guests agree on) plus one
:class:`EventCopy` per calendar it appears on (its own etag, ``updated``, private
extended properties, reminders and local edits).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from emulator.timeutil import EventTime

Role = Literal["none", "freeBusyReader", "reader", "writerWithoutPrivateAccess", "writer", "owner"]
# writerWithoutPrivateAccess writes like a writer (private events are not modelled): same rank.
ROLE_RANK: dict[str, int] = {
    "none": 0,
    "freeBusyReader": 1,
    "reader": 2,
    "writer": 3,
    "writerWithoutPrivateAccess": 3,
    "owner": 4,
}


@dataclass(slots=True)
class User:
    """A user of an emulated domain, with the settings Calendar reports for them."""

    email: str
    name: str
    domain: str
    locale: str = "en"
    time_zone: str = "UTC"


@dataclass(slots=True)
class Room:
    """A room resource of an emulated domain; its calendar id is its email."""

    email: str
    name: str
    domain: str
    time_zone: str = "UTC"


@dataclass(slots=True)
class Domain:
    """A Google Workspace domain: its users and rooms."""

    name: str
    time_zone: str = "UTC"
    users: dict[str, User] = field(default_factory=dict)
    rooms: dict[str, Room] = field(default_factory=dict)


@dataclass(slots=True)
class ServiceAccount:
    """A service account with domain-wide delegation for ``scopes`` in ``domain``."""

    client_id: str
    client_email: str
    private_key_id: str
    project_id: str
    domain: str
    public_key: RSAPublicKey
    scopes: set[str]


@dataclass(slots=True)
class AccessToken:
    """An access token issued by ``/token``; expires on the emulator clock."""

    token: str
    client_id: str
    subject: str
    scopes: frozenset[str]
    expires_at: datetime


@dataclass(slots=True)
class AclRule:
    """One calendar ACL rule (``scope.type`` user, group, domain or default)."""

    rule_id: str
    role: str
    scope_type: str
    scope_value: str | None
    etag: str

    def to_api(self) -> dict[str, Any]:
        """Render as ``calendar#aclRule``."""
        scope: dict[str, Any] = {"type": self.scope_type}
        if self.scope_value is not None:
            scope["value"] = self.scope_value
        return {
            "kind": "calendar#aclRule",
            "etag": self.etag,
            "id": self.rule_id,
            "scope": scope,
            "role": self.role,
        }


@dataclass(slots=True)
class SharedEvent:
    """What organiser and guests share: the event resource minus per-copy fields."""

    event_id: str
    organizer_calendar: str
    data: dict[str, Any]
    start: EventTime
    end: EventTime
    start_utc: datetime
    end_utc: datetime
    cancelled: bool = False
    copies: dict[str, EventCopy] = field(default_factory=dict)
    private_copy: bool = False
    expansions: dict[Any, Any] = field(default_factory=dict)

    @property
    def recurring(self) -> bool:
        """Whether this is a recurring master."""
        return bool(self.data.get("recurrence"))


@dataclass(slots=True)
class EventCopy:
    """One calendar's copy of a shared event."""

    calendar_id: str
    event: SharedEvent
    etag: str
    updated: datetime
    seq: int
    local: dict[str, Any] = field(default_factory=dict)
    removed: bool = False

    @property
    def cancelled(self) -> bool:
        """Whether this copy shows as ``status: cancelled``."""
        return self.removed or self.event.cancelled


@dataclass(slots=True)
class Calendar:
    """A calendar: a user's or room's primary one, or a secondary one a user created; with its
    events, ACL and change log. A deleted secondary calendar stays as a tombstone (``deleted``)
    so the events it organised can still be cancelled on their guests' calendars."""

    calendar_id: str
    kind: Literal["user", "room", "secondary"]
    domain: str
    summary: str
    time_zone: str
    description: str = ""
    location: str = ""
    data_owner: str | None = None
    deleted: bool = False
    acl: dict[str, AclRule] = field(default_factory=dict)
    copies: dict[str, EventCopy] = field(default_factory=dict)
    exceptions: dict[str, set[str]] = field(default_factory=dict)
    status_ids: set[str] = field(default_factory=set)
    # The change log: event id → the position of its copy's latest change, oldest first (an event
    # changed again moves to the end), so a sync-token listing walks only what changed since.
    changes: dict[str, int] = field(default_factory=dict)
    last_updated: datetime | None = None
    seq: int = 0
    epoch: int = 0

    def add_copy(self, copy: EventCopy) -> None:
        """Store ``copy`` and index it under its series when it is an exception."""
        self.copies[copy.event.event_id] = copy
        master = copy.event.data.get("recurringEventId")
        if master:
            self.exceptions.setdefault(str(master), set()).add(copy.event.event_id)

    def remove_copy(self, event_id: str) -> None:
        """Forget the copy of ``event_id`` (and its place in the exception index)."""
        copy = self.copies.pop(event_id, None)
        master = copy.event.data.get("recurringEventId") if copy is not None else None
        if master:
            self.exceptions.get(str(master), set()).discard(event_id)

    def log_change(self, copy: EventCopy) -> None:
        """Give ``copy`` the next change-log position and move it to the end of the log."""
        self.seq += 1
        copy.seq = self.seq
        event_id = copy.event.event_id
        self.changes.pop(event_id, None)
        self.changes[event_id] = self.seq

    def changed_since(self, position: int) -> list[EventCopy]:
        """The copies changed after ``position`` (a sync token's), oldest change first."""
        out: list[EventCopy] = []
        for event_id, seq in reversed(self.changes.items()):
            if seq <= position:
                break
            copy = self.copies.get(event_id)
            if copy is not None and copy.seq > position:
                out.append(copy)
        out.reverse()
        return out

    def exceptions_of(self, master_id: str) -> list[EventCopy]:
        """The stored exceptions (modified or cancelled instances) of a series on this calendar."""
        return [self.copies[i] for i in sorted(self.exceptions.get(master_id, ())) if i in self.copies]


@dataclass(slots=True)
class Channel:
    """A push channel created by ``events.watch``."""

    channel_id: str
    resource_id: str
    resource_uri: str
    address: str
    token: str | None
    expiration: datetime
    calendar_id: str
    client_id: str
    subject: str
    next_number: int = 1
    stopped: bool = False
    event_types: frozenset[str] = frozenset()


def role_name(rank: int) -> str:
    """Return the ACL role name for a rank from :data:`ROLE_RANK`."""
    return next(name for name, value in ROLE_RANK.items() if value == rank)
