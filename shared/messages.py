"""Bus message schemas: small, versioned JSON documents that carry ids, never plaintext.

Calendars are named by principal id (a blind index), never by email, so nothing sensitive
travels in a payload, an attribute or an ordering key.
"""

from __future__ import annotations

import json
from dataclasses import MISSING, asdict, dataclass, fields
from typing import Any, ClassVar, TypeVar

from shared.errors import InvalidInput

SCHEMA_VERSION = 1
M = TypeVar("M", bound="Message")


@dataclass(frozen=True, slots=True)
class Message:
    """Base of every bus message; ``kind`` names the schema."""

    kind: ClassVar[str] = "message"

    def encode(self) -> bytes:
        """Serialise to compact JSON bytes."""
        body = {"kind": self.kind, "v": SCHEMA_VERSION, **asdict(self)}
        return json.dumps(body, separators=(",", ":"), sort_keys=True).encode()

    @classmethod
    def decode(cls: type[M], data: bytes) -> M:
        """Parse and validate; raise InvalidInput for anything malformed."""
        try:
            body = json.loads(data)
        except (ValueError, UnicodeDecodeError) as exc:
            raise InvalidInput(f"{cls.kind}: payload is not JSON") from exc
        if not isinstance(body, dict) or body.get("kind") != cls.kind:
            raise InvalidInput(f"{cls.kind}: wrong or missing kind")
        if body.get("v") != SCHEMA_VERSION:
            raise InvalidInput(f"{cls.kind}: unsupported schema version {body.get('v')!r}")
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name not in body:
                if f.default is not MISSING or f.default_factory is not MISSING:
                    continue
                raise InvalidInput(f"{cls.kind}: missing field {f.name}")
            value = body[f.name]
            if not _matches(value, str(f.type)):
                raise InvalidInput(f"{cls.kind}: field {f.name} has the wrong type")
            values[f.name] = tuple(value) if isinstance(value, list) else value
        return cls(**values)


def _matches(value: Any, type_text: str) -> bool:
    optional = "None" in type_text
    if value is None:
        return optional
    if type_text.startswith("str"):
        return isinstance(value, str)
    if type_text.startswith("int"):
        return isinstance(value, int) and not isinstance(value, bool)
    if type_text.startswith("bool"):
        return isinstance(value, bool)
    if type_text.startswith("tuple"):
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return True


@dataclass(frozen=True, slots=True)
class SyncCalendar(Message):
    """Sync one principal's calendar (published by the webhook and the scheduler)."""

    kind: ClassVar[str] = "sync_calendar"
    org_id: str
    principal_id: str
    reason: str = "notification"
    channel_id: str | None = None
    message_number: int | None = None
    resource_id: str | None = None


@dataclass(frozen=True, slots=True)
class RewriteJoinDetails(Message):
    """Write, replace or remove join details on an organiser's event."""

    kind: ClassVar[str] = "rewrite_join_details"
    org_id: str
    principal_id: str
    event_id: str


@dataclass(frozen=True, slots=True)
class CheckVacation(Message):
    """Read the vacation responder of a batch of principals."""

    kind: ClassVar[str] = "check_vacation"
    org_id: str
    principal_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ProvisionUser(Message):
    """Validate and activate, or deactivate, one principal."""

    kind: ClassVar[str] = "provision_user"
    org_id: str
    principal_id: str
    action: str = "activate"


@dataclass(frozen=True, slots=True)
class PresenceChanged(Message):
    """A principal's presence changed (the payload says only who; readers fetch it)."""

    kind: ClassVar[str] = "presence_changed"
    org_id: str
    principal_id: str


@dataclass(frozen=True, slots=True)
class JoinButton(Message):
    """A join button was recorded for a recipient (readers fetch the notice)."""

    kind: ClassVar[str] = "join_button"
    org_id: str
    notice_id: str
    recipient_kind: str
    recipient_id: str
