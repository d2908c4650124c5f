"""The emulator's clock: real time shifted by an offset, optionally frozen.

Every server-side time (``created``, ``updated``, channel expiration, access-token expiry,
vacation windows, quota windows) reads this clock. Tests move it with
``POST /emulator/v1/clock``; JWT assertions are still checked against real time.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta


def _real_now() -> datetime:
    return datetime.now(UTC)


class EmulatorClock:
    """A thread-safe clock that runs with real time from a settable offset, or stands still."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._offset = timedelta(0)
        self._frozen: datetime | None = None

    def now(self) -> datetime:
        """Return the emulator's current time (aware, UTC)."""
        with self._lock:
            if self._frozen is not None:
                return self._frozen
            return _real_now() + self._offset

    @property
    def frozen(self) -> bool:
        """Whether the clock stands still."""
        with self._lock:
            return self._frozen is not None

    def set(self, value: datetime, *, frozen: bool | None = None) -> datetime:
        """Jump to ``value``; ``frozen`` (when given) stops or restarts the clock there."""
        if value.tzinfo is None:
            raise ValueError("the clock needs an aware datetime")
        value = value.astimezone(UTC)
        with self._lock:
            keep_frozen = self._frozen is not None if frozen is None else frozen
            if keep_frozen:
                self._frozen = value
            else:
                self._frozen = None
                self._offset = value - _real_now()
            return value

    def advance(self, seconds: float) -> datetime:
        """Move forward (or back, for negative ``seconds``) and return the new time."""
        delta = timedelta(seconds=seconds)
        with self._lock:
            if self._frozen is not None:
                self._frozen += delta
                return self._frozen
            self._offset += delta
            return _real_now() + self._offset

    def freeze(self, frozen: bool) -> datetime:
        """Stop the clock at the current time, or let it run on from there."""
        return self.set(self.now(), frozen=frozen)

    def reset(self) -> None:
        """Go back to real time, running."""
        with self._lock:
            self._offset = timedelta(0)
            self._frozen = None
