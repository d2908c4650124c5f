"""Injectable clocks: the only place that reads the time (the port is ``shared.ports.Clock``).

``SystemClock`` is real time; ``ManualClock`` is moved by tests; ``AcceleratedClock`` runs
faster than real time for the demo. Every datetime is time-zone aware, in UTC.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

if TYPE_CHECKING:
    from shared.ports.clock import Clock


def utc(value: datetime) -> datetime:
    """Return ``value`` in UTC; refuse naive datetimes."""
    if value.tzinfo is None:
        raise ValueError("naive datetime: every datetime must carry a time zone")
    return value.astimezone(UTC)


def zone_of(name: str | None) -> ZoneInfo:
    """The time zone ``name``, or UTC when it is missing or unknown."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        """Return the wall-clock time in UTC."""
        return datetime.now(UTC)

    def monotonic(self) -> float:
        """Return ``time.monotonic()``."""
        return time.monotonic()


class ManualClock:
    """A clock that only moves when told to; thread-safe."""

    def __init__(self, start: datetime) -> None:
        self._now = utc(start)
        self._mono = 0.0
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """Return the clock's current time."""
        with self._lock:
            return self._now

    def monotonic(self) -> float:
        """Return the seconds advanced since the clock was made."""
        with self._lock:
            return self._mono

    def set(self, value: datetime) -> None:
        """Jump to ``value`` (never backwards for the monotonic reading)."""
        value = utc(value)
        with self._lock:
            delta = (value - self._now).total_seconds()
            self._mono += max(delta, 0.0)
            self._now = value

    def advance(self, delta: timedelta | float) -> datetime:
        """Move forward by ``delta`` and return the new time."""
        seconds = delta.total_seconds() if isinstance(delta, timedelta) else float(delta)
        if seconds < 0:
            raise ValueError("a clock only moves forward")
        with self._lock:
            self._now += timedelta(seconds=seconds)
            self._mono += seconds
            return self._now


class AcceleratedClock:
    """Real time sped up by ``factor`` from ``start``; it can also jump ahead."""

    def __init__(self, start: datetime, factor: float, base: Clock | None = None) -> None:
        if factor <= 0:
            raise ValueError("factor must be positive")
        self._base = base or SystemClock()
        self._start = utc(start)
        self._origin = self._base.monotonic()
        self._factor = factor
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """Return the accelerated time."""
        return self._start + timedelta(seconds=self.monotonic())

    def monotonic(self) -> float:
        """Return accelerated seconds since the clock was made."""
        with self._lock:
            return (self._base.monotonic() - self._origin) * self._factor + self._offset

    def advance(self, delta: timedelta | float) -> datetime:
        """Jump forward by ``delta`` on top of the acceleration."""
        seconds = delta.total_seconds() if isinstance(delta, timedelta) else float(delta)
        if seconds < 0:
            raise ValueError("a clock only moves forward")
        with self._lock:
            self._offset += seconds
        return self.now()
