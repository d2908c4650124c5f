"""The cloud document store: ``DocumentStore`` on Firestore (``google-cloud-firestore``, sync client).

Paths are Firestore document paths as they are (``orgs/o1/meetings/m1``). Values, versions
(``update_time`` as ``seconds.nanoseconds``) and errors are translated in ``firestore_values``.

Writes:

* ``write()`` is one atomic commit (a ``WriteBatch``) and answers each Put's new version from the
  commit's write results, so a compare-and-set never reads back what it wrote.
  ``Put(if_absent=True)`` is a ``create``; ``Delete(if_version=...)`` carries an ``update_time``
  precondition, and so does ``Put(if_version=...)``: the client's ``set`` takes no precondition
  (and ``update`` merges fields), so the store builds the client's own full-document write and
  adds the precondition to it. A lost race surfaces as ``PreconditionFailed``, in one round trip.
* ``bulk_write()`` commits chunks of at most 500 writes (one atomic ``WriteBatch`` each), up to
  ``bulk_parallelism`` commits in flight. We chose chunks over ``BulkWriter`` because every
  error then surfaces synchronously and maps onto ``shared.errors`` (``BulkWriter`` hands
  per-write failures to callbacks and by default retries even permanent ones 15 times with
  linear backoff), each chunk is all-or-nothing, and a chunk is one RPC instead of 25. No rate
  ramp is needed for hot spots: meeting ids are blake2b hashes, spread over the key space, and
  a sync writes at most a few thousand documents.

``purge_expired()`` is a no-op returning 0: the TTL policies in ``infra/`` delete expired
documents (reads filter on the window because TTL lags; ``expireAt`` is exempt from indexing).
The Firestore emulator has no TTL, so a store made with ``emulate_ttl=True`` (tests, local runs
on the emulator) deletes expired documents of the TTL collection groups itself. No Google
library is imported before a store is made.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from shared.adapters.store.firestore_values import from_firestore, mapped_errors, timestamp_of, to_firestore, version_of
from shared.adapters.store.indexes import TTL_COLLECTIONS
from shared.collector import collector_paused
from shared.documents import MAX_BATCH, Delete, Document, Filter, Query, WriteOp, split_collection
from shared.errors import HybridCalendarError, InvalidInput, PreconditionFailed

_OPS = frozenset(("==", "!=", "<", "<=", ">", ">=", "in", "array_contains"))  # Firestore's names too
MAX_IN_VALUES = 30


class FirestoreDocumentStore:
    """DocumentStore on one Firestore database; thread-safe (the client is)."""

    def __init__(
        self,
        project: str,
        database: str = "(default)",
        *,
        client: Any | None = None,
        bulk_parallelism: int = 4,
        emulate_ttl: bool = False,
    ) -> None:
        self.project = project
        self.database = database
        self._client = client
        self._bulk_parallelism = max(1, bulk_parallelism)
        self._emulate_ttl = emulate_ttl

    @property
    def client(self) -> Any:
        """The ``google.cloud.firestore.Client``, made on first use (it honours FIRESTORE_EMULATOR_HOST)."""
        if self._client is None:
            with collector_paused():
                from google.cloud import firestore

            with mapped_errors("connect"):
                self._client = firestore.Client(project=self.project, database=self.database)
        return self._client

    # ------------------------------------------------------------ reads

    @staticmethod
    def _doc(snapshot: Any) -> Document:
        data = {k: from_firestore(v) for k, v in (snapshot.to_dict() or {}).items()}
        return Document(path=snapshot.reference.path, data=data, version=version_of(snapshot.update_time))

    def get(self, path: str) -> Document | None:
        """Read one document, or None."""
        with mapped_errors("get"):
            snapshot = self.client.document(path).get()
        return self._doc(snapshot) if snapshot.exists else None

    def get_all(self, paths: Sequence[str]) -> list[Document | None]:
        """Read several documents in one round trip, in the order asked."""
        if not paths:
            return []
        client = self.client
        with mapped_errors("get_all"):
            found = {s.reference.path: s for s in client.get_all([client.document(p) for p in dict.fromkeys(paths)])}
        return [self._doc(found[p]) if p in found and found[p].exists else None for p in paths]

    def _base(self, query: Query) -> Any:
        if query.group:
            return self.client.collection_group(query.collection)
        split_collection(query.collection)
        return self.client.collection(query.collection)

    def _build(self, query: Query, where: Sequence[Filter]) -> Any:
        from google.cloud.firestore_v1 import Query as FsQuery
        from google.cloud.firestore_v1.base_query import FieldFilter

        q = self._base(query)
        for flt in where:
            if flt.op not in _OPS:
                raise InvalidInput(f"unsupported operator {flt.op!r}")
            q = q.where(filter=FieldFilter(flt.field, flt.op, to_firestore(flt.value)))
        for order in query.order_by:
            q = q.order_by(order.field, direction=FsQuery.DESCENDING if order.descending else FsQuery.ASCENDING)
        if query.select:
            q = q.select(list(query.select))
        if query.limit is not None:
            q = q.limit(int(query.limit))
        return q

    def query(self, query: Query) -> Iterator[Document]:
        """Stream the documents a query matches (an ``in`` over 30 values is split when unordered)."""
        ins = [f for f in query.where if f.op == "in"]
        if any(not list(f.value) for f in ins):
            return
        big = [f for f in ins if len(list(f.value)) > MAX_IN_VALUES]
        if not big:
            yield from self._stream(self._build(query, query.where))
            return
        if len(big) > 1 or query.order_by or query.limit is not None:
            raise InvalidInput(f"an ordered or limited query takes at most {MAX_IN_VALUES} 'in' values")
        values = list(big[0].value)
        rest = [f for f in query.where if f is not big[0]]
        for start in range(0, len(values), MAX_IN_VALUES):
            chunk = Filter(big[0].field, "in", values[start : start + MAX_IN_VALUES])
            yield from self._stream(self._build(query, [*rest, chunk]))

    def _stream(self, built: Any) -> Iterator[Document]:
        with mapped_errors("query", query=True):
            for snapshot in built.stream():
                yield self._doc(snapshot)

    # ------------------------------------------------------------ writes

    def write(self, ops: Sequence[WriteOp]) -> list[str | None]:
        """Apply up to 500 writes in one atomic commit; raise PreconditionFailed or Conflict.

        Answers each Put's new version from the commit's write results (None for a Delete).
        """
        if len(ops) > MAX_BATCH:
            raise InvalidInput(f"a batch holds at most {MAX_BATCH} writes")
        if not ops:
            return []
        batch = self.client.batch()
        for op in ops:
            self._add(batch, op)
        with mapped_errors("write"):
            results = batch.commit()
        return [
            None if isinstance(op, Delete) else version_of(r.update_time) for op, r in zip(ops, results, strict=True)
        ]

    def _add(self, batch: Any, op: WriteOp) -> None:
        ref = self.client.document(op.path)
        option = (
            None if op.if_version is None else self.client.write_option(last_update_time=timestamp_of(op.if_version))
        )
        if isinstance(op, Delete):
            batch.delete(ref, option=option)
            return
        data = to_firestore(dict(op.data))
        if op.if_absent and option is not None:
            raise PreconditionFailed("version mismatch on a compare-and-set")  # a stored document is never absent
        if op.if_absent:
            batch.create(ref, data)
        elif option is None:
            batch.set(ref, data)
        else:
            # ``set`` takes no precondition, ``update`` merges: this is the client's own full-document
            # write with the update-time precondition added, so a compare-and-set is one commit.
            from google.cloud.firestore_v1 import _helpers

            writes = _helpers.pbs_for_set_no_merge(ref._document_path, data)
            option.modify_write(writes[0])
            batch._add_write_pbs(writes)

    def bulk_write(self, ops: Sequence[WriteOp]) -> None:
        """Apply many writes in atomic chunks of 500, a few chunks in flight at once."""
        chunks = [ops[i : i + MAX_BATCH] for i in range(0, len(ops), MAX_BATCH)]
        if len(chunks) <= 1:
            for chunk in chunks:
                self.write(chunk)
            return
        with ThreadPoolExecutor(max_workers=min(self._bulk_parallelism, len(chunks))) as pool:
            for future in [pool.submit(self.write, chunk) for chunk in chunks]:
                future.result()

    def purge_expired(self, now: datetime) -> int:
        """0: TTL policies delete expired documents; with ``emulate_ttl`` delete them here and count."""
        if not self._emulate_ttl:
            return 0
        expired: list[WriteOp] = []
        for group in TTL_COLLECTIONS:
            query = Query(group, (Filter("expireAt", "<=", now),), group=True, select=("expireAt",))
            expired.extend(Delete(doc.path) for doc in self.query(query))
        self.bulk_write(expired)
        return len(expired)

    def atomic(self) -> contextlib.AbstractContextManager[object]:
        """No transaction across calls: each ``write()`` commits on its own (Pub/Sub publishes are separate)."""
        return contextlib.nullcontext()

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` now: writes have already committed."""
        callback()

    def after_rollback(self, callback: Callable[[], None]) -> None:
        """Never called: there is no transaction across calls to roll back."""

    def scrub(self) -> bool:
        """True: Firestore keeps no deleted data in files this deployment can read."""
        return True

    def check(self) -> str | None:
        """None when a read reaches Firestore, else why it did not."""
        try:
            self.get("health/probe")
        except HybridCalendarError as exc:
            return exc.message
        return None

    def close(self) -> None:
        """Close the client's channels."""
        if self._client is not None:
            with contextlib.suppress(Exception):
                self._client.close()
            self._client = None
