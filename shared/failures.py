"""The error an event handler failed with on this thread, for a runtime that delivers through HTTP.

A Cloud Function answers a Pub/Sub push with a status code only. The local runtime calls the
same functions in process, on the bus worker's thread, so the function notes what it raised
here and the runtime hands that error (its class, message and ``retry_after``) to the bus: a
held lease is then deferred rather than counted, and a dead letter names its real cause.
"""

from __future__ import annotations

import threading

_local = threading.local()


def note(error: BaseException) -> None:
    """Remember ``error`` as this thread's latest handler failure."""
    _local.error = error


def take() -> BaseException | None:
    """The failure noted on this thread since the last call, if any (and forget it)."""
    error: BaseException | None = getattr(_local, "error", None)
    _local.error = None
    return error
