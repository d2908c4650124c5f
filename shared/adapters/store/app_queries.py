"""Store reads the app API and the join-button dispatcher need, over the repositories' backend.

The repositories answer them (``record_repositories``, ``calendar_repositories``): devices by
token hash or room, meetings with a join target starting in a range (the dispatcher's query),
and the notices a recipient was sent (what the streams replay). Each query's composite index is
in ``indexes.py``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import orjson

from shared.adapters.store.records import meeting_doc_id
from shared.documents import Document, Filter, Order, Query, collection_path, doc_path
from shared.domain.meeting_rows import MeetingRow
from shared.domain.meetings import JoinKind, JoinTarget, Meeting, MeetingStatus
from shared.domain.presence import JoinButtonNotice, NoticeKind, RecipientKind
from shared.domain.principals import Device
from shared.domain.retention import RetentionWindow
from shared.ports.stores import DueMeeting, NoticeHead, StoredNotice

if TYPE_CHECKING:
    from shared.adapters.store.repositories import StoreBackend

__all__ = [
    "StoredNotice",
    "device_by_token_hash",
    "devices_of_room",
    "get_notice",
    "live_notices",
    "meeting_rows",
    "notices_for",
]


def _device(stores: StoreBackend, doc: Document) -> Device:
    org_id = doc.data["org_id"]
    return Device(
        org_id=org_id,
        id=doc.id,
        room_id=doc.data["room_id"],
        name=stores.codec.open(org_id, "devices", doc.id, "name", doc.data["name"]),
        token_hash=doc.data["tokenHash"],
    )


def device_by_token_hash(stores: StoreBackend, token_hash: str) -> Device | None:
    """The device whose token hashes to ``token_hash``."""
    for doc in stores.documents.query(Query("devices", (Filter("tokenHash", "==", token_hash),), limit=1)):
        return _device(stores, doc)
    return None


def devices_of_room(stores: StoreBackend, org_id: str, room_id: str) -> list[Device]:
    """Every device of one room."""
    query = Query("devices", (Filter("org_id", "==", org_id), Filter("room_id", "==", room_id)))
    return sorted((_device(stores, d) for d in stores.documents.query(query)), key=lambda d: d.id)


def meeting_rows(
    stores: StoreBackend, org_id: str, principal_id: str, start: datetime, end: datetime, now: datetime
) -> list[MeetingRow]:
    """The meetings ``list_meetings`` answers (one calendar, overlapping [start, end), inside the window), as rows."""
    window = RetentionWindow.at(now)
    query = Query(
        collection_path("orgs", org_id, "meetings"),
        (Filter("principal_id", "==", principal_id), Filter("start", "<", min(end, window.end))),
        (Order("start"),),
    )
    lower = max(start, window.start)
    codec = stores.codec
    out = []
    for doc in stores.documents.query(query):
        data = doc.data
        if data["end"] <= lower or data["expireAt"] <= now:
            continue
        payload = orjson.loads(codec.open(org_id, "meetings", doc.id, "payload", data["payload"], principal_id))
        out.append(
            MeetingRow(
                event_id=data["event_id"],
                start=data["start"],
                end=data["end"],
                all_day=bool(data["allDay"]),
                status=data["status"],
                series_id=data.get("series_id"),
                title=payload["title"],
                time_zone=payload["tz"],
                organizer=payload["organizer"],
                attendees=payload["attendees"],
                location=payload["location"],
                agenda=payload["agenda"],
                targets=payload["targets"],
                visibility=payload.get("vis", "default"),
            )
        )
    return out


def meetings_starting(stores: StoreBackend, org_id: str, lower: datetime, upper: datetime) -> list[Meeting]:
    """Meetings of every calendar of an org that have a join target and start in [lower, upper]."""
    query = Query(
        collection_path("orgs", org_id, "meetings"),
        (Filter("hasJoinTarget", "==", True), Filter("start", ">=", lower), Filter("start", "<=", upper)),
        (Order("start"),),
    )
    out = []
    for doc in stores.documents.query(query):
        if doc.data.get("status") == MeetingStatus.CANCELLED.value:
            continue
        out.append(stores.codec.meeting_from_doc(org_id, doc.id, doc.data))
    return out


def _due(doc: Document) -> DueMeeting:
    data = doc.data
    return DueMeeting(
        event_id=data["event_id"],
        principal_id=data["principal_id"],
        start=data["start"],
        end=data["end"],
        all_day=bool(data.get("allDay")),
        expire_at=data["expireAt"],
        version=doc.version,
        handle=doc,
    )


def due_meetings(stores: StoreBackend, org_id: str, lower: datetime, upper: datetime) -> list[DueMeeting]:
    """``meetings_starting``'s meetings, unopened: one query, plaintext fields only."""
    query = Query(
        collection_path("orgs", org_id, "meetings"),
        (Filter("hasJoinTarget", "==", True), Filter("start", ">=", lower), Filter("start", "<=", upper)),
        (Order("start"),),
    )
    return [_due(d) for d in stores.documents.query(query) if d.data.get("status") != MeetingStatus.CANCELLED.value]


