"""Value types of the document-store port: paths, documents, filters and write operations.

Both stores (SQLite embedded, Firestore in the cloud) hold the same documents: a path of
alternating collection and document ids (``orgs/o1/meetings/m1``), a flat-ish mapping of
values (``None``, ``bool``, ``int``, ``float``, ``str``, ``bytes``, aware ``datetime``, lists
and maps of those) and an opaque version used for compare-and-set.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

import msgspec

Value = Any
Op = Literal["==", "!=", "<", "<=", ">", ">=", "in", "array_contains"]
MAX_BATCH = 500


def doc_path(*segments: str) -> str:
    """Join collection and document ids into a path; refuse empty or slashed segments."""
    for segment in segments:
        if not segment or "/" in segment:
            raise ValueError(f"invalid path segment {segment!r}")
    if len(segments) % 2:
        raise ValueError("a document path has an even number of segments")
    return "/".join(segments)


def collection_path(*segments: str) -> str:
    """Join segments into a collection path (an odd number of segments)."""
    for segment in segments:
        if not segment or "/" in segment:
            raise ValueError(f"invalid path segment {segment!r}")
    if len(segments) % 2 == 0:
        raise ValueError("a collection path has an odd number of segments")
    return "/".join(segments)


def split_path(path: str) -> tuple[str, str, str]:
    """Split a document path into (parent document path, collection id, document id)."""
    parts = path.split("/")
    if len(parts) < 2 or len(parts) % 2:
        raise ValueError(f"not a document path: {path!r}")
    return "/".join(parts[:-2]), parts[-2], parts[-1]


def split_collection(path: str) -> tuple[str, str]:
    """Split a collection path into (parent document path, collection id)."""
    parts = path.split("/")
    if len(parts) % 2 == 0:
        raise ValueError(f"not a collection path: {path!r}")
    return "/".join(parts[:-1]), parts[-1]


class Document(msgspec.Struct, frozen=True):
    """A stored document: its path, data and opaque version."""

    path: str
    data: Mapping[str, Value]
    version: str

    @property
    def id(self) -> str:
        """The last segment of the path."""
        return self.path.rsplit("/", 1)[-1]


class Filter(msgspec.Struct, frozen=True):
    """A where-clause on one field."""

    field: str
    op: Op
    value: Value


class Order(msgspec.Struct, frozen=True):
    """An order-by on one field."""

    field: str
    descending: bool = False


class Put(msgspec.Struct, frozen=True):
    """Write a whole document, optionally only if absent or at a version."""

    path: str
    data: Mapping[str, Value]
    if_absent: bool = False
    if_version: str | None = None


class Delete(msgspec.Struct, frozen=True):
    """Delete a document, optionally only at a version."""

    path: str
    if_version: str | None = None


WriteOp = Put | Delete


class Query(msgspec.Struct, frozen=True):
    """A query over one collection, or over every collection with an id (collection group)."""

    collection: str
    where: tuple[Filter, ...] = ()
    order_by: tuple[Order, ...] = ()
    limit: int | None = None
    group: bool = False
    select: tuple[str, ...] = ()


def is_aware(value: datetime) -> bool:
    """True for a time-zone aware datetime."""
    return value.tzinfo is not None and value.utcoffset() is not None
