"""The embedded store's query indexes cover only their own collection's rows, in new and migrated databases."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from shared.adapters.store.indexes import INDEXES
from shared.adapters.store.sqlite import SqliteDocumentStore
from shared.documents import Put


def _index_sql(path: Path) -> dict[str, str]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL").fetchall()
    return {str(name): str(sql) for name, sql in rows}


def test_every_query_index_is_partial_on_its_collection(tmp_path: Path) -> None:
    """Each shared index is built with a WHERE on its collection, so a sync-state write updates none of them."""
    path = tmp_path / "store.sqlite3"
    SqliteDocumentStore(path).close()
    found = _index_sql(path)
    for spec in INDEXES:
        assert found[spec.name].endswith(f"WHERE coll = '{spec.collection}'"), found[spec.name]


def test_a_database_with_whole_table_indexes_gets_partial_ones(tmp_path: Path) -> None:
    """A schema-1 database (indexes over every row) is migrated: same names, now partial, documents kept."""
    path = tmp_path / "store.sqlite3"
    store = SqliteDocumentStore(path)
    store.write([Put("orgs/o1/meetings/m1", {"principal_id": "p1", "series_id": "s1"})])
    store.close()
    with sqlite3.connect(path) as conn:
        for spec in INDEXES:
            conn.execute(f"DROP INDEX {spec.name}")
            conn.execute(f"CREATE INDEX {spec.name} ON docs (coll, parent, json_extract(data, '$.x'))")
        conn.execute("PRAGMA user_version = 1")
    reopened = SqliteDocumentStore(path)
    try:
        assert reopened.schema_version == 2
        doc = reopened.get("orgs/o1/meetings/m1")
        assert doc is not None and doc.data["series_id"] == "s1"
    finally:
        reopened.close()
    found = _index_sql(path)
    assert all(found[spec.name].endswith(f"WHERE coll = '{spec.collection}'") for spec in INDEXES)
