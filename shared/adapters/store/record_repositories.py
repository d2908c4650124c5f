"""Join-detail decisions, join-button notices, room devices and dead letters over the shared backend."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import orjson

from shared.adapters.store import app_queries
from shared.documents import Delete, Document, Filter, Order, Put, Query, collection_path, doc_path
from shared.domain.presence import JoinButtonNotice, RecipientKind
from shared.domain.principals import Device
from shared.domain.retention import expire_at
from shared.errors import Conflict
from shared.ports.dead_letters import DeadLetter
from shared.ports.notice_batches import NOTICE_BATCH
from shared.ports.stores import NoticeHead, StoredNotice

if TYPE_CHECKING:
    from shared.adapters.store.repositories import StoreBackend


class DecisionRepository:
    """What the join-detail rewrite decided per event."""

    def __init__(self, backend: StoreBackend) -> None:
        self._s = backend

    def record_decision(
        self, org_id: str, principal_id: str, event_id: str, outcome: str, reason: str | None, at: datetime
    ) -> None:
        """Remember what the rewrite decided for one event (the latest per event, kept 38 days, or as long as
        the meeting the record holds; see ``meeting_records``)."""
        from shared.adapters.store.meeting_records import MeetingRecords

        MeetingRecords(self._s).decide(org_id, principal_id, event_id, outcome, reason, at)

    def list_decisions(self, org_id: str, principal_id: str, limit: int = 20) -> list[dict[str, object]]:
        """The latest decisions for a principal, newest first."""
        query = Query(
            collection_path("orgs", org_id, "decisions"),
            (Filter("principal_id", "==", principal_id),),
            (Order("at", descending=True),),
            limit=limit,
        )
        out: list[dict[str, object]] = []
        for doc in self._s.documents.query(query):
            event = self._s.codec.open(org_id, "decisions", doc.id, "event", doc.data["event"], principal_id)
            out.append(
                {
                    "event_id": event,
                    "outcome": doc.data["outcome"],
                    "reason": doc.data.get("reason"),
                    "at": doc.data["at"],
                }
            )
        return out


class NoticeRepository:
    """Join-button notices, stored once per identity."""

    def __init__(self, backend: StoreBackend) -> None:
        self._s = backend

    def record_notice(self, notice: JoinButtonNotice, now: datetime) -> bool:
        """Store a notice unless one with the same identity exists; True when stored."""
        try:
            self._s.documents.write([self._create(notice, now)])
        except Conflict:
            return False
        return True

    def record_notices(self, notices: Sequence[JoinButtonNotice], now: datetime) -> list[bool]:
        """Store each notice unless one with its identity exists; per notice, True when this call stored it.

        One atomic create-if-absent write per ``NOTICE_BATCH`` notices; a batch that meets one
        already stored (a racing run) is retried notice by notice, so each is still stored once.
        """
        stored: list[bool] = []
        for first in range(0, len(notices), NOTICE_BATCH):
            chunk = notices[first : first + NOTICE_BATCH]
            creates = [self._create(n, now) for n in chunk]
            try:
                self._s.documents.write(creates)
            except Conflict:
                stored += [self._create_one(op) for op in creates]
            else:
                stored += [True] * len(creates)
        return stored

    def _create_one(self, op: Put) -> bool:
        try:
            self._s.documents.write([op])
        except Conflict:
            return False
        return True

    def _create(self, notice: JoinButtonNotice, now: datetime) -> Put:
        nid = app_queries.notice_id(notice)
        payload = {
            "title": notice.title,
            "target": [notice.target.kind.value, notice.target.uri, notice.target.label] if notice.target else None,
        }
        data = {
            "meeting_id": notice.meeting_id,
            "recipientKind": notice.recipient_kind.value,
            "recipientId": notice.recipient_id,
            "kind": notice.kind.value,
            "start": notice.start,
            "end": notice.end,
            "sent_at": notice.sent_at,
            "expireAt": expire_at(max(notice.end, now)),
            "payload": self._s.codec.seal(notice.org_id, "notices", nid, "payload", orjson.dumps(payload).decode()),
        }
        return Put(doc_path("orgs", notice.org_id, "notices", nid), data, if_absent=True)

    def notice_id(self, notice: JoinButtonNotice) -> str:
        """The id ``record_notice`` stores a notice under (a hash of its identity)."""
        return app_queries.notice_id(notice)

    def live_notices(self, org_id: str, now: datetime) -> list[StoredNotice]:
        """Every notice of an org whose meeting had not ended at ``now`` (the corrections pass)."""
        return app_queries.live_notices(self._s, org_id, now)

    def live_notice_heads(self, org_id: str, now: datetime) -> list[NoticeHead]:
        """``live_notices``, unopened (one query, no decryption)."""
        return app_queries.live_notice_heads(self._s, org_id, now)

    def open_notice(self, org_id: str, head: NoticeHead) -> StoredNotice:
        """The whole notice behind a head (its payload opened)."""
        return app_queries.open_notice(self._s, org_id, head)

    def notices_for(
        self, org_id: str, kind: RecipientKind, recipient_id: str, since: datetime | None = None
    ) -> list[StoredNotice]:
        """A recipient's notices sent at or after ``since``, oldest first (ties by id)."""
        return app_queries.notices_for(self._s, org_id, kind, recipient_id, since)

    def get_notice(self, org_id: str, notice_id: str) -> StoredNotice | None:
        """One notice by its id."""
        return app_queries.get_notice(self._s, org_id, notice_id)


