"""WAL checkpoints run off the request path: commits never checkpoint, one background thread does."""

from __future__ import annotations

import threading
from pathlib import Path

from shared.adapters.store.sqlite import SqliteDocumentStore
from shared.adapters.store.sqlite_pool import SqlitePool
from shared.documents import Put, doc_path

PAGE = b"x" * 4096


def _fill(pool: SqlitePool, commits: int) -> None:
    with pool.transaction() as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS blobs (n INTEGER, b BLOB)")
    for n in range(commits):
        with pool.transaction() as conn:
            conn.execute("INSERT INTO blobs VALUES (?, ?)", (n, PAGE))


def test_request_connections_never_run_automatic_checkpoints(tmp_path: Path) -> None:
    """Past SQLite's default 1,000-page threshold the WAL keeps every frame: no commit checkpointed it."""
    pool = SqlitePool(str(tmp_path / "db.sqlite3"), checkpoint_every=10**9, checkpoint_interval=3600)
    try:
        with pool.connection() as conn:
            assert conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
        _fill(pool, 1200)
        assert pool.checkpointer.passes == 0
        with pool.connection() as conn:
            _, frames, _ = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        assert frames >= 1200 * 2
    finally:
        pool.close()


def test_the_background_checkpointer_copies_the_wal_on_its_own_thread(tmp_path: Path) -> None:
    """After a burst of commits a pass on the checkpointer's thread copies every WAL frame into the database."""
    pool = SqlitePool(str(tmp_path / "db.sqlite3"), checkpoint_every=50, checkpoint_interval=3600)
    try:
        _fill(pool, 49)  # with the table's commit, the 50th commit wakes the pass and no commit runs beside it
        assert pool.checkpointer.wait_passes(1, timeout=60)
        assert pool.checkpointer.last_thread != threading.get_ident()
        busy, frames, done = pool.checkpointer.last or (1, 0, -1)
        assert busy == 0 and frames > 0 and done == frames
    finally:
        pool.close()


def test_closing_the_store_stops_the_checkpointer(tmp_path: Path) -> None:
    """The checkpointer starts with the first commit and its thread is gone once the store is closed."""
    store = SqliteDocumentStore(tmp_path / "db.sqlite3")
    checkpointer = store.pool.checkpointer
    store.write([Put(doc_path("things", "t1"), {"n": 1})])
    assert checkpointer.running
    store.close()
    assert not checkpointer.running


def test_scrub_still_truncates_the_wal_with_the_checkpointer_running(tmp_path: Path) -> None:
    """A scrub (after a crypto-shred) empties the WAL file even while background passes run."""
    store = SqliteDocumentStore(tmp_path / "db.sqlite3")
    try:
        for n in range(300):
            store.write([Put(doc_path("things", f"t{n}"), {"n": n, "pad": "p" * 2000})])
        assert store.scrub()
        assert (tmp_path / "db.sqlite3-wal").stat().st_size == 0
    finally:
        store.close()
