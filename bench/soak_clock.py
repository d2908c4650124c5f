"""The soak's clock, shared with the service process through a small file.

The soak moves wall time by hand (and the emulator's clock with it); the service, a separate
process that the soak restarts and ``kill -9``s, reads the same instant from the file. Monotonic
time is real time plus every jump forward, as ``SoakClock`` had it: the quota guard and retry
backoff measure real elapsed time and really sleep.
"""

from __future__ import annotations

import mmap
import os
import struct
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from shared.clock import utc

_FORMAT = "<dd"  # wall time (epoch seconds), seconds jumped forward in all
_SIZE = struct.calcsize(_FORMAT)


class FileClock:
    """A clock whose wall time lives in a file: the soak writes it, the service reads it."""

    def __init__(self, path: Path, start: datetime | None = None) -> None:
        self.path = path
        if start is not None:
            path.write_bytes(struct.pack(_FORMAT, utc(start).timestamp(), 0.0))
        fd = os.open(path, os.O_RDWR)
        try:
            self._map = mmap.mmap(fd, _SIZE)
        finally:
            os.close(fd)

    def _read(self) -> tuple[float, float]:
        wall, jumped = struct.unpack(_FORMAT, self._map[:_SIZE])
        return float(wall), float(jumped)

    def now(self) -> datetime:
        """The instant the soak last set."""
        return datetime.fromtimestamp(self._read()[0], UTC)

    def monotonic(self) -> float:
        """Real seconds elapsed plus the seconds the clock was moved forward."""
        return time.monotonic() + self._read()[1]

    def set(self, value: datetime) -> None:
        """Jump to ``value`` (a jump back does not move the monotonic reading back)."""
        wall, jumped = self._read()
        target = utc(value).timestamp()
        self._map[:_SIZE] = struct.pack(_FORMAT, target, jumped + max(0.0, target - wall))

    def advance(self, delta: timedelta) -> datetime:
        """Move forward by ``delta``."""
        self.set(self.now() + delta)
        return self.now()
