"""Counting Google API calls by operation, subject and outcome.

Every HTTP exchange the client layer makes (API calls and token exchanges) is recorded once,
so services and tests can assert exact numbers of calls. Operations use Google's method ids
(``calendar.events.list``, ``gmail.users.settings.getVacation``, ``oauth2.token``), the same
names the emulator's request log uses; outcomes are the HTTP status as text (``"200"``,
``"429"``) or ``"timeout"`` / ``"transport_error"`` when no answer came.
"""

from __future__ import annotations

import threading
from collections import Counter

import msgspec


class CallKey(msgspec.Struct, frozen=True):
    """One counted bucket: operation, delegated subject (may be empty) and outcome."""

    operation: str
    subject: str
    outcome: str


class CallCounter:
    """A thread-safe tally of calls; read it with :meth:`count` or :meth:`snapshot`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[CallKey] = Counter()

    def record(self, operation: str, subject: str | None, outcome: str) -> None:
        """Count one call."""
        key = CallKey(operation, (subject or "").lower(), outcome)
        with self._lock:
            self._counts[key] += 1

    def count(self, operation: str | None = None, *, subject: str | None = None, outcome: str | None = None) -> int:
        """How many calls match every filter given (None matches anything)."""
        wanted_subject = subject.lower() if subject is not None else None
        with self._lock:
            return sum(
                n
                for key, n in self._counts.items()
                if (operation is None or key.operation == operation)
                and (wanted_subject is None or key.subject == wanted_subject)
                and (outcome is None or key.outcome == outcome)
            )

    def by_operation(self) -> dict[str, int]:
        """Calls per operation, whatever the subject and outcome."""
        totals: Counter[str] = Counter()
        with self._lock:
            for key, n in self._counts.items():
                totals[key.operation] += n
        return dict(sorted(totals.items()))

    def by_operation_outcome(self) -> dict[str, dict[str, int]]:
        """Calls per operation and outcome (the shape of the emulator's ``countsByOperationStatus``)."""
        out: dict[str, dict[str, int]] = {}
        with self._lock:
            for key, n in sorted(self._counts.items(), key=lambda item: (item[0].operation, item[0].outcome)):
                bucket = out.setdefault(key.operation, {})
                bucket[key.outcome] = bucket.get(key.outcome, 0) + n
        return out

    def snapshot(self) -> dict[CallKey, int]:
        """A copy of every bucket."""
        with self._lock:
            return dict(self._counts)

    def total(self) -> int:
        """All calls counted."""
        with self._lock:
            return sum(self._counts.values())

    def reset(self) -> None:
        """Forget every count."""
        with self._lock:
            self._counts.clear()
