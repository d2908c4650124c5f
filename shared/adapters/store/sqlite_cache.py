"""Decoded documents of the SQLite store, kept by path and version so that a read of an unchanged row skips decoding.

A document's version is a number of the store-wide sequence, and a committed number is never
given again (the sequence only grows once committed): a committed (path, version) pair names one
content for good. So a row read back at the version a decoded document was kept at is that
document, whichever connection or process wrote it. Only committed rows are kept: a read inside
a write transaction may see rows (and version numbers) that a rollback takes back, so such reads
use the cache but never fill it.

The cache is bounded by the text it stands for (``limit`` characters of stored JSON, 32 Mi by
default: a 10,000-person org's due meetings, their notices and calendars, about 30,000 documents,
fit); past the bound the oldest entries go first. ``clear`` empties it (after a purge or scrub:
what was deleted leaves memory too). Callers treat ``Document.data`` as read-only (it is typed
``Mapping``): one decoded document may answer many reads.
"""

from __future__ import annotations

import threading

from shared.adapters.store.codec import document_from_text
from shared.documents import Document
from shared.errors import Unavailable

DEFAULT_LIMIT = 32 * 1024 * 1024


class DecodedDocuments:
    """Path → (version, size, decoded document), oldest first; safe across threads."""

    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        self._limit = limit
        self._entries: dict[str, tuple[int, int, Document]] = {}
        self._size = 0
        self._lock = threading.Lock()  # writers only: a hit is one dict look-up

    def document(self, parent: str, coll: str, doc_id: str, text: str, version: int, *, keep: bool) -> Document:
        """The document of one row: the kept one when it is at this version, else decoded (and kept if ``keep``)."""
        path = f"{parent}/{coll}/{doc_id}" if parent else f"{coll}/{doc_id}"
        entry = self._entries.get(path)
        if entry is not None and entry[0] == version:
            return entry[2]
        try:
            decoded = document_from_text(text)
        except (ValueError, TypeError, RecursionError) as exc:
            raise Unavailable(f"a stored {coll} document could not be decoded (the database may be damaged)") from exc
        doc = Document(path=path, data=decoded, version=str(version))
        if keep and len(text) <= self._limit:
            self._keep(path, version, len(text), doc)
        return doc

    def _keep(self, path: str, version: int, size: int, doc: Document) -> None:
        with self._lock:
            old = self._entries.pop(path, None)
            if old is not None:
                self._size -= old[1]
            self._entries[path] = (version, size, doc)
            self._size += size
            while self._size > self._limit:
                oldest = next(iter(self._entries))
                self._size -= self._entries.pop(oldest)[1]

    def forget(self, path: str) -> None:
        """Drop one path's entry (it was deleted)."""
        with self._lock:
            old = self._entries.pop(path, None)
            if old is not None:
                self._size -= old[1]

    def clear(self) -> None:
        """Drop every entry."""
        with self._lock:
            self._entries.clear()
            self._size = 0

    def __len__(self) -> int:
        return len(self._entries)
