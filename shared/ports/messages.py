"""Bus messages: small, versioned JSON documents that carry ids, never plaintext.

Each message type names its topic, its ordering key and the attributes it travels with, so a
caller only says *what* to send (``MessageBus.send(message)``) and the wire format — topic names,
attributes and ordering keys as ``infra/`` declares them — is decided here once. Calendars are
named by principal id (a blind index), never by email, so nothing sensitive travels in a payload,
an attribute or an ordering key. Work on one calendar is ordered by ``<org>/<principal>``.

The payload is ``{"kind": ..., "v": 1, <fields>}`` as compact JSON with sorted keys; decoding is
strict (msgspec, no coercion: ``"5"`` is not a number, ``true`` not an integer): a wrong kind,
version, missing field or wrong type is ``InvalidInput``. Messages are frozen msgspec Structs, not
pydantic models, so no Pub/Sub or scheduled function loads pydantic (it stays with the HTTP APIs).
"""

from __future__ import annotations

import json
import re
from typing import Any, ClassVar, Self

import msgspec
import orjson

from shared.errors import InvalidInput
from shared.topics import CALENDAR_SYNC, JOIN_BUTTONS, JOIN_REWRITE, PRESENCE_CHANGED, USER_PROVISIONING, VACATION_CHECK

SCHEMA_VERSION = 1
_FIELD = re.compile(r"`\$\.(\w+)|field `(\w+)`")


class Message(msgspec.Struct, frozen=True, kw_only=True):
    """Base of every bus message; ``kind`` names the schema and ``topic`` where it goes (unknown fields ignored)."""

    kind: ClassVar[str] = "message"
    topic: ClassVar[str] = ""

    @property
    def ordering_key(self) -> str | None:
        """The key that orders this message with others (None: no order)."""
        return None

    @property
    def attributes(self) -> dict[str, str]:
        """The Pub/Sub attributes the message travels with (ids only)."""
        return {}

    def encode(self) -> bytes:
        """Serialise to compact JSON bytes."""
        body = {"kind": self.kind, "v": SCHEMA_VERSION, **msgspec.to_builtins(self)}
        return orjson.dumps(body, option=orjson.OPT_SORT_KEYS)

    @classmethod
    def decode(cls, data: bytes) -> Self:
        """Parse and validate; raise InvalidInput for anything malformed."""
        return cls.from_body(_body(data, cls.kind))

    @classmethod
    def from_body(cls, body: dict[str, Any]) -> Self:
        """Validate a parsed payload of this kind."""
        if body.get("kind") != cls.kind:
            raise InvalidInput(f"{cls.kind}: wrong or missing kind")
        version = body.get("v")
        if type(version) is not int or version != SCHEMA_VERSION:  # ``true`` and ``1.0`` are not version 1
            raise InvalidInput(f"{cls.kind}: unsupported schema version {version!r}")
        values = {k: tuple(v) if isinstance(v, list) else v for k, v in body.items() if k not in ("kind", "v")}
        try:
            return msgspec.convert(values, cls, strict=True)
        except msgspec.ValidationError as exc:
            found = _FIELD.search(str(exc))
            field = next((name for name in found.groups() if name), "?") if found else "?"
            raise InvalidInput(f"{cls.kind}: missing or mistyped field {field}") from None


def _body(data: bytes, kind: str) -> dict[str, Any]:
    try:
        body = json.loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise InvalidInput(f"{kind}: payload is not JSON") from exc
    if not isinstance(body, dict):
        raise InvalidInput(f"{kind}: wrong or missing kind")
    return body


def decode_one_of(data: bytes, types: tuple[type[Message], ...]) -> Message:
    """Decode a payload of a topic that carries several kinds (``calendar-sync``: syncs and channel stops)."""
    body = _body(data, "/".join(t.kind for t in types))
    kind = body.get("kind")
    if kind == SyncCalendar.kind and body.get("reason") == "stop_channel" and StopChannel in types:
        kind = StopChannel.kind  # a stop published before it had a kind of its own
        body = {**body, "kind": kind}
    for candidate in types:
        if candidate.kind == kind:
            return candidate.from_body(body)
    raise InvalidInput(f"{'/'.join(t.kind for t in types)}: wrong or missing kind")


