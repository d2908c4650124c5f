"""One write of the embedded store as SQL: each condition is checked by the statement that writes.

A ``Put(if_version=...)`` is an ``UPDATE ... WHERE version = ?``, a ``Put(if_absent=True)`` an
``INSERT ... ON CONFLICT DO NOTHING``, a ``Delete(if_version=...)`` a ``DELETE ... WHERE version = ?``:
no read before the write, and a statement that changed no row is the failed condition. The
version written is the caller's (one number of the store's sequence per write), so it is known
without reading the row back.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from shared.adapters.store.codec import encode_value
from shared.documents import Delete, Put, WriteOp
from shared.errors import Conflict, PreconditionFailed


def stored_version(version: str, coll: str) -> int:
    """The version counter a compare-and-set names (a version this store never answered matches nothing)."""
    if not version.isdigit() or version.startswith("0"):
        raise PreconditionFailed(f"version mismatch on {coll} document")
    return int(version)


def apply_write(
    conn: sqlite3.Connection, op: WriteOp, key: tuple[str, str, str], data: str | None, version: int
) -> None:
    """One write, its condition checked by the statement that writes (no read first)."""
    coll = key[1]
    if isinstance(op, Put) and op.if_absent and op.if_version is not None:
        raise PreconditionFailed(f"version mismatch on {coll} document")  # a stored document is never absent
    guard = None if op.if_version is None else stored_version(op.if_version, coll)
    if isinstance(op, Delete):
        if guard is None:
            conn.execute("DELETE FROM docs WHERE parent=? AND coll=? AND id=?", key)
            return
        cur = conn.execute("DELETE FROM docs WHERE parent=? AND coll=? AND id=? AND version=?", (*key, guard))
        if cur.rowcount != 1:
            raise PreconditionFailed(f"version mismatch on {coll} document")
        return
    expire = op.data.get("expireAt")
    expire_text = encode_value(expire) if isinstance(expire, datetime) else None
    if guard is not None:
        cur = conn.execute(
            "UPDATE docs SET data=?, version=?, expire_at=? WHERE parent=? AND coll=? AND id=? AND version=?",
            (data, version, expire_text, *key, guard),
        )
        if cur.rowcount != 1:
            raise PreconditionFailed(f"version mismatch on {coll} document")
        return
    values = (*key, data, version, expire_text)
    if op.if_absent:
        cur = conn.execute(
            "INSERT INTO docs (parent, coll, id, data, version, expire_at) VALUES (?,?,?,?,?,?) "
            "ON CONFLICT (parent, coll, id) DO NOTHING",
            values,
        )
        if cur.rowcount != 1:
            raise Conflict(f"{coll} document already exists")
        return
    conn.execute(
        "INSERT INTO docs (parent, coll, id, data, version, expire_at) VALUES (?,?,?,?,?,?) "
        "ON CONFLICT (parent, coll, id) DO UPDATE SET "
        "data = excluded.data, version = excluded.version, expire_at = excluded.expire_at",
        values,
    )
