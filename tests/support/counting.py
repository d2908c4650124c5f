"""A DocumentStore decorator that records the document reads and writes one thread makes.

Reads are counted the way Firestore bills them (a document returned is a read; a query that
returns nothing still costs one), writes one per operation. Only the thread that made the
decorator is recorded, so bus workers and push deliveries on other threads do not blur a count.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from typing import Any

from shared.documents import Document, Query, WriteOp
from shared.ports import DocumentStore


class CountingDocuments:
    """Records ``reads`` (paths read), ``round_trips`` (calls that read) and ``writes`` of the creating thread."""

    def __init__(self, inner: DocumentStore) -> None:
        self.inner = inner
        self.reads: list[str] = []
        self.round_trips = 0
        self.writes: list[str] = []
        self._thread = threading.get_ident()

    def _mine(self) -> bool:
        return threading.get_ident() == self._thread

    def clear(self) -> None:
        """Forget what was recorded so far."""
        self.reads.clear()
        self.round_trips = 0
        self.writes.clear()

    def get(self, path: str) -> Document | None:
        """One read."""
        if self._mine():
            self.reads.append(path)
            self.round_trips += 1
        return self.inner.get(path)

    def get_all(self, paths: Sequence[str]) -> list[Document | None]:
        """One read per path."""
        if self._mine():
            self.reads.extend(paths)
            self.round_trips += 1
        return self.inner.get_all(paths)

    def query(self, query: Query) -> Iterator[Document]:
        """One read per document returned (one for a query that returns none)."""
        docs = list(self.inner.query(query))
        if self._mine():
            self.reads.extend([d.path for d in docs] or [f"query:{query.collection}"])
            self.round_trips += 1
        return iter(docs)

    def write(self, ops: Sequence[WriteOp]) -> list[str | None]:
        """One write per operation."""
        if self._mine():
            self.writes.extend(op.path for op in ops)
        return self.inner.write(ops)

    def bulk_write(self, ops: Sequence[WriteOp]) -> None:
        """One write per operation."""
        if self._mine():
            self.writes.extend(op.path for op in ops)
        self.inner.bulk_write(ops)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)