def meeting_heads(stores: StoreBackend, org_id: str, keys: Sequence[tuple[str, str]]) -> list[DueMeeting | None]:
    """The stored meetings of (calendar, event) pairs, unopened, in the order asked (one batched read)."""
    paths = [doc_path("orgs", org_id, "meetings", meeting_doc_id(p, e)) for p, e in keys]
    return [None if d is None else _due(d) for d in stores.documents.get_all(paths)] if paths else []


def open_meeting(stores: StoreBackend, org_id: str, head: DueMeeting) -> Meeting:
    """The meeting behind a head (its payload opened)."""
    doc = head.handle
    if not isinstance(doc, Document):
        raise TypeError("not a head this store made")
    return stores.codec.meeting_from_doc(org_id, doc.id, doc.data)


def live_notice_heads(stores: StoreBackend, org_id: str, now: datetime) -> list[NoticeHead]:
    """Every notice of an org whose meeting had not ended at ``now``, unopened (one query, no decryption)."""
    query = Query(collection_path("orgs", org_id, "notices"), (Filter("end", ">", now),))
    out = []
    for doc in stores.documents.query(query):
        data = doc.data
        out.append(NoticeHead(id=doc.id, handle=doc, **_header(data)))
    return out


def _header(data: Mapping[str, Any]) -> dict[str, Any]:
    """The ``NoticeHeader`` fields of a stored notice: its unencrypted columns."""
    return {
        "meeting_id": data["meeting_id"],
        "recipient_kind": RecipientKind(data["recipientKind"]),
        "recipient_id": data["recipientId"],
        "kind": NoticeKind(data["kind"]),
        "start": data["start"],
        "end": data["end"],
        "sent_at": data["sent_at"],
    }


def open_notice(stores: StoreBackend, org_id: str, head: NoticeHead) -> StoredNotice:
    """The whole notice behind a head (its payload opened)."""
    doc = head.handle
    if not isinstance(doc, Document):
        raise TypeError("not a head this store made")
    return _notice(stores, org_id, doc)


def _notice(stores: StoreBackend, org_id: str, doc: Document) -> StoredNotice:
    data = doc.data
    payload = json.loads(stores.codec.open(org_id, "notices", doc.id, "payload", data["payload"]))
    raw = payload.get("target")
    target = JoinTarget(JoinKind(raw[0]), raw[1], raw[2]) if raw else None
    notice = JoinButtonNotice(org_id=org_id, title=payload.get("title", ""), target=target, **_header(data))
    return StoredNotice(doc.id, notice)


def live_notices(stores: StoreBackend, org_id: str, now: datetime) -> list[StoredNotice]:
    """Every notice of an org whose meeting had not ended at ``now`` (the corrections pass)."""
    query = Query(collection_path("orgs", org_id, "notices"), (Filter("end", ">", now),))
    return [_notice(stores, org_id, d) for d in stores.documents.query(query)]


def notices_for(
    stores: StoreBackend, org_id: str, kind: RecipientKind, recipient_id: str, since: datetime | None = None
) -> list[StoredNotice]:
    """A recipient's notices sent at or after ``since``, oldest first (ties by id)."""
    where = [Filter("recipientKind", "==", kind.value), Filter("recipientId", "==", recipient_id)]
    if since is not None:
        where.append(Filter("sent_at", ">=", since))
    query = Query(collection_path("orgs", org_id, "notices"), tuple(where), (Order("sent_at"),))
    found = [_notice(stores, org_id, d) for d in stores.documents.query(query)]
    return sorted(found, key=lambda s: (s.notice.sent_at, s.id))


def notice_id(notice: JoinButtonNotice) -> str:
    """The document id ``record_notice`` gives a notice (a hash of its identity)."""
    return hashlib.blake2b(notice.identity.encode(), digest_size=20).hexdigest()


def get_notice(stores: StoreBackend, org_id: str, notice_id: str) -> StoredNotice | None:
    """One notice by its document id."""
    doc = stores.documents.get(doc_path("orgs", org_id, "notices", notice_id))
    return None if doc is None else _notice(stores, org_id, doc)
