"""The document-store port: SQLite embedded, Firestore in the cloud (the repositories are built on it)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Protocol

from shared.documents import Document, Query, WriteOp


class DocumentStore(Protocol):
    """A document database with atomic batches and compare-and-set (SQLite or Firestore)."""

    def get(self, path: str) -> Document | None:
        """Read one document, or None."""
        ...

    def get_all(self, paths: Sequence[str]) -> list[Document | None]:
        """Read several documents in one round trip, in the order asked."""
        ...

    def query(self, query: Query) -> Iterator[Document]:
        """Stream the documents a query matches."""
        ...

    def write(self, ops: Sequence[WriteOp]) -> list[str | None]:
        """Apply up to 500 writes atomically; raise PreconditionFailed or Conflict.

        Answers the version each ``Put`` left its document at (None for a ``Delete``), in the order
        of ``ops``: a compare-and-set learns the version to guard its next write with, without a read.
        """
        ...

    def bulk_write(self, ops: Sequence[WriteOp]) -> None:
        """Apply many unconditional writes in batches (not atomic as a whole)."""
        ...

    def purge_expired(self, now: datetime) -> int:
        """Delete documents whose ``expireAt`` has passed (a no-op where TTL does it)."""
        ...

    def atomic(self) -> AbstractContextManager[object]:
        """Group this thread's writes (and a bound local bus's publishes) into one transaction where the
        store has transactions across calls (SQLite); elsewhere each write commits on its own."""
        ...

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once this thread's ``atomic()`` block commits (at once outside one)."""
        ...

    def after_rollback(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` if this thread's ``atomic()`` block rolls back (never outside one)."""
        ...

    def scrub(self) -> bool:
        """Make deleted data unrecoverable from the store's own files (SQLite: checkpoint and truncate the WAL)."""
        ...

    def check(self) -> str | None:
        """None when the store is readable and sound, else what is wrong (for /healthz)."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...