class DeviceRepository:
    """Room devices (the name sealed, the token only as a hash)."""

    def __init__(self, backend: StoreBackend) -> None:
        self._s = backend

    def put_device(self, device: Device) -> None:
        """Create or replace a device (the name is sealed; the token only as a hash)."""
        data = {
            "org_id": device.org_id,
            "room_id": device.room_id,
            "tokenHash": device.token_hash,
            "name": self._s.codec.seal(device.org_id, "devices", device.id, "name", device.name),
            "createdAt": device.created_at,
            "rotatedAt": device.rotated_at,
        }
        self._s.documents.write([Put(doc_path("devices", device.id), data)])

    def get_device(self, device_id: str) -> Device | None:
        """Read a device by id."""
        doc = self._s.documents.get(doc_path("devices", device_id))
        if doc is None:
            return None
        return self._device(device_id, doc.data)

    def devices_of(self, org_id: str, room_id: str) -> list[Device]:
        """Every device of one room, oldest first."""
        query = Query("devices", (Filter("org_id", "==", org_id), Filter("room_id", "==", room_id)))
        devices = [self._device(d.id, d.data) for d in self._s.documents.query(query)]
        return sorted(devices, key=lambda d: (d.created_at or datetime.min.replace(tzinfo=UTC), d.id))

    def delete_device(self, device_id: str) -> None:
        """Delete a device."""
        self._s.documents.write([Delete(doc_path("devices", device_id))])

    def _device(self, device_id: str, data: Mapping[str, Any]) -> Device:
        org_id = data["org_id"]
        return Device(
            org_id=org_id,
            id=device_id,
            room_id=data["room_id"],
            name=self._s.codec.open(org_id, "devices", device_id, "name", data["name"]),
            token_hash=data["tokenHash"],
            created_at=data.get("createdAt"),
            rotated_at=data.get("rotatedAt"),
        )

    def device_by_token_hash(self, token_hash: str) -> Device | None:
        """The device whose token hashes to ``token_hash``."""
        return app_queries.device_by_token_hash(self._s, token_hash)

    def devices_of_room(self, org_id: str, room_id: str) -> list[Device]:
        """Every device of one room, by id."""
        return app_queries.devices_of_room(self._s, org_id, room_id)


class DeadLetterRepository:
    """Dead letters: per org under ``orgs/{org}/deadLetters`` (errors sealed), else deployment-wide."""

    def __init__(self, backend: StoreBackend) -> None:
        self._s = backend

    def record_dead_letter(self, letter_id: str, letter: DeadLetter, raw_org: str | None) -> None:
        """Keep one dead letter (a replay of the same id replaces it)."""
        base = {
            "topic": letter.topic,
            "principals": list(letter.principals),
            "at": letter.at,
            "expireAt": letter.expire_at,
        }
        if letter.org_id is None:
            data = {**base, "org": raw_org, "error": letter.error}
            self._s.documents.write([Put(doc_path("deadLetters", letter_id), data)])
            return
        sealed = self._s.codec.seal(letter.org_id, "deadLetters", letter_id, "error", letter.error)
        path = doc_path("orgs", letter.org_id, "deadLetters", letter_id)
        self._s.documents.write([Put(path, {**base, "error": sealed})])

    def dead_letters(self, org_id: str | None = None) -> list[DeadLetter]:
        """Every dead letter of one org, or (None) of the whole deployment."""
        query = Query(collection_path("orgs", org_id, "deadLetters")) if org_id else Query("deadLetters", group=True)
        return [self._letter(doc) for doc in self._s.documents.query(query)]

    def dead_letters_about(self, org_id: str, principal_id: str) -> list[DeadLetter]:
        """The dead letters of one org that were about one principal."""
        where = (Filter("principals", "array_contains", principal_id),)
        query = Query(collection_path("orgs", org_id, "deadLetters"), where)
        return [self._letter(doc) for doc in self._s.documents.query(query)]

    def _letter(self, doc: Document) -> DeadLetter:
        parts = doc.path.split("/")
        owner = parts[1] if parts[0] == "orgs" else None
        error = str(doc.data.get("error") or "")
        if owner is not None:
            error = self._s.codec.open(owner, "deadLetters", doc.id, "error", error)
        principals = tuple(str(p) for p in doc.data.get("principals") or ())
        at = doc.data["at"]
        return DeadLetter(str(doc.data["topic"]), principals, at, doc.data.get("expireAt", at), error, owner)
