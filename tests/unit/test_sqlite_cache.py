"""The SQLite store's decoded-document cache: unchanged rows are not decoded again, and nothing stale is served."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.adapters.store import codec, sqlite_cache
from shared.adapters.store.sqlite import SqliteDocumentStore
from shared.documents import Delete, Document, Put, Query


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many rows the store decoded (one entry per decode)."""
    seen: list[int] = []
    real = codec.document_from_text

    def counted(text: str) -> dict[str, object]:
        seen.append(1)
        return real(text)

    monkeypatch.setattr(sqlite_cache, "document_from_text", counted)
    return seen


def test_an_unchanged_row_is_decoded_once(tmp_path: Path, decodes: list[int]) -> None:
    store = SqliteDocumentStore(tmp_path / "c.sqlite3")
    store.write([Put("things/a", {"n": 1}), Put("things/b", {"n": 2})])
    first = list(store.query(Query("things")))
    again = list(store.query(Query("things")))
    assert [d.data["n"] for d in again] == [1, 2]
    assert len(decodes) == 2 and again[0] is first[0]
    assert store.get("things/a") is first[0]
    store.write([Put("things/a", {"n": 3})])
    changed = store.get("things/a")
    assert changed is not None and changed.data["n"] == 3  # a new version is decoded anew
    assert len(decodes) == 3
    store.close()


def test_a_rolled_back_read_is_never_served(tmp_path: Path) -> None:
    """A rollback takes back its version numbers: what a transaction read must not answer a later write's row."""
    store = SqliteDocumentStore(tmp_path / "c.sqlite3")
    store.write([Put("things/a", {"n": 1})])
    read: list[Document | None] = []

    def rolled_back() -> None:
        with store.atomic():
            store.write([Put("things/a", {"n": 2})])
            read.append(store.get("things/a"))
            raise RuntimeError("roll back")

    with pytest.raises(RuntimeError):
        rolled_back()
    inside = read[0]
    assert inside is not None and inside.data["n"] == 2
    store.write([Put("things/a", {"n": 3})])  # takes the number the rolled-back write had
    after = store.get("things/a")
    assert after is not None and after.version == inside.version and after.data["n"] == 3
    store.close()


def test_the_cache_keeps_to_its_bound_and_forgets_deletions(tmp_path: Path) -> None:
    store = SqliteDocumentStore(tmp_path / "c.sqlite3", cache_limit=200)
    store.write([Put(f"things/{i}", {"text": "x" * 40}) for i in range(20)])
    assert len(list(store.query(Query("things")))) == 20
    kept = store._docs
    assert 0 < len(kept) <= 4  # about 50 characters a row, 200 at most
    store.write([Delete("things/19")])
    assert store.get("things/19") is None and len(kept) < 4
    store.scrub()
    assert len(kept) == 0
    store.close()
