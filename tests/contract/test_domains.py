"""One org per domain on every document store: a claim created with the org, and deterministic lookups."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest

from shared.adapters.crypto.envelope import EnvelopeCipher
from shared.adapters.crypto.local import LocalKek
from shared.adapters.store.repositories import DocumentStores
from shared.adapters.store.sqlite import SqliteDocumentStore
from shared.clock import ManualClock
from shared.documents import Put, doc_path
from shared.domain.principals import CredentialRef, Org
from shared.errors import Conflict
from shared.ports import DocumentStore
from tests.support.instant import T0


def _stores(store: DocumentStore, tmp_path: Path) -> DocumentStores:
    clock = ManualClock(T0)
    return DocumentStores(store, EnvelopeCipher(store, LocalKek.from_file(tmp_path / "kek.key"), clock))


def _org(org_id: str, domain: str = "example.com", minutes: int = 0) -> Org:
    return Org(
        id=org_id,
        domain=domain,
        credential=CredentialRef("keyless", "sa@p.iam"),
        created_at=T0 + timedelta(minutes=minutes),
    )


def test_a_second_org_with_a_served_domain_conflicts(document_store: DocumentStore, tmp_path: Path) -> None:
    """Creating another org for a domain that already has one raises Conflict and stores nothing."""
    stores = _stores(document_store, tmp_path)
    stores.orgs.put_org(_org("first"), create=True)
    with pytest.raises(Conflict, match=r"example\.com"):
        stores.orgs.put_org(_org("second", minutes=1), create=True)
    assert stores.orgs.get_org("second") is None
    stores.orgs.put_org(_org("first", minutes=5))  # a later update keeps the claim
    found = stores.orgs.org_by_domain("EXAMPLE.com")
    assert found is not None and found.id == "first"
    stores.orgs.put_org(_org("other", domain="other.org"), create=True)
    assert [o.id for o in sorted(stores.orgs.list_orgs(), key=lambda o: o.id)] == ["first", "other"]


def test_concurrent_creates_for_one_domain_leave_exactly_one_org(document_store: DocumentStore, tmp_path: Path) -> None:
    """Eight orgs created at once for one domain: one wins, seven get Conflict."""
    stores = _stores(document_store, tmp_path)
    outcomes: list[str] = []
    lock = threading.Lock()

    def create(n: int) -> None:
        try:
            stores.orgs.put_org(_org(f"org-{n}"), create=True)
            result = "created"
        except Conflict:
            result = "conflict"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=create, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["conflict"] * 7 + ["created"]
    winner = stores.orgs.org_by_domain("example.com")
    assert winner is not None and stores.orgs.get_org(winner.id) is not None


def test_orgs_that_share_a_domain_from_before_claims_resolve_to_the_oldest(
    document_store: DocumentStore, tmp_path: Path
) -> None:
    """Org documents written without a claim: SQLite's unique index refuses the second; elsewhere the oldest wins."""
    stores = _stores(document_store, tmp_path)
    older, newer = stores.codec.org_to_doc(_org("older"), None), stores.codec.org_to_doc(_org("newer", minutes=9), None)
    document_store.write([Put(doc_path("orgs", "older"), older)])
    if isinstance(document_store, SqliteDocumentStore):
        with pytest.raises(Conflict):
            document_store.write([Put(doc_path("orgs", "newer"), newer)])
        return
    document_store.write([Put(doc_path("orgs", "newer"), newer)])
    stores.orgs.put_org(_org("newer", minutes=30))  # touched last: the lookup must not follow the update time
    for _ in range(5):
        found = stores.orgs.org_by_domain("example.com")
        assert found is not None and found.id == "older"
