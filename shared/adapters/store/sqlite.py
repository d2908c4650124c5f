"""The embedded document store: one SQLite file (WAL) with versioned schema migrations.

Documents live in one table keyed by (parent, collection, id) with their data as JSON and an
integer version for compare-and-set: one number of a store-wide sequence per write, answered by
``write``, each condition checked by the statement that writes (``sqlite_writes``). Queries
become ``json_extract`` expressions, backed by partial expression indexes (each on its own
collection's rows, so a write elsewhere pays for none of them) built from the shared index
list; a unique index keeps one org per domain. Connections come from a bounded pool;
``atomic()`` groups writes (and what a bound local bus publishes) into one transaction;
``scrub()`` checkpoints and truncates the WAL after a shred. Rows read back unchanged are not
decoded again (``sqlite_cache``).
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from shared.adapters.store.codec import document_text, encode_value
from shared.adapters.store.indexes import INDEXES
from shared.adapters.store.sqlite_cache import DEFAULT_LIMIT, DecodedDocuments
from shared.adapters.store.sqlite_pool import POOL_SIZE, SqlitePool, private_dir
from shared.adapters.store.sqlite_writes import apply_write
from shared.documents import (
    MAX_BATCH,
    Delete,
    Document,
    Filter,
    Query,
    WriteOp,
    split_collection,
    split_path,
)
from shared.errors import ConfigError, Conflict, InvalidInput, Unavailable
from shared.logs import get_logger

log = get_logger(__name__)

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE docs (
        parent TEXT NOT NULL,
        coll TEXT NOT NULL,
        id TEXT NOT NULL,
        data TEXT NOT NULL,
        version INTEGER NOT NULL,
        expire_at TEXT
    );
    CREATE UNIQUE INDEX ix_docs_key ON docs (parent, coll, id);
    CREATE INDEX ix_docs_coll ON docs (coll, parent);
    CREATE INDEX ix_docs_expire ON docs (expire_at) WHERE expire_at IS NOT NULL;
    CREATE TABLE seq (v INTEGER NOT NULL);
    INSERT INTO seq (v) VALUES (0);
    """,
    # The query indexes became partial (one collection each): drop the whole-table ones, rebuilt below.
    ";".join(f"DROP INDEX IF EXISTS {spec.name}" for spec in INDEXES),
)

