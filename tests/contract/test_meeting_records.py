"""The per-meeting record over every document store: the held meeting survives decisions, request ids, the sweep."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from shared.adapters.crypto.envelope import EnvelopeCipher
from shared.adapters.crypto.local import LocalKek
from shared.adapters.store.meeting_records import MeetingRecords
from shared.adapters.store.records import meeting_doc_id
from shared.adapters.store.repositories import DocumentStores
from shared.clock import ManualClock
from shared.documents import Query, collection_path, doc_path
from shared.domain.conference import ConferenceRequest, MeetingRecord
from shared.domain.joindetails import JoinDetails
from shared.ports import DocumentStore

SECRET = "https://acme.webex.com/join/secret-space-42"
DETAILS = JoinDetails("space", "space:secret-space-42", SECRET, "sip:secret-space-42@acme.webex.com", "2345 678 901")


def _records(store: DocumentStore, tmp_path: Path, clock: ManualClock) -> tuple[DocumentStores, MeetingRecords]:
    stores = DocumentStores(store, EnvelopeCipher(store, LocalKek.from_file(tmp_path / "kek.key"), clock))
    return stores, MeetingRecords(stores.backend)


def test_the_held_meeting_survives_plain_decisions_and_is_sealed(
    document_store: DocumentStore, tmp_path: Path, clock: ManualClock
) -> None:
    """A decision without a meeting keeps the held one; the link, event id and request id are never in plaintext."""
    stores, records = _records(document_store, tmp_path, clock)
    now = clock.now()
    meeting = MeetingRecord(DETAILS, "addon", "reserved", "webex_space", "fp1", made_at=now)
    request = ConferenceRequest("addon-req-1", "ann@example.com|evt-77|webex_space")
    records.decide("o1", "p1", "evt-77", "added", "addon_conference", now, meeting=meeting, request=request)
    stores.decisions.record_decision("o1", "p1", "evt-77", "unchanged", None, now + timedelta(minutes=1))
    held = records.get("o1", "p1", "evt-77")
    assert held == MeetingRecord(DETAILS, "addon", "reserved", "webex_space", "fp1", made_at=now)
    assert stores.decisions.list_decisions("o1", "p1")[0]["outcome"] == "unchanged"
    raw = json.dumps(
        [dict(d.data) for d in document_store.query(Query(collection_path("orgs", "o1", "decisions")))], default=str
    )
    for marker in (SECRET, "secret-space-42", "evt-77", "addon-req-1", "ann@example.com"):
        assert marker not in raw, marker


def test_a_request_id_is_a_conflict_only_with_another_body(
    document_store: DocumentStore, tmp_path: Path, clock: ManualClock
) -> None:
    """The same request id and body is no conflict; with another event's or solution's body it is."""
    _, records = _records(document_store, tmp_path, clock)
    meeting = MeetingRecord(DETAILS, "addon", "reserved", "webex_space", made_at=clock.now())
    request = ConferenceRequest("addon-req-1", "ann@example.com|evt-77|webex_space")
    assert not records.conflicting("o1", "p1", "evt-77", request)
    records.decide("o1", "p1", "evt-77", "added", None, clock.now(), meeting=meeting, request=request)
    assert not records.conflicting("o1", "p1", "evt-77", request)
    assert records.conflicting(
        "o1", "p1", "evt-78", ConferenceRequest("addon-req-1", "ann@example.com|evt-78|webex_space")
    )
    assert records.conflicting("o1", "p1", "evt-77", ConferenceRequest("addon-req-1", "ann@example.com|evt-77|other"))
    assert not records.conflicting("o2", "p1", "evt-77", request)  # request ids are per org


def test_reservations_are_found_by_age_and_a_live_meeting_outlives_the_decision_window(
    document_store: DocumentStore, tmp_path: Path, clock: ManualClock
) -> None:
    """Only reserved meetings older than the cut-off are swept; the record is kept until the meeting's keep date."""
    _, records = _records(document_store, tmp_path, clock)
    now = clock.now()
    old = MeetingRecord(DETAILS, "addon", "reserved", "webex_space", made_at=now - timedelta(days=2))
    records.decide("o1", "p1", "evt-1", "added", None, now, meeting=old)
    records.decide(
        "o1", "p1", "evt-2", "added", None, now, meeting=MeetingRecord(DETAILS, "addon", "reserved", made_at=now)
    )
    records.decide(
        "o1",
        "p1",
        "evt-3",
        "added",
        None,
        now,
        meeting=MeetingRecord(DETAILS, "keyword", made_at=now - timedelta(days=9)),
    )
    found = records.reserved("o1", now - timedelta(days=1))
    assert [(h.principal_id, h.event_id, h.record.details) for h in found] == [("p1", "evt-1", DETAILS)]
    far = now + timedelta(days=80)
    records.decide("o1", "p1", "evt-4", "added", None, now, meeting=MeetingRecord(DETAILS, "keyword"), keep_until=far)
    path = doc_path("orgs", "o1", "decisions", meeting_doc_id("p1", "evt-4"))
    assert _expiry(document_store, path) == far
    gone = MeetingRecord(DETAILS, "keyword", "released")
    records.decide("o1", "p1", "evt-4", "removed", None, now, meeting=gone)
    assert _expiry(document_store, path) == now + timedelta(days=38)


def _expiry(store: DocumentStore, path: str) -> object:
    doc = store.get(path)
    assert doc is not None
    return doc.data["expireAt"]


def test_a_reservation_whose_key_was_shredded_is_skipped_not_a_stop_for_the_rest(
    document_store: DocumentStore, tmp_path: Path, clock: ManualClock
) -> None:
    """A reservation sealed for a principal whose key is gone (written by work in flight as they were deactivated)
    cannot be opened: the sweep's listing leaves it out and still answers the others."""
    stores, records = _records(document_store, tmp_path, clock)
    now = clock.now()
    old = MeetingRecord(DETAILS, "addon", "reserved", "webex_space", made_at=now - timedelta(days=2))
    records.decide("o1", "gone", "evt-x", "added", None, now, meeting=old)
    records.decide("o1", "p1", "evt-1", "added", None, now, meeting=old)
    stores.backend.cipher.shred("o1", "gone")

    found = records.reserved("o1", now - timedelta(days=1))

    assert [(h.principal_id, h.event_id) for h in found] == [("p1", "evt-1")]
