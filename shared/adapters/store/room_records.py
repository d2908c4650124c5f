"""The room-release ledger over any DocumentStore (the ``RoomLedger`` port).

Policies live at ``orgs/{org}/roomPolicies/{_default|room id}`` (``minutes``: null is off). Each
room's meeting instance has at most one outcome at ``orgs/{org}/roomOutcomes/{id}`` (the id is a
hash of room and event id): created with create-if-absent and moved with compare-and-set, so a
check-in and a release racing for one instance cannot both win. The event id is sealed to the
room; the outcome, the day and the times stay in plaintext for the report. Records expire with the
meeting window.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from shared.adapters.store.records import meeting_doc_id
from shared.documents import Delete, Document, Filter, Put, Query, collection_path, doc_path
from shared.domain.retention import expire_at
from shared.domain.rooms import Outcome, OutcomeRecord, ReleasePolicy
from shared.errors import Conflict, PreconditionFailed

if TYPE_CHECKING:
    from shared.adapters.store.repositories import StoreBackend

OUTCOMES = "roomOutcomes"
POLICIES = "roomPolicies"
DEFAULT = "_default"


class RoomRecords:
    """``RoomLedger`` over the typed stores' document store and codec."""

    def __init__(self, backend: StoreBackend) -> None:
        self._stores = backend

    @property
    def _documents(self) -> Any:
        return self._stores.documents

    # ------------------------------------------------------------ policies

    def policy(self, org_id: str, room_id: str | None) -> ReleasePolicy | None:
        """The org's default or the room's override; None when none was set."""
        doc = self._documents.get(doc_path("orgs", org_id, POLICIES, room_id or DEFAULT))
        if doc is None:
            return None
        minutes = doc.data.get("minutes")
        return ReleasePolicy(None if minutes is None else timedelta(minutes=int(minutes)))

    def set_policy(self, org_id: str, room_id: str | None, policy: ReleasePolicy | None) -> None:
        """Set (or remove) the org's default or the room's override."""
        path = doc_path("orgs", org_id, POLICIES, room_id or DEFAULT)
        if policy is None:
            self._documents.write([Delete(path)])
        else:
            self._documents.write([Put(path, {"room_id": room_id, "minutes": policy.minutes})])

    # ------------------------------------------------------------ outcomes

    def _path(self, org_id: str, room_id: str, event_id: str) -> tuple[str, str]:
        doc_id = meeting_doc_id(room_id, event_id)
        return doc_id, doc_path("orgs", org_id, OUTCOMES, doc_id)

    def _data(self, record: OutcomeRecord) -> dict[str, Any]:
        doc_id, _ = self._path(record.org_id, record.room_id, record.event_id)
        event = self._stores.codec.seal(record.org_id, OUTCOMES, doc_id, "event", record.event_id, record.room_id)
        return {
            "room_id": record.room_id,
            "event": event,
            "outcome": record.outcome.value,
            "at": record.at,
            "day": record.day,
            "start": record.start,
            "device_id": record.device_id,
            "detail": record.detail,
            "expireAt": expire_at(record.start + timedelta(days=1)),
        }

    def _record(self, org_id: str, doc: Document, event_id: str | None = None) -> OutcomeRecord:
        data = doc.data
        room_id = str(data["room_id"])
        if event_id is None:
            event_id = self._stores.codec.open(org_id, OUTCOMES, doc.id, "event", data["event"], room_id)
        return OutcomeRecord(
            org_id=org_id,
            room_id=room_id,
            event_id=event_id,
            outcome=Outcome(data["outcome"]),
            at=data["at"],
            day=str(data["day"]),
            start=data["start"],
            device_id=data.get("device_id"),
            detail=data.get("detail"),
        )

    def outcomes(self, org_id: str, room_id: str, event_ids: Sequence[str]) -> dict[str, OutcomeRecord]:
        """The recorded outcomes of these instances of one room, by event id (one batched read)."""
        paths = [self._path(org_id, room_id, e)[1] for e in event_ids]
        found: dict[str, OutcomeRecord] = {}
        for event_id, doc in zip(event_ids, self._documents.get_all(paths) if paths else [], strict=True):
            if doc is not None:
                found[event_id] = self._record(org_id, doc, event_id)
        return found

    def claim(self, record: OutcomeRecord, *, replacing: Collection[Outcome] = ()) -> bool:
        """Create the instance's record, or replace one holding an outcome in ``replacing``; True if this call won."""
        _, path = self._path(record.org_id, record.room_id, record.event_id)
        doc = self._documents.get(path)
        if doc is not None and Outcome(doc.data["outcome"]) not in replacing:
            return False
        put = Put(path, self._data(record), if_absent=doc is None, if_version=doc.version if doc else None)
        try:
            self._documents.write([put])
        except (Conflict, PreconditionFailed):
            return False
        return True

    def settle(self, record: OutcomeRecord, *, expected: Outcome) -> bool:
        """Move the instance from ``expected`` to ``record.outcome``; False if it holds something else."""
        _, path = self._path(record.org_id, record.room_id, record.event_id)
        doc = self._documents.get(path)
        if doc is None or doc.data.get("outcome") != expected.value:
            return False
        try:
            self._documents.write([Put(path, self._data(record), if_version=doc.version)])
        except (Conflict, PreconditionFailed):
            return False
        return True

    def withdraw(self, org_id: str, room_id: str, event_id: str, *, expected: Outcome) -> None:
        """Remove the instance's record if it still holds ``expected``."""
        _, path = self._path(org_id, room_id, event_id)
        doc = self._documents.get(path)
        if doc is None or doc.data.get("outcome") != expected.value:
            return
        try:
            self._documents.write([Delete(path, if_version=doc.version)])
        except (Conflict, PreconditionFailed):
            return

    def list(self, org_id: str, first_day: str, last_day: str, room_id: str | None = None) -> list[OutcomeRecord]:
        """Records counted on ``first_day``..``last_day`` (one single-field range query), oldest first."""
        where = (Filter("day", ">=", first_day), Filter("day", "<=", last_day))
        docs = self._documents.query(Query(collection_path("orgs", org_id, OUTCOMES), where))
        records = [self._record(org_id, d) for d in docs if room_id is None or d.data.get("room_id") == room_id]
        return sorted(records, key=lambda r: (r.start, r.room_id))