class CalendarMessage(Message, frozen=True, kw_only=True):
    """Work on one principal's calendar: ordered per calendar (``<org>/<principal>``)."""

    org_id: str
    principal_id: str

    @property
    def ordering_key(self) -> str | None:
        """The calendar: one message of a calendar at a time, in publish order."""
        return calendar_key(self.org_id, self.principal_id)


def calendar_key(org_id: str, principal_id: str) -> str:
    """The ordering key that serialises work on one calendar."""
    return f"{org_id}/{principal_id}"


class SyncCalendar(CalendarMessage, frozen=True, kw_only=True):
    """Sync one principal's calendar (published by the webhook)."""

    kind: ClassVar[str] = "sync_calendar"
    topic: ClassVar[str] = CALENDAR_SYNC
    reason: str = "notification"
    channel_id: str | None = None
    message_number: int | None = None
    resource_id: str | None = None

    @property
    def attributes(self) -> dict[str, str]:
        """The channel, the reason and Google's message number."""
        out = {"channel_id": self.channel_id} if self.channel_id is not None else {}
        out["reason"] = self.reason
        if self.message_number is not None:
            out["message_number"] = str(self.message_number)
        return out


class StopChannel(CalendarMessage, frozen=True, kw_only=True):
    """Stop a push channel Google still sends to although it was stopped here (on the calendar's queue)."""

    kind: ClassVar[str] = "stop_channel"
    topic: ClassVar[str] = CALENDAR_SYNC
    channel_id: str
    resource_id: str | None = None

    @property
    def attributes(self) -> dict[str, str]:
        """The channel, and the reason the sync topic's consumers and operators filter on."""
        return {"channel_id": self.channel_id, "reason": "stop_channel"}


class RewriteJoinDetails(CalendarMessage, frozen=True, kw_only=True):
    """Write, replace or remove join details on an organiser's event."""

    kind: ClassVar[str] = "rewrite_join_details"
    topic: ClassVar[str] = JOIN_REWRITE
    event_id: str

    @property
    def attributes(self) -> dict[str, str]:
        """The event."""
        return {"event_id": self.event_id}


class ProvisionUser(CalendarMessage, frozen=True, kw_only=True):
    """Validate and activate, or deactivate, one principal."""

    kind: ClassVar[str] = "provision_user"
    topic: ClassVar[str] = USER_PROVISIONING
    action: str = "activate"

    @property
    def attributes(self) -> dict[str, str]:
        """The action."""
        return {"action": self.action}


class CheckVacation(Message, frozen=True, kw_only=True):
    """Read the vacation responder of a batch of principals.

    ``calendar_only``: a sync stored or removed status events; decide again from the stored
    calendar copies and the responder state of the last poll, with no Gmail call.
    """

    kind: ClassVar[str] = "check_vacation"
    topic: ClassVar[str] = VACATION_CHECK
    org_id: str
    principal_ids: tuple[str, ...]
    calendar_only: bool = False

    @property
    def attributes(self) -> dict[str, str]:
        """The org."""
        return {"org_id": self.org_id}


class PresenceChanged(Message, frozen=True, kw_only=True):
    """A principal's presence changed (the payload says only who; readers fetch it)."""

    kind: ClassVar[str] = "presence_changed"
    topic: ClassVar[str] = PRESENCE_CHANGED
    org_id: str
    principal_id: str

    @property
    def attributes(self) -> dict[str, str]:
        """The org."""
        return {"org_id": self.org_id}


class JoinButton(Message, frozen=True, kw_only=True):
    """A join button (or its correction) was recorded for a recipient (readers fetch the notice)."""

    kind: ClassVar[str] = "join_button"
    topic: ClassVar[str] = JOIN_BUTTONS
    org_id: str
    notice_id: str
    recipient_kind: str
    recipient_id: str
    notice_kind: str = "join"

    @property
    def attributes(self) -> dict[str, str]:
        """The org and the notice's kind (join, moved, updated, removed, cancelled)."""
        return {"org_id": self.org_id, "kind": self.notice_kind}
