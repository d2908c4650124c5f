"""Devices, deactivation records and org secret names over every document store."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from msgspec.structs import replace

from shared.adapters.crypto.envelope import EnvelopeCipher
from shared.adapters.crypto.local import LocalKek
from shared.adapters.store.repositories import DocumentStores
from shared.clock import ManualClock
from shared.documents import Put, Query
from shared.domain.principals import CredentialRef, Device, Org, Principal, PrincipalKind, PrincipalState
from shared.ports import DocumentStore


def _stores(store: DocumentStore, tmp_path: Path, clock: ManualClock) -> DocumentStores:
    stores = DocumentStores(store, EnvelopeCipher(store, LocalKek.from_file(tmp_path / "kek.key"), clock))
    stores.orgs.put_org(Org(id="o1", domain="example.com", credential=CredentialRef("stored", "")), create=True)
    return stores


def test_devices_of_a_room_in_order_and_deleted_one_by_one(
    document_store: DocumentStore, tmp_path: Path, clock: ManualClock
) -> None:
    """A room's devices list oldest first with their times; a deleted device is gone; names are sealed."""
    stores = _stores(document_store, tmp_path, clock)
    now = clock.now()
    made = [
        Device("o1", f"d{i}", "room1", f"Screen-Marker-{i}", f"hash{i}", created_at=now - timedelta(minutes=i))
        for i in range(3)
    ]
    for device in made:
        stores.devices.put_device(device)
    stores.devices.put_device(Device("o1", "other", "room2", "Elsewhere", "hashx", created_at=now))
    assert [d.id for d in stores.devices.devices_of("o1", "room1")] == ["d2", "d1", "d0"]
    rotated = replace(made[1], token_hash="new", rotated_at=now)
    stores.devices.put_device(rotated)
    assert stores.devices.get_device("d1") == rotated
    stores.devices.delete_device("d2")
    assert [d.id for d in stores.devices.devices_of("o1", "room1")] == ["d1", "d0"] and stores.devices.get_device(
        "d2"
    ) is None
    raw = [str(d.data) for d in document_store.query(Query("devices"))]
    assert not any("Screen-Marker" in text for text in raw)


def test_a_deactivation_record_round_trips_and_a_purge_deletes_it(
    document_store: DocumentStore, tmp_path: Path, clock: ManualClock
) -> None:
    """Who deactivated a principal and when come back as stored (who sealed); delete_principal removes the record."""
    stores = _stores(document_store, tmp_path, clock)
    pid = stores.principals.principal_id("o1", "ann@example.com")
    gone = Principal(
        "o1", pid, "ann@example.com", PrincipalKind.PERSON, PrincipalState.DEACTIVATED,
        deactivated_at=clock.now(), deactivated_by="ops.marker@example.com",
    )  # fmt: skip
    stores.principals.put_principal(gone)
    assert stores.principals.get_principal("o1", pid) == gone
    assert "ops.marker" not in str([d.data for d in document_store.query(Query("orgs/o1/principals"))])
    stores.principals.delete_principal("o1", pid)
    assert stores.principals.get_principal("o1", pid) is None and stores.principals.list_principals("o1") == []


def test_principals_deactivated_since_a_time_and_the_data_a_destroyed_one_has_again(
    document_store: DocumentStore, tmp_path: Path, clock: ManualClock
) -> None:
    """Deactivated principals are listed from a time on, that time included (the active and the older ones left
    out); a principal whose data was destroyed has data left again once its key, its sync state, a meeting or a
    notice of its is stored."""
    stores = _stores(document_store, tmp_path, clock)
    now = clock.now()
    emails = ("old@example.com", "new@example.com", "on@x.com", "back@x.com")
    ids = {e: stores.principals.principal_id("o1", e) for e in emails}
    for email, state, at in (
        ("old@example.com", PrincipalState.DEACTIVATED, now - timedelta(days=9)),
        ("new@example.com", PrincipalState.DEACTIVATED, now - timedelta(days=1)),
        ("on@x.com", PrincipalState.ACTIVE, None),
        ("back@x.com", PrincipalState.ACTIVE, now - timedelta(days=2)),  # activated again since
    ):
        principal = Principal("o1", ids[email], email, PrincipalKind.PERSON, state, deactivated_at=at)
        stores.principals.put_principal(principal)
    assert stores.principals.deactivated_since("o1", now - timedelta(days=8)) == [ids["new@example.com"]]
    assert stores.principals.deactivated_since("o1", now - timedelta(days=1)) == [ids["new@example.com"]]  # at since
    assert stores.principals.deactivated_since("o1", now - timedelta(days=1) + timedelta(microseconds=1)) == []
    assert sorted(stores.principals.deactivated_since("o1", now - timedelta(days=10))) == sorted(
        [ids["old@example.com"], ids["new@example.com"]]
    )
    new = ids["new@example.com"]
    stores.principals.destroy_principal_data("o1", new)
    assert stores.principals.principal_data_left("o1", new) is False
    assert stores.backend.cipher.encrypt("o1", b"late", b"aad", principal_id=new)  # a sealed field: a key again
    assert stores.principals.principal_data_left("o1", new) is True
    stores.principals.destroy_principal_data("o1", new)
    assert stores.principals.principal_data_left("o1", new) is False
    late = (  # what a write that made no key leaves: a sync state, a meeting, a notice
        Put(f"orgs/o1/syncStates/{new}", {"pending": True}),
        Put("orgs/o1/meetings/m1", {"principal_id": new}),
        Put("orgs/o1/notices/n1", {"recipientId": new}),
    )
    for put in late:
        document_store.write([put])
        assert stores.principals.principal_data_left("o1", new) is True, put.path
        stores.principals.destroy_principal_data("o1", new)
        assert stores.principals.principal_data_left("o1", new) is False, put.path


def test_org_secret_names_without_their_values(
    document_store: DocumentStore, tmp_path: Path, clock: ManualClock
) -> None:
    """An org's secret names are listed (never opened); removing a secret drops its name."""
    stores = _stores(document_store, tmp_path, clock)
    assert stores.orgs.org_secret_names("o1") == frozenset()
    stores.orgs.put_org_secret("o1", "webex_access_token", "tok-123456")
    assert stores.orgs.org_secret_names("o1") == frozenset({"webex_access_token"})
    stores.orgs.put_org_secret("o1", "webex_access_token", None)
    assert stores.orgs.org_secret_names("o1") == frozenset() and stores.orgs.org_secret_names("nope") == frozenset()
