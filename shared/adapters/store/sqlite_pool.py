"""SQLite connections of the embedded backend: a bounded pool, one transaction per thread, private files.

At most ``size`` connections are open at once. Each read or write borrows one for the length
of the operation and gives it back, so the number of open descriptors stays flat however many
threads (the local runtime serves a thread per HTTP connection) use the store. A thread inside
``transaction()`` keeps its connection until the transaction ends: every read and write it
makes meanwhile joins that transaction (nested writes through a savepoint, so a failed batch
leaves the rest of the transaction as it was), and callbacks given to ``after_commit`` run
once it has committed, before the next writer starts (the bus uses that to queue what a
transaction published, in commit order); callbacks given to ``after_rollback`` run if it does
not (the cipher forgets keys it made inside it).

Every connection runs with WAL, ``synchronous=NORMAL``, a busy timeout and ``secure_delete``
(deleted rows are overwritten with zeros, so shredded data does not linger in free pages), and
with ``wal_autocheckpoint=0``: commits never checkpoint, the pool's background checkpointer does
(``sqlite_checkpoint``). The database file is created 0600 and SQLite gives its ``-wal`` and
``-shm`` files the same mode.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import msgspec

from shared.adapters.store.sqlite_checkpoint import CheckpointResult, WalCheckpointer
from shared.errors import ConfigError, Unavailable

POOL_SIZE = 8
"""Connections a pool opens at most (each holds the database file and its WAL open; the ``-shm`` is shared)."""
PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
SUFFIXES = ("", "-wal", "-shm")


def private_dir(path: Path) -> None:
    """Create ``path`` (and missing parents) 0700, and take group and other access away if it exists."""
    path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    with contextlib.suppress(PermissionError):
        if path.stat().st_mode & 0o077:
            path.chmod(PRIVATE_DIR)


def private_database_file(path: Path) -> None:
    """Create the database file 0600 before SQLite opens it; tighten an existing one and its companions."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    for suffix in SUFFIXES:
        companion = Path(str(path) + suffix)
        with contextlib.suppress(FileNotFoundError, PermissionError):
            if companion.stat().st_mode & 0o077:
                companion.chmod(PRIVATE_FILE)


class _Transaction(msgspec.Struct):
    conn: sqlite3.Connection
    depth: int = 1
    callbacks: list[Callable[[], None]] = msgspec.field(default_factory=list)
    undo: list[Callable[[], None]] = msgspec.field(default_factory=list)


