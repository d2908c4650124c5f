"""The request log behind ``GET /emulator/v1/requests``: exact API call counts for tests."""

from __future__ import annotations

import threading
from collections import Counter, deque
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class LoggedRequest:
    """One answered API call."""

    operation: str
    subject: str | None
    status: int
    method: str
    path: str
    time: str
    reason: str | None = None

    def to_api(self) -> dict[str, Any]:
        """Render as JSON."""
        return {
            "operation": self.operation,
            "subject": self.subject,
            "status": self.status,
            "method": self.method,
            "path": self.path,
            "time": self.time,
            "reason": self.reason,
        }


class RequestLog:
    """A bounded, thread-safe log of API calls with running counts."""

    def __init__(self, maxlen: int = 100_000) -> None:
        self._lock = threading.Lock()
        self._entries: deque[LoggedRequest] = deque(maxlen=maxlen)
        self._by_op: Counter[str] = Counter()
        self._by_op_status: Counter[tuple[str, int]] = Counter()
        self._by_subject: Counter[str] = Counter()

    def add(self, entry: LoggedRequest) -> None:
        """Record ``entry``."""
        with self._lock:
            self._entries.append(entry)
            self._by_op[entry.operation] += 1
            self._by_op_status[(entry.operation, entry.status)] += 1
            self._by_subject[entry.subject or ""] += 1

    def last(self) -> LoggedRequest | None:
        """The most recent entry, if any."""
        with self._lock:
            return self._entries[-1] if self._entries else None

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._entries.clear()
            self._by_op.clear()
            self._by_op_status.clear()
            self._by_subject.clear()

    def snapshot(self, operation: str | None = None, subject: str | None = None) -> dict[str, Any]:
        """Return entries (optionally filtered) and the counts over all entries."""
        with self._lock:
            items = [
                e.to_api()
                for e in self._entries
                if (operation is None or e.operation == operation) and (subject is None or e.subject == subject)
            ]
            by_status: dict[str, dict[str, int]] = {}
            for (op, status), count in sorted(self._by_op_status.items()):
                by_status.setdefault(op, {})[str(status)] = count
            return {
                "items": items,
                "total": sum(self._by_op.values()),
                "countsByOperation": dict(sorted(self._by_op.items())),
                "countsByOperationStatus": by_status,
                "countsBySubject": dict(sorted(self._by_subject.items())),
            }
