"""The per-meeting record: one document per calendar and event with the latest join-detail decision
and the meeting the service holds for that event (``orgs/{org}/decisions/{id}``).

The keyword rewrite and the add-on's conference route both write it, so either path finds the
meeting the other made. The meeting (provider, reference, join details) is sealed to the
principal; its state (``reserved``, ``active``, ``released``) and when it was made stay in
plaintext for the sweep of reservations Calendar never saved. Request ids of the add-on are kept
as blind indexes with a blind index of the body they came with, so a replay with another body is
recognised without storing either. Every write is a compare-and-set that keeps what it does not
change; a record holding a live meeting is kept at least as long as that meeting may be used.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from shared.adapters.store.records import meeting_doc_id
from shared.documents import Filter, Put, Query, collection_path, doc_path
from shared.domain.conference import ConferenceRequest, HeldMeeting, MeetingRecord
from shared.domain.joindetails import JoinDetails
from shared.errors import Conflict, IntegrityError, PreconditionFailed, Unavailable
from shared.logs import ctx, get_logger

if TYPE_CHECKING:
    from shared.adapters.store.repositories import StoreBackend

KEEP = timedelta(days=38)
ATTEMPTS = 5
MAX_REQUESTS = 8
log = get_logger(__name__)


def _record_json(record: MeetingRecord) -> str:
    d = record.details
    return json.dumps(
        {
            "provider": d.provider,
            "ref": d.reference,
            "url": d.join_url,
            "sip": d.sip_uri,
            "number": d.meeting_number,
            "space": d.space,
            "source": record.source,
            "state": record.state,
            "solution": record.solution,
            "fp": record.fingerprint,
        },
        separators=(",", ":"),
    )


def _record_from(raw: str, made_at: datetime | None) -> MeetingRecord:
    data: dict[str, Any] = json.loads(raw)
    details = JoinDetails(
        provider=data["provider"],
        reference=data["ref"],
        join_url=data["url"],
        sip_uri=data.get("sip"),
        meeting_number=data.get("number"),
        space=bool(data.get("space")),
    )
    return MeetingRecord(
        details=details,
        source=data["source"],
        state=data["state"],
        solution=data.get("solution"),
        fingerprint=data.get("fp"),
        made_at=made_at,
    )


class MeetingRecords:
    """Reads and writes the per-meeting record over the typed stores."""

    def __init__(self, stores: StoreBackend) -> None:
        self._stores = stores

    def _path(self, org_id: str, principal_id: str, event_id: str) -> tuple[str, str]:
        doc_id = meeting_doc_id(principal_id, event_id)
        return doc_id, doc_path("orgs", org_id, "decisions", doc_id)

    def _request_key(self, org_id: str, request_id: str) -> str:
        return self._stores.cipher.blind_index(org_id, request_id, "conference-request")

    def _body_key(self, org_id: str, body: str) -> str:
        return self._stores.cipher.blind_index(org_id, body, "conference-body")

    def get(self, org_id: str, principal_id: str, event_id: str) -> MeetingRecord | None:
        """The meeting held for one calendar's event, or None."""
        doc_id, path = self._path(org_id, principal_id, event_id)
        doc = self._stores.documents.get(path)
        if doc is None or not doc.data.get("meeting"):
            return None
        raw = self._stores.codec.open(org_id, "decisions", doc_id, "meeting", doc.data["meeting"], principal_id)
        return _record_from(raw, doc.data.get("madeAt"))

    def conflicting(self, org_id: str, principal_id: str, event_id: str, request: ConferenceRequest) -> bool:
        """Whether ``request.request_id`` was seen before with another body (or for another event)."""
        key = self._request_key(org_id, request.request_id)
        query = Query(
            collection_path("orgs", org_id, "decisions"), (Filter("requestKeys", "array_contains", key),), limit=1
        )
        doc_id, _ = self._path(org_id, principal_id, event_id)
        for doc in self._stores.documents.query(query):
            bodies = doc.data.get("requestBodies") or {}
            return doc.id != doc_id or bodies.get(key) != self._body_key(org_id, request.body)
        return False

    def decide(
        self,
        org_id: str,
        principal_id: str,
        event_id: str,
        outcome: str,
        reason: str | None,
        at: datetime,
        *,
        meeting: MeetingRecord | None = None,
        keep_until: datetime | None = None,
        request: ConferenceRequest | None = None,
    ) -> None:
        """Record a decision, and with ``meeting`` the meeting now held (the held meeting is kept otherwise)."""
        doc_id, _ = self._path(org_id, principal_id, event_id)

        def change(data: dict[str, Any]) -> dict[str, Any]:
            data.update(
                principal_id=principal_id,
                outcome=outcome,
                reason=reason,
                at=at,
                event=self._stores.codec.seal(org_id, "decisions", doc_id, "event", event_id, principal_id),
            )
            if meeting is not None:
                sealed = self._stores.codec.seal(
                    org_id, "decisions", doc_id, "meeting", _record_json(meeting), principal_id
                )
                made = data.get("madeAt") if data.get("meeting") and meeting.made_at is None else meeting.made_at
                data.update(meeting=sealed, meetingState=meeting.state, madeAt=made or at)
                if keep_until is not None:
                    data["keepUntil"] = keep_until
            if request is not None:
                key = self._request_key(org_id, request.request_id)
                earlier = [k for k in data.get("requestKeys") or [] if k != key][-(MAX_REQUESTS - 1) :]
                keys = [*earlier, key]
                bodies = {k: v for k, v in (data.get("requestBodies") or {}).items() if k in keys}
                bodies[key] = self._body_key(org_id, request.body)
                data.update(requestKeys=keys, requestBodies=bodies)
            live = data.get("meeting") and data.get("meetingState") != "released"
            keep = data.get("keepUntil") if live else None
            data["expireAt"] = max(at + KEEP, keep) if keep else at + KEEP
            return data

        self._update(org_id, principal_id, event_id, change)

    def _update(
        self, org_id: str, principal_id: str, event_id: str, change: Callable[[dict[str, Any]], dict[str, Any]]
    ) -> None:
        _, path = self._path(org_id, principal_id, event_id)
        documents = self._stores.documents
        for _ in range(ATTEMPTS):
            doc = documents.get(path)
            data = change(dict(doc.data) if doc is not None else {})
            try:
                documents.write([Put(path, data, if_absent=doc is None, if_version=doc.version if doc else None)])
                return
            except (PreconditionFailed, Conflict):
                continue
        raise Unavailable("the meeting record kept changing; try again")

    def reserved(self, org_id: str, made_before: datetime) -> list[HeldMeeting]:
        """Meetings the add-on reserved before ``made_before`` whose event the service never saw."""
        query = Query(collection_path("orgs", org_id, "decisions"), (Filter("meetingState", "==", "reserved"),))
        out: list[HeldMeeting] = []
        for doc in self._stores.documents.query(query):
            made = doc.data.get("madeAt")
            if made is None or made >= made_before:
                continue
            principal_id = str(doc.data["principal_id"])
            codec = self._stores.codec
            try:
                event_id = codec.open(org_id, "decisions", doc.id, "event", doc.data["event"], principal_id)
                raw = codec.open(org_id, "decisions", doc.id, "meeting", doc.data["meeting"], principal_id)
            except IntegrityError:  # its principal's key is gone: deactivation's second pass deletes it
                log.warning("a reservation that cannot be opened is left out", extra=ctx(org=org_id))
                continue
            out.append(HeldMeeting(principal_id, event_id, _record_from(raw, made)))
        return out
