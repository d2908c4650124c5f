"""The embedded data directory: private modes, one process at a time, and a key file that fits the database.

``open_data_dir`` runs before anything else is opened: the directory is made (or tightened to)
0700; it is locked for this process (``flock`` on ``.lock``, released by the kernel when the
process dies, even by ``kill -9``), because the durable bus delivers from this database and
leases treat every other process as gone; and when a database is already there its key file
must be there too, readable, well-formed and private, or start-up stops with one clear line.
``check_key_fits`` then proves the key opens a data key the database holds.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

from shared.adapters.store.sqlite_pool import PRIVATE_FILE, private_dir
from shared.documents import Query
from shared.errors import ConfigError, IntegrityError, Unavailable
from shared.ports import DocumentStore, KeyEncryptionKey


class NoLock:
    """What a deployment without a data directory (the gcp backend) holds: nothing to release."""

    def release(self) -> None:
        """Nothing to let go of."""


class DataDirLock:
    """An exclusive lock on a data directory, held while this process serves it."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / ".lock"
        self._fd: int | None = None

    def acquire(self) -> DataDirLock:
        """Take the lock; ConfigError when another process holds it."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise ConfigError(
                f"the data directory {self.path.parent} is in use by another hybrid-calendar process (pid {holder})"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        """Let go of the lock (idempotent)."""
        if self._fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._fd, fcntl.LOCK_UN)
                os.close(self._fd)
            self._fd = None


def open_data_dir(directory: Path, database: Path, key_file: Path) -> DataDirLock:
    """Make the directory private, lock it, and refuse a database whose key file is missing or unusable."""
    try:
        private_dir(directory)
    except OSError as exc:
        raise ConfigError(f"the data directory {directory} cannot be created ({exc.strerror})") from None
    lock = DataDirLock(directory).acquire()
    try:
        if database.exists() and database.stat().st_size > 0:
            _require_key_file(key_file, database)
    except BaseException:
        lock.release()
        raise
    return lock


def _require_key_file(key_file: Path, database: Path) -> None:
    if not key_file.exists():
        raise ConfigError(
            f"the key file {key_file} is missing but the database {database} exists; restore the key file "
            "(without it the stored data cannot be read) or move the database away to start afresh"
        )
    try:
        with key_file.open("rb"):
            pass
    except OSError as exc:
        raise ConfigError(f"the key file {key_file} cannot be read ({exc.strerror})") from None


def check_key_fits(documents: DocumentStore, kek: KeyEncryptionKey, key_file: Path) -> None:
    """ConfigError when the database holds data keys and the key file cannot open the first of them."""
    from shared.adapters.crypto.envelope import field_aad

    try:
        first = next(iter(documents.query(Query("keys", group=True, limit=1))), None)
    except Unavailable as exc:
        raise ConfigError(f"the database cannot be read ({exc.message}); restore it from a backup") from None
    for doc in [first] if first is not None else []:
        org_id, version = doc.path.split("/")[1], doc.id
        try:
            kek.unwrap(bytes(doc.data["wrapped"]), field_aad(org_id, "keys", version, "wrapped"))
        except IntegrityError:
            raise ConfigError(
                f"the key file {key_file} does not open this database's keys; restore the key file it was made with"
            ) from None


def open_embedded(
    directory: Path, database: Path, key_file: Path
) -> tuple[DocumentStore, KeyEncryptionKey, DataDirLock]:
    """The embedded store and key for a data directory, checked as the module says; the lock comes along."""
    from shared.adapters.crypto.local import LocalKek
    from shared.adapters.store.sqlite import SqliteDocumentStore

    had_database = database.exists() and database.stat().st_size > 0
    lock = open_data_dir(directory, database, key_file)
    documents: SqliteDocumentStore | None = None
    try:
        kek = LocalKek.from_file(key_file, create=not had_database)
        documents = SqliteDocumentStore(database)
        check_key_fits(documents, kek, key_file)
    except BaseException:
        if documents is not None:
            documents.close()
        lock.release()
        raise
    return documents, kek, lock
