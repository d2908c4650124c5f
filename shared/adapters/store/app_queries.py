"""Store reads the app API and the join-button dispatcher need, over ``DocumentStores``.

Kept beside the repositories rather than in them: orgs by domain, devices by token hash or
room, meetings with a join target starting in a range (the dispatcher's query), and the
notices a recipient was sent (what the streams replay). Each query's composite index is in
``indexes.py``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

import orjson

from shared.adapters.store.claims import domain_owner
from shared.adapters.store.records import meeting_doc_id
from shared.adapters.store.repositories import DocumentStores
from shared.documents import Document, Filter, Order, Query, collection_path, doc_path
from shared.domain.meeting_rows import MeetingRow
from shared.domain.meetings import JoinKind, JoinTarget, Meeting, MeetingStatus
from shared.domain.presence import JoinButtonNotice, NoticeKind, RecipientKind
from shared.domain.principals import Device, Org
from shared.domain.retention import RetentionWindow


@dataclass(frozen=True, slots=True)
class StoredNotice:
    """A notice as stored: its document id (the stream's cursor part) and the notice."""

    id: str
    notice: JoinButtonNotice


def org_by_domain(stores: DocumentStores, domain: str) -> Org | None:
    """The org serving ``domain``, if any: always the same one (its domain claim, else the oldest)."""
    org_id = domain_owner(stores.documents, domain)
    return None if org_id is None else stores.get_org(org_id)


def _device(stores: DocumentStores, doc: Document) -> Device:
    org_id = doc.data["org_id"]
    return Device(
        org_id=org_id,
        id=doc.id,
        room_id=doc.data["room_id"],
        name=stores.codec.open(org_id, "devices", doc.id, "name", doc.data["name"]),
        token_hash=doc.data["tokenHash"],
    )


def device_by_token_hash(stores: DocumentStores, token_hash: str) -> Device | None:
    """The device whose token hashes to ``token_hash``."""
    for doc in stores.documents.query(Query("devices", (Filter("tokenHash", "==", token_hash),), limit=1)):
        return _device(stores, doc)
    return None


def devices_of_room(stores: DocumentStores, org_id: str, room_id: str) -> list[Device]:
    """Every device of one room."""
    query = Query("devices", (Filter("org_id", "==", org_id), Filter("room_id", "==", room_id)))
    return sorted((_device(stores, d) for d in stores.documents.query(query)), key=lambda d: d.id)


def due_meeting_docs(stores: DocumentStores, org_id: str, lower: datetime, upper: datetime) -> list[Document]:
    """The stored, unopened meetings of an org with a join target starting in [lower, upper], not cancelled.

    Only plaintext fields are read here (ids, times, state); ``open_meeting`` opens one when needed.
    """
    query = Query(
        collection_path("orgs", org_id, "meetings"),
        (Filter("hasJoinTarget", "==", True), Filter("start", ">=", lower), Filter("start", "<=", upper)),
        (Order("start"),),
    )
    return [d for d in stores.documents.query(query) if d.data.get("status") != MeetingStatus.CANCELLED.value]


def meeting_docs(stores: DocumentStores, org_id: str, keys: list[tuple[str, str]]) -> list[Document | None]:
    """The stored meetings of (calendar, event) pairs, unopened, in the order asked (one batched read)."""
    paths = [doc_path("orgs", org_id, "meetings", meeting_doc_id(p, e)) for p, e in keys]
    return stores.documents.get_all(paths) if paths else []


def open_meeting(stores: DocumentStores, org_id: str, doc: Document) -> Meeting:
    """The meeting a stored meeting document holds (its payload opened)."""
    return stores.codec.meeting_from_doc(org_id, doc.id, doc.data)


def meeting_rows(
    stores: DocumentStores, org_id: str, principal_id: str, start: datetime, end: datetime, now: datetime
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


def meetings_starting(stores: DocumentStores, org_id: str, lower: datetime, upper: datetime) -> list[Meeting]:
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


def _notice(stores: DocumentStores, org_id: str, doc: Document) -> StoredNotice:
    data = doc.data
    payload = json.loads(stores.codec.open(org_id, "notices", doc.id, "payload", data["payload"]))
    raw = payload.get("target")
    target = JoinTarget(JoinKind(raw[0]), raw[1], raw[2]) if raw else None
    notice = JoinButtonNotice(
        org_id=org_id,
        meeting_id=data["meeting_id"],
        recipient_kind=RecipientKind(data["recipientKind"]),
        recipient_id=data["recipientId"],
        kind=NoticeKind(data["kind"]),
        start=data["start"],
        end=data["end"],
        title=payload.get("title", ""),
        target=target,
        sent_at=data["sent_at"],
    )
    return StoredNotice(doc.id, notice)


@dataclass(frozen=True, slots=True)
class NoticeHead:
    """A stored notice's plaintext fields, its payload not opened: enough to rank and to match identities."""

    id: str
    meeting_id: str
    recipient_kind: RecipientKind
    recipient_id: str
    kind: NoticeKind
    start: datetime
    end: datetime
    sent_at: datetime
    doc: Document

    @property
    def key(self) -> str:
        """The recipient's view of the meeting (``JoinButtonNotice.key``)."""
        return f"{self.meeting_id}|{self.recipient_kind}|{self.recipient_id}"


def live_notice_heads(stores: DocumentStores, org_id: str, now: datetime) -> list[NoticeHead]:
    """Every notice of an org whose meeting had not ended at ``now``, unopened (one query, no decryption)."""
    query = Query(collection_path("orgs", org_id, "notices"), (Filter("end", ">", now),))
    out = []
    for doc in stores.documents.query(query):
        data = doc.data
        out.append(
            NoticeHead(
                id=doc.id,
                meeting_id=data["meeting_id"],
                recipient_kind=RecipientKind(data["recipientKind"]),
                recipient_id=data["recipientId"],
                kind=NoticeKind(data["kind"]),
                start=data["start"],
                end=data["end"],
                sent_at=data["sent_at"],
                doc=doc,
            )
        )
    return out


def open_notice(stores: DocumentStores, org_id: str, head: NoticeHead) -> StoredNotice:
    """The whole notice behind a head (its payload opened)."""
    return _notice(stores, org_id, head.doc)


def live_notices(stores: DocumentStores, org_id: str, now: datetime) -> list[StoredNotice]:
    """Every notice of an org whose meeting had not ended at ``now`` (the corrections pass)."""
    query = Query(collection_path("orgs", org_id, "notices"), (Filter("end", ">", now),))
    return [_notice(stores, org_id, d) for d in stores.documents.query(query)]


def notices_for(
    stores: DocumentStores, org_id: str, kind: RecipientKind, recipient_id: str, since: datetime | None = None
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


def get_notice(stores: DocumentStores, org_id: str, notice_id: str) -> StoredNotice | None:
    """One notice by its document id."""
    doc = stores.documents.get(doc_path("orgs", org_id, "notices", notice_id))
    return None if doc is None else _notice(stores, org_id, doc)
