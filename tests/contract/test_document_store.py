"""The document-store contract: every adapter behaves the same."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from shared.documents import Delete, Filter, Order, Put, Query
from shared.errors import Conflict, InvalidInput, PreconditionFailed
from shared.ports import DocumentStore

T = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def _seed(store: DocumentStore, n: int = 10) -> None:
    store.write(
        [
            Put(
                f"orgs/o1/meetings/m{i:02d}",
                {
                    "principal_id": "p1" if i % 2 else "p2",
                    "start": T + timedelta(hours=i),
                    "n": i,
                    "tags": ["a", f"t{i}"],
                    "blob": bytes([i]),
                    "expireAt": T + timedelta(days=i),
                },
            )
            for i in range(n)
        ]
    )


def test_put_get_round_trips_every_value_type(document_store: DocumentStore) -> None:
    """Strings, numbers, booleans, None, bytes, aware datetimes, lists and maps come back equal."""
    data = {
        "s": "ü",
        "i": 7,
        "f": 1.5,
        "b": True,
        "none": None,
        "bytes": b"\x00\xff",
        "t": T,
        "list": [1, "x", T],
        "map": {"k": [b"v"]},
    }
    document_store.write([Put("orgs/o1", data)])
    doc = document_store.get("orgs/o1")
    assert doc is not None
    assert dict(doc.data) == data
    assert doc.data["t"].tzinfo is not None
    assert document_store.get("orgs/missing") is None


def test_create_if_absent_conflicts(document_store: DocumentStore) -> None:
    """A create-if-absent of an existing document raises Conflict and changes nothing."""
    document_store.write([Put("orgs/o1", {"v": 1}, if_absent=True)])
    with pytest.raises(Conflict):
        document_store.write([Put("orgs/o1", {"v": 2}, if_absent=True)])
    doc = document_store.get("orgs/o1")
    assert doc is not None and doc.data["v"] == 1


def test_compare_and_set(document_store: DocumentStore) -> None:
    """A write at a stale version fails; at the current version it succeeds and bumps it."""
    document_store.write([Put("orgs/o1", {"v": 1})])
    first = document_store.get("orgs/o1")
    assert first is not None
    document_store.write([Put("orgs/o1", {"v": 2}, if_version=first.version)])
    second = document_store.get("orgs/o1")
    assert second is not None and second.version != first.version
    with pytest.raises(PreconditionFailed):
        document_store.write([Put("orgs/o1", {"v": 3}, if_version=first.version)])
    with pytest.raises(PreconditionFailed):
        document_store.write([Delete("orgs/o1", if_version=first.version)])
    doc = document_store.get("orgs/o1")
    assert doc is not None and doc.data["v"] == 2


def test_write_answers_the_versions_it_wrote(document_store: DocumentStore) -> None:
    """Each Put answers the version a read then finds (None for a Delete), and that version guards the next write."""
    created, plain = document_store.write([Put("orgs/o1", {"v": 1}, if_absent=True), Put("orgs/o2", {"v": 1})])
    stored = [document_store.get("orgs/o1"), document_store.get("orgs/o2")]
    assert [doc.version if doc else None for doc in stored] == [created, plain]
    assert created is not None and plain is not None  # a version is per document: one commit may share it
    (swapped,) = document_store.write([Put("orgs/o1", {"v": 2}, if_version=created)])
    after = document_store.get("orgs/o1")
    assert after is not None and after.version == swapped and swapped != created
    assert document_store.write([Put("orgs/o1", {"v": 3}, if_version=swapped), Delete("orgs/o2")]) == [
        document_store.get("orgs/o1").version,  # type: ignore[union-attr]
        None,
    ]
    with pytest.raises(PreconditionFailed):
        document_store.write([Put("orgs/o1", {"v": 4}, if_version=swapped)])
    with pytest.raises(PreconditionFailed):
        document_store.write([Put("orgs/missing", {"v": 1}, if_version=swapped)])
    assert document_store.get("orgs/missing") is None


def test_batches_are_atomic(document_store: DocumentStore) -> None:
    """When one write of a batch fails its precondition, none of the batch applies."""
    document_store.write([Put("orgs/o1", {"v": 1})])
    with pytest.raises(Conflict):
        document_store.write([Put("orgs/o2", {"v": 1}), Put("orgs/o1", {"v": 9}, if_absent=True)])
    assert document_store.get("orgs/o2") is None
    with pytest.raises(InvalidInput):
        document_store.write([Put(f"orgs/x{i}", {}) for i in range(501)])


def test_queries_filter_order_and_limit(document_store: DocumentStore) -> None:
    """Equality, ranges on datetimes, ordering and limits select the right documents."""
    _seed(document_store)
    q = Query(
        "orgs/o1/meetings",
        (Filter("principal_id", "==", "p1"), Filter("start", ">=", T + timedelta(hours=3))),
        (Order("start", descending=True),),
        limit=2,
    )
    assert [d.id for d in document_store.query(q)] == ["m09", "m07"]
    q_in = Query("orgs/o1/meetings", (Filter("n", "in", [1, 4, 99]),), (Order("n"),))
    assert [d.data["n"] for d in document_store.query(q_in)] == [1, 4]
    q_arr = Query("orgs/o1/meetings", (Filter("tags", "array_contains", "t3"),))
    assert [d.id for d in document_store.query(q_arr)] == ["m03"]
    q_lt = Query("orgs/o1/meetings", (Filter("n", "<", 2),), (Order("n"),))
    assert [d.id for d in document_store.query(q_lt)] == ["m00", "m01"]


def test_collections_are_scoped_and_groups_span_parents(document_store: DocumentStore) -> None:
    """A collection query sees only its parent; a group query sees every parent."""
    document_store.write([Put("orgs/a/meetings/x", {"n": 1}), Put("orgs/b/meetings/y", {"n": 2})])
    assert [d.path for d in document_store.query(Query("orgs/a/meetings"))] == ["orgs/a/meetings/x"]
    group = sorted(d.path for d in document_store.query(Query("meetings", group=True)))
    assert group == ["orgs/a/meetings/x", "orgs/b/meetings/y"]


def test_delete_and_bulk_write(document_store: DocumentStore) -> None:
    """Deletes remove documents; bulk writes go beyond one batch."""
    document_store.bulk_write([Put(f"orgs/o1/meetings/m{i}", {"n": i}) for i in range(1200)])
    assert sum(1 for _ in document_store.query(Query("orgs/o1/meetings"))) == 1200
    document_store.bulk_write([Delete(f"orgs/o1/meetings/m{i}") for i in range(1000)])
    assert sum(1 for _ in document_store.query(Query("orgs/o1/meetings"))) == 200


def test_purge_expired(document_store: DocumentStore) -> None:
    """Documents whose expireAt passed are purged; others and those without the field stay."""
    _seed(document_store, 5)
    document_store.write([Put("orgs/o1", {"keep": True})])
    purged = document_store.purge_expired(T + timedelta(days=2))
    left = sorted(d.id for d in document_store.query(Query("orgs/o1/meetings")))
    assert left == ["m03", "m04"]
    assert purged in (3, 0)  # 0 where a TTL policy does the purging
    assert document_store.get("orgs/o1") is not None


def test_concurrent_compare_and_set_has_one_winner(document_store: DocumentStore) -> None:
    """Of many writers racing from one version, exactly one wins."""
    document_store.write([Put("orgs/o1", {"owner": None})])
    base = document_store.get("orgs/o1")
    assert base is not None
    wins: list[int] = []

    def race(i: int) -> None:
        try:
            document_store.write([Put("orgs/o1", {"owner": i}, if_version=base.version)])
            wins.append(i)
        except PreconditionFailed:
            pass

    threads = [threading.Thread(target=race, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(wins) == 1
    doc = document_store.get("orgs/o1")
    assert doc is not None and doc.data["owner"] == wins[0]
