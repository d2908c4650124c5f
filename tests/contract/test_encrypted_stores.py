"""Typed stores over every document store: encryption at rest, the window, shredding."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from msgspec.structs import replace

from shared.adapters.crypto.envelope import EnvelopeCipher, field_aad
from shared.adapters.crypto.local import LocalKek, load_or_create_key
from shared.adapters.store.repositories import DocumentStores
from shared.adapters.store.sqlite import SqliteDocumentStore
from shared.clock import ManualClock
from shared.documents import Put, Query, doc_path
from shared.domain.meetings import Attendee, JoinKind, JoinTarget, Meeting, ResponseStatus
from shared.domain.principals import CredentialRef, Org, Principal, PrincipalState
from shared.errors import Conflict, IntegrityError, PreconditionFailed
from shared.ports import DocumentStore

MARKERS = ["Quarterly-Board-Secret", "ceo.private@example.com", "https://acme.webex.com/meet/zz9", "Room-Blue-7"]


def _stores(store: DocumentStore, tmp_path: Path, clock: ManualClock) -> tuple[DocumentStores, LocalKek]:
    kek = LocalKek.from_file(tmp_path / "kek.key")
    return DocumentStores(store, EnvelopeCipher(store, kek, clock)), kek


def _meeting(clock: ManualClock, i: int, principal: str = "p1", **kw: object) -> Meeting:
    start = clock.now() + timedelta(hours=i)
    fields: dict[str, object] = {
        "org_id": "o1",
        "principal_id": principal,
        "event_id": f"ev{i}",
        "start": start,
        "end": start + timedelta(minutes=30),
        "title": MARKERS[0],
        "organizer": MARKERS[1],
        "attendees": (Attendee(MARKERS[1], ResponseStatus.ACCEPTED), Attendee("room@example.com", is_room=True)),
        "location": MARKERS[3],
        "agenda": f"agenda {i}",
        "join_targets": (JoinTarget(JoinKind.WEBEX, MARKERS[2]),),
    }
    fields.update(kw)
    return Meeting(**fields)  # type: ignore[arg-type]


def test_meetings_round_trip_and_nothing_sensitive_at_rest(
    document_store: DocumentStore, tmp_path: Path, clock: ManualClock
) -> None:
    """Stored meetings come back equal, and no marker string is in the raw documents."""
    stores, _ = _stores(document_store, tmp_path, clock)
    meetings = [_meeting(clock, i) for i in range(5)]
    assert stores.meetings.put_meetings(meetings, clock.now()) == 5
    back = stores.meetings.list_meetings(
        "o1", "p1", clock.now() - timedelta(days=1), clock.now() + timedelta(days=1), clock.now()
    )
    assert back == meetings
    org = Org(id="o1", domain="example.com", credential=CredentialRef("stored", ""))
    stores.orgs.put_org(org, service_account_key='{"private_key": "PEM-MARKER-123"}', create=True)
    stores.principals.put_principal(
        Principal(org_id="o1", id=stores.principals.principal_id("o1", MARKERS[1]), email=MARKERS[1])
    )
    raw = repr(
        [d.data for coll in ("orgs/o1/meetings", "orgs/o1/principals") for d in document_store.query(Query(coll))]
    )
    raw += repr(document_store.get("orgs/o1"))
    for marker in [*MARKERS, "PEM-MARKER-123"]:
        assert marker not in raw
    if isinstance(document_store, SqliteDocumentStore):
        blob = document_store.raw_bytes()
        for marker in [*MARKERS, "PEM-MARKER-123"]:
            assert marker.encode() not in blob
    assert stores.orgs.service_account_key("o1") == '{"private_key": "PEM-MARKER-123"}'
    found = stores.principals.find_principal("o1", MARKERS[1].upper())
    assert found is not None and found.email == MARKERS[1] and found.state is PrincipalState.PENDING


def test_window_is_enforced_on_write_and_read(
    document_store: DocumentStore, tmp_path: Path, clock: ManualClock
) -> None:
    """Meetings outside the window are not written, and expired ones are never returned."""
    stores, _ = _stores(document_store, tmp_path, clock)
    now = clock.now()
    inside = _meeting(clock, 1)
    too_old = _meeting(clock, 0, event_id="old", start=now - timedelta(days=9), end=now - timedelta(days=8))
    too_far = _meeting(clock, 0, event_id="far", start=now + timedelta(days=32), end=now + timedelta(days=32, hours=1))
    assert stores.meetings.put_meetings([inside, too_old, too_far], now) == 1
    wide = (now - timedelta(days=60), now + timedelta(days=60))
    assert [m.event_id for m in stores.meetings.list_meetings("o1", "p1", *wide, now)] == ["ev1"]
    later = now + timedelta(days=8, hours=2)
    assert stores.meetings.list_meetings("o1", "p1", *wide, later) == []
    assert stores.meetings.get_meeting("o1", "p1", "ev1", later) is None


def test_tampered_or_moved_ciphertexts_fail_loudly(
    document_store: DocumentStore, tmp_path: Path, clock: ManualClock
) -> None:
    """Flipping a byte, or moving a payload to another document or org, raises IntegrityError."""
    stores, _ = _stores(document_store, tmp_path, clock)
    stores.meetings.put_meetings([_meeting(clock, 1), _meeting(clock, 2)], clock.now())
    docs = list(document_store.query(Query("orgs/o1/meetings")))
    a, b = docs[0], docs[1]
    moved = dict(b.data, payload=a.data["payload"])
    document_store.write([Put(b.path, moved)])
    with pytest.raises(IntegrityError):
        stores.meetings.list_meetings("o1", "p1", clock.now(), clock.now() + timedelta(days=1), clock.now())
    token = a.data["payload"]
    flipped = token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:]
    document_store.write([Put(b.path, dict(b.data, payload=flipped))])
    with pytest.raises(IntegrityError):
        stores.meetings.list_meetings("o1", "p1", clock.now(), clock.now() + timedelta(days=1), clock.now())
    cipher = stores.cipher
    sealed = cipher.encrypt("o1", b"x", field_aad("o1", "c", "d", "f"))
    with pytest.raises(IntegrityError):
        cipher.decrypt("o2", sealed, field_aad("o2", "c", "d", "f"))


def test_shredding_makes_principal_data_unreadable(
    document_store: DocumentStore, tmp_path: Path, clock: ManualClock
) -> None:
    """After shred, a principal's ciphertexts no longer decrypt, even in a cold process."""
    stores, kek = _stores(document_store, tmp_path, clock)
    stores.meetings.put_meetings([_meeting(clock, 1, principal="p1"), _meeting(clock, 1, principal="p2")], clock.now())
    stores.cipher.shred("o1", "p1")
    cold = DocumentStores(document_store, EnvelopeCipher(document_store, kek, clock))
    rng = (clock.now(), clock.now() + timedelta(days=1), clock.now())
    with pytest.raises(IntegrityError):
        cold.meetings.list_meetings("o1", "p1", *rng)
    assert len(cold.meetings.list_meetings("o1", "p2", *rng)) == 1


