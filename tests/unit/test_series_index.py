"""The series lookup (meetings of one principal in one recurring series) is served by its own index."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from shared.adapters.store.indexes import INDEXES
from shared.adapters.store.sqlite import SqliteDocumentStore, _field_expr


def test_series_lookup_uses_the_principal_series_index(tmp_path: Path) -> None:
    """SQLite plans the principal + series equality query on ix_meetings_principal_id_series_id, not a scan."""
    assert "ix_meetings_principal_id_series_id" in {spec.name for spec in INDEXES}
    path = tmp_path / "store.sqlite3"
    SqliteDocumentStore(path)
    sql = (
        "EXPLAIN QUERY PLAN SELECT parent, coll, id, data, version FROM docs WHERE coll = ? AND parent = ? "
        f"AND {_field_expr('principal_id')} = ? AND {_field_expr('series_id')} = ?"
    )
    with sqlite3.connect(path) as conn:
        plan = " ".join(row[-1] for row in conn.execute(sql, ("meetings", "orgs/o1", "p1", "s1")))
    assert "ix_meetings_principal_id_series_id" in plan, plan
