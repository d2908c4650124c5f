"""Asynchronous delivery of push notifications (``X-Goog-*`` headers, empty body).

A single background thread posts queued messages in order, so each channel's message
numbers arrive increasing. Tests wait with :meth:`PushDispatcher.wait_idle` instead of
sleeping, and :meth:`PushDispatcher.counts` says how many messages were ever queued, how many
were sent and how many wait, so a test can tell that no push started while it looked elsewhere;
the delivered messages (with status and latency) and the counts are in ``GET /emulator/v1/pushes``.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

import httpx

log = logging.getLogger(__name__)

_STOP = object()


@dataclass(frozen=True, slots=True)
class PushMessage:
    """One notification to one channel."""

    channel_id: str
    token: str | None
    expiration_ms: int
    resource_id: str
    resource_uri: str
    state: str
    number: int
    address: str
    enqueued: float
    duplicate: bool = False

    def headers(self) -> dict[str, str]:
        """Return the ``X-Goog-*`` headers Google sends with this message."""
        headers = {
            "X-Goog-Channel-ID": self.channel_id,
            "X-Goog-Channel-Expiration": _http_date(self.expiration_ms),
            "X-Goog-Resource-ID": self.resource_id,
            "X-Goog-Resource-URI": self.resource_uri,
            "X-Goog-Resource-State": self.state,
            "X-Goog-Message-Number": str(self.number),
        }
        if self.token is not None:
            headers["X-Goog-Channel-Token"] = self.token
        return headers


def _http_date(epoch_ms: int) -> str:
    return time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(epoch_ms / 1000))


class PushDispatcher:
    """Posts push messages from one background thread; thread-safe."""

    def __init__(self, transport: httpx.BaseTransport | None = None, timeout: float = 5.0) -> None:
        self._transport = transport
        self._timeout = timeout
        self._queue: queue.Queue[object] = queue.Queue()
        self._cond = threading.Condition()
        self._pending = 0
        self._enqueued = 0  # every message ever queued (duplicates included, dropped ones not)
        self._sent = 0  # every message posted, whatever the answer
        self._records: deque[dict[str, Any]] = deque(maxlen=20_000)
        self._thread: threading.Thread | None = None
        self._client: httpx.Client | None = None
        self._closed = False

    def set_transport(self, transport: httpx.BaseTransport | None) -> None:
        """Deliver through ``transport`` (an in-process app) instead of real HTTP."""
        with self._cond:
            self._transport = transport
            old, self._client = self._client, None
        if old is not None:
            old.close()

    def enqueue(self, message: PushMessage) -> None:
        """Queue ``message`` for delivery."""
        with self._cond:
            if self._closed:
                return
            self._pending += 1
            self._enqueued += 1
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="emulator-push", daemon=True)
                self._thread.start()
        self._queue.put(message)

    def record_dropped(self, message: PushMessage) -> None:
        """Remember a message that a fault dropped (it is never sent)."""
        with self._cond:
            self._records.append(self._record(message, status=None, error="dropped", latency=None))

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Block until every queued message was delivered; return False on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._pending:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
            return True

    def counts(self) -> dict[str, int]:
        """How many messages were ever queued, how many were sent (whatever the answer) and how many wait."""
        with self._cond:
            return {"enqueued": self._enqueued, "sent": self._sent, "queued": self._pending}

    def records(self) -> list[dict[str, Any]]:
        """Return the delivered (and dropped) messages, oldest first."""
        with self._cond:
            return list(self._records)

    def clear(self) -> None:
        """Forget the delivery records."""
        with self._cond:
            self._records.clear()

    def close(self) -> None:
        """Stop the delivery thread after the queue drains."""
        with self._cond:
            self._closed = True
            thread = self._thread
        if thread is not None:
            self._queue.put(_STOP)
            thread.join(timeout=10)
        if self._client is not None:
            self._client.close()

    def _get_client(self) -> httpx.Client:
        with self._cond:
            if self._client is None:
                self._client = httpx.Client(transport=self._transport, timeout=self._timeout)
            return self._client

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            assert isinstance(item, PushMessage)
            status: int | None = None
            error: str | None = None
            try:
                response = self._get_client().post(item.address, headers=item.headers(), content=b"")
                status = response.status_code
            except Exception as exc:  # delivery failures are recorded, never raised
                error = f"{type(exc).__name__}: {exc}"
                log.info("push to %s failed: %s", item.address, error)
            latency = (time.perf_counter() - item.enqueued) * 1000
            with self._cond:
                self._records.append(self._record(item, status, error, latency))
                self._sent += 1
                self._pending -= 1
                self._cond.notify_all()

    @staticmethod
    def _record(message: PushMessage, status: int | None, error: str | None, latency: float | None) -> dict[str, Any]:
        return {
            "channelId": message.channel_id,
            "messageNumber": message.number,
            "resourceState": message.state,
            "resourceId": message.resource_id,
            "address": message.address,
            "status": status,
            "error": error,
            "duplicate": message.duplicate,
            "latencyMs": None if latency is None else round(latency, 3),
        }
