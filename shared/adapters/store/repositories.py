"""Typed stores over any DocumentStore: orgs, principals, meetings, sync state, channels,
presence, notices and devices, with encryption and the retention window applied on the way."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any

from shared.adapters.store.claims import domain_owner
from shared.adapters.store.records import RecordCodec, meeting_doc_id
from shared.documents import Delete, Filter, Order, Put, Query, WriteOp, collection_path, doc_path
from shared.domain.meetings import Meeting
from shared.domain.presence import JoinButtonNotice, Presence
from shared.domain.principals import Device, Org, Principal, PrincipalState
from shared.domain.retention import RetentionWindow, expire_at
from shared.domain.sync import SyncState, WatchChannel
from shared.errors import Conflict, NotFound, PreconditionFailed
from shared.logs import ctx, get_logger
from shared.ports import Cipher, DocumentStore

UPDATE_ATTEMPTS = 10
"""Compare-and-set rounds of :meth:`DocumentStores.update_principal` before it gives up."""

log = get_logger(__name__)


class DocumentStores:
    """The ``Stores`` port implemented once over a DocumentStore and a Cipher."""

    def __init__(self, store: DocumentStore, cipher: Cipher) -> None:
        self.documents = store
        self.cipher = cipher
        self.codec = RecordCodec(cipher)

    # ------------------------------------------------------------ orgs

    def get_org(self, org_id: str) -> Org | None:
        """Read an org."""
        doc = self.documents.get(doc_path("orgs", org_id))
        return None if doc is None else self.codec.org_from_doc(org_id, doc.data)

    def atomic(self) -> AbstractContextManager[object]:
        """One transaction for this thread's writes and a bound local bus's publishes (where the store has one)."""
        return self.documents.atomic()

    def put_org(self, org: Org, service_account_key: str | None = None, *, create: bool = False) -> None:
        """Create or replace an org; sealed secrets (and the key, unless a new one is given) are kept.

        A new org claims its domain (``domains/{domain}``) in the same atomic write, so two orgs
        never share a domain: Conflict when the id or the domain is taken.
        """
        path = doc_path("orgs", org.id)
        data = self.codec.org_to_doc(org, service_account_key)
        existing = self.documents.get(path)
        if create and existing is not None:
            raise Conflict(f"org {org.id!r} already exists")
        if create:
            owner = domain_owner(self.documents, org.domain)
            if owner is not None:
                raise Conflict(f"the domain {org.domain} already belongs to org {owner!r}")
            claim = Put(
                doc_path("domains", org.domain), {"org_id": org.id, "createdAt": org.created_at}, if_absent=True
            )
            self.documents.write([Put(path, data, if_absent=True), claim])
            return
        if existing is not None:
            for name, value in existing.data.items():
                keep = name.startswith("secret_") or (name == "serviceAccountKey" and service_account_key is None)
                if keep:
                    data[name] = value
        self.documents.write([Put(path, data)])

    def service_account_key(self, org_id: str) -> str | None:
        """Open the org's stored service-account key, if it has one."""
        doc = self.documents.get(doc_path("orgs", org_id))
        if doc is None:
            raise NotFound("no such org")
        token = doc.data.get("serviceAccountKey")
        return self.codec.open(org_id, "orgs", org_id, "serviceAccountKey", token) if token else None

    def put_org_secret(self, org_id: str, name: str, value: str | None) -> None:
        """Seal (or, with None, remove) a named secret of an org, such as its Webex access token."""
        path = doc_path("orgs", org_id)
        doc = self.documents.get(path)
        if doc is None:
            raise NotFound("no such org")
        data = {k: v for k, v in doc.data.items() if k != f"secret_{name}"}
        if value is not None:
            data[f"secret_{name}"] = self.codec.seal(org_id, "orgs", org_id, f"secret_{name}", value)
        self.documents.write([Put(path, data, if_version=doc.version)])

    def org_secret(self, org_id: str, name: str) -> str | None:
        """Open a named secret of an org, if it has one."""
        doc = self.documents.get(doc_path("orgs", org_id))
        token = doc.data.get(f"secret_{name}") if doc is not None else None
        return self.codec.open(org_id, "orgs", org_id, f"secret_{name}", token) if token else None

    def list_orgs(self) -> list[Org]:
        """Every org of the deployment."""
        return [self.codec.org_from_doc(d.id, d.data) for d in self.documents.query(Query("orgs"))]

    # ------------------------------------------------------------ principals

    def principal_id(self, org_id: str, email: str) -> str:
        """The stable id of the principal with this email (its blind index)."""
        return self.cipher.blind_index(org_id, email, "principal")

    def get_principal(self, org_id: str, principal_id: str) -> Principal | None:
        """Read a principal by id."""
        doc = self.documents.get(doc_path("orgs", org_id, "principals", principal_id))
        return None if doc is None else self.codec.principal_from_doc(org_id, principal_id, doc.data)

    def find_principal(self, org_id: str, email: str) -> Principal | None:
        """Read a principal by email."""
        return self.get_principal(org_id, self.principal_id(org_id, email))

    def put_principal(self, principal: Principal, *, if_version: str | None = None) -> None:
        """Create or replace a principal."""
        index = self.cipher.blind_index(principal.org_id, principal.email, "principal")
        path = doc_path("orgs", principal.org_id, "principals", principal.id)
        self.documents.write([Put(path, self.codec.principal_to_doc(principal, index), if_version=if_version)])

    def update_principal(
        self, org_id: str, principal_id: str, change: Callable[[Principal], Principal]
    ) -> Principal | None:
        """Apply ``change`` to the stored principal with compare-and-set, re-reading on a race; None if it is gone."""
        path = doc_path("orgs", org_id, "principals", principal_id)
        for _ in range(UPDATE_ATTEMPTS):
            doc = self.documents.get(path)
            if doc is None:
                return None
            changed = change(self.codec.principal_from_doc(org_id, principal_id, doc.data))
            index = self.cipher.blind_index(org_id, changed.email, "principal")
            try:
                self.documents.write([Put(path, self.codec.principal_to_doc(changed, index), if_version=doc.version)])
            except PreconditionFailed:
                continue
            return changed
        raise Conflict("the principal kept changing while it was being updated")

    def list_principals(self, org_id: str, *, active_only: bool = False) -> list[Principal]:
        """Principals of an org, optionally only the active ones."""
        where = (Filter("state", "==", PrincipalState.ACTIVE.value),) if active_only else ()
        docs = self.documents.query(Query(collection_path("orgs", org_id, "principals"), where))
        return [self.codec.principal_from_doc(org_id, d.id, d.data) for d in docs]

    def destroy_principal_data(self, org_id: str, principal_id: str) -> int:
        """Delete a principal's meetings, presence, notices, sync state and devices, then shred its keys."""
        meetings = Query(collection_path("orgs", org_id, "meetings"), (Filter("principal_id", "==", principal_id),))
        notices = Query(collection_path("orgs", org_id, "notices"), (Filter("recipientId", "==", principal_id),))
        devices = Query("devices", (Filter("org_id", "==", org_id), Filter("room_id", "==", principal_id)))
        decisions = Query(collection_path("orgs", org_id, "decisions"), (Filter("principal_id", "==", principal_id),))
        rooms = Query(collection_path("orgs", org_id, "roomOutcomes"), (Filter("room_id", "==", principal_id),))
        queries = (meetings, notices, devices, decisions, rooms)
        ops: list[WriteOp] = [Delete(d.path) for q in queries for d in self.documents.query(q)]
        ops += [
            Delete(doc_path("orgs", org_id, "presence", principal_id)),
            Delete(doc_path("orgs", org_id, "syncStates", principal_id)),
            Delete(doc_path("orgs", org_id, "roomPolicies", principal_id)),
        ]
        self.documents.bulk_write(ops)
        self.cipher.shred(org_id, principal_id)
        if not self.documents.scrub():  # no copy of the shredded key may stay behind in the store's files
            log.warning("the store's log was busy: the next maintenance run scrubs it", extra=ctx(org=org_id))
        return len(ops)

    def count_meetings(self, org_id: str, principal_id: str) -> int:
        """How many meetings are stored for one calendar."""
        return len(self.meeting_etags(org_id, principal_id))

    # ------------------------------------------------------------ meetings

    def put_meetings(self, meetings: Sequence[Meeting], now: datetime) -> int:
        """Store the meetings that overlap the window at ``now``; return how many were written."""
        window = RetentionWindow.at(now)
        ops: list[WriteOp] = []
        for meeting in meetings:
            if not window.overlaps(meeting.start, meeting.end):
                continue
            doc_id, data = self.codec.meeting_to_doc(meeting)
            ops.append(Put(doc_path("orgs", meeting.org_id, "meetings", doc_id), data))
        self.documents.bulk_write(ops)
        return len(ops)

    def delete_meetings(self, org_id: str, principal_id: str, event_ids: Sequence[str]) -> int:
        """Delete meetings of one calendar by event id."""
        ops: list[WriteOp] = [
            Delete(doc_path("orgs", org_id, "meetings", meeting_doc_id(principal_id, e))) for e in event_ids
        ]
        self.documents.bulk_write(ops)
        return len(ops)

    def get_meeting(self, org_id: str, principal_id: str, event_id: str, now: datetime) -> Meeting | None:
        """Read one meeting of one calendar, if it is inside the window."""
        doc_id = meeting_doc_id(principal_id, event_id)
        doc = self.documents.get(doc_path("orgs", org_id, "meetings", doc_id))
        if doc is None or doc.data["expireAt"] <= now:
            return None
        return self.codec.meeting_from_doc(org_id, doc_id, doc.data)

    def list_meetings(
        self, org_id: str, principal_id: str, start: datetime, end: datetime, now: datetime
    ) -> list[Meeting]:
        """Meetings of one calendar overlapping [start, end) and inside the window at ``now``."""
        window = RetentionWindow.at(now)
        upper = min(end, window.end)
        query = Query(
            collection_path("orgs", org_id, "meetings"),
            (Filter("principal_id", "==", principal_id), Filter("start", "<", upper)),
            (Order("start"),),
        )
        lower = max(start, window.start)
        out = []
        for doc in self.documents.query(query):
            if doc.data["end"] <= lower or doc.data["expireAt"] <= now:
                continue
            out.append(self.codec.meeting_from_doc(org_id, doc.id, doc.data))
        return out

    def meeting_etags(self, org_id: str, principal_id: str) -> dict[str, str | None]:
        """Event id → etag of every meeting stored for one calendar (for reconciliation)."""
        query = Query(collection_path("orgs", org_id, "meetings"), (Filter("principal_id", "==", principal_id),))
        return {str(doc.data["event_id"]): doc.data.get("etag") for doc in self.documents.query(query)}

    def meeting_event_ids(self, org_id: str, principal_id: str) -> set[str]:
        """Event ids stored for one calendar."""
        return set(self.meeting_etags(org_id, principal_id))

    def series_event_ids(self, org_id: str, principal_id: str, series_id: str) -> list[str]:
        """Event ids stored for one recurring series on one calendar."""
        query = Query(
            collection_path("orgs", org_id, "meetings"),
            (Filter("principal_id", "==", principal_id), Filter("series_id", "==", series_id)),
        )
        return sorted(str(doc.data["event_id"]) for doc in self.documents.query(query))

    # ------------------------------------------------------------ sync state and channels

    def get_sync_state(self, org_id: str, principal_id: str) -> tuple[SyncState, str | None]:
        """The sync state and its version (None when never written)."""
        doc = self.documents.get(doc_path("orgs", org_id, "syncStates", principal_id))
        if doc is None:
            return SyncState(org_id=org_id, principal_id=principal_id), None
        return self.codec.sync_from_doc(org_id, principal_id, doc.data), doc.version

    def put_sync_state(self, state: SyncState, *, if_version: str | None, create: bool) -> str:
        """Compare-and-set the sync state; return the new version."""
        path = doc_path("orgs", state.org_id, "syncStates", state.principal_id)
        self.documents.write([Put(path, self.codec.sync_to_doc(state), if_absent=create, if_version=if_version)])
        doc = self.documents.get(path)
        assert doc is not None
        return doc.version

    def mark_stop_requested(self, channel_id: str, at: datetime, *, seen: datetime | None) -> bool:
        """Record that a stop was asked for a channel, unless another request got there first; True if this one did."""
        path = doc_path("channels", channel_id)
        doc = self.documents.get(path)
        if doc is None or doc.data.get("stopRequestedAt") != seen:
            return False
        try:
            self.documents.write([Put(path, {**doc.data, "stopRequestedAt": at}, if_version=doc.version)])
        except PreconditionFailed:
            return False
        return True

    def put_channel(self, channel: WatchChannel) -> None:
        """Create or replace a watch channel."""
        self.documents.write([Put(doc_path("channels", channel.id), self.codec.channel_to_doc(channel))])

    def get_channel(self, channel_id: str) -> WatchChannel | None:
        """Read a channel by id."""
        doc = self.documents.get(doc_path("channels", channel_id))
        return None if doc is None else self.codec.channel_from_doc(channel_id, doc.data)

    def channels_of(self, org_id: str, principal_id: str) -> list[WatchChannel]:
        """Every channel recorded for one calendar."""
        query = Query("channels", (Filter("org_id", "==", org_id), Filter("principal_id", "==", principal_id)))
        return [self.codec.channel_from_doc(d.id, d.data) for d in self.documents.query(query)]

    # ------------------------------------------------------------ presence

    def put_presence(self, presence: Presence) -> None:
        """Replace a principal's presence."""
        path = doc_path("orgs", presence.org_id, "presence", presence.principal_id)
        self.documents.write([Put(path, self.codec.presence_to_doc(presence))])

    def get_presence(self, org_id: str, principal_id: str) -> Presence | None:
        """Read a principal's presence."""
        doc = self.documents.get(doc_path("orgs", org_id, "presence", principal_id))
        return None if doc is None else self.codec.presence_from_doc(org_id, principal_id, doc.data)

    # ------------------------------------------------------------ join-detail decisions

    def record_decision(
        self, org_id: str, principal_id: str, event_id: str, outcome: str, reason: str | None, at: datetime
    ) -> None:
        """Remember what the rewrite decided for one event (the latest per event, kept 38 days, or as long as
        the meeting the record holds; see ``meeting_records``)."""
        from shared.adapters.store.meeting_records import MeetingRecords

        MeetingRecords(self).decide(org_id, principal_id, event_id, outcome, reason, at)

    def list_decisions(self, org_id: str, principal_id: str, limit: int = 20) -> list[dict[str, object]]:
        """The latest decisions for a principal, newest first."""
        query = Query(
            collection_path("orgs", org_id, "decisions"),
            (Filter("principal_id", "==", principal_id),),
            (Order("at", descending=True),),
            limit=limit,
        )
        out: list[dict[str, object]] = []
        for doc in self.documents.query(query):
            event = self.codec.open(org_id, "decisions", doc.id, "event", doc.data["event"], principal_id)
            out.append(
                {
                    "event_id": event,
                    "outcome": doc.data["outcome"],
                    "reason": doc.data.get("reason"),
                    "at": doc.data["at"],
                }
            )
        return out

    # ------------------------------------------------------------ notices and devices

    def record_notice(self, notice: JoinButtonNotice, now: datetime) -> bool:
        """Store a notice unless one with the same identity exists; True when stored."""
        nid = hashlib.blake2b(notice.identity.encode(), digest_size=20).hexdigest()
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
            "payload": self.codec.seal(notice.org_id, "notices", nid, "payload", json.dumps(payload)),
        }
        try:
            self.documents.write([Put(doc_path("orgs", notice.org_id, "notices", nid), data, if_absent=True)])
        except Conflict:
            return False
        return True

    def put_device(self, device: Device) -> None:
        """Create or replace a device (the name is sealed; the token only as a hash)."""
        data = {
            "org_id": device.org_id,
            "room_id": device.room_id,
            "tokenHash": device.token_hash,
            "name": self.codec.seal(device.org_id, "devices", device.id, "name", device.name),
            "createdAt": device.created_at,
            "rotatedAt": device.rotated_at,
        }
        self.documents.write([Put(doc_path("devices", device.id), data)])

    def devices_of(self, org_id: str, room_id: str) -> list[Device]:
        """Every device of one room, oldest first."""
        query = Query("devices", (Filter("org_id", "==", org_id), Filter("room_id", "==", room_id)))
        devices = [self._device(d.id, d.data) for d in self.documents.query(query)]
        return sorted(devices, key=lambda d: (d.created_at or datetime.min.replace(tzinfo=UTC), d.id))

    def delete_device(self, device_id: str) -> None:
        """Delete a device."""
        self.documents.write([Delete(doc_path("devices", device_id))])

    def delete_principal(self, org_id: str, principal_id: str) -> None:
        """Delete a principal's own record."""
        self.documents.write([Delete(doc_path("orgs", org_id, "principals", principal_id))])

    def org_secret_names(self, org_id: str) -> frozenset[str]:
        """The names of an org's sealed secrets."""
        doc = self.documents.get(doc_path("orgs", org_id))
        names = doc.data if doc is not None else {}
        return frozenset(n.removeprefix("secret_") for n in names if n.startswith("secret_"))

    def get_device(self, device_id: str) -> Device | None:
        """Read a device by id."""
        doc = self.documents.get(doc_path("devices", device_id))
        if doc is None:
            return None
        return self._device(device_id, doc.data)

    def _device(self, device_id: str, data: Mapping[str, Any]) -> Device:
        org_id = data["org_id"]
        return Device(
            org_id=org_id,
            id=device_id,
            room_id=data["room_id"],
            name=self.codec.open(org_id, "devices", device_id, "name", data["name"]),
            token_hash=data["tokenHash"],
            created_at=data.get("createdAt"),
            rotated_at=data.get("rotatedAt"),
        )