class SqlitePool:
    """A bounded pool of connections to one SQLite file, with per-thread transactions."""

    def __init__(
        self,
        path: str,
        *,
        size: int = POOL_SIZE,
        timeout: float = 30.0,
        checkpoint_every: int = 256,
        checkpoint_interval: float = 0.5,
    ) -> None:
        if size < 1:
            raise ValueError("a pool holds at least one connection")
        self.path = path
        self._memory = path == ":memory:"
        self._size = 1 if self._memory else size
        self._timeout = timeout
        self._idle: list[sqlite3.Connection] = []
        self._count = 0
        self._cond = threading.Condition()
        self._write_lock = threading.Lock()
        self._local = threading.local()
        self._closed = False
        self.checkpointer = WalCheckpointer(
            self._passive_checkpoint, every=checkpoint_every, interval=checkpoint_interval
        )
        if not self._memory:
            private_database_file(Path(path))

    # ------------------------------------------------------------ connections

    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(self.path, timeout=self._timeout, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(f"PRAGMA busy_timeout={int(self._timeout * 1000)}")
            conn.execute("PRAGMA secure_delete=ON")
            conn.execute("PRAGMA wal_autocheckpoint=0")
        except sqlite3.DatabaseError as exc:
            raise ConfigError(f"{self.path} is not a Hybrid Calendar database ({exc})") from None
        return conn

    def _checkout(self) -> sqlite3.Connection:
        with self._cond:
            while True:
                if self._closed:
                    raise Unavailable("the store is closed")
                if self._idle:
                    return self._idle.pop()
                if self._count < self._size:
                    self._count += 1
                    break
                if not self._cond.wait(self._timeout):
                    raise Unavailable("every store connection is busy")
        try:
            return self._connect()
        except BaseException:
            with self._cond:
                self._count -= 1
                self._cond.notify()
            raise

    def _checkin(self, conn: sqlite3.Connection) -> None:
        with self._cond:
            if self._closed:
                self._count -= 1
                with contextlib.suppress(sqlite3.Error):
                    conn.close()
                return
            self._idle.append(conn)
            self._cond.notify()

    @property
    def open_connections(self) -> int:
        """How many connections are open now (idle or in use)."""
        with self._cond:
            return self._count

    def _current(self) -> _Transaction | None:
        tx: _Transaction | None = getattr(self._local, "tx", None)
        return tx

    @contextlib.contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        """A connection for one operation: this thread's transaction's, or one borrowed from the pool."""
        tx = self._current()
        if tx is not None:
            yield tx.conn
            return
        conn = self._checkout()
        try:
            yield conn
        finally:
            self._checkin(conn)

    # ------------------------------------------------------------ transactions

    def in_transaction(self) -> bool:
        """True while this thread is inside ``transaction()``."""
        return self._current() is not None

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction on this thread (joined by nested calls through savepoints)."""
        tx = self._current()
        if tx is not None:
            yield from self._savepoint(tx)
            return
        with self._write_lock:
            conn = self._checkout()
            tx = _Transaction(conn)
            self._local.tx = tx
            try:
                try:
                    conn.execute("BEGIN IMMEDIATE")
                except sqlite3.OperationalError as exc:
                    raise Unavailable(f"the store is busy: {exc}") from exc
                try:
                    yield conn
                except BaseException:
                    with contextlib.suppress(sqlite3.Error):
                        conn.execute("ROLLBACK")
                    for undo in tx.undo:
                        undo()
                    raise
                try:
                    conn.execute("COMMIT")
                except sqlite3.Error as exc:
                    with contextlib.suppress(sqlite3.Error):
                        conn.execute("ROLLBACK")
                    for undo in tx.undo:
                        undo()
                    raise Unavailable(f"the store could not commit: {exc}") from exc
                if not self._memory:
                    self.checkpointer.committed()
                for callback in tx.callbacks:
                    callback()
            finally:
                self._local.tx = None
                self._checkin(conn)

    @staticmethod
    def _savepoint(tx: _Transaction) -> Iterator[sqlite3.Connection]:
        name = f"sp{tx.depth}"
        tx.depth += 1
        tx.conn.execute(f"SAVEPOINT {name}")
        try:
            yield tx.conn
        except BaseException:
            tx.conn.execute(f"ROLLBACK TO {name}")
            tx.conn.execute(f"RELEASE {name}")
            raise
        finally:
            tx.depth -= 1
        tx.conn.execute(f"RELEASE {name}")

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once this thread's transaction commits (now, outside one; never on rollback)."""
        tx = self._current()
        if tx is None:
            callback()
        else:
            tx.callbacks.append(callback)

    def after_rollback(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` if this thread's transaction rolls back (never outside one)."""
        tx = self._current()
        if tx is not None:
            tx.undo.append(callback)

    # ------------------------------------------------------------ maintenance

    def _passive_checkpoint(self) -> CheckpointResult:
        with self.connection() as conn:
            busy, frames, done = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        return int(busy), int(frames), int(done)

    def checkpoint(self, attempts: int = 5) -> bool:
        """Copy the WAL into the database and truncate it to zero bytes; True when it fully did."""
        with self.checkpointer.lock:
            for _ in range(attempts):
                with self.connection() as conn:
                    busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                if not busy:
                    return True
        return False

    def close(self) -> None:
        """Stop the checkpointer, then close every connection (those in use close when they come back)."""
        self.checkpointer.stop()
        with self._cond:
            self._closed = True
            idle, self._idle = self._idle, []
            self._count -= len(idle)
            self._cond.notify_all()
        for conn in idle:
            with contextlib.suppress(sqlite3.Error):
                conn.close()
