"""The cloud document store: ``DocumentStore`` on Firestore (``google-cloud-firestore``, sync client).

Paths are Firestore document paths as they are (``orgs/o1/meetings/m1``). Values go in as
native types: aware datetimes become Timestamps (so the ``expireAt`` TTL policy works), bytes
stay bytes, tuples become arrays. A document's ``version`` is its ``update_time``
as ``seconds.nanoseconds``: opaque to callers, exact for compare-and-set.

Writes:

* ``write()`` is one atomic commit. Plain puts and deletes, ``Put(if_absent=True)`` (a
  ``create``) and ``Delete(if_version=...)`` (an ``update_time`` precondition) go in a
  ``WriteBatch``. Firestore has no precondition on a full-document ``set``, so a batch holding
  ``Put(if_version=...)`` runs as a transaction: read the guarded documents, compare their
  ``update_time``, replace them whole. A lost race surfaces as ``PreconditionFailed``.
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

import calendar
import contextlib
import importlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from shared.adapters.store.indexes import TTL_COLLECTIONS
from shared.documents import MAX_BATCH, Delete, Document, Filter, Put, Query, WriteOp, is_aware, split_collection
from shared.errors import (
    ConfigError,
    Conflict,
    Forbidden,
    HybridCalendarError,
    InvalidInput,
    NotFound,
    PreconditionFailed,
    RateLimited,
    Unauthenticated,
    Unavailable,
)

_OPS = frozenset(("==", "!=", "<", "<=", ">", ">=", "in", "array_contains"))  # Firestore's names too
MAX_IN_VALUES = 30


def to_firestore(value: Any) -> Any:
    """Turn a document value into what the Firestore client stores natively."""
    if isinstance(value, datetime):
        if not is_aware(value):
            raise InvalidInput("naive datetime in a document")
        return value.astimezone(UTC)
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    if isinstance(value, Mapping):
        return {str(k): to_firestore(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_firestore(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise InvalidInput(f"unsupported document value type {type(value).__name__}")


def from_firestore(value: Any) -> Any:
    """Turn what the Firestore client returns into plain document values."""
    if isinstance(value, datetime):
        return datetime(*value.timetuple()[:6], value.microsecond, tzinfo=UTC)
    if isinstance(value, dict):
        return {k: from_firestore(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_firestore(v) for v in value]
    return value


def _version(update_time: Any) -> str:
    """``seconds.nanoseconds`` of an update time (a datetime with nanoseconds or a Timestamp pb)."""
    if isinstance(update_time, datetime):
        nanos = getattr(update_time, "nanosecond", 0) or update_time.microsecond * 1000
        return f"{calendar.timegm(update_time.utctimetuple())}.{nanos:09d}"
    return f"{update_time.seconds}.{update_time.nanos:09d}"


@contextlib.contextmanager
def mapped_errors(what: str, *, query: bool = False) -> Iterator[None]:
    """Translate google.api_core and gRPC exceptions raised inside the block onto shared.errors."""
    import grpc
    from google.api_core import exceptions as gexc
    from google.auth import exceptions as auth_exc

    try:
        yield
    except HybridCalendarError:
        raise
    except gexc.AlreadyExists as exc:
        raise Conflict(f"{what}: the document already exists") from exc
    except gexc.FailedPrecondition as exc:
        if query:
            raise InvalidInput(f"{what}: the query needs a composite index ({exc.message})") from exc
        raise PreconditionFailed(f"{what}: a precondition failed") from exc
    except gexc.Aborted as exc:
        raise PreconditionFailed(f"{what}: lost a race with a concurrent write") from exc
    except (gexc.InvalidArgument, gexc.OutOfRange) as exc:
        raise InvalidInput(f"{what}: {exc.message}") from exc
    except gexc.NotFound as exc:
        raise NotFound(f"{what}: not found") from exc
    except gexc.PermissionDenied as exc:
        raise Forbidden(f"{what}: permission denied", reason="permissionDenied") from exc
    except gexc.Unauthenticated as exc:
        raise Unauthenticated(f"{what}: unauthenticated") from exc
    except gexc.ResourceExhausted as exc:
        raise RateLimited(f"{what}: quota exhausted") from exc
    except (gexc.GoogleAPIError, grpc.RpcError) as exc:
        raise Unavailable(f"{what}: Firestore is unavailable ({type(exc).__name__})") from exc
    except auth_exc.DefaultCredentialsError as exc:
        raise ConfigError(f"{what}: no Google credentials for Firestore ({exc})") from exc


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
            from google.cloud import firestore

            with mapped_errors("connect"):
                self._client = firestore.Client(project=self.project, database=self.database)
        return self._client

    # ------------------------------------------------------------ reads

    @staticmethod
    def _doc(snapshot: Any) -> Document:
        data = {k: from_firestore(v) for k, v in (snapshot.to_dict() or {}).items()}
        return Document(path=snapshot.reference.path, data=data, version=_version(snapshot.update_time))

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

    def write(self, ops: Sequence[WriteOp]) -> None:
        """Apply up to 500 writes atomically; raise PreconditionFailed or Conflict."""
        if len(ops) > MAX_BATCH:
            raise InvalidInput(f"a batch holds at most {MAX_BATCH} writes")
        if not ops:
            return
        prepared = [(op, None if isinstance(op, Delete) else to_firestore(dict(op.data))) for op in ops]
        if any(isinstance(op, Put) and op.if_version is not None for op in ops):
            self._write_in_transaction(prepared)
            return
        client = self.client
        batch = client.batch()
        for op, data in prepared:
            self._add(batch, op, data, preconditions=True)
        with mapped_errors("write"):
            batch.commit()

    def _add(self, target: Any, op: WriteOp, data: Any, *, preconditions: bool) -> None:
        ref = self.client.document(op.path)
        if isinstance(op, Delete):
            if preconditions and op.if_version is not None:
                target.delete(ref, option=self.client.write_option(last_update_time=_timestamp(op.if_version)))
            else:
                target.delete(ref)
        elif op.if_absent:
            target.create(ref, data)
        else:
            target.set(ref, data)

    def _write_in_transaction(self, prepared: list[tuple[WriteOp, Any]]) -> None:
        from google.cloud import firestore

        client = self.client
        guarded = [op for op, _ in prepared if op.if_version is not None]

        def body(transaction: Any) -> None:
            refs = [client.document(op.path) for op in guarded]
            current = {s.reference.path: s for s in client.get_all(refs, transaction=transaction)}
            for op in guarded:
                snapshot = current.get(op.path)
                version = _version(snapshot.update_time) if snapshot is not None and snapshot.exists else None
                if version != op.if_version:
                    raise PreconditionFailed("version mismatch on a compare-and-set")
            for op, data in prepared:
                self._add(transaction, op, data, preconditions=False)

        try:
            with mapped_errors("write"):
                firestore.transactional(body)(client.transaction())
        except ValueError as exc:  # the transaction's attempts were all aborted by concurrent writers
            raise PreconditionFailed("lost a race with concurrent writers") from exc

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


def _timestamp(version: str) -> Any:
    timestamp_pb2: Any = importlib.import_module("google.protobuf.timestamp_pb2")
    seconds, _, nanos = version.partition(".")
    if not (seconds.isdigit() and nanos.isdigit() and len(nanos) == 9):
        raise PreconditionFailed("version mismatch on a compare-and-set")
    return timestamp_pb2.Timestamp(seconds=int(seconds), nanos=int(nanos))
