"""Firestore's side of the document values: native types in and out, versions, and errors mapped.

Aware datetimes become Timestamps (so the ``expireAt`` TTL policy works), bytes stay bytes,
tuples become arrays. A document's version is its ``update_time`` as ``seconds.nanoseconds``:
opaque to callers, exact for compare-and-set, and known from a commit's write results without a
read. google.api_core and gRPC errors become ``shared.errors`` inside ``mapped_errors``.
"""

from __future__ import annotations

import calendar
import contextlib
import importlib
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from shared.documents import is_aware
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


def version_of(update_time: Any) -> str:
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


def timestamp_of(version: str) -> Any:
    """The update-time precondition a version names (a malformed one matches nothing)."""
    timestamp_pb2: Any = importlib.import_module("google.protobuf.timestamp_pb2")
    seconds, _, nanos = version.partition(".")
    if not (seconds.isdigit() and nanos.isdigit() and len(nanos) == 9):
        raise PreconditionFailed("version mismatch on a compare-and-set")
    return timestamp_pb2.Timestamp(seconds=int(seconds), nanos=int(nanos))
