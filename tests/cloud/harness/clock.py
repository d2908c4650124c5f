"""One clock for every process of the topology: real time shifted by offsets kept in a file.

The harness writes the file (:class:`ClockFile`): set the wall time to an instant (``T0`` for the
tests) or advance it; the function processes read it (:class:`FileClock`, the ``Clock`` their App
is built with). The monotonic reading only ever moves forward, even when a reset sets the wall
time back to ``T0`` for the next test. Reading costs one ``stat`` per call.
"""

from __future__ import annotations

import os
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path


class FileClock:
    """``Clock`` for a function process: real time plus the offsets in ``path``."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._key: tuple[int, ...] | None = None
        self._offsets = (0.0, 0.0)
        self._lock = threading.Lock()

    def _read(self) -> tuple[float, float]:
        try:
            stat = os.stat(self._path)
        except FileNotFoundError:
            return (0.0, 0.0)
        key = (stat.st_ino, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size)
        with self._lock:
            if key != self._key:
                wall, mono = self._path.read_text().split()
                self._offsets, self._key = (float(wall), float(mono)), key
            return self._offsets

    def now(self) -> datetime:
        """Real time shifted by the wall offset, in UTC."""
        return datetime.now(UTC) + timedelta(seconds=self._read()[0])

    def monotonic(self) -> float:
        """``time.monotonic()`` plus every advance so far."""
        return time.monotonic() + self._read()[1]


class ClockFile:
    """The harness's side of the clock file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._wall = 0.0
        self._mono = 0.0
        self._lock = threading.Lock()
        self._write()

    def _write(self) -> None:
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(f"{self._wall!r} {self._mono!r}\n")
        os.replace(temporary, self.path)

    def now(self) -> datetime:
        """The topology's current time."""
        with self._lock:
            return datetime.now(UTC) + timedelta(seconds=self._wall)

    def set(self, instant: datetime | None) -> datetime:
        """Jump to ``instant`` (None: real time); the monotonic reading does not move back."""
        with self._lock:
            self._wall = 0.0 if instant is None else (instant - datetime.now(UTC)).total_seconds()
            self._write()
        return self.now()

    def advance(self, delta: timedelta) -> datetime:
        """Move forward by ``delta`` (wall and monotonic)."""
        seconds = delta.total_seconds()
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._wall += seconds
            self._mono += seconds
            self._write()
        return self.now()
