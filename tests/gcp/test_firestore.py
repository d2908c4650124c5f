"""FirestoreDocumentStore on the emulator: Firestore specifics, KMS call counts and an at-rest scan."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from emulator.kms import KmsEmulator
from shared.adapters.crypto.envelope import EnvelopeCipher
from shared.adapters.crypto.kms import CloudKmsKek
from shared.adapters.store.firestore import FirestoreDocumentStore
from shared.adapters.store.repositories import DocumentStores
from shared.clock import ManualClock
from shared.documents import Delete, Filter, Put, Query
from shared.domain.meetings import Attendee, JoinKind, JoinTarget, Meeting, ResponseStatus
from shared.domain.presence import JoinButtonNotice, NoticeKind, RecipientKind
from shared.domain.principals import CredentialRef, Org, Principal
from shared.errors import PreconditionFailed
from tests.contract.conftest import GCP_PROJECT
from tests.gcp.conftest import KEY_NAME
from tests.support.gcp_emulators import EmulatorProcess

pytestmark = pytest.mark.firestore

MARKERS = ["Quarterly-Board-Secret", "ceo.private@example.com", "https://acme.webex.com/meet/zz9", "Room-Blue-7"]
N_MEETINGS = 2000  # bench/bench_store_firestore.py runs 10,000


def _meeting(now: datetime, i: int) -> Meeting:
    start = now + timedelta(minutes=30 * (i % 600))
    return Meeting(
        org_id="o1",
        principal_id="p1",
        event_id=f"ev{i:05d}",
        start=start,
        end=start + timedelta(minutes=30),
        title=f"{MARKERS[0]} {i}",
        organizer=MARKERS[1],
        attendees=(Attendee(MARKERS[1], ResponseStatus.ACCEPTED), Attendee("room@example.com", is_room=True)),
        location=MARKERS[3],
        agenda=f"agenda {i}",
        join_targets=(JoinTarget(JoinKind.WEBEX, MARKERS[2]),),
    )


def _all_documents(emulator: EmulatorProcess) -> list[dict[str, Any]]:
    """Every document of the database, raw, through the emulator's REST API."""
    url = f"http://{emulator.host_port}/v1/projects/{GCP_PROJECT}/databases/(default)/documents:runQuery"
    rows = httpx.post(url, json={"structuredQuery": {"from": [{"allDescendants": True}]}}, timeout=120).json()
    return [row["document"] for row in rows if "document" in row]


def _texts(value: Any) -> list[str]:
    """Every string in a REST document, bytes values decoded as well."""
    if isinstance(value, dict):
        out = [t for v in value.values() for t in _texts(v)]
        if "bytesValue" in value:
            out.append(base64.b64decode(value["bytesValue"]).decode("latin-1"))
        return out
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    return [value] if isinstance(value, str) else []


def test_kms_calls_per_key_version_and_nothing_in_plaintext(
    firestore_store: FirestoreDocumentStore,
    firestore_emulator: EmulatorProcess,
    kek: CloudKmsKek,
    kms: KmsEmulator,
    clock: ManualClock,
) -> None:
    """2,000 meetings cost one wrap per key version; a cold reader one unwrap; no marker is stored in plaintext."""
    stores = DocumentStores(firestore_store, EnvelopeCipher(firestore_store, kek, clock))
    meetings = [_meeting(clock.now(), i) for i in range(N_MEETINGS)]
    assert stores.meetings.put_meetings(meetings, clock.now()) == N_MEETINGS
    assert kek.wrap_calls == 2 and kms.calls["Encrypt"] == 2  # the day's data key and the blind-index key
    stores.orgs.put_org(Org(id="o1", domain="example.com", credential=CredentialRef("stored", "")), "PEM-MARKER-123")
    stores.principals.put_principal(
        Principal(org_id="o1", id=stores.principals.principal_id("o1", MARKERS[1]), email=MARKERS[1])
    )
    assert kek.wrap_calls == 2

    cold_kek = CloudKmsKek(KEY_NAME, endpoint=kms.endpoint)
    cold = DocumentStores(firestore_store, EnvelopeCipher(firestore_store, cold_kek, clock))
    back = cold.meetings.list_meetings("o1", "p1", clock.now(), clock.now() + timedelta(days=31), clock.now())
    assert sorted(back, key=lambda m: m.event_id) == meetings
    assert cold_kek.unwrap_calls == 1 and kms.calls["Decrypt"] == 1

    documents = _all_documents(firestore_emulator)
    assert len(documents) >= N_MEETINGS + 3
    blob = "\n".join(t for doc in documents for t in _texts(doc.get("fields", {})))
    for marker in [*MARKERS, "PEM-MARKER-123", "room@example.com"]:
        assert marker not in blob