UNIQUE_DOMAIN = (
    "CREATE UNIQUE INDEX IF NOT EXISTS ix_orgs_domain ON docs (json_extract(data, '$.domain')) "
    "WHERE coll = 'orgs' AND parent = ''"
)
_OPS = {"==": "=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


def _field_expr(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise InvalidInput(f"invalid field name {name!r}")
    return f"json_extract(data, '$.{name}')"


class SqliteDocumentStore:
    """DocumentStore on a SQLite file; safe across threads (a bounded pool, see ``sqlite_pool``)."""

    def __init__(self, path: Path | str, *, pool_size: int = POOL_SIZE, cache_limit: int = DEFAULT_LIMIT) -> None:
        self._path = str(path)
        self._docs = DecodedDocuments(cache_limit)
        if self._path != ":memory:":
            private_dir(Path(self._path).parent)
        self.pool = SqlitePool(self._path, size=pool_size)
        self._migrate()

    # ------------------------------------------------------------ plumbing

    @contextlib.contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        try:
            with self.pool.connection() as conn:
                yield conn
        except sqlite3.DatabaseError as exc:
            raise Unavailable(f"the store could not be read ({exc})") from exc

    def _migrate(self) -> None:
        try:
            with self.pool.connection() as conn:
                current = conn.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise ConfigError(f"{self._path} is not a Hybrid Calendar database ({exc})") from None
        for number, script in enumerate(MIGRATIONS, start=1):
            if number <= current:
                continue
            with self.pool.transaction() as conn:
                for statement in filter(str.strip, script.split(";")):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {number}")
        with self.pool.transaction() as conn:
            for spec in INDEXES:
                cols = ", ".join(_field_expr(name) for name, _ in spec.fields)
                lead = "coll" if spec.group else "coll, parent"
                if not spec.collection.isalnum():
                    raise ConfigError(f"invalid index collection {spec.collection!r}")
                where = f"coll = '{spec.collection}'"  # only that collection's rows pay for the index
                conn.execute(f"CREATE INDEX IF NOT EXISTS {spec.name} ON docs ({lead}, {cols}) WHERE {where}")
        try:
            with self.pool.transaction() as conn:
                conn.execute(UNIQUE_DOMAIN)
        except sqlite3.IntegrityError:
            log.warning("two orgs share a domain: the one-org-per-domain index is not in force until one goes")

    def atomic(self) -> contextlib.AbstractContextManager[object]:
        """One transaction on this thread: writes (and a bound local bus's publishes) commit together."""
        return self.pool.transaction()

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once this thread's transaction commits (at once outside one)."""
        self.pool.after_commit(callback)

    def after_rollback(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` if this thread's transaction rolls back (never outside one)."""
        self.pool.after_rollback(callback)

    @property
    def schema_version(self) -> int:
        """The applied migration number."""
        with self._read() as conn:
            return int(conn.execute("PRAGMA user_version").fetchone()[0])

    # ------------------------------------------------------------ reads

    def get(self, path: str) -> Document | None:
        """Read one document, or None."""
        parent, coll, doc_id = split_path(path)
        with self._read() as conn:
            row = conn.execute(
                "SELECT data, version FROM docs WHERE parent=? AND coll=? AND id=?", (parent, coll, doc_id)
            ).fetchone()
        keep = not self.pool.in_transaction()  # a rollback may yet take back what a transaction reads
        return None if row is None else self._docs.document(parent, coll, doc_id, row[0], row[1], keep=keep)

    def get_all(self, paths: Sequence[str]) -> list[Document | None]:
        """Read several documents, in the order asked."""
        return [self.get(path) for path in paths]

    def query(self, query: Query) -> Iterator[Document]:
        """Stream the documents a query matches."""
        sql = ["SELECT parent, coll, id, data, version FROM docs WHERE coll = ?"]
        params: list[Any] = []
        if query.group:
            params.append(query.collection)
        else:
            parent, coll = split_collection(query.collection)
            params.append(coll)
            sql.append("AND parent = ?")
            params.append(parent)
        for flt in query.where:
            clause, values = self._clause(flt)
            sql.append("AND " + clause)
            params.extend(values)
        if query.order_by:
            sql.append(
                "ORDER BY "
                + ", ".join(f"{_field_expr(o.field)} {'DESC' if o.descending else 'ASC'}" for o in query.order_by)
            )
        if query.limit is not None:
            sql.append("LIMIT ?")
            params.append(int(query.limit))
        with self._read() as conn:
            rows = conn.execute(" ".join(sql), params).fetchall()
        keep, document = not self.pool.in_transaction(), self._docs.document
        for parent, coll, doc_id, data, version in rows:
            yield document(parent, coll, doc_id, data, version, keep=keep)

    @staticmethod
    def _clause(flt: Filter) -> tuple[str, list[Any]]:
        expr = _field_expr(flt.field)
        if flt.op in _OPS:
            value = encode_value(flt.value)
            if isinstance(value, bool):
                value = int(value)
            if value is None:
                return (f"{expr} IS NULL" if flt.op == "==" else f"{expr} IS NOT NULL"), []
            return f"{expr} {_OPS[flt.op]} ?", [value]
        if flt.op == "in":
            values = [encode_value(v) for v in flt.value]
            if not values:
                return "0", []
            return f"{expr} IN ({', '.join('?' for _ in values)})", values
        if flt.op == "array_contains":
            return (
                f"EXISTS (SELECT 1 FROM json_each(data, '$.{flt.field}') WHERE json_each.value = ?)",
                [encode_value(flt.value)],
            )
        raise InvalidInput(f"unsupported operator {flt.op!r}")

    # ------------------------------------------------------------ writes

    def write(self, ops: Sequence[WriteOp]) -> list[str | None]:
        """Apply up to 500 writes atomically; raise PreconditionFailed or Conflict; answer each Put's new version.

        One write inside a transaction takes no savepoint: its guarded statement changes nothing when
        its condition fails, so there is nothing to roll back but a skipped version number.
        """
        if len(ops) > MAX_BATCH:
            raise InvalidInput(f"a batch holds at most {MAX_BATCH} writes")
        if not ops:
            return []
        rows = [(op, *split_path(op.path)) for op in ops]
        encoded = [None if isinstance(op, Delete) else document_text(op.data) for op in ops]
        alone = len(ops) == 1 and self.pool.in_transaction()
        try:
            with self.pool.connection() if alone else self.pool.transaction() as conn:
                last = conn.execute("UPDATE seq SET v = v + ? RETURNING v", (len(ops),)).fetchone()[0]
                first = int(last) - len(ops) + 1
                for i, ((op, parent, coll, doc_id), data) in enumerate(zip(rows, encoded, strict=True)):
                    apply_write(conn, op, (parent, coll, doc_id), data, first + i)
        except sqlite3.IntegrityError as exc:
            raise Conflict(f"a unique value is taken ({exc})") from exc
        except sqlite3.OperationalError as exc:
            raise Unavailable(f"the store is busy or unwritable ({exc})") from exc
        except sqlite3.DatabaseError as exc:
            raise Unavailable(f"the store could not be written ({exc})") from exc
        for op in ops:
            if isinstance(op, Delete):
                self._docs.forget(op.path)
        return [None if isinstance(op, Delete) else str(first + i) for i, op in enumerate(ops)]

    def bulk_write(self, ops: Sequence[WriteOp]) -> None:
        """Apply many writes in atomic chunks of 500."""
        for start in range(0, len(ops), MAX_BATCH):
            self.write(ops[start : start + MAX_BATCH])

    def purge_expired(self, now: datetime) -> int:
        """Delete every document whose ``expireAt`` has passed, then scrub the files; return how many."""
        with self.pool.transaction() as conn:
            cur = conn.execute("DELETE FROM docs WHERE expire_at IS NOT NULL AND expire_at <= ?", (encode_value(now),))
            purged = int(cur.rowcount)
        self._docs.clear()
        self.scrub()  # expired meetings leave the WAL too
        return purged

    def scrub(self) -> bool:
        """Make deleted rows unrecoverable from the files: checkpoint the WAL into the (secure-delete) database
        file and truncate the WAL to zero bytes. True when the WAL was fully checkpointed."""
        if self.pool.in_transaction():
            raise InvalidInput("scrub runs outside a transaction")
        self._docs.clear()  # what a shred deleted leaves memory as well as the files
        try:
            return self.pool.checkpoint()
        except sqlite3.DatabaseError as exc:
            raise Unavailable(f"the store could not be checkpointed ({exc})") from exc

    def check(self) -> str | None:
        """None when ``PRAGMA quick_check`` finds the database sound, else what it found."""
        try:
            with self._read() as conn:
                rows = [str(r[0]) for r in conn.execute("PRAGMA quick_check").fetchall()]
        except Unavailable as exc:
            return exc.message
        return None if rows == ["ok"] else "; ".join(rows)[:300]

    def raw_bytes(self) -> bytes:
        """Every byte of the database files (for at-rest plaintext scans in tests)."""
        with self._read() as conn:
            conn.execute("PRAGMA wal_checkpoint(FULL)")
        data = b""
        for suffix in ("", "-wal"):
            path = Path(self._path + suffix)
            if path.exists():
                data += path.read_bytes()
        return data

    def close(self) -> None:
        """Close every connection this store opened."""
        self.pool.close()