def test_one_wrap_per_key_version_and_one_unwrap_when_cold(
    document_store: DocumentStore, tmp_path: Path, clock: ManualClock
) -> None:
    """Storing 2,000 meetings wraps each key once; a cold reader unwraps each key once."""
    stores, kek = _stores(document_store, tmp_path, clock)
    stores.meetings.put_meetings([_meeting(clock, i % 24, event_id=f"e{i}") for i in range(2000)], clock.now())
    assert kek.wrap_calls == 2  # the current data key and the blind-index key
    cold_kek = LocalKek(load_or_create_key(tmp_path / "kek.key"))
    cold = DocumentStores(document_store, EnvelopeCipher(document_store, cold_kek, clock))
    got = cold.meetings.list_meetings("o1", "p1", clock.now(), clock.now() + timedelta(days=2), clock.now())
    assert len(got) == 2000
    assert cold_kek.unwrap_calls == 1
    clock.advance(timedelta(days=1, hours=1))
    stores.meetings.put_meetings([_meeting(clock, 1, event_id="next-day")], clock.now())
    assert kek.wrap_calls == 3  # rotation made a new version


def test_key_file_is_private(tmp_path: Path) -> None:
    """The local key file is created 0600 and refused when others can read it."""
    path = tmp_path / "k.key"
    load_or_create_key(path)
    assert path.stat().st_mode & 0o777 == 0o600
    path.chmod(0o644)
    with pytest.raises(Exception, match="must not be readable"):
        load_or_create_key(path)


def test_sync_state_compare_and_set(document_store: DocumentStore, tmp_path: Path, clock: ManualClock) -> None:
    """Sync state is created once and then only updated at its current version; the token is sealed."""
    stores, _ = _stores(document_store, tmp_path, clock)
    state, version = stores.sync_states.get_sync_state("o1", "p1")
    assert version is None and state.sync_token is None
    v1 = stores.sync_states.put_sync_state(
        state.__class__(org_id="o1", principal_id="p1", sync_token="SECRET-TOKEN"), if_version=None, create=True
    )
    with pytest.raises(Conflict):
        stores.sync_states.put_sync_state(state, if_version=None, create=True)
    loaded, v = stores.sync_states.get_sync_state("o1", "p1")
    assert loaded.sync_token == "SECRET-TOKEN" and v == v1
    stores.sync_states.put_sync_state(loaded, if_version=v1, create=False)
    with pytest.raises(PreconditionFailed):
        stores.sync_states.put_sync_state(loaded, if_version=v1, create=False)
    doc = document_store.get(doc_path("orgs", "o1", "syncStates", "p1"))
    assert doc is not None and "SECRET-TOKEN" not in repr(doc.data)


def test_update_principal_is_compare_and_set(document_store: DocumentStore, tmp_path: Path, clock: ManualClock) -> None:
    """A change made between update_principal's read and write is kept: the update re-reads and applies again."""
    stores, _ = _stores(document_store, tmp_path, clock)
    stores.principals.put_principal(Principal(org_id="o1", id="p1", email="ann@example.com"))
    rounds: list[int] = []

    def request_deactivation(current: Principal) -> Principal:
        rounds.append(1)
        if len(rounds) == 1:  # a validation result lands between this round's read and its write
            stores.principals.put_principal(
                Principal(org_id="o1", id="p1", email="ann@example.com", state=PrincipalState.ACTIVE)
            )
        return replace(current, deactivated_by="ops@example.com")

    updated = stores.principals.update_principal("o1", "p1", request_deactivation)
    assert len(rounds) == 2 and updated is not None
    back = stores.principals.get_principal("o1", "p1")
    assert back is not None and (back.state, back.deactivated_by) == (PrincipalState.ACTIVE, "ops@example.com")
    assert stores.principals.update_principal("o1", "gone", request_deactivation) is None