def test_values_are_native_and_version_is_update_time(
    firestore_store: FirestoreDocumentStore, firestore_emulator: EmulatorProcess
) -> None:
    """Datetimes are stored as Timestamps and bytes as bytes; the version changes on every write."""
    when = datetime(2026, 11, 24, 9, 30, 15, 123456, tzinfo=UTC)
    firestore_store.write([Put("orgs/o1/meetings/m1", {"expireAt": when, "blob": b"\x00\x01", "n": 1})])
    raw = next(d for d in _all_documents(firestore_emulator) if d["name"].endswith("/meetings/m1"))
    assert raw["fields"]["expireAt"] == {"timestampValue": "2026-11-24T09:30:15.123456Z"}
    assert raw["fields"]["blob"] == {"bytesValue": "AAE="}
    first = firestore_store.get("orgs/o1/meetings/m1")
    assert first is not None and first.data["expireAt"] == when and type(first.data["expireAt"]) is datetime
    firestore_store.write([Put("orgs/o1/meetings/m1", {"n": 2})])
    second = firestore_store.get("orgs/o1/meetings/m1")
    assert second is not None and second.version != first.version


def test_compare_and_set_replaces_the_whole_document(firestore_store: FirestoreDocumentStore) -> None:
    """A Put at the current version drops fields the new data lacks; a stale delete is refused."""
    firestore_store.write([Put("orgs/o1", {"a": 1, "b": 2})])
    doc = firestore_store.get("orgs/o1")
    assert doc is not None
    firestore_store.write([Put("orgs/o1", {"a": 3}, if_version=doc.version), Put("orgs/o2", {"x": 1})])
    after = firestore_store.get("orgs/o1")
    assert after is not None and dict(after.data) == {"a": 3}
    with pytest.raises(PreconditionFailed):
        firestore_store.write([Delete("orgs/o1", if_version=doc.version)])
    with pytest.raises(PreconditionFailed):
        firestore_store.write([Put("orgs/o1", {"a": 4}, if_version="not-a-version")])
    firestore_store.write([Delete("orgs/o1", if_version=after.version)])
    assert firestore_store.get_all(["orgs/o2", "orgs/o1", "orgs/o2"])[1] is None


def test_in_over_thirty_values_and_select(firestore_store: FirestoreDocumentStore) -> None:
    """An unordered 'in' with more than 30 values is split; select returns only the asked fields."""
    firestore_store.bulk_write([Put(f"orgs/o1/meetings/m{i:03d}", {"n": i, "s": f"v{i}"}) for i in range(80)])
    wanted = list(range(0, 80, 2))
    got = firestore_store.query(Query("orgs/o1/meetings", (Filter("n", "in", wanted),), select=("n",)))
    docs = list(got)
    assert sorted(d.data["n"] for d in docs) == wanted
    assert all(set(d.data) == {"n"} for d in docs)
    assert list(firestore_store.query(Query("orgs/o1/meetings", (Filter("n", "in", []),)))) == []


def test_purge_is_a_no_op_where_ttl_policies_purge(firestore_store: FirestoreDocumentStore) -> None:
    """Without emulated TTL, purge_expired deletes nothing and returns 0 (Firestore's TTL policy does it)."""
    past = datetime(2020, 1, 1, tzinfo=UTC)
    firestore_store.write([Put("orgs/o1/meetings/old", {"expireAt": past})])
    assert firestore_store.purge_expired(datetime(2030, 1, 1, tzinfo=UTC)) == 0
    assert firestore_store.get("orgs/o1/meetings/old") is not None


def test_dispatch_heads_read_unopened_and_open_on_demand(
    firestore_store: FirestoreDocumentStore, kek: CloudKmsKek, clock: ManualClock
) -> None:
    """Due-meeting and notice heads come from the dispatcher's queries; a head opens to the stored value."""
    stores = DocumentStores(firestore_store, EnvelopeCipher(firestore_store, kek, clock))
    now = clock.now()
    meetings = [_meeting(now, i) for i in range(3)]  # starting now, +30 and +60 minutes
    stores.meetings.put_meetings(meetings, now)
    due = stores.meetings.due_meetings("o1", now, now + timedelta(minutes=45))
    assert [(d.event_id, d.principal_id, d.start) for d in due] == [
        ("ev00000", "p1", now),
        ("ev00001", "p1", now + timedelta(minutes=30)),
    ]
    assert [stores.meetings.open_meeting("o1", d) for d in due] == meetings[:2]
    heads = stores.meetings.meeting_heads("o1", [("p1", "ev00002"), ("p1", "gone"), ("p1", "ev00000")])
    assert [h.event_id if h else None for h in heads] == ["ev00002", None, "ev00000"]
    assert heads[2] is not None and heads[2].version == due[0].version
    stores.meetings.put_meetings([meetings[0]], now)
    rewritten = stores.meetings.meeting_heads("o1", [("p1", "ev00000")])[0]
    assert rewritten is not None and rewritten.version != due[0].version
    notice = JoinButtonNotice(
        org_id="o1",
        meeting_id="ev00000",
        recipient_kind=RecipientKind.PERSON,
        recipient_id="p1",
        kind=NoticeKind.JOIN,
        start=now,
        end=now + timedelta(minutes=30),
        title=MARKERS[0],
        target=JoinTarget(JoinKind.WEBEX, MARKERS[2]),
        sent_at=now,
    )
    assert stores.notices.record_notice(notice, now)
    (head,) = stores.notices.live_notice_heads("o1", now)
    assert (head.id, head.key, head.kind) == (stores.notices.notice_id(notice), notice.key, NoticeKind.JOIN)
    assert stores.notices.open_notice("o1", head).notice == notice
